import {
  type FrameworkID,
  type FrameworkInfo,
  type Offer,
  type Resource,
  type scheduler,
  SchedulerClient,
  type SchedulerSubscription,
  type TaskInfo,
  type TaskState,
  type TaskStatus,
  type WireFormat,
} from '@shoal/mesos';
import { EventQueue } from './event-queue';
import { Limiter } from './limiter';

export interface DriverOptions {
  /** Acknowledge every update that carries a uuid as soon as it arrives (default true). */
  autoAck?: boolean;
  suppressedRoles?: string[];
  format?: WireFormat;
}

/** FrameworkInfo for tests: MULTI_ROLE with `roles`, plus any extra capabilities. */
export function frameworkInfo(
  name: string,
  roles: string[],
  capabilities: string[] = [],
  extra: Partial<FrameworkInfo> = {},
): FrameworkInfo {
  return {
    user: 'root',
    name,
    roles,
    capabilities: ['MULTI_ROLE', ...capabilities].map((type) => ({
      type: type as NonNullable<FrameworkInfo['capabilities']>[number]['type'],
    })),
    ...extra,
  };
}

export function scalar(name: string, value: number): Resource {
  return { name, type: 'SCALAR', scalar: { value } };
}

/** A TaskInfo on `offer`'s agent with cpus/mem and a shell command (or a Docker image). */
export function taskOn(
  offer: Offer,
  taskId: string,
  options: { cpus?: number; mem?: number; command?: string; image?: string } = {},
): TaskInfo {
  const task: TaskInfo = {
    name: taskId,
    task_id: { value: taskId },
    agent_id: offer.agent_id,
    resources: [scalar('cpus', options.cpus ?? 0.1), scalar('mem', options.mem ?? 32)],
    command: options.command === undefined ? { shell: false } : { value: options.command },
  };
  if (options.image) task.container = { type: 'DOCKER', docker: { image: options.image } };
  return task;
}

/**
 * A framework driven through @shoal/mesos's SchedulerClient, with its events queued for
 * tests to wait on.
 */
export class FrameworkDriver {
  readonly queue = new EventQueue<scheduler.Event>();
  /** Bounds the calls in flight, acknowledgements included. */
  readonly calls = new Limiter(32);
  /**
   * Updates whose acknowledgement is queued or in flight: a retried copy arriving meanwhile
   * is not acknowledged twice. One arriving later is, since the first one may have been lost.
   */
  private readonly acking = new Set<string>();
  private subscription?: SchedulerSubscription;

  private constructor(
    readonly client: SchedulerClient,
    private readonly autoAck: boolean,
  ) {}

  static async subscribe(
    masters: string[],
    info: FrameworkInfo,
    options: DriverOptions = {},
  ): Promise<FrameworkDriver> {
    const client = new SchedulerClient({
      masters,
      format: options.format ?? 'protobuf',
      backoff: { initialMs: 10, maxMs: 100 },
      maxAttempts: 50,
    });
    const driver = new FrameworkDriver(client, options.autoAck ?? true);
    driver.subscription = await client.subscribe(info, {
      suppressedRoles: options.suppressedRoles ?? [],
    });
    void driver.pump(driver.subscription);
    return driver;
  }

  private async pump(subscription: SchedulerSubscription): Promise<void> {
    try {
      for await (const item of subscription) {
        if (item.type === 'DISCONNECTED') continue;
        const event = item;
        const status = event.update?.status;
        // Not awaited: acknowledging one update at a time would serialise thousands of tasks.
        if (this.autoAck && status?.uuid && status.agent_id) {
          const { agent_id: agentId, task_id: taskId, uuid } = status;
          const key = Buffer.from(uuid).toString('hex');
          if (!this.acking.has(key)) {
            this.acking.add(key);
            this.calls
              .run(() => this.client.acknowledge(agentId, taskId, uuid))
              .catch(() => {})
              .finally(() => this.acking.delete(key));
          }
        }
        this.queue.push(event);
      }
      this.queue.end(new Error('subscription closed'));
    } catch (error) {
      this.queue.end(error instanceof Error ? error : new Error(String(error)));
    }
  }

  get id(): FrameworkID {
    const id = this.client.frameworkId;
    if (!id) throw new Error('not subscribed');
    return id;
  }

  next(
    predicate: (event: scheduler.Event) => boolean = () => true,
    timeoutMs?: number,
  ): Promise<scheduler.Event> {
    return this.queue.next(predicate, timeoutMs);
  }

  async offers(
    predicate: (offer: Offer) => boolean = () => true,
    timeoutMs?: number,
  ): Promise<Offer[]> {
    const event = await this.next(
      (e) => e.type === 'OFFERS' && (e.offers?.offers ?? []).some(predicate),
      timeoutMs,
    );
    return event.offers?.offers ?? [];
  }

  async update(taskId: string, state?: TaskState, timeoutMs?: number): Promise<TaskStatus> {
    const event = await this.next(
      (e) =>
        e.type === 'UPDATE' &&
        e.update?.status.task_id.value === taskId &&
        (state === undefined || e.update.status.state === state),
      timeoutMs,
    );
    return (event.update as scheduler.Event.Update).status;
  }

  /**
   * The next update for the task that the master itself sent (a reconciliation answer, a
   * partition): an agent re-sends unacknowledged updates whenever it likes, so a copy of
   * an earlier one may come first on a loaded machine.
   */
  async masterUpdate(taskId: string, state?: TaskState, timeoutMs?: number): Promise<TaskStatus> {
    const event = await this.next(
      (e) =>
        e.type === 'UPDATE' &&
        e.update?.status.source === 'SOURCE_MASTER' &&
        e.update.status.task_id.value === taskId &&
        (state === undefined || e.update.status.state === state),
      timeoutMs,
    );
    return (event.update as scheduler.Event.Update).status;
  }

  async launch(offer: Offer, tasks: TaskInfo[], refuseSeconds?: number): Promise<void> {
    const filters = refuseSeconds === undefined ? undefined : { refuse_seconds: refuseSeconds };
    await this.calls.run(() =>
      this.client.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters),
    );
  }

  async close(): Promise<void> {
    await this.subscription?.close();
    await this.client.close();
  }
}
