import { MesosSubscriptionError, type TaskStatus } from '@shoal/mesos';

/** The master's answer to a subscription with the id of a framework it has removed. */
export function isFrameworkRemoved(error: unknown): boolean {
  return (
    error instanceof MesosSubscriptionError &&
    /framework has been removed/i.test(error.mesosMessage)
  );
}

/**
 * What became of the tasks of a framework Mesos removed: it killed them all. The
 * statuses say so as a master would, with REASON_FRAMEWORK_REMOVED and why it happens.
 */
export function killedWithFramework(
  frameworkId: string,
  tasks: readonly { taskId: string; agentId?: string }[],
  failoverTimeoutSeconds: number,
): { message: string; statuses: TaskStatus[] } {
  const message =
    `Mesos removed framework ${frameworkId} and killed its tasks: an operator tore it ` +
    `down, or no Shoal was subscribed for longer than its failover timeout ` +
    `(${failoverTimeoutSeconds} s)`;
  const timestamp = Date.now() / 1000;
  return {
    message,
    statuses: tasks.map((t) => ({
      task_id: { value: t.taskId },
      state: 'TASK_KILLED',
      source: 'SOURCE_MASTER',
      reason: 'REASON_FRAMEWORK_REMOVED',
      message,
      timestamp,
      ...(t.agentId ? { agent_id: { value: t.agentId } } : {}),
    })),
  };
}
