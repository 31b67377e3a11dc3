import type {
  FrameworkInfo,
  InverseOffer,
  Offer,
  SchedulerClient,
  SchedulerSubscription,
} from '@shoal/mesos';
import type { FrameworkListener, FrameworkOptions, FrameworkStore } from './framework-contract';
import { isFrameworkRemoved, killedWithFramework } from './framework-removal';
import { HeldOffers } from './held-offers';
import { LiveTasks } from './live-tasks';
import { OfferCapacity } from './offer-capacity';
import { expiredOffers, hungryRoles, unneededOffers } from './offer-policy';
import { OfferStats } from './offer-stats';
import { place, type PlacementContext } from './placement';
import { whyNotPlacedNow, type AgentInventory } from './placement-check';
import { StatusUpdateWriter } from './status-updates';
import { TaskQueues } from './task-queues';
import { buildTaskInfo } from './task-info';
import { isTerminalState } from './task-states';
import type { AgentFacts, LaunchRecord, TaskRequest } from './types';

/** A task is told why it waits once it has waited this long, and again at most this often. */
const EXPLAIN_AFTER_MS = 1_000;
const EXPLAIN_EVERY_MS = 5_000;
const NO_OFFERS_AFTER_MS = 10_000;

/** How often at the most a role without offers asks for more (see askForOffers). */
const REVIVE_SPACING_MS = 100;
const REVIVE_UNFIT_SPACING_MS = 5_000;

type TaskInfoOut = ReturnType<typeof buildTaskInfo>;

