import type { master as m, TaskStatus } from '@shoal/mesos';
import type { Master } from './master';
import type { AgentRecord, EventSink, FrameworkRecord, TaskRecord } from './model';
import { id } from './wire';

/**
 * The operator API's SUBSCRIBE streams. Events are only built when someone listens, which
 * keeps a 30 000-task launch from rendering views nobody reads.
 */
export class OperatorEvents {
  private readonly subscribers = new Map<EventSink<m.Event>, NodeJS.Timeout | undefined>();

  constructor(private readonly master: Master) {}

  subscribe(sink: EventSink<m.Event>): void {
    const interval = this.master.options.heartbeatIntervalSeconds;
    sink.send({
      type: 'SUBSCRIBED',
      subscribed: { get_state: this.master.views.getState(), heartbeat_interval_seconds: interval },
    });
    sink.send({ type: 'HEARTBEAT' });
    this.subscribers.set(
      sink,
      this.master.timers.every(interval * 1000, () => sink.send({ type: 'HEARTBEAT' })),
    );
  }

  unsubscribe(sink: EventSink<m.Event>): void {
    this.master.timers.cancel(this.subscribers.get(sink));
    this.subscribers.delete(sink);
  }

  /** Leader change: every operator must subscribe again to the new leader. */
  closeAll(): void {
    for (const sink of [...this.subscribers.keys()]) {
      this.unsubscribe(sink);
      sink.close();
    }
  }

  private publish(build: () => m.Event): void {
    // Every change worth keeping across a restart passes through here.
    this.master.onChange();
    if (this.subscribers.size === 0) return;
    const event = build();
    for (const sink of this.subscribers.keys()) sink.send(event);
  }

  taskAdded(task: TaskRecord): void {
    this.publish(() => ({
      type: 'TASK_ADDED',
      task_added: { task: this.master.views.task(task) },
    }));
  }

  taskUpdated(task: TaskRecord, status: TaskStatus): void {
    this.publish(() => ({
      type: 'TASK_UPDATED',
      task_updated: { framework_id: id(task.framework.id), status, state: task.state },
    }));
  }

  agentAdded(agent: AgentRecord): void {
    this.publish(() => ({
      type: 'AGENT_ADDED',
      agent_added: { agent: this.master.views.agent(agent) },
    }));
  }

  agentRemoved(agent: AgentRecord): void {
    this.publish(() => ({ type: 'AGENT_REMOVED', agent_removed: { agent_id: id(agent.id) } }));
  }

  frameworkAdded(framework: FrameworkRecord): void {
    this.publish(() => ({
      type: 'FRAMEWORK_ADDED',
      framework_added: { framework: this.master.views.framework(framework) },
    }));
  }

  frameworkUpdated(framework: FrameworkRecord): void {
    this.publish(() => ({
      type: 'FRAMEWORK_UPDATED',
      framework_updated: { framework: this.master.views.framework(framework) },
    }));
  }

  frameworkRemoved(framework: FrameworkRecord): void {
    this.publish(() => ({
      type: 'FRAMEWORK_REMOVED',
      framework_removed: { framework_info: framework.info },
    }));
  }
}
