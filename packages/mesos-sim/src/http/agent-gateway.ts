import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Master } from '../master';
import { type AgentRecord, isTerminal, type TaskRecord } from '../model';
import { keptSandbox } from '../kept-sandboxes';
import { handleAgentApi } from './agent-api';
import { sendJson, sendText } from './transport';

/**
 * One HTTP server stands in for every agent's port. A request reaches agent X when it
 * carries `Host: <X's hostname>` or starts with `/agents/<X's id>`; `/files/read` and
 * `/files/browse` also work with neither, because sandbox paths name the framework and executor.
 */

const MAX_READ = 16 * 4096;
const SANDBOX_PATH =
  /(?:\/slaves\/([^/]+))?\/frameworks\/([^/]+)\/executors\/([^/]+)\/runs\/[^/]+\/(stdout|stderr)$/;
const RUN_PATH =
  /^(?:\/slaves\/([^/]+))?\/frameworks\/([^/]+)\/executors\/([^/]+)\/runs\/[^/]+\/?$/;

function agentByHost(master: Master, host: string | undefined): AgentRecord | undefined {
  const hostname = host?.replace(/:\d+$/, '').toLowerCase();
  return hostname ? master.agentsByHostname.get(hostname) : undefined;
}

function findExecutor(
  master: Master,
  frameworkId: string,
  executorId: string,
): TaskRecord | undefined {
  const framework =
    master.frameworks.get(frameworkId) ??
    master.completedFrameworks.find((f) => f.id === frameworkId);
  if (!framework) return undefined;
  const direct = framework.tasks.get(executorId) ?? framework.unreachableTasks.get(executorId);
  if (direct?.executorId === executorId) return direct;
  const all = [
    ...framework.tasks.values(),
    ...framework.unreachableTasks.values(),
    ...framework.completedTasks,
  ];
  return all.reverse().find((t) => t.executorId === executorId);
}

/** One output file of a run: live, or kept from before the cluster's restart. */
interface RunFile {
  size: number;
  /** When it was last written (ms since the epoch). */
  modifiedAt: number;
  read(offset: number, length: number): Buffer;
}

/**
 * The stdout and stderr of the executor run a sandbox path names, as `agent` (when the
 * request named one) serves them; none when it has no such run.
 */
function runFiles(
  master: Master,
  agent: AgentRecord | undefined,
  at: { agentId: string | undefined; frameworkId: string; executorId: string },
): Record<'stdout' | 'stderr', RunFile> | undefined {
  const task = findExecutor(master, at.frameworkId, at.executorId);
  if (task) {
    const elsewhere =
      (agent && task.agent !== agent) || (at.agentId !== undefined && task.agent.id !== at.agentId);
    return elsewhere
      ? undefined
      : { stdout: task.sandbox.file('stdout')!, stderr: task.sandbox.file('stderr')! };
  }
  // A sandbox from before the cluster's restart, served as its agent would still serve it.
  const kept = keptSandbox(master.keptSandboxes, at.frameworkId, at.executorId);
  if (!kept || (at.agentId !== undefined && kept.agentId !== at.agentId)) return undefined;
  const file = (text: string): RunFile => {
    const bytes = Buffer.from(text, 'utf8');
    // No time is kept with them: they are listed as of now.
    return {
      size: bytes.length,
      modifiedAt: Date.now(),
      read: (offset, length) => bytes.subarray(offset, offset + length),
    };
  };
  return { stdout: file(kept.stdout), stderr: file(kept.stderr) };
}

function readFile(
  master: Master,
  agent: AgentRecord | undefined,
  query: URLSearchParams,
  res: ServerResponse,
): void {
  const path = query.get('path');
  if (path === null) return sendText(res, 400, "Expecting 'path=value' in query.");
  const offsetText = query.get('offset');
  if (offsetText === null) return sendText(res, 400, "Expecting 'offset=value' in query.");
  const offset = Number(offsetText);
  const lengthText = query.get('length');
  const length = lengthText === null ? undefined : Number(lengthText);
  if (!Number.isInteger(offset) || offset < -1)
    return sendText(res, 400, `Failed to parse offset: '${offsetText}'`);
  if (length !== undefined && (!Number.isInteger(length) || length < -1)) {
    return sendText(res, 400, `Failed to parse length: '${lengthText}'`);
  }
  const match = SANDBOX_PATH.exec(path);
  if (!match) return sendText(res, 404, 'File not found');
  const [, agentId, frameworkId, executorId, name] = match as unknown as [
    string,
    string | undefined,
    string,
    string,
    'stdout' | 'stderr',
  ];
  const file = runFiles(master, agent, { agentId, frameworkId, executorId })?.[name];
  if (!file) return sendText(res, 404, 'File not found');
  // offset -1 asks for the size only, which is how log followers find the end.
  if (offset === -1) return sendJson(res, 200, { data: '', offset: file.size });
  const take = length === undefined || length === -1 ? MAX_READ : Math.min(length, MAX_READ);
  const data = offset >= file.size ? '' : file.read(offset, take).toString('utf8');
  sendJson(res, 200, { data, offset });
}