interface Launch {
  capacity: OfferCapacity;
  tasks: TaskInfoOut[];
  records: LaunchRecord[];
  requests: TaskRequest[];
}

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
  private readonly suppressed = new Set<string>();
  /** When each role last asked for offers with REVIVE. */
  private readonly revivedAt = new Map<string, number>();
  /** The reason last told for each waiting task, and when it was worked out. */
  private readonly waitReasons = new Map<
    string,
    { reason: string; at: number; withOffers: boolean }
  >();
  private readonly live = new LiveTasks();
  private readonly agents = new Map<string, AgentFacts & { endpoint?: string }>();
  private readonly drainingAgents = new Set<string>();
  private readonly stats = new OfferStats();
  private roles: string[];
  private subscription: SchedulerSubscription | undefined;
  private loop: Promise<void> | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reviveTimer: NodeJS.Timeout | undefined;
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
    return [...this.suppressed];
  }

  /**
   * Subscribes (resubscribing with the stored framework id) and resolves on SUBSCRIBED.
   * When Mesos has removed that framework, its tasks are recorded as killed and the
   * framework registers afresh.
   */
  async start(): Promise<void> {
    const id = await this.store.frameworkId();
    // Roles without work start suppressed, so a restart does not flood us with offers.
    for (const role of this.roles) if (this.pending.count(role) === 0) this.suppressed.add(role);
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
    this.reconcileTimer = setInterval(
      () =>
        void this.client
          .reconcile()
          .catch((e: unknown) => this.listener.onError?.('implicit reconciliation failed', e)),
      this.options.reconcileIntervalSeconds * 1000,
    );
    this.reconcileTimer.unref();
  }

  private async subscribeAs(id: string | undefined): Promise<SchedulerSubscription> {
    for (const task of await this.store.liveTasks()) {
      this.live.set(task.taskId, { agentId: task.agentId, groupKey: task.groupKey });
    }
    return this.client.subscribe(this.frameworkInfo(id), {
      suppressedRoles: [...this.suppressed],
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
    clearTimeout(this.reviveTimer);
    clearInterval(this.reconcileTimer);
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
    this.waitReasons.delete(taskId);
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
        ...(gracePeriodSeconds !== undefined
          ? {
              killPolicy: {
                grace_period: { nanoseconds: BigInt(Math.round(gracePeriodSeconds * 1e9)) },
              },
            }
          : {}),
      },
    );
  }

  /** Changes the subscribed roles (tenants added or re-roled) with UPDATE_FRAMEWORK. */
  async setRoles(roles: string[]): Promise<void> {
    const next = [...new Set(roles)].sort();
    if (next.join('\n') === [...this.roles].sort().join('\n')) return;
    await this.serialise(async () => {
      this.roles = next;
      for (const role of next) if (this.pending.count(role) === 0) this.suppressed.add(role);
      for (const role of [...this.suppressed])
        if (!next.includes(role)) this.suppressed.delete(role);
      if (this.subscribed) {
        await this.client.updateFramework(this.frameworkInfo(this.frameworkId), [
          ...this.suppressed,
        ]);
        await this.schedule();
      }
    });
  }

  heldOffers(): { offer: Offer; role: string; heldSince: Date; capacity: OfferCapacity }[] {
    return this.held.all().map(([, h]) => ({
      offer: h.capacity.offer,
      role: h.role,
      heldSince: new Date(h.receivedAt),
      capacity: h.capacity,
    }));
  }

  /** Where an agent's HTTP API answers, as learned from its offers. */
  agentEndpoint(agentId: string): string | undefined {
    return this.agents.get(agentId)?.endpoint;
  }

  isDraining(agentId: string): boolean {
    return this.drainingAgents.has(agentId);
  }

  private frameworkInfo(id: string | undefined): FrameworkInfo {
    const o = this.options;
    return {
      user: o.user,
      name: o.name,
      ...(id ? { id: { value: id } } : {}),
      failover_timeout: o.failoverTimeoutSeconds,
      checkpoint: true,
      roles: this.roles,
      ...(o.principal ? { principal: o.principal } : {}),
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.webuiUrl ? { webui_url: o.webuiUrl } : {}),
      capabilities: (
        [
          'MULTI_ROLE',
          'PARTITION_AWARE',
          'REVOCABLE_RESOURCES',
          'TASK_KILLING_STATE',
          'GPU_RESOURCES',
        ] as const
      ).map((type) => ({ type })),
    };
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
            if (item.rescind) this.held.remove(item.rescind.offer_id.value);
            break;
          case 'UPDATE':
            if (item.update) this.updates.enqueue(item.update.status);
            break;
          case 'INVERSE_OFFERS':
            await this.onInverseOffers(item.inverse_offers?.inverse_offers ?? []);
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
    // Explicitly for what we know, then implicitly to learn about the rest.
    const known = await this.store.liveTasks();
    if (this.stopped) return;
    if (known.length > 0) {
      await this.client.reconcile(
        known.map((t) => ({
          task_id: { value: t.taskId },
          ...(t.agentId ? { agent_id: { value: t.agentId } } : {}),
        })),
      );
    }
    if (this.stopped) return;
    await this.client.reconcile();
    if (this.stopped) return;
    await this.serialise(async () => {
      const wanted = this.roles.filter((r) => this.pending.count(r) > 0);
      if (wanted.length > 0) {
        await this.client.revive(wanted);
        for (const role of wanted) this.suppressed.delete(role);
      }
    });
  }

  /** Offers are held as they arrive (a RESCIND right behind them finds them); placing them waits for the round. */
  private onOffers(offers: Offer[]): void {
    const now = Date.now();
    for (const offer of offers) {
      const agentId = offer.agent_id.value;
      const address = offer.url?.address;
      this.agents.set(agentId, {
        agentId,
        hostname: offer.hostname,
        attributes: Object.fromEntries(
          (offer.attributes ?? []).map((a) => [
            a.name,
            a.text?.value ?? (a.scalar ? String(a.scalar.value) : (a.set?.item?.join(',') ?? '')),
          ]),
        ),
        ...(address ? { endpoint: `${address.ip ?? address.hostname}:${address.port}` } : {}),
      });
      if (offer.unavailability) this.markDraining(agentId);
      else this.markAvailable(agentId);
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
      draining: (agentId) => this.drainingAgents.has(agentId),
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
    const launches = new Map<string, Launch>();
    for (const [role, queue] of this.pending.queues) {
      if (queue.size === 0) continue;
      const offers = this.held.ofRole(role).map((h) => h.capacity);
      if (offers.length === 0) continue;
      for (const request of [...queue.values()]) {
        const placement = place(request, offers, this.options.strategy, context);
        if (!placement) continue;
        this.cancel(request.taskId);
        const { offer } = placement.capacity;
        const agentId = offer.agent_id.value;
        this.live.set(request.taskId, { agentId, groupKey: request.groupKey });
        let launch = launches.get(offer.id.value);
        if (!launch) {
          launch = { capacity: placement.capacity, tasks: [], records: [], requests: [] };
          launches.set(offer.id.value, launch);
        }
        launch.tasks.push(buildTaskInfo(request, offer, placement.resources, placement.ports));
        const endpoint = this.agents.get(agentId)?.endpoint;
        launch.records.push({
          taskId: request.taskId,
          agentId,
          hostname: offer.hostname,
          ...(endpoint ? { agentEndpoint: endpoint } : {}),
          ports: placement.ports,
        });
        launch.requests.push(request);
      }
    }
    this.explainWaits(true);
    // Launches (stored, then their ACCEPTs) and the offers no one needs go back at the same
    // time: they concern different offers. A REVIVE waits for both, so no ACCEPT's or
    // DECLINE's filter outlives it.
    await Promise.all([
      launches.size > 0 ? this.launch([...launches.values()]) : undefined,
      this.declineUnneeded(),
    ]);
    await this.askForOffers();
    this.stats.report(this.listener.onOfferRound);
  }

  /**
   * A role with tasks waiting and no offer they fit asks for offers again. Each ACCEPT
   * uses up its offer, and Mesos offers an agent's remainder only at its next allocation,
   * while REVIVE allocates at once (and clears the role's filters). Asked at most once
   * per REVIVE_SPACING_MS per role, so a busy role does not turn into a revive storm.
   */
  private async askForOffers(): Promise<void> {
    const now = Date.now();
    const hungry = hungryRoles(this.held, this.pending.queues).filter(
      (role) => this.roles.includes(role) && !this.suppressed.has(role),
    );
    // A role that holds offers its tasks fit none of asks rarely: more offers of the
    // same agents would not help, and one that cannot be placed must not revive for ever.
    const spacing = (role: string) =>
      this.held.ofRole(role).length > 0 ? REVIVE_UNFIT_SPACING_MS : REVIVE_SPACING_MS;
    const wait = (role: string) => (this.revivedAt.get(role) ?? 0) + spacing(role) - now;
    const due = hungry.filter((r) => wait(r) <= 0);
    // A role that asked too recently asks again once its spacing is over.
    const later = hungry.filter((r) => wait(r) > 0);
    if (later.length > 0 && !this.reviveTimer) {
      this.reviveTimer = setTimeout(
        () => {
          this.reviveTimer = undefined;
          this.scheduleSoon();
        },
        Math.min(...later.map(wait)),
      );
      this.reviveTimer.unref();
    }
    // A suppressed role with work left after this round's placements (its tasks fit none
    // of the offers it still holds) asks at once: no offers come to it otherwise.
    const woken = [...this.pending.queues]
      .filter(([role, queue]) => queue.size > 0 && this.suppressed.has(role))
      .map(([role]) => role)
      .filter((role) => this.roles.includes(role));
    if (due.length === 0 && woken.length === 0) return;
    for (const role of [...due, ...woken]) this.revivedAt.set(role, now);
    await this.client.revive([...due, ...woken]);
    for (const role of woken) this.suppressed.delete(role);
  }

  /** Stores the round's launches in one batch, then sends their ACCEPTs together. */
  private async launch(launches: Launch[]): Promise<void> {
    for (const launch of launches) this.held.remove(launch.capacity.offer.id.value);
    let wanted: Set<string>;
    try {
      wanted = await this.store.recordLaunches(launches.flatMap((l) => l.records));
    } catch (error) {
      // Nothing was launched: the tasks wait again, and the offers (partly spent on
      // them here) go back.
      this.listener.onError?.('storing launches failed; the tasks wait for the next offers', error);
      const requests = launches.flatMap((l) => l.requests);
      for (const request of requests) this.live.delete(request.taskId);
      this.submitAll(requests);
      await this.declineOffers(launches.map((l) => [l.capacity.offer.id.value, l.capacity]));
      return;
    }
    const unused: [string, OfferCapacity][] = [];
    await Promise.all(
      launches.map(async ({ capacity, tasks, records }) => {
        const offer = capacity.offer;
        for (const r of records) if (!wanted.has(r.taskId)) this.live.delete(r.taskId);
        const kept = tasks.filter((t) => wanted.has(t.task_id.value));
        if (kept.length === 0) return unused.push([offer.id.value, capacity]);
        const role = capacity.offer.allocation_info?.role ?? '*';
        const stats = this.stats.of(role);
        for (const t of kept) {
          stats.accepted.cpus += sumScalar(t.resources, 'cpus');
          stats.accepted.memMb += sumScalar(t.resources, 'mem');
        }
        this.stats.declined(role, capacity);
        try {
          await this.client.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: kept } }], {
            refuse_seconds: this.options.refuseSeconds,
          });
          this.listener.onLaunched?.(kept.length);
        } catch (error) {
          // The ACCEPT may or may not have reached the master: ask rather than guess,
          // so a task is neither lost nor launched twice.
          this.listener.onError?.(
            `ACCEPT of offer ${offer.id.value} failed; reconciling its tasks`,
            error,
          );
          await this.client
            .reconcile(
              records
                .filter((r) => wanted.has(r.taskId))
                .map((r) => ({ task_id: { value: r.taskId }, agent_id: { value: r.agentId } })),
            )
            .catch((e: unknown) =>
              this.listener.onError?.('reconciliation after a failed ACCEPT failed', e),
            );
        }
        return undefined;
      }),
    );
    await this.declineOffers(unused);
  }

  /** Gives back the offers no one needs (see unneededOffers); suppresses roles with no work. */
  private async declineUnneeded(): Promise<void> {
    const now = Date.now();
    // The offers leave the held set at once; the DECLINE and the SUPPRESS go out together.
    const declined = this.declineOffers(
      unneededOffers(this.held, this.pending.queues, this.pending.lastDemand, now),
    );
    // A role with nothing waiting asks for no more offers at once, keeping what it holds
    // (a few, for a moment: see unneededOffers). Left unsuppressed, it would be offered the
    // pieces its quota headroom allows in every allocation round, only to decline them; the
    // next start it gets revives it, or is placed on an offer it still holds.
    const idle = this.roles.filter((r) => this.pending.count(r) === 0 && !this.suppressed.has(r));
    const suppressed =
      idle.length > 0 && this.subscribed
        ? this.client.suppress(idle).then(() => {
            for (const role of idle) this.suppressed.add(role);
          })
        : undefined;
    await Promise.all([declined, suppressed]);
  }

  private async expireHeldOffers(): Promise<void> {
    await this.declineOffers(
      expiredOffers(this.held, Date.now() - this.options.offerHoldSeconds * 1000),
    );
    await this.declineUnneeded();
    this.stats.report(this.listener.onOfferRound);
    this.explainWaits(false);
  }

  /**
   * Says why tasks that have waited a while are not placed, as Marathon and Nomad show
   * placement failures: in a round, what the offers their role holds lack; between
   * rounds, for a role holding none, that no offers came. Worked out at most every few
   * seconds per task, told only when it changed; a reason from offers outlives a bare
   * "no offers" for a while, as offers come and go.
   */
  private explainWaits(withOffers: boolean): void {
    const now = Date.now();
    const told: { taskId: string; reason: string }[] = [];
    for (const [role, queue] of this.pending.queues) {
      const held = this.held.ofRole(role);
      if (held.length > 0 !== withOffers) continue;
      const offers: AgentInventory[] = held.map((h) => ({
        hostname: h.capacity.offer.hostname,
        attributes: this.agents.get(h.capacity.offer.agent_id.value)?.attributes ?? {},
        resources: h.capacity.resources,
      }));
      for (const request of queue.values()) {
        const waited = this.pending.waited(request.taskId, now);
        // No offers for a moment is normal (between a decline and the next allocation).
        if (waited < (withOffers ? EXPLAIN_AFTER_MS : NO_OFFERS_AFTER_MS)) continue;
        const last = this.waitReasons.get(request.taskId);
        // A reason from offers replaces a bare "no offers" at once, and outlives it a while.
        const fresh = withOffers
          ? last?.withOffers && now - last.at < EXPLAIN_EVERY_MS
          : last && now - last.at < NO_OFFERS_AFTER_MS;
        if (fresh) continue;
        const reason =
          whyNotPlacedNow(request, offers) ??
          (request.constraints.length > 0
            ? 'the offers it fits are on agents its placement constraints rule out, given where its group runs'
            : 'the offers it fits are on agents being drained');
        this.waitReasons.set(request.taskId, { reason, at: now, withOffers });
        if (reason !== last?.reason) told.push({ taskId: request.taskId, reason });
      }
    }
    if (told.length > 0) this.listener.onWaiting?.(told);
  }

  private async declineOffers(entries: [string, OfferCapacity][]): Promise<void> {
    if (entries.length === 0 || !this.subscribed) return;
    for (const [id, capacity] of entries) {
      const held = this.held.remove(id);
      this.stats.declined(held?.role ?? capacity.offer.allocation_info?.role ?? '*', capacity);
    }
    await this.client.decline(
      entries.map(([id]) => ({ value: id })),
      { refuse_seconds: this.options.refuseSeconds },
    );
  }

  /**
   * An agent in a maintenance window, learned from whichever comes first: an offer with
   * its unavailability or an inverse offer. Either way its tasks are moved.
   */
  private markDraining(agentId: string): void {
    if (this.drainingAgents.has(agentId)) return;
    this.drainingAgents.add(agentId);
    this.listener.onAgentDraining?.(agentId);
  }

  /**
   * An agent offering with no unavailability is out of maintenance (the window was removed
   * or the machine came back up): it takes tasks again.
   */
  private markAvailable(agentId: string): void {
    if (!this.drainingAgents.delete(agentId)) return;
    this.listener.onAgentAvailable?.(agentId);
  }

  private async onInverseOffers(inverseOffers: InverseOffer[]): Promise<void> {
    for (const inverse of inverseOffers) {
      const agentId = inverse.agent_id?.value;
      if (agentId) this.markDraining(agentId);
    }
    // Agreeing is advisory for Mesos; the move itself starts replacements first.
    await this.client.acceptInverseOffers(
      inverseOffers.map((o) => o.id),
      { refuse_seconds: this.options.refuseSeconds },
    );
  }
}

function sumScalar(
  resources: { name: string; scalar?: { value: number } }[] | undefined,
  name: string,
): number {
  return (resources ?? [])
    .filter((r) => r.name === name)
    .reduce((s, r) => s + (r.scalar?.value ?? 0), 0);
}
