import type { scheduler, TaskState, TaskStatus } from '@shoal/mesos';
import type { Master } from './master';
import type { FrameworkRecord, TaskRecord } from './model';
import { id, timeInfo } from './wire';

function known(task: TaskRecord): TaskStatus {
  const last = task.statuses[task.statuses.length - 1];
  const status: TaskStatus = {
    task_id: id(task.id),
    state: task.state,
    source: 'SOURCE_MASTER',
    reason: 'REASON_RECONCILIATION',
    message: 'Reconciliation: Latest task state',
    agent_id: id(task.agent.id),
    executor_id: id(task.executorId),
    timestamp: Date.now() / 1000,
  };
  if (task.agent.unreachableAt !== undefined)
    status.unreachable_time = timeInfo(task.agent.unreachableAt);
  if (last?.data) status.data = last.data;
  return status;
}

/**
 * RECONCILE. Implicit (no tasks): the latest state of every task the master knows.
 * Explicit: per task, in the master's order — known task, then what the master knows of
 * the agent (registered → GONE, unreachable → UNREACHABLE, marked gone → GONE_BY_OPERATOR,
 * unknown → UNKNOWN), with TASK_LOST for frameworks that are not PARTITION_AWARE.
 * Answers come from the master: no uuid, nothing to acknowledge.
 */
export function reconcile(
  master: Master,
  framework: FrameworkRecord,
  call: scheduler.Call.Reconcile,
): void {
  const send = (status: TaskStatus) =>
    master.subscriptions.send(framework, { type: 'UPDATE', update: { status } });
  const requested = call.tasks ?? [];
  if (requested.length === 0) {
    for (const task of framework.tasks.values()) send(known(task));
    for (const task of framework.unreachableTasks.values())
      send(lostOrAs(framework, known(task), 'TASK_UNREACHABLE'));
    return;
  }
  for (const entry of requested) {
    const task = framework.tasks.get(entry.task_id.value);
    if (task) {
      send(known(task));
      continue;
    }
    const agentId = entry.agent_id?.value;
    const agent = agentId === undefined ? undefined : master.agents.get(agentId);
    const base: TaskStatus = {
      task_id: entry.task_id,
      state: 'TASK_UNKNOWN',
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      timestamp: Date.now() / 1000,
      ...(entry.agent_id ? { agent_id: entry.agent_id } : {}),
    };
    if (agent?.status === 'REGISTERED') {
      send(
        lostOrAs(
          framework,
          { ...base, message: 'Reconciliation: Task is unknown to the agent' },
          'TASK_GONE',
        ),
      );
    } else if (agent?.status === 'UNREACHABLE') {
      const status: TaskStatus = { ...base, message: 'Reconciliation: Task is unreachable' };
      if (agent.unreachableAt !== undefined)
        status.unreachable_time = timeInfo(agent.unreachableAt);
      send(lostOrAs(framework, status, 'TASK_UNREACHABLE'));
    } else if (agent?.status === 'GONE') {
      send(
        lostOrAs(
          framework,
          { ...base, message: 'Reconciliation: Task is gone' },
          'TASK_GONE_BY_OPERATOR',
        ),
      );
    } else {
      send(
        lostOrAs(
          framework,
          { ...base, message: 'Reconciliation: Task is unknown' },
          'TASK_UNKNOWN',
        ),
      );
    }
  }
}

function lostOrAs(framework: FrameworkRecord, status: TaskStatus, state: TaskState): TaskStatus {
  return { ...status, state: framework.capabilities.has('PARTITION_AWARE') ? state : 'TASK_LOST' };
}
