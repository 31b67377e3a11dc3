import type { FrameworkInfo, TaskInfo, TaskState, TaskStatus } from '@shoal/mesos';
import { releaseTask } from './ledger';
import type { Master } from './master';
import { isTerminal, type TaskRecord } from './model';
import { keptSandbox } from './kept-sandboxes';
import type { AgentSpec } from './options';
import type { Resources } from './resources';

/**
 * The agents, frameworks and tasks a cluster keeps across a restart (SimOptions.stateFile),
 * as a real cluster keeps them across a master failover: agents keep running their tasks
 * and re-register with the new master, and frameworks subscribe again with their ids.
 */
export interface KeptCluster {
  agents: KeptAgent[];
  frameworks: KeptFramework[];
  tasks: KeptTask[];
}

interface KeptAgent {
  id: string;
  hostname: string;
  spec: AgentSpec;
}

interface KeptFramework {
  id: string;
  /** Holds the failover timeout and everything else the framework subscribed with. */
  info: FrameworkInfo;
}

interface KeptTask {
  frameworkId: string;
  agentId: string;
  role: string;
  info: TaskInfo;
  resources: Resources;
  state: TaskState;
  agentState: TaskState;
  statuses: TaskStatus[];
  /** Updates the framework had not acknowledged yet: it gets them again when it returns. */
  pending: TaskStatus[];
  launchedAt: number;
  /** Absent in files written before container ids were kept. */
  containerId?: string;
}

/** What the cluster holds now, in the shape the state file keeps. */
export function captureCluster(master: Master): KeptCluster {
  const agents = [...master.agents.values()]
    .filter((agent) => agent.status === 'REGISTERED' || agent.status === 'UNREACHABLE')
    .map((agent) => ({ id: agent.id, hostname: agent.hostname, spec: agent.spec }));
  const frameworks = [...master.frameworks.values()].map((f) => ({ id: f.id, info: f.info }));
  const tasks: KeptTask[] = [];
  for (const framework of master.frameworks.values()) {
    for (const task of [...framework.tasks.values(), ...framework.unreachableTasks.values()])
      tasks.push(keptTask(task));
  }
  return { agents, frameworks, tasks };
}

function keptTask(task: TaskRecord): KeptTask {
  return {
    frameworkId: task.framework.id,
    agentId: task.agent.id,
    role: task.role,
    info: task.info,
    resources: task.resources,
    state: task.state,
    agentState: task.agentState,
    statuses: task.statuses.slice(-1),
    pending: task.pending,
    launchedAt: task.launchedAt,
    containerId: task.containerId,
  };
}

/**
 * Brings a kept cluster back: its agents registered again under their ids, its frameworks
 * known but disconnected until they subscribe again (as after a master failover), and
 * its tasks running on, their output kept and their behaviour going on from there.
 * Returns false when there is nothing to restore.
 */
export function restoreCluster(master: Master, kept: KeptCluster | undefined): boolean {
  if (!kept || kept.agents.length === 0) return false;
  for (const agent of kept.agents)
    master.agentManager.add({ ...agent.spec, hostname: agent.hostname }, agent.id);
  for (const framework of kept.frameworks) master.subscriptions.recover(framework.info);
  for (const kt of kept.tasks) {
    const framework = master.frameworks.get(kt.frameworkId);
    const agent = master.agents.get(kt.agentId);
    if (!framework || !agent) continue;
    const task = master.taskManager.launch(
      framework,
      agent,
      kt.role,
      kt.info,
      kt.resources,
      kt.containerId,
    );
    task.state = kt.state;
    task.agentState = kt.agentState;
    task.statuses = kt.statuses;
    task.pending = kt.pending;
    task.launchedAt = kt.launchedAt;
    if (isTerminal(task.state)) releaseTask(task);
    const sandbox = keptSandbox(master.keptSandboxes, framework.id, task.executorId);
    if (sandbox) {
      task.sandbox.append('stdout', sandbox.stdout);
      task.sandbox.append('stderr', sandbox.stderr);
    }
    if (!isTerminal(task.agentState)) master.taskManager.resume(task);
  }
  return true;
}

/** JSON with byte fields (uuids, task data) kept as base64. */
/**
 * What JSON cannot hold as it is, kept in a form it can: bytes (uuids) and the 64-bit
 * integers protobuf gives as BigInt (a task's port ranges), which JSON.stringify refuses:
 * one task with a published port stopped every later write of the state file.
 */
export function bytesReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  return value;
}

export function bytesReviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && '$bytes' in value) {
    const bytes = value.$bytes;
    if (typeof bytes === 'string') return new Uint8Array(Buffer.from(bytes, 'base64'));
  }
  if (value !== null && typeof value === 'object' && '$bigint' in value) {
    const digits = value.$bigint;
    if (typeof digits === 'string' && /^-?\d+$/.test(digits)) return BigInt(digits);
  }
  return value;
}