/** `/files/browse` of an executor run's directory: its stdout and stderr, as an agent lists them. */
function browse(
  master: Master,
  agent: AgentRecord | undefined,
  query: URLSearchParams,
  res: ServerResponse,
): void {
  const path = query.get('path');
  if (path === null) return sendText(res, 400, "Expecting 'path=value' in query.");
  const [, agentId, frameworkId, executorId] = RUN_PATH.exec(path) ?? [];
  const run =
    frameworkId && executorId
      ? runFiles(master, agent, { agentId, frameworkId, executorId })
      : undefined;
  if (!run) return sendText(res, 404, 'File not found');
  const directory = path.replace(/\/$/, '');
  sendJson(
    res,
    200,
    (['stderr', 'stdout'] as const).map((name) => ({
      gid: 'root',
      mode: '-rw-r--r--',
      mtime: Math.floor(run[name].modifiedAt / 1000),
      nlink: 1,
      path: `${directory}/${name}`,
      size: run[name].size,
      uid: 'root',
    })),
  );
}

/** A cheap `/monitor/statistics`: limits from the task's resources, usage derived from its age. */
function statistics(master: Master, agent: AgentRecord | undefined, res: ServerResponse): void {
  const now = Date.now();
  const agents = agent ? [agent] : [...master.agents.values()];
  const entries = agents.flatMap((a) =>
    [...a.tasks]
      .filter((t) => !isTerminal(t.agentState) && t.agentState !== 'TASK_STAGING')
      .map((t) => {
        const cpus = t.resources.scalars.cpus ?? t.resources.revocable.cpus ?? 0;
        const memBytes = (t.resources.scalars.mem ?? t.resources.revocable.mem ?? 0) * 1024 * 1024;
        const seconds = (now - t.launchedAt) / 1000;
        return {
          executor_id: t.executorId,
          executor_name: `Command Executor (Task: ${t.id}) (Command: sh -c '...')`,
          framework_id: t.framework.id,
          source: t.id,
          statistics: {
            timestamp: now / 1000,
            cpus_limit: cpus,
            cpus_user_time_secs: Math.round(seconds * cpus * 0.2 * 100) / 100,
            cpus_system_time_secs: Math.round(seconds * cpus * 0.05 * 100) / 100,
            mem_limit_bytes: memBytes,
            mem_rss_bytes: Math.round(memBytes * 0.3),
            // As an agent with the network/port_mapping and cgroups/blkio isolators reports them.
            ...networkCounters(seconds),
            blkio: { throttling: [blockDevice(seconds)] },
          },
        };
      }),
  );
  sendJson(res, 200, entries);
}

/** Made-up traffic that grows with the task's age: 2 KB/s in, 1 KB/s out. */
function networkCounters(seconds: number) {
  const rx = Math.round(seconds * 2048);
  const tx = Math.round(seconds * 1024);
  return {
    net_rx_bytes: rx,
    net_rx_packets: Math.ceil(rx / 512),
    net_rx_errors: 0,
    net_rx_dropped: 0,
    net_tx_bytes: tx,
    net_tx_packets: Math.ceil(tx / 512),
    net_tx_errors: 0,
    net_tx_dropped: 0,
  };
}

/** Made-up disk traffic on device 8:0: 4 KB/s read, 8 KB/s written. */
function blockDevice(seconds: number) {
  const read = Math.round(seconds * 4096);
  const written = Math.round(seconds * 8192);
  return {
    device: { major_number: 8, minor_number: 0 },
    io_service_bytes: [
      { op: 'READ', value: read },
      { op: 'WRITE', value: written },
      { op: 'TOTAL', value: read + written },
    ],
  };
}

export function handleAgentGateway(
  master: Master,
  req: IncomingMessage,
  res: ServerResponse,
): void | Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway');
  let path = url.pathname;
  let agent = agentByHost(master, req.headers.host);
  const prefixed = /^\/agents\/([^/]+)(\/.*)?$/.exec(path);
  if (prefixed) {
    agent = master.agents.get(decodeURIComponent(prefixed[1] ?? ''));
    if (!agent) return sendText(res, 404, `Unknown agent '${prefixed[1]}'`);
    path = prefixed[2] ?? '/';
  }
  path = path.replace(/^\/slave\(1\)/, '');
  if (path === '/api/v1') return handleAgentApi(master, agent, req, res);
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return sendText(res, 405, '', { Allow: 'GET' });
  if (path === '/health') return sendText(res, 200);
  if (path === '/files/read' || path === '/files/read.json')
    return readFile(master, agent, url.searchParams, res);
  if (path === '/files/browse' || path === '/files/browse.json')
    return browse(master, agent, url.searchParams, res);
  if (path === '/monitor/statistics' || path === '/monitor/statistics.json')
    return statistics(master, agent, res);
  sendText(res, 404);
}
