import type { Offer, SchedulerClient, SchedulerSubscription } from '@shoal/mesos';
import { agentOf, type KnownAgent } from './agent-facts';
import { AgentMaintenance } from './agent-maintenance';
import type { FrameworkListener, FrameworkOptions, FrameworkStore } from './framework-contract';
import { frameworkInfo } from './framework-info';
import { isFrameworkRemoved, killedWithFramework } from './framework-removal';
import { HeldOffers } from './held-offers';
import { LaunchBatch, Launcher } from './launcher';
import { LiveTasks } from './live-tasks';
import { OfferCapacity } from './offer-capacity';
import { OfferDecliner } from './offer-decliner';
import { OfferDemand } from './offer-demand';
import { lingerShare } from './offer-policy';
import { OfferStats } from './offer-stats';
import { place, type PlacementContext } from './placement';
import { Reconciliation } from './reconciliation';
import { StatusUpdateWriter } from './status-updates';
import { killPolicy } from './task-info';
import { TaskQueues } from './task-queues';
import { isTerminalState } from './task-states';
import type { TaskRequest } from './types';
import { WaitReasons } from './wait-reasons';

/**
 * One Mesos framework serving many roles. Tasks wait in a queue per role; an
 * offer is only ever used for tasks of the role it was allocated to, only the
 * resources a task needs are taken, and the rest is declined. A role's offers
 * are kept while it has work (a few a moment longer, so the next start of a
 * burst is placed at once); a role with no work is suppressed at once and
 * revived when work arrives. Everything on the hot path goes in batches: every
 * task waiting when a round runs is placed in that round, its launches stored in
 * one statement and its ACCEPTs sent together, and status updates are stored
 * many at a time and acknowledged once stored.
 */
export class MesosFramework {
  private readonly pending = new TaskQueues();
  private readonly held = new HeldOffers();
  private readonly live = new LiveTasks();
  private readonly agents = new Map<string, KnownAgent>();
  private readonly stats = new OfferStats();
  private readonly demand: OfferDemand;
  private readonly waits: WaitReasons;
  private readonly maintenance: AgentMaintenance;
  private readonly decliner: OfferDecliner;
  private readonly launcher: Launcher;
  private readonly reconciliation: Reconciliation;
  private roles: string[];
  private subscription: SchedulerSubscription | undefined;
  private loop: Promise<void> | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private serial: Promise<unknown> = Promise.resolve();
  /** A round is queued and has not started yet: whatever arrives now joins it. */
  private roundQueued = false;
  /** Roles of submitted tasks the framework is not subscribed with, to report in the next round. */
  private readonly unknownRoles = new Set<string>();
  private readonly updates: StatusUpdateWriter;
  private subscribed = false;
  private stopped = false;
  /** The work that follows a SUBSCRIBED (reconciliation, revive), while under way. */
  private subscribing: Promise<void> | undefined;

  constructor(
    private readonly client: SchedulerClient,
    private readonly store: FrameworkStore,
    private readonly options: FrameworkOptions,
    private readonly listener: FrameworkListener = {},
  ) {
    this.roles = [...new Set(options.roles)];
    this.updates = new StatusUpdateWriter(store, client, listener, (status) => {
      const taskId = status.task_id.value;
      if (isTerminalState(status.state)) this.live.delete(taskId);
      else if (status.agent_id && this.live.has(taskId))
        this.live.moved(taskId, status.agent_id.value);
    });
    this.demand = new OfferDemand(client, this.pending, this.held, () => this.scheduleSoon());
    this.maintenance = new AgentMaintenance(client, listener, options);
    this.waits = new WaitReasons(this.pending, this.held, this.agents, listener, (agentId) =>
      this.maintenance.isDraining(agentId),
    );
    this.decliner = new OfferDecliner(
      client,
      this.held,
      this.pending,
      this.stats,
      options,
      () => this.subscribed,
      () => lingerShare(this.agents.size, this.roles.length),
    );
    this.launcher = new Launcher(
      client,
      store,
      listener,
      options,
      this.held,
      this.live,
      this.stats,
      this.decliner,
      (requests) => this.submitAll(requests),
    );
    this.reconciliation = new Reconciliation(client, store, listener, options);
  }

  get isSubscribed(): boolean {
    return this.subscribed;
  }

  get frameworkId(): string | undefined {
    return this.client.frameworkId?.value;
  }

  get master(): string | undefined {
    return this.client.leader;
  }

  get subscribedRoles(): string[] {
    return [...this.roles];
  }

  get suppressedRoles(): string[] {
    return this.demand.suppressedRoles;
  }

