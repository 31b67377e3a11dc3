import type { TaskState, TaskStatus } from '@shoal/mesos';
import { releaseTask } from './ledger';
import type { Master } from './master';
import { type FrameworkRecord, isTerminal, type TaskRecord } from './model';
import { id } from './wire';

const MAX_STATUSES = 16;
/** The agent backs off from the first retry interval up to this many times it (10 s → 10 min). */
const MAX_RETRY_FACTOR = 60;

export type StatusExtra = Pick<TaskStatus, 'message' | 'reason' | 'unreachable_time'>;

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return (
    a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i])
  );
}

function masterStatus(task: TaskRecord, state: TaskState, extra: StatusExtra): TaskStatus {
  return {
    task_id: id(task.id),
    state,
    source: 'SOURCE_MASTER',
    agent_id: id(task.agent.id),
    executor_id: id(task.executorId),
    timestamp: Date.now() / 1000,
    ...extra,
  };
}

/**
 * A task's status updates: the agent's stream (one update in flight at a time, retried with
 * backoff until the framework acknowledges it) and what the master learns as each is
 * forwarded or as it makes one up itself.
 */
export class StatusUpdates {
  constructor(
    private readonly master: Master,
    /** Told when a task's last update, a terminal one, is acknowledged. */
    private readonly completed: (task: TaskRecord) => void,
  ) {}

  /** The agent's status update manager: queue the update, forward it if nothing is in flight. */
  emit(
    task: TaskRecord,
    state: TaskState,
    source: TaskStatus['source'],
    extra: StatusExtra = {},
  ): void {
    task.agentState = state;
    task.pending.push({
      task_id: id(task.id),
      state,
      source,
      agent_id: id(task.agent.id),
      executor_id: id(task.executorId),
      timestamp: Date.now() / 1000,
      uuid: this.master.random.uuidBytes(),
      // The agent adds the status of the task's container, its id included.
      container_status: { container_id: { value: task.containerId } },
      ...extra,
    });
    if (task.pending.length === 1) this.forward(task);
  }

  forward(task: TaskRecord): void {
    const head = task.pending[0];
    if (!head || task.agent.status !== 'REGISTERED' || task.framework.removed) return;
    // The agent reports its latest state with each update, so the master can run ahead
    // of what the framework has acknowledged.
    if (task.statuses[task.statuses.length - 1] !== head) this.record(task, head, task.agentState);
    this.master.subscriptions.send(task.framework, { type: 'UPDATE', update: { status: head } });
    const { timers, options } = this.master;
    timers.cancel(task.retryTimer);
    task.retryTimer = timers.after(task.retryDelayMs, () => {
      task.retryDelayMs = Math.min(
        task.retryDelayMs * 2,
        options.statusUpdateRetryMs * MAX_RETRY_FACTOR,
      );
      this.forward(task);
    });
  }

  /** What the master learns: new state, status history, and resources back on terminal. */
  private record(task: TaskRecord, status: TaskStatus, state: TaskState): void {
    task.statuses.push(status);
    if (task.statuses.length > MAX_STATUSES) task.statuses.shift();
    task.state = state;
    if (isTerminal(state)) releaseTask(task);
    this.master.operatorEvents.taskUpdated(task, status);
  }

  /** An update the master makes up itself: no uuid, nothing to acknowledge. */
  sendFromMaster(task: TaskRecord, state: TaskState, sent: TaskState, extra: StatusExtra): void {
    const status = masterStatus(task, sent, extra);
    this.record(task, status, state);
    this.master.subscriptions.send(task.framework, { type: 'UPDATE', update: { status } });
  }

  acknowledge(framework: FrameworkRecord, agentId: string, taskId: string, uuid: Uint8Array): void {
    const task = framework.tasks.get(taskId);
    if (!task || task.agent.id !== agentId || !sameBytes(task.pending[0]?.uuid, uuid)) return;
    task.pending.shift();
    this.master.timers.cancel(task.retryTimer);
    task.retryTimer = undefined;
    task.retryDelayMs = this.master.options.statusUpdateRetryMs;
    if (task.pending.length > 0) this.forward(task);
    else if (isTerminal(task.agentState)) this.completed(task);
    // The kept state holds the unacknowledged updates: an agent checkpoints acknowledgements.
    this.master.onChange();
  }

  /** What the master notes of a task whose framework is gone: nobody is told. */
  noteFromMaster(task: TaskRecord, state: TaskState, extra: StatusExtra): void {
    this.record(task, masterStatus(task, state, extra), state);
  }

  /** Re-sends in-flight updates at once when a framework subscribes again. */
  resendPending(framework: FrameworkRecord): void {
    for (const task of framework.tasks.values()) if (task.pending.length > 0) this.forward(task);
  }
}
