import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultError, type Faults } from '../faults';
import type { AgentSpec } from '../options';
import type { ClusterState } from '../snapshot';
import { processCounts } from '../process-counts';
import { readBody, sendJson, sendText } from './transport';

/**
 * The fault API, `/sim/v1/...` on every master (leader or not), JSON in and out.
 * Documented in the package README.
 */

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FaultError(400, 'Body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new FaultError(400, 'Body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new FaultError(400, `'${key}' must be a string`);
  return value;
}

function agentSpecs(body: Record<string, unknown>): AgentSpec[] {
  if (Array.isArray(body.agents)) return body.agents as AgentSpec[];
  const count = body.count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1)
    throw new FaultError(400, "'count' must be a positive integer");
  const spec = (body.spec ?? {}) as AgentSpec;
  return Array.from({ length: count }, () => ({ ...spec }));
}

export interface SimApiContext {
  faults: Faults;
  state: ClusterState;
  describe(): Record<string, unknown>;
}

export async function handleSimApi(
  context: SimApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://sim').pathname.replace(/\/+$/, '');
  const { faults, state } = context;
  try {
    if (req.method === 'GET' && path === '/sim/v1/state') {
      return sendJson(res, 200, {
        ...context.describe(),
        agents: state.agents(),
        frameworks: state.frameworks(),
        offers: state.offers().length,
        tasks: state.tasks().length,
      });
    }
    if (req.method === 'GET' && path === '/sim/v1/process') {
      // What the emulator's process has spent, so a benchmark can tell its share of the machine.
      const cpu = process.cpuUsage();
      return sendJson(res, 200, {
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        rssMb: process.memoryUsage().rss / 1_048_576,
        schedulerCalls: Object.fromEntries(processCounts.schedulerCalls),
        offersMade: processCounts.offersMade,
      });
    }
    if (req.method !== 'POST') return sendText(res, 405, '', { Allow: 'POST' });
    const body = await jsonBody(req);
    const [, , , kind, target, action] = path.split('/').map(decodeURIComponent);
    if (path === '/sim/v1/agents')
      return sendJson(res, 200, { agents: faults.addAgents(agentSpecs(body)) });
    if (path === '/sim/v1/leader') {
      const leader = body.leader;
      if (leader !== null && typeof leader !== 'number')
        throw new FaultError(400, "'leader' must be a master index or null");
      faults.setLeader(leader);
      return sendJson(res, 200, {});
    }
    if (path === '/sim/v1/recovering') {
      faults.setRecovering(body.recovering === true);
      return sendJson(res, 200, {});
    }
    if (kind === 'agents' && target && action) {
      const act = {
        kill: faults.killAgent,
        partition: faults.partitionAgent,
        restore: faults.restoreAgent,
      }[action];
      if (act) {
        act.call(faults, target);
        return sendJson(res, 200, {});
      }
    }
    if (kind === 'frameworks' && target && action === 'drop-stream') {
      faults.dropFrameworkStream(target);
      return sendJson(res, 200, {});
    }
    if (kind === 'tasks' && target && action === 'exit') {
      const code = body.code;
      if (typeof code !== 'number') throw new FaultError(400, "'code' must be a number");
      faults.exitTask(target, code, optionalString(body, 'frameworkId'));
      return sendJson(res, 200, {});
    }
    if (kind === 'tasks' && target && action === 'fail') {
      faults.failTask(
        target,
        optionalString(body, 'message') ?? 'Task failed',
        optionalString(body, 'frameworkId'),
      );
      return sendJson(res, 200, {});
    }
    sendText(res, 404, `No fault at ${path}`);
  } catch (error) {
    if (error instanceof FaultError) return sendJson(res, error.status, { error: error.message });
    throw error;
  }
}