  /**
   * Subscribes (resubscribing with the stored framework id) and resolves on SUBSCRIBED.
   * When Mesos has removed that framework, its tasks are recorded as killed and the
   * framework registers afresh.
   */
  async start(): Promise<void> {
    const id = await this.store.frameworkId();
    this.demand.setRoles(this.roles);
    try {
      this.subscription = await this.subscribeAs(id);
    } catch (error) {
      if (id === undefined || !isFrameworkRemoved(error)) throw error;
      await this.forgetRemovedFramework(id);
      this.subscription = await this.subscribeAs(undefined);
    }
    this.loop = this.consume(this.subscription);
    this.holdTimer = setInterval(() => void this.serialise(() => this.expireHeldOffers()), 1000);
    this.holdTimer.unref();
    this.reconciliation.start();
  }

  private async subscribeAs(id: string | undefined): Promise<SchedulerSubscription> {
    for (const task of await this.store.liveTasks()) {
      this.live.set(task.taskId, { agentId: task.agentId, groupKey: task.groupKey });
    }
    return this.client.subscribe(frameworkInfo(this.options, this.roles, id), {
      suppressedRoles: this.demand.suppressedRoles,
    });
  }

  /** Mesos killed every task of a framework it removed: record that, saying why. */
  private async forgetRemovedFramework(frameworkId: string): Promise<void> {
    const tasks = await this.store.liveTasks();
    const { message, statuses } = killedWithFramework(
      frameworkId,
      tasks,
      this.options.failoverTimeoutSeconds,
    );
    await this.store.recordStatuses(statuses);
    for (const t of tasks) this.live.delete(t.taskId);
    this.listener.onFrameworkRemoved?.({ frameworkId, tasks: tasks.length, message });
  }

  /** Leaves the subscription without tearing the framework down, so another instance can fail over. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.holdTimer);
    this.demand.stop();
    this.reconciliation.stop();
    // A reconciliation under way ends first: sent after the stream closes, the master
    // would answer it 403 (the framework is no longer subscribed).
    await this.subscribing?.catch(() => undefined);
    await this.subscription?.close();
    await this.loop?.catch(() => undefined);
    await this.client.close();
    this.subscribed = false;
  }

  /** Queues a task for its role and revives the role if it was suppressed; a task already known is ignored. */
  submit(request: TaskRequest): void {
    this.submitAll([request]);
  }

  /**
   * Queues tasks (each for its role); they are placed together in the next round, which
   * also revives their roles if suppressed: one REVIVE for every role that got work since
   * the last round, rather than one call per submission queued behind the rounds.
   */
  submitAll(requests: readonly TaskRequest[]): void {
    const now = Date.now();
    let added = false;
    for (const request of requests) {
      if (this.isPending(request.taskId)) continue;
      this.pending.add(request, now);
      // Queued until setRoles adds the role; then it is revived with the rest.
      if (!this.roles.includes(request.role)) this.unknownRoles.add(request.role);
      added = true;
    }
    if (added) this.scheduleSoon();
  }

  /** Drops a task that has not been launched yet; false when it is not pending. */
  cancel(taskId: string): boolean {
    this.waits.forget(taskId);
    return this.pending.remove(taskId);
  }

  /** Queued, or handed to Mesos and not yet ended: submitting it again would launch it twice. */
  isPending(taskId: string): boolean {
    return this.live.has(taskId) || this.pending.has(taskId);
  }

  pendingCount(role?: string): number {
    return this.pending.count(role);
  }

  async kill(taskId: string, agentId?: string, gracePeriodSeconds?: number): Promise<void> {
    if (this.cancel(taskId)) return;
    await this.client.kill(
      { value: taskId },
      {
        ...(agentId ? { agentId: { value: agentId } } : {}),
        ...(gracePeriodSeconds !== undefined ? { killPolicy: killPolicy(gracePeriodSeconds) } : {}),
      },
    );
  }

  /** Changes the subscribed roles (tenants added or re-roled) with UPDATE_FRAMEWORK. */
  async setRoles(roles: string[]): Promise<void> {
    const next = [...new Set(roles)].sort();
    if (next.join('\n') === [...this.roles].sort().join('\n')) return;
    await this.serialise(async () => {
      this.roles = next;
      this.demand.setRoles(next);
      if (this.subscribed) {
        await this.client.updateFramework(
          frameworkInfo(this.options, this.roles, this.frameworkId),
          this.demand.suppressedRoles,
        );
        await this.schedule();
      }
    });
  }

  heldOffers(): { offer: Offer; role: string; heldSince: Date; capacity: OfferCapacity }[] {
    return this.held.all().flatMap((h) =>
      h.capacity.offers.map((offer) => ({
        offer,
        role: h.role,
        heldSince: new Date(h.receivedAt),
        capacity: h.capacity,
      })),
    );
  }

  /** Where an agent's HTTP API answers, as learned from its offers. */
  agentEndpoint(agentId: string): string | undefined {
    return this.agents.get(agentId)?.endpoint;
  }

