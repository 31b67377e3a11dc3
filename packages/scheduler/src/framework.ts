import type {
  FrameworkInfo,
  InverseOffer,
  Offer,
  SchedulerClient,
  SchedulerSubscription,
  TaskStatus,
} from '@shoal/mesos';
import { coversDemand, OfferCapacity } from './offer-capacity';
import { place } from './placement';
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
   * Stores a launch before the ACCEPT is sent, so a crash in between is found by
   * reconciliation. False when the task is no longer wanted: it is not launched.
   */
  recordLaunch(launch: LaunchRecord): Promise<boolean>;
  /** Stores a status update; it is acknowledged only after this resolves, so Mesos re-sends it otherwise. */
  recordStatus(status: TaskStatus): Promise<void>;
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

interface HeldOffer {
  capacity: OfferCapacity;
  receivedAt: number;
  role: string;
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

/** Status updates being stored at once; the database pool is the real limit. */
const MAX_UPDATES_IN_FLIGHT = 16;

/**
 * One Mesos framework serving many roles. Tasks wait in a queue per role; an
 * offer is only ever used for tasks of the role it was allocated to, only the
 * resources a task needs are taken, and the rest is declined. Roles with
 * nothing pending are suppressed and revived when work arrives. Status
 * updates are stored before they are acknowledged.
 */
export class MesosFramework {
  private readonly pending = new Map<string, Map<string, TaskRequest>>();
  private readonly held = new Map<string, HeldOffer>();
  private readonly suppressed = new Set<string>();
  private readonly live = new Map<string, { agentId?: string; groupKey?: string }>();
  private readonly agents = new Map<string, AgentFacts & { endpoint?: string }>();
  private readonly drainingAgents = new Set<string>();
  private roles: string[];
  private subscription: SchedulerSubscription | undefined;
  private loop: Promise<void> | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private serial: Promise<unknown> = Promise.resolve();
  private readonly updateChains = new Map<string, Promise<void>>();
  private updatesInFlight = 0;
  private slotFreed: (() => void) | undefined;
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
    clearInterval(this.reconcileTimer);
    await this.subscription?.close();
    await this.loop?.catch(() => undefined);
    await this.client.close();
    this.subscribed = false;
  }

  /** Queues a task for its role and revives the role if it was suppressed; a task already known is ignored. */
  submit(request: TaskRequest): void {
    if (this.isPending(request.taskId)) return;
    let queue = this.pending.get(request.role);
    if (!queue) this.pending.set(request.role, (queue = new Map()));
    queue.set(request.taskId, request);
    void this.serialise(async () => {
      if (!this.roles.includes(request.role)) {
        // Queued until setRoles adds the role; then it is revived with the rest.
        this.listener.onUnknownRole?.(request.role);
        return;
      }
      if (this.subscribed && this.suppressed.has(request.role)) {
        await this.client.revive([request.role]);
        this.suppressed.delete(request.role);
      }
      await this.schedule();
    });
  }

  /** Drops a task that has not been launched yet; false when it is not pending. */
  cancel(taskId: string): boolean {
    for (const queue of this.pending.values()) if (queue.delete(taskId)) return true;
    return false;
  }

  /** Queued, or handed to Mesos and not yet ended: submitting it again would launch it twice. */
  isPending(taskId: string): boolean {
    return this.live.has(taskId) || [...this.pending.values()].some((q) => q.has(taskId));
  }

