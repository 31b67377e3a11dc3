import { ShoalError } from '../errors';
import { isLaunched } from './lifecycle';
import type { SessionTarget, TaskMonitor, TaskUsage } from './ports';
import type { ContainerRow } from './rows';

/** Where the container's task (speakingTask) runs, once it is on an agent. */
export function sessionTarget(row: ContainerRow): SessionTarget | undefined {
  const task = row.tasks[0];
  return task?.agentId && task.agentEndpoint && isLaunched(task.state)
    ? {
        mesosTaskId: task.mesosTaskId,
        agentId: task.agentId,
        agentEndpoint: task.agentEndpoint,
        ...(task.hostname ? { hostname: task.hostname } : {}),
      }
    : undefined;
}

/** What the running container's task uses, as its agent counts it. */
export async function measureTask(
  monitor: TaskMonitor | undefined,
  container: ContainerRow,
): Promise<TaskUsage | undefined> {
  const task = container.tasks[0];
  if (!monitor || !task?.agentId || container.state !== 'RUNNING') return undefined;
  try {
    return await monitor.usage({
      mesosTaskId: task.mesosTaskId,
      agentId: task.agentId,
      agentEndpoint: task.agentEndpoint,
    });
  } catch (cause) {
    // An agent away or slow is a state of the cluster the reader can wait out, not a fault.
    throw new ShoalError(
      'UNAVAILABLE',
      `The agent running ${container.name} did not answer for its usage; try again shortly`,
      { cause },
    );
  }
}
