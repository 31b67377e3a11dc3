import type { SchedulerClient, SchedulerSubscription } from '@shoal/mesos';
import type { AgentMaintenance } from './agent-maintenance';
import type { FrameworkListener, FrameworkOptions, FrameworkStore } from './framework-contract';
import { frameworkInfo } from './framework-info';
import { isFrameworkRemoved, killedWithFramework } from './framework-removal';
import type { HeldOffers } from './held-offers';
import type { LiveTasks } from './live-tasks';
import type { OfferDemand } from './offer-demand';
import type { Reconciliation } from './reconciliation';
import type { SchedulingRounds } from './scheduling-rounds';
import type { StatusUpdateWriter } from './status-updates';

/** The framework's parts the subscription reads and hands events to. */
export interface SubscriptionParts {
  client: Pick<SchedulerClient, 'subscribe' | 'close'>;
  store: Pick<FrameworkStore, 'frameworkId' | 'saveFrameworkId' | 'liveTasks' | 'recordStatuses'>;
  options: FrameworkOptions;
  listener: Pick<
    FrameworkListener,
    'onSubscribed' | 'onDisconnected' | 'onFatal' | 'onFrameworkRemoved'
  >;
  live: LiveTasks;
  held: HeldOffers;
  demand: OfferDemand;
  updates: StatusUpdateWriter;
  maintenance: AgentMaintenance;
  reconciliation: Reconciliation;
  rounds: Pick<SchedulingRounds, 'serialise' | 'offered'>;
  /** The roles the framework is subscribed with. */
  roles: () => string[];
}

/**
 * The framework's one subscription to the master, from SUBSCRIBE until it is left:
 * every event the master sends comes through it, in order, and is handed to the part
 * of the framework it concerns.
 */
export class FrameworkSubscription {
  private subscription: SchedulerSubscription | undefined;
  private loop: Promise<void> | undefined;
  private subscribed = false;
  private stopped = false;
  /** The work that follows a SUBSCRIBED (reconciliation, revive), while under way. */
  private subscribing: Promise<void> | undefined;

  constructor(private readonly parts: SubscriptionParts) {}

  get isSubscribed(): boolean {
    return this.subscribed;
  }

  /** Resolves on SUBSCRIBED, registering afresh when Mesos has removed the framework. */
  async start(): Promise<void> {
    const id = await this.parts.store.frameworkId();
    this.parts.demand.setRoles(this.parts.roles());
    try {
      this.subscription = await this.subscribeAs(id);
    } catch (error) {
      if (id === undefined || !isFrameworkRemoved(error)) throw error;
      await this.forgetRemovedFramework(id);
      this.subscription = await this.subscribeAs(undefined);
    }
    this.loop = this.consume(this.subscription);
  }

  /** Only the connection ends: Mesos keeps the framework and its tasks for a failover. */
  async leave(): Promise<void> {
    this.stopped = true;
    // A reconciliation under way ends first: sent after the stream closes, the master
    // would answer it 403 (the framework is no longer subscribed).
    await this.subscribing?.catch(() => undefined);
    await this.subscription?.close();
    await this.loop?.catch(() => undefined);
    await this.parts.client.close();
    this.subscribed = false;
  }

  private async subscribeAs(id: string | undefined): Promise<SchedulerSubscription> {
    for (const task of await this.parts.store.liveTasks()) {
      this.parts.live.set(task.taskId, { agentId: task.agentId, groupKey: task.groupKey });
    }
    return this.parts.client.subscribe(frameworkInfo(this.parts.options, this.parts.roles(), id), {
      suppressedRoles: this.parts.demand.suppressedRoles,
    });
  }

  /** Mesos killed every task of a framework it removed: record that, saying why. */
  private async forgetRemovedFramework(frameworkId: string): Promise<void> {
    const tasks = await this.parts.store.liveTasks();
    const { message, statuses } = killedWithFramework(
      frameworkId,
      tasks,
      this.parts.options.failoverTimeoutSeconds,
    );
    await this.parts.store.recordStatuses(statuses);
    for (const t of tasks) this.parts.live.delete(t.taskId);
    this.parts.listener.onFrameworkRemoved?.({ frameworkId, tasks: tasks.length, message });
  }

  private async consume(subscription: SchedulerSubscription): Promise<void> {
    const { listener, held } = this.parts;
    try {
      for await (const item of subscription) {
        if (this.stopped) break;
        switch (item.type) {
          case 'DISCONNECTED':
            // Offers die with the connection; the client resubscribes by itself.
            this.subscribed = false;
            held.clear();
            listener.onDisconnected?.(item.error);
            break;
          case 'SUBSCRIBED':
            this.subscribing = this.onSubscribed(item.subscribed?.framework_id.value);
            await this.subscribing;
            break;
          case 'OFFERS':
            this.parts.rounds.offered(item.offers?.offers ?? []);
            break;
          case 'RESCIND':
            if (item.rescind) held.rescind(item.rescind.offer_id.value);
            break;
          case 'UPDATE':
            if (item.update) this.parts.updates.enqueue(item.update.status);
            break;
          case 'INVERSE_OFFERS':
            await this.parts.maintenance.onInverseOffers(item.inverse_offers?.inverse_offers ?? []);
            break;
          default:
            break;
        }
      }
    } catch (error) {
      this.subscribed = false;
      if (!this.stopped) listener.onFatal?.(error as Error);
    }
  }

  private async onSubscribed(frameworkId: string | undefined): Promise<void> {
    if (!frameworkId) return;
    await this.parts.store.saveFrameworkId(frameworkId);
    this.subscribed = true;
    this.parts.listener.onSubscribed?.(frameworkId);
    await this.parts.reconciliation.afterSubscribing(() => this.stopped);
    if (this.stopped) return;
    await this.parts.rounds.serialise(() => this.parts.demand.reviveWaiting(this.parts.roles()));
  }
}
