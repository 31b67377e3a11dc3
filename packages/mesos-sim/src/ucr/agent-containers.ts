import type { agent, CommandInfo, ContainerID, ContainerInfo } from '@shoal/mesos';
import type { Master } from '../master';
import { type AgentRecord, isTerminal, type TaskRecord } from '../model';
import { id } from '../wire';
import { isMesosContainer, processArgv, imageOf } from './launch';
import { containerContext } from './task-run';
import { IoContainer } from './switchboard';

/**
 * The agent's side of its containers as the v1 agent API reaches them: a task's own
 * container (its executor's, whose id status updates report) and the session
 * containers nested in it.
 */

/** Ended session containers kept per task, so a WAIT after the end still has the status. */
const MAX_ENDED_NESTED = 100;

export type FoundContainer =
  { kind: 'task'; task: TaskRecord } | { kind: 'nested'; task: TaskRecord; container: IoContainer };

/** `a.b.c` for a nested id, as Mesos prints ContainerIDs. */
export function formatContainerId(containerId: ContainerID): string {
  return containerId.parent
    ? `${formatContainerId(containerId.parent)}.${containerId.value}`
    : containerId.value;
}

function rootOf(containerId: ContainerID): ContainerID {
  return containerId.parent ? rootOf(containerId.parent) : containerId;
}

/** The agents a call may reach: the one it was sent to, or every one through the gateway. */
function agentsOf(master: Master, at: AgentRecord | undefined): AgentRecord[] {
  return at ? [at] : [...master.agents.values()];
}

/** The live task whose container is `root` (a top-level container id). */
export function taskOfContainer(
  master: Master,
  at: AgentRecord | undefined,
  root: ContainerID,
): TaskRecord | undefined {
  for (const agentRecord of agentsOf(master, at))
    for (const task of agentRecord.tasks)
      if (task.containerId === root.value && !isTerminal(task.agentState)) return task;
  return undefined;
}

export function findContainer(
  master: Master,
  at: AgentRecord | undefined,
  containerId: ContainerID,
): FoundContainer | undefined {
  const task = taskOfContainer(master, at, rootOf(containerId));
  if (!task) return undefined;
  if (!containerId.parent) return { kind: 'task', task };
  // Sessions nest one level below a task's container.
  if (containerId.parent.parent || containerId.parent.value !== task.containerId) return undefined;
  const container = task.nested.get(containerId.value);
  return container ? { kind: 'nested', task, container } : undefined;
}

/** GET_CONTAINERS: each task's container (its executor's id is the task's), nested ones if asked. */
export function listContainers(
  master: Master,
  at: AgentRecord | undefined,
  showNested: boolean,
): agent.Response.GetContainers.Container[] {
  const out: agent.Response.GetContainers.Container[] = [];
  for (const agentRecord of agentsOf(master, at)) {
    for (const task of agentRecord.tasks) {
      if (isTerminal(task.agentState) || task.agentState === 'TASK_STAGING') continue;
      const containerId = { value: task.containerId };
      out.push({
        framework_id: id(task.framework.id),
        executor_id: id(task.executorId),
        executor_name: `Command Executor (Task: ${task.id})`,
        container_id: containerId,
        container_status: { container_id: containerId },
      });
      if (!showNested) continue;
      for (const nested of task.nested.values())
        if (nested.running) out.push({ container_id: nested.id });
    }
  }
  return out;
}

export type SessionLaunch =
  { container: IoContainer } | { status: 202 } | { status: 400; message: string };

/**
 * LAUNCH_NESTED_CONTAINER_SESSION under a task's container. As on an agent, the session
 * inherits its parent's environment and working directory (a debug container), and the
 * Docker containerizer cannot nest containers at all.
 */
export function launchSession(
  master: Master,
  at: AgentRecord | undefined,
  session: agent.Call.LaunchNestedContainerSession,
): SessionLaunch {
  const containerId = session.container_id;
  const parent = containerId.parent;
  if (!parent) return { status: 400, message: "Expecting 'container_id.parent' to be present" };
  const root = rootOf(containerId);
  const task = taskOfContainer(master, at, root);
  if (!task || !task.run || parent.parent || parent.value !== task.containerId)
    return { status: 400, message: `Root container ${formatContainerId(root)} not found` };
  if (!isMesosContainer(task.info))
    return { status: 400, message: 'Nested containers are not supported' };
  if (task.nested.get(containerId.value)?.running) return { status: 202 };
  const info: ContainerInfo | undefined = session.container;
  if (info && info.type !== 'MESOS')
    return { status: 400, message: 'The provided ContainerInfo is not supported' };
  const spec = master.taskManager.launchSpecOf(task);
  const command: CommandInfo = session.command ?? { shell: true };
  const env = { ...spec.env };
  for (const variable of command.environment?.variables ?? [])
    env[variable.name] = variable.value ?? '';
  if (command.shell ?? true) {
    if (command.value === undefined)
      return { status: 400, message: 'Shell specified but no command value provided' };
  } else if (command.value === undefined) {
    return { status: 400, message: 'No executable is found' };
  }
  const container = new IoContainer({
    id: containerId,
    argv: processArgv(command, imageOf(task.info)),
    context: { ...containerContext(task, spec), env },
    ...(info?.tty_info ? { tty: info.tty_info } : {}),
    waitForConnection: true,
    timers: master.timers,
    heartbeatMs: master.options.ioHeartbeatSeconds * 1000,
  });
  task.nested.set(containerId.value, container);
  void container.ended.then(() => forgetOldest(task));
  return { container };
}

function forgetOldest(task: TaskRecord): void {
  const ended = [...task.nested.entries()].filter(([, c]) => !c.running);
  for (const [key] of ended.slice(0, Math.max(0, ended.length - MAX_ENDED_NESTED)))
    task.nested.delete(key);
}
