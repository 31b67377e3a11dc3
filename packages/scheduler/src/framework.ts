import type {
  FrameworkInfo,
  InverseOffer,
  Offer,
  SchedulerClient,
  SchedulerSubscription,
  TaskStatus,
} from '@shoal/mesos';
import { HeldOffers } from './held-offers';
import { LiveTasks } from './live-tasks';
import { coversDemand, OfferCapacity } from './offer-capacity';
import { place, type PlacementContext } from './placement';
import { buildTaskInfo } from './task-info';
import type { AgentFacts, LaunchRecord, Strategy, TaskRequest } from './types';

export interface FrameworkOptions {
  name: string;
  user: string;
  principal?: string;
  hostname?: string;
  webuiUrl?: string;
  roles: string[];
  /** How long Mesos keeps our tasks running while no scheduler is connected. */
  failoverTimeoutSeconds: number;
  /** Unused offers of roles with pending work are kept this long before being declined. */
  offerHoldSeconds: number;
  /** `refuse_seconds` for declined offers and leftovers. */
  refuseSeconds: number;
  strategy: Strategy;
  /** Implicit reconciliation interval. */
  reconcileIntervalSeconds: number;
}

/** Durable state the framework relies on; implemented over PostgreSQL by core. */
export interface FrameworkStore {
  frameworkId(): Promise<string | undefined>;
  saveFrameworkId(id: string): Promise<void>;
  /**
   * Stores launches before the ACCEPT is sent, so a crash in between is found by
   * reconciliation. Answers the task ids still wanted: the others were dropped
   * meanwhile (stopped, or a replacement no longer needed) and are not launched.
   */
  recordLaunches(launches: LaunchRecord[]): Promise<Set<string>>;
  /**
   * Stores status updates, in order; they are acknowledged only after this resolves,
   * so Mesos sends them again otherwise.
   */
  recordStatuses(statuses: TaskStatus[]): Promise<void>;
  /** Tasks believed live (launched, not terminal), for explicit reconciliation and placement. */
  liveTasks(): Promise<{ taskId: string; agentId?: string; groupKey?: string }[]>;
}

export interface OfferRoundStats {
  role: string;
  offers: number;
  offered: { cpus: number; memMb: number };
  accepted: { cpus: number; memMb: number };
  declined: { cpus: number; memMb: number };
}

export interface FrameworkListener {
  /** An agent is about to go into maintenance: its tasks should be moved. */
  onAgentDraining?(agentId: string): void;
  /** Work arrived for a role the framework is not subscribed to (e.g. a tenant just created). */
  onUnknownRole?(role: string): void;
  onOfferRound?(stats: OfferRoundStats): void;
  /** Tasks handed to Mesos in one ACCEPT. */
  onLaunched?(tasks: number): void;
  onSubscribed?(frameworkId: string): void;
  onDisconnected?(error: Error): void;
  /** The subscription ended for good (e.g. another scheduler took the framework over). */
  onFatal?(error: Error): void;
  onError?(message: string, error: unknown): void;
}

/** Task states after which Mesos forgets the task (TASK_LOST counted, as Shoal replaces it). */
export const TERMINAL_STATES: readonly string[] = [
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_LOST',
  'TASK_UNKNOWN',
];
const TERMINAL = new Set(TERMINAL_STATES);

export const isTerminalState = (state: string) => TERMINAL.has(state);

/** A role whose queue just emptied keeps this many offers, this long, for what comes next. */
const IDLE_OFFERS = 2;
const IDLE_LINGER_MS = 1_000;

/** How often at the most a role without offers asks for more (see askForOffers). */
const REVIVE_SPACING_MS = 100;

/** Status updates stored in one transaction at the most. */
const MAX_UPDATES_PER_BATCH = 1_000;

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
 * are kept while it has work, or had some within the hold time, so a burst of
 * starts is placed at once; idle roles are suppressed and revived when work
 * arrives. Everything on the hot path goes in batches: every task waiting when
 * a round runs is placed in that round, its launches stored in one statement
 * and its ACCEPTs sent together, and status updates are stored many at a time
 * and acknowledged once stored.
 */
export class MesosFramework {
  private readonly pending = new Map<string, Map<string, TaskRequest>>();
  private readonly queuedRole = new Map<string, string>();
  private readonly held = new HeldOffers();
  private readonly suppressed = new Set<string>();
  /** When each role last had work queued: its offers are kept for the hold time after. */
  private readonly lastDemand = new Map<string, number>();
  /** When each role last asked for offers with REVIVE. */
  private readonly revivedAt = new Map<string, number>();
  private readonly live = new LiveTasks();
  private readonly agents = new Map<string, AgentFacts & { endpoint?: string }>();
  private readonly drainingAgents = new Set<string>();
  /** Offer figures per role since they were last reported. */
  private readonly stats = new Map<string, OfferRoundStats>();
  private roles: string[];
  private subscription: SchedulerSubscription | undefined;
  private loop: Promise<void> | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reviveTimer: NodeJS.Timeout | undefined;
  private serial: Promise<unknown> = Promise.resolve();
  private roundQueued = false;
  private readonly updates: TaskStatus[] = [];
  private storingUpdates = false;
  private subscribed = false;
  private stopped = false;