  pendingCount(role?: string): number {
    if (role !== undefined) return this.pending.get(role)?.size ?? 0;
    return [...this.pending.values()].reduce((n, q) => n + q.size, 0);
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
    return [...this.held.values()].map((h) => ({
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
            await this.serialise(() => this.onOffers(item.offers?.offers ?? []));
            break;
          case 'RESCIND':
            if (item.rescind) this.held.delete(item.rescind.offer_id.value);
            break;
          case 'UPDATE':
            if (item.update) await this.dispatchUpdate(item.update.status);
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

  private async onOffers(offers: Offer[]): Promise<void> {
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
      this.held.set(offer.id.value, { capacity: new OfferCapacity(offer), receivedAt: now, role });
    }
    const rounds = this.statsByRole(offers);
    await this.schedule(rounds);
    for (const stats of rounds.values()) this.listener.onOfferRound?.(stats);
  }

  private statsByRole(offers: Offer[]): Map<string, OfferRoundStats> {
    const rounds = new Map<string, OfferRoundStats>();
    for (const offer of offers) {
      const role = offer.allocation_info?.role ?? '*';
      let s = rounds.get(role);
      if (!s) {
        s = {
          role,
          offers: 0,
          offered: { cpus: 0, memMb: 0 },
          accepted: { cpus: 0, memMb: 0 },
          declined: { cpus: 0, memMb: 0 },
        };
        rounds.set(role, s);
      }
      const c = new OfferCapacity(offer);
      s.offers += 1;
      s.offered.cpus += c.scalar('cpus');
      s.offered.memMb += c.scalar('mem');
    }
    return rounds;
  }

  /** Places pending tasks on held offers, launches them, declines what no one needs. */
  private async schedule(rounds?: Map<string, OfferRoundStats>): Promise<void> {
    if (!this.subscribed) return;
    // Counted once per round: placement asks for these per candidate offer.
    const perAgent = new Map<string, number>();
    for (const t of this.live.values()) {
      if (t.agentId) perAgent.set(t.agentId, (perAgent.get(t.agentId) ?? 0) + 1);
    }
    const context = {
      agents: this.agents,
      peers: (groupKey: string) =>
        [...this.live.values()]
          .filter((t) => t.groupKey === groupKey && t.agentId)
          .map(
            (t) =>
              this.agents.get(t.agentId!) ?? { agentId: t.agentId!, hostname: '', attributes: {} },
          ),
      tasksOn: (agentId: string) => perAgent.get(agentId) ?? 0,
      draining: (agentId: string) => this.drainingAgents.has(agentId),
    };
    const launches = new Map<
      string,
      {
        capacity: OfferCapacity;
        tasks: ReturnType<typeof buildTaskInfo>[];
        records: LaunchRecord[];
      }
    >();
    for (const [role, queue] of this.pending) {
      const offers = [...this.held.values()].filter((h) => h.role === role).map((h) => h.capacity);
      if (offers.length === 0) continue;
      for (const request of [...queue.values()]) {
        const placement = place(request, offers, this.options.strategy, context);
        if (!placement) continue;
        queue.delete(request.taskId);
        const { offer } = placement.capacity;
        const agentId = offer.agent_id.value;
        this.live.set(request.taskId, { agentId, groupKey: request.groupKey });
        perAgent.set(agentId, (perAgent.get(agentId) ?? 0) + 1);
        const entry = launches.get(offer.id.value) ?? {
          capacity: placement.capacity,
          tasks: [],
          records: [],
        };
        entry.tasks.push(buildTaskInfo(request, offer, placement.resources, placement.ports));
        const endpoint = this.agents.get(agentId)?.endpoint;
        entry.records.push({
          taskId: request.taskId,
          agentId,
          hostname: offer.hostname,
          ...(endpoint ? { agentEndpoint: endpoint } : {}),
          ports: placement.ports,
        });
        launches.set(offer.id.value, entry);
      }
    }
    for (const [offerId, { capacity, tasks, records }] of launches) {
      this.held.delete(offerId);
      const stats = rounds?.get(capacity.offer.allocation_info?.role ?? '*');
      if (stats) {
        for (const t of tasks) {
          stats.accepted.cpus += sumScalar(t.resources, 'cpus');
          stats.accepted.memMb += sumScalar(t.resources, 'mem');
        }
        // What an ACCEPT leaves unused, Mesos counts as declined.
        stats.declined.cpus += capacity.scalar('cpus');
        stats.declined.memMb += capacity.scalar('mem');
      }
      await this.launch(capacity.offer, tasks, records);
    }
    await this.declineUnneeded(rounds);
  }

  private async launch(
    offer: Offer,
    tasks: ReturnType<typeof buildTaskInfo>[],
    records: LaunchRecord[],
  ): Promise<void> {
    const wanted = await Promise.all(records.map((record) => this.store.recordLaunch(record)));
    for (const [i, record] of records.entries()) if (!wanted[i]) this.live.delete(record.taskId);
    tasks = tasks.filter((_, i) => wanted[i]);
    records = records.filter((_, i) => wanted[i]);
    if (tasks.length === 0) {
      await this.client.decline([offer.id], { refuse_seconds: this.options.refuseSeconds });
      return;
    }
    try {
      await this.client.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: tasks } }], {
        refuse_seconds: this.options.refuseSeconds,
      });
      this.listener.onLaunched?.(tasks.length);
    } catch (error) {
      // The ACCEPT may or may not have reached the master: ask rather than guess,
      // so a task is neither lost nor launched twice.
      this.listener.onError?.(
        `ACCEPT of offer ${offer.id.value} failed; reconciling its tasks`,
        error,
      );
      await this.client
        .reconcile(
          records.map((r) => ({ task_id: { value: r.taskId }, agent_id: { value: r.agentId } })),
        )
        .catch((e: unknown) =>
          this.listener.onError?.('reconciliation after a failed ACCEPT failed', e),
        );
    }
  }

  /**
   * Offers of roles with nothing pending go back at once, and so do those of a role whose
   * headroom they hold in pieces; the rest are kept for offerHoldSeconds.
   */
  private async declineUnneeded(rounds?: Map<string, OfferRoundStats>): Promise<void> {
    const split = this.splitRoles();
    const decline = [...this.held.entries()].filter(
      ([, h]) => (this.pending.get(h.role)?.size ?? 0) === 0 || split.has(h.role),
    );
    await this.decline(decline, rounds);
    const idle = this.roles.filter(
      (r) => (this.pending.get(r)?.size ?? 0) === 0 && !this.suppressed.has(r),
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
    const byRole = new Map<string, OfferCapacity[]>();
    for (const h of this.held.values())
      byRole.set(h.role, [...(byRole.get(h.role) ?? []), h.capacity]);
    const split = new Set<string>();
    for (const [role, offers] of byRole) {
      if (offers.length < 2) continue;
      const total = (name: string) => offers.reduce((sum, c) => sum + c.scalar(name, false), 0);
      const waiting = [...(this.pending.get(role)?.values() ?? [])];
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
      [...this.held.values()].filter((h) => h.receivedAt <= limit).map((h) => h.role),
    );
    await this.decline([...this.held.entries()].filter(([, h]) => expired.has(h.role)));
  }

  private async decline(
    entries: [string, HeldOffer][],
    rounds?: Map<string, OfferRoundStats>,
  ): Promise<void> {
    if (entries.length === 0 || !this.subscribed) return;
    for (const [id, h] of entries) {
      this.held.delete(id);
      const stats = rounds?.get(h.role);
      if (stats) {
        stats.declined.cpus += h.capacity.scalar('cpus');
        stats.declined.memMb += h.capacity.scalar('mem');
      }
    }
    await this.client.decline(
      entries.map(([id]) => ({ value: id })),
      { refuse_seconds: this.options.refuseSeconds },
    );
  }

  /**
   * Updates of different tasks are stored concurrently (bounded), those of one
   * task strictly in order; each is acknowledged only after it is stored.
   */
  private async dispatchUpdate(status: TaskStatus): Promise<void> {
    while (this.updatesInFlight >= MAX_UPDATES_IN_FLIGHT) await this.updateSlotFreed();
    const taskId = status.task_id.value;
    const previous = this.updateChains.get(taskId) ?? Promise.resolve();
    this.updatesInFlight += 1;
    const next = previous
      .then(() => this.onUpdate(status))
      .catch((error: unknown) =>
        this.listener.onError?.(
          `status update of ${taskId} not stored; Mesos will send it again`,
          error,
        ),
      )
      .finally(() => {
        this.updatesInFlight -= 1;
        if (this.updateChains.get(taskId) === next) this.updateChains.delete(taskId);
        this.slotFreed?.();
      });
    this.updateChains.set(taskId, next);
  }

  private updateSlotFreed(): Promise<void> {
    return new Promise((resolve) => (this.slotFreed = resolve));
  }

  private async onUpdate(status: TaskStatus): Promise<void> {
    await this.store.recordStatus(status);
    const taskId = status.task_id.value;
    if (isTerminalState(status.state)) this.live.delete(taskId);
    else if (status.agent_id)
      this.live.set(taskId, { ...this.live.get(taskId), agentId: status.agent_id.value });
    if (status.uuid && status.agent_id) {
      await this.client.acknowledge(status.agent_id, status.task_id, status.uuid);
    }
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