  isDraining(agentId: string): boolean {
    return this.maintenance.isDraining(agentId);
  }

  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work, work);
    this.serial = run.catch((error: unknown) =>
      this.listener.onError?.('scheduling step failed', error),
    );
    return run;
  }

  /**
   * One round for everything that arrives before it starts: at most one round waits
   * behind the one under way, however many submissions, offers and updates ask for one.
   */
  private scheduleSoon(): void {
    if (this.roundQueued) return;
    this.roundQueued = true;
    setImmediate(() => {
      void this.serialise(() => {
        this.roundQueued = false;
        return this.schedule();
      });
    });
  }

  private async consume(subscription: SchedulerSubscription): Promise<void> {
    try {
      for await (const item of subscription) {
        if (this.stopped) break;
        switch (item.type) {
          case 'DISCONNECTED':
            // Offers die with the connection; the client resubscribes by itself.
            this.subscribed = false;
            this.held.clear();
            this.listener.onDisconnected?.(item.error);
            break;
          case 'SUBSCRIBED':
            this.subscribing = this.onSubscribed(item.subscribed?.framework_id.value);
            await this.subscribing;
            break;
          case 'OFFERS':
            this.onOffers(item.offers?.offers ?? []);
            break;
          case 'RESCIND':
            if (item.rescind) this.held.rescind(item.rescind.offer_id.value);
            break;
          case 'UPDATE':
            if (item.update) this.updates.enqueue(item.update.status);
            break;
          case 'INVERSE_OFFERS':
            await this.maintenance.onInverseOffers(item.inverse_offers?.inverse_offers ?? []);
            break;
          default:
            break;
        }
      }
    } catch (error) {
      this.subscribed = false;
      if (!this.stopped) this.listener.onFatal?.(error as Error);
    }
  }

  private async onSubscribed(frameworkId: string | undefined): Promise<void> {
    if (!frameworkId) return;
    await this.store.saveFrameworkId(frameworkId);
    this.subscribed = true;
    this.listener.onSubscribed?.(frameworkId);
    await this.reconciliation.afterSubscribing(() => this.stopped);
    if (this.stopped) return;
    await this.serialise(() => this.demand.reviveWaiting(this.roles));
  }

  /** Offers are held as they arrive (a RESCIND right behind them finds them); placing them waits for the round. */
  private onOffers(offers: Offer[]): void {
    const now = Date.now();
    for (const offer of offers) {
      this.agents.set(offer.agent_id.value, agentOf(offer));
      this.maintenance.offered(offer);
      const role = offer.allocation_info?.role ?? this.roles[0] ?? '*';
      this.held.add(offer, role, now);
      this.stats.offered(role, new OfferCapacity(offer));
    }
    this.scheduleSoon();
  }

  private placementContext(): PlacementContext {
    return {
      agents: this.agents,
      peers: (groupKey) =>
        this.live
          .groupAgents(groupKey)
          .map((agentId) => this.agents.get(agentId) ?? { agentId, hostname: '', attributes: {} }),
      tasksOn: (agentId) => this.live.onAgent(agentId),
      draining: (agentId) => this.maintenance.isDraining(agentId),
    };
  }

  /** Places every waiting task it can on held offers, launches them, declines what no one needs. */
  private async schedule(): Promise<void> {
    if (this.unknownRoles.size > 0) {
      for (const role of this.unknownRoles) this.listener.onUnknownRole?.(role);
      this.unknownRoles.clear();
    }
    if (!this.subscribed) return;
    const context = this.placementContext();
    const launches = new LaunchBatch();
    for (const [role, queue] of this.pending.queues) {
      if (queue.size === 0) continue;
      const offers = this.held.ofRole(role).map((h) => h.capacity);
      if (offers.length === 0) continue;
      for (const request of [...queue.values()]) {
        const placement = place(request, offers, this.options.strategy, context);
        if (!placement) continue;
        this.cancel(request.taskId);
        this.demand.placed(role);
        const agentId = placement.capacity.offer.agent_id.value;
        this.live.set(request.taskId, { agentId, groupKey: request.groupKey });
        launches.add(request, placement, this.agents.get(agentId)?.endpoint);
      }
    }
    this.waits.explain(true);
    // Launches (stored, then their ACCEPTs) and the offers no one needs go back at the same
    // time: they concern different offers. A REVIVE waits for both, so no ACCEPT's or
    // DECLINE's filter outlives it.
    await Promise.all([
      launches.size > 0 ? this.launcher.launch(launches) : undefined,
      this.declineUnneeded(),
    ]);
    await this.demand.ask(this.roles);
    this.stats.report(this.listener.onOfferRound);
  }

  /** Gives back the offers no one needs (see unneededOffers); suppresses roles with no work. */
  private async declineUnneeded(): Promise<void> {
    // The offers leave the held set at once; the DECLINE and the SUPPRESS go out together.
    await Promise.all([
      this.decliner.unneeded(),
      this.subscribed ? this.demand.suppressIdle(this.roles) : undefined,
    ]);
  }

  private async expireHeldOffers(): Promise<void> {
    await this.decliner.expired();
    await this.declineUnneeded();
    this.stats.report(this.listener.onOfferRound);
    this.waits.explain(false);
  }
}