  constructor(
    private readonly client: SchedulerClient,
    private readonly store: FrameworkStore,
    private readonly options: FrameworkOptions,
    private readonly listener: FrameworkListener = {},
  ) {
    this.roles = [...new Set(options.roles)];
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

  /** Subscribes (resubscribing with the stored framework id) and resolves on SUBSCRIBED. */
  async start(): Promise<void> {
    for (const task of await this.store.liveTasks()) {
      this.live.set(task.taskId, { agentId: task.agentId, groupKey: task.groupKey });
    }
    const id = await this.store.frameworkId();
    // Roles without work start suppressed, so a restart does not flood us with offers.
    for (const role of this.roles) if (!this.pending.get(role)?.size) this.suppressed.add(role);
    this.subscription = await this.client.subscribe(this.frameworkInfo(id), {
      suppressedRoles: [...this.suppressed],
    });
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

  /** Leaves the subscription without tearing the framework down, so another instance can fail over. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.holdTimer);
    clearTimeout(this.reviveTimer);
    clearInterval(this.reconcileTimer);
    await this.subscription?.close();
    await this.loop?.catch(() => undefined);
    await this.client.close();
    this.subscribed = false;
  }

  /** Queues a task for its role and revives the role if it was suppressed; a task already known is ignored. */
  submit(request: TaskRequest): void {
    this.submitAll([request]);
  }

  /** Queues tasks (each for its role); they are placed together in the next round. */
  submitAll(requests: readonly TaskRequest[]): void {
    const now = Date.now();
    const roles = new Set<string>();
    for (const request of requests) {
      if (this.isPending(request.taskId)) continue;
      let queue = this.pending.get(request.role);
      if (!queue) this.pending.set(request.role, (queue = new Map()));
      queue.set(request.taskId, request);
      this.queuedRole.set(request.taskId, request.role);
      this.lastDemand.set(request.role, now);
      roles.add(request.role);
    }
    if (roles.size === 0) return;
    void this.serialise(async () => {
      const unknown = [...roles].filter((r) => !this.roles.includes(r));
      // Queued until setRoles adds the role; then it is revived with the rest.
      for (const role of unknown) this.listener.onUnknownRole?.(role);
      const revive = [...roles].filter((r) => this.roles.includes(r) && this.suppressed.has(r));
      if (this.subscribed && revive.length > 0) {
        await this.client.revive(revive);
        for (const role of revive) this.suppressed.delete(role);
      }
    });
    this.scheduleSoon();
  }

  /** Drops a task that has not been launched yet; false when it is not pending. */
  cancel(taskId: string): boolean {
    const role = this.queuedRole.get(taskId);
    if (role === undefined) return false;
    this.queuedRole.delete(taskId);
    return this.pending.get(role)?.delete(taskId) ?? false;
  }

  /** Queued, or handed to Mesos and not yet ended: submitting it again would launch it twice. */
  isPending(taskId: string): boolean {
    return this.live.has(taskId) || this.queuedRole.has(taskId);
  }

  pendingCount(role?: string): number {
    if (role !== undefined) return this.pending.get(role)?.size ?? 0;
    return this.queuedRole.size;
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
      for (const role of next) if (!this.pending.get(role)?.size) this.suppressed.add(role);
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

  /** One round for everything that arrived in this turn of the event loop. */
  private scheduleSoon(): void {
    if (this.roundQueued) return;
    this.roundQueued = true;
    setImmediate(() => {
      this.roundQueued = false;
      void this.serialise(() => this.schedule());
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
            await this.onSubscribed(item.subscribed?.framework_id.value);
            break;
          case 'OFFERS':
            this.onOffers(item.offers?.offers ?? []);
            break;
          case 'RESCIND':
            if (item.rescind) this.held.remove(item.rescind.offer_id.value);
            break;
          case 'UPDATE':
            if (item.update) this.enqueueUpdate(item.update.status);
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
    if (known.length > 0) {
      await this.client.reconcile(
        known.map((t) => ({
          task_id: { value: t.taskId },
          ...(t.agentId ? { agent_id: { value: t.agentId } } : {}),
        })),
      );
    }
    await this.client.reconcile();
    await this.serialise(async () => {
      const wanted = this.roles.filter((r) => (this.pending.get(r)?.size ?? 0) > 0);
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
      if (offer.unavailability) this.drainingAgents.add(agentId);
      const role = offer.allocation_info?.role ?? this.roles[0] ?? '*';
      this.held.add(offer, role, now);
      const stats = this.statsOf(role);
      const capacity = new OfferCapacity(offer);
      stats.offers += 1;
      stats.offered.cpus += capacity.scalar('cpus');
      stats.offered.memMb += capacity.scalar('mem');
    }
    this.scheduleSoon();
  }

  private statsOf(role: string): OfferRoundStats {
    let stats = this.stats.get(role);
    if (!stats) {
      stats = {
        role,
        offers: 0,
        offered: { cpus: 0, memMb: 0 },
        accepted: { cpus: 0, memMb: 0 },
        declined: { cpus: 0, memMb: 0 },
      };
      this.stats.set(role, stats);
    }
    return stats;
  }

  private reportStats(): void {
    for (const stats of this.stats.values()) this.listener.onOfferRound?.(stats);
    this.stats.clear();
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
    if (!this.subscribed) return;
    const context = this.placementContext();
    const launches = new Map<string, Launch>();
    for (const [role, queue] of this.pending) {
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
    if (launches.size > 0) await this.launch([...launches.values()]);
    await this.declineUnneeded();
    await this.askForOffers();
    this.reportStats();
  }

  /**
   * A role with tasks waiting and no offer they fit asks for offers again. Each ACCEPT
   * uses up its offer, and Mesos offers an agent's remainder only at its next allocation,
   * while REVIVE allocates at once (and clears the role's filters). Asked at most once
   * per REVIVE_SPACING_MS per role, so a busy role does not turn into a revive storm.
   */
  private async askForOffers(): Promise<void> {
    const now = Date.now();
    // Held offers that fit no waiting task are no reason to wait: under a quota limit
    // they can be the cpus of the headroom without its memory.
    const fitsOne = (role: string, queue: Map<string, TaskRequest>) => {
      const offers = this.held.ofRole(role).map((h) => h.capacity);
      return [...queue.values()].some((t) =>
        offers.some((c) => coversDemand(t, (name) => c.scalar(name, t.bestEffort))),
      );
    };
    const hungry = [...this.pending]
      .filter(
        ([role, queue]) =>
          queue.size > 0 &&
          this.roles.includes(role) &&
          !this.suppressed.has(role) &&
          !fitsOne(role, queue),
      )
      .map(([role]) => role);
    const due = hungry.filter((r) => now - (this.revivedAt.get(r) ?? 0) >= REVIVE_SPACING_MS);
    // A role that asked too recently asks again once its spacing is over.
    if (due.length < hungry.length && !this.reviveTimer) {
      this.reviveTimer = setTimeout(() => {
        this.reviveTimer = undefined;
        this.scheduleSoon();
      }, REVIVE_SPACING_MS);
      this.reviveTimer.unref();
    }
    if (due.length === 0) return;
    for (const role of due) this.revivedAt.set(role, now);
    await this.client.revive(due);
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
        const stats = this.statsOf(capacity.offer.allocation_info?.role ?? '*');
        for (const t of kept) {
          stats.accepted.cpus += sumScalar(t.resources, 'cpus');
          stats.accepted.memMb += sumScalar(t.resources, 'mem');
        }
        // What an ACCEPT leaves unused, Mesos counts as declined.
        stats.declined.cpus += capacity.scalar('cpus');
        stats.declined.memMb += capacity.scalar('mem');
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

  /**
   * Offers of a role with nothing waiting go back, but for a few kept a moment longer if
   * it just had work (the next start of a burst is then placed at once); so do those of
   * a role whose headroom they hold in pieces. Keeping more, or longer, would hoard the
   * cluster from other tenants. Roles idle for the hold time with nothing held are
   * suppressed.
   */
  private async declineUnneeded(): Promise<void> {
    const now = Date.now();
    const lingering = (role: string) =>
      (this.lastDemand.get(role) ?? -Infinity) > now - IDLE_LINGER_MS;
    const active = (role: string) =>
      (this.lastDemand.get(role) ?? -Infinity) > now - this.options.offerHoldSeconds * 1000;
    const split = this.splitRoles();
    const unneeded: [string, OfferCapacity][] = [];
    for (const role of this.held.roles()) {
      const offers = this.held.ofRole(role).sort((a, b) => a.receivedAt - b.receivedAt);
      const waiting = (this.pending.get(role)?.size ?? 0) > 0;
      const keep = split.has(role)
        ? 0
        : waiting
          ? offers.length
          : lingering(role)
            ? IDLE_OFFERS
            : 0;
      // The newest are kept: the oldest would soon expire anyway.
      for (const h of offers.slice(0, offers.length - keep))
        unneeded.push([h.capacity.offer.id.value, h.capacity]);
    }
    await this.declineOffers(unneeded);
    const holding = new Set(this.held.roles());
    const idle = this.roles.filter(
      (r) =>
        (this.pending.get(r)?.size ?? 0) === 0 &&
        !this.suppressed.has(r) &&
        !holding.has(r) &&
        !active(r),
    );
    if (idle.length > 0 && this.subscribed) {
      await this.client.suppress(idle);
      for (const role of idle) this.suppressed.add(role);
    }
  }

  /**
   * Roles whose held offers would fit a waiting task together but fit it none alone. Under
   * a quota limit the allocator offers a role no more than its headroom, and an agent whose
   * cpus are already offered to others gives the role its memory only, the next agent its
   * cpus only. Holding such pieces just keeps the role from being offered them whole.
   */
  private splitRoles(): Set<string> {
    const split = new Set<string>();
    for (const role of this.held.roles()) {
      const offers = this.held.ofRole(role).map((h) => h.capacity);
      const waiting = [...(this.pending.get(role)?.values() ?? [])];
      if (offers.length < 2 || waiting.length === 0) continue;
      const total = (name: string) => offers.reduce((sum, c) => sum + c.scalar(name, false), 0);
      const pieces = (t: TaskRequest) =>
        !t.bestEffort &&
        coversDemand(t, total) &&
        !offers.some((c) => coversDemand(t, (name) => c.scalar(name, false)));
      if (waiting.some(pieces)) split.add(role);
    }
    return split;
  }

  /**
   * When one offer of a role has been held too long, all of that role's offers go back
   * together. None of them fits a waiting task (or it would have been placed), and under a
   * quota limit they can hold the role's headroom in pieces, cpus in one and memory in
   * another. Given back one at a time, each piece would be offered again alone while the
   * other is still held, and the role would never get an offer its tasks fit.
   */
  private async expireHeldOffers(): Promise<void> {
    const limit = Date.now() - this.options.offerHoldSeconds * 1000;
    const expired = new Set(
      this.held
        .all()
        .filter(([, h]) => h.receivedAt <= limit)
        .map(([, h]) => h.role),
    );
    await this.declineOffers(
      this.held
        .all()
        .filter(([, h]) => expired.has(h.role))
        .map(([id, h]) => [id, h.capacity]),
    );
    await this.declineUnneeded();
    this.reportStats();
  }

  private async declineOffers(entries: [string, OfferCapacity][]): Promise<void> {
    if (entries.length === 0 || !this.subscribed) return;
    for (const [id, capacity] of entries) {
      const held = this.held.remove(id);
      const stats = this.statsOf(held?.role ?? capacity.offer.allocation_info?.role ?? '*');
      stats.declined.cpus += capacity.scalar('cpus');
      stats.declined.memMb += capacity.scalar('mem');
    }
    await this.client.decline(
      entries.map(([id]) => ({ value: id })),
      { refuse_seconds: this.options.refuseSeconds },
    );
  }

  /**
   * Updates are stored in batches, in the order they arrived (a task's updates
   * therefore in order), and each is acknowledged once its batch is stored.
   */
  private enqueueUpdate(status: TaskStatus): void {
    this.updates.push(status);
    if (!this.storingUpdates) void this.storeUpdates();
  }

  private async storeUpdates(): Promise<void> {
    this.storingUpdates = true;
    // Updates of this turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.updates.length > 0) {
      const batch = this.updates.splice(0, MAX_UPDATES_PER_BATCH);
      try {
        await this.store.recordStatuses(batch);
      } catch (error) {
        this.listener.onError?.(
          `${batch.length} status updates not stored; Mesos will send them again`,
          error,
        );
        continue;
      }
      for (const status of batch) {
        const taskId = status.task_id.value;
        if (isTerminalState(status.state)) this.live.delete(taskId);
        else if (status.agent_id && this.live.has(taskId))
          this.live.moved(taskId, status.agent_id.value);
        if (status.uuid && status.agent_id) {
          this.client
            .acknowledge(status.agent_id, status.task_id, status.uuid)
            .catch((error: unknown) =>
              this.listener.onError?.(`acknowledging an update of ${taskId} failed`, error),
            );
        }
      }
    }
    this.storingUpdates = false;
  }

  private async onInverseOffers(inverseOffers: InverseOffer[]): Promise<void> {
    for (const inverse of inverseOffers) {
      const agentId = inverse.agent_id?.value;
      if (agentId && !this.drainingAgents.has(agentId)) {
        this.drainingAgents.add(agentId);
        this.listener.onAgentDraining?.(agentId);
      }
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
