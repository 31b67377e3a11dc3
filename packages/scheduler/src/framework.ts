import type { Offer, SchedulerClient } from '@shoal/mesos';
import type { KnownAgent } from './agent-facts';
import { AgentMaintenance } from './agent-maintenance';
import type { FrameworkListener, FrameworkOptions, FrameworkStore } from './framework-contract';
import { frameworkInfo } from './framework-info';
import { FrameworkSubscription } from './framework-subscription';
import { HeldOffers } from './held-offers';
import { Launcher } from './launcher';
import { LiveTasks } from './live-tasks';
import type { OfferCapacity } from './offer-capacity';
import { OfferDecliner } from './offer-decliner';
import { OfferDemand } from './offer-demand';
import { lingerShare } from './offer-policy';
import { OfferStats } from './offer-stats';
import { Reconciliation } from './reconciliation';
import { SchedulingRounds } from './scheduling-rounds';
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
  private readonly reconciliation: Reconciliation;
  private readonly rounds: SchedulingRounds;
  private readonly subscription: FrameworkSubscription;
  private roles: string[];

  constructor(
    private readonly client: SchedulerClient,
    store: FrameworkStore,
    private readonly options: FrameworkOptions,
    listener: FrameworkListener = {},
  ) {
    this.roles = [...new Set(options.roles)];
    const updates = new StatusUpdateWriter(store, client, listener, (status) => {
      const taskId = status.task_id.value;
      if (isTerminalState(status.state)) this.live.delete(taskId);
      else if (status.agent_id && this.live.has(taskId))
        this.live.moved(taskId, status.agent_id.value);
    });
    this.demand = new OfferDemand(client, this.pending, this.held, () =>
      this.rounds.scheduleSoon(),
    );
    this.maintenance = new AgentMaintenance(client, listener, options);
    this.waits = new WaitReasons(this.pending, this.held, this.agents, listener, (agentId) =>
      this.maintenance.isDraining(agentId),
    );
    const decliner = new OfferDecliner(
      client,
      this.held,
      this.pending,
      this.stats,
      options,
      () => this.subscription.isSubscribed,
      () => lingerShare(this.agents.size, this.roles.length),
    );
    const launcher = new Launcher(
      client,
      store,
      listener,
      options,
      this.held,
      this.live,
      this.stats,
      decliner,
      (requests) => this.submitAll(requests),
    );
    this.reconciliation = new Reconciliation(client, store, listener, options);
    const roles = () => this.roles;
    this.rounds = new SchedulingRounds({
      options,
      listener,
      pending: this.pending,
      held: this.held,
      live: this.live,
      agents: this.agents,
      stats: this.stats,
      demand: this.demand,
      waits: this.waits,
      maintenance: this.maintenance,
      decliner,
      launcher,
      roles,
      subscribed: () => this.subscription.isSubscribed,
      cancel: (taskId) => this.cancel(taskId),
    });
    this.subscription = new FrameworkSubscription({
      client,
      store,
      options,
      listener,
      live: this.live,
      held: this.held,
      demand: this.demand,
      updates,
      maintenance: this.maintenance,
      reconciliation: this.reconciliation,
      rounds: this.rounds,
      roles,
    });
  }

  get isSubscribed(): boolean {
    return this.subscription.isSubscribed;
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
    await this.subscription.start();
    this.rounds.start();
    this.reconciliation.start();
  }

  /** Leaves the subscription without tearing the framework down, so another instance can fail over. */
  async stop(): Promise<void> {
    this.rounds.stop();
    this.demand.stop();
    this.reconciliation.stop();
    await this.subscription.leave();
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
      if (!this.roles.includes(request.role)) this.rounds.unknownRole(request.role);
      added = true;
    }
    if (added) this.rounds.scheduleSoon();
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
    await this.rounds.serialise(async () => {
      this.roles = next;
      this.demand.setRoles(next);
      if (this.subscription.isSubscribed) {
        await this.client.updateFramework(
          frameworkInfo(this.options, this.roles, this.frameworkId),
          this.demand.suppressedRoles,
        );
        await this.rounds.run();
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
}
