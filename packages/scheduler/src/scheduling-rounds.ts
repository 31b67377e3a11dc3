import type { Offer } from '@shoal/mesos';
import { agentOf, type KnownAgent } from './agent-facts';
import type { AgentMaintenance } from './agent-maintenance';
import type { FrameworkListener, FrameworkOptions } from './framework-contract';
import type { HeldOffers } from './held-offers';
import { LaunchBatch, type Launcher } from './launcher';
import type { LiveTasks } from './live-tasks';
import { OfferCapacity } from './offer-capacity';
import type { OfferDecliner } from './offer-decliner';
import type { OfferDemand } from './offer-demand';
import type { OfferStats } from './offer-stats';
import { place, type PlacementContext } from './placement';
import type { TaskQueues } from './task-queues';
import type { WaitReasons } from './wait-reasons';

/** The framework's parts a round reads and acts through. */
export interface RoundParts {
  options: Pick<FrameworkOptions, 'strategy'>;
  listener: Pick<FrameworkListener, 'onError' | 'onUnknownRole' | 'onOfferRound'>;
  pending: TaskQueues;
  held: HeldOffers;
  live: LiveTasks;
  agents: Map<string, KnownAgent>;
  stats: OfferStats;
  demand: OfferDemand;
  waits: WaitReasons;
  maintenance: AgentMaintenance;
  decliner: OfferDecliner;
  launcher: Launcher;
  /** The roles the framework is subscribed with. */
  roles: () => string[];
  subscribed: () => boolean;
  /** Takes a placed task out of its queue (see MesosFramework.cancel). */
  cancel: (taskId: string) => void;
}

/**
 * Where held offers meet waiting tasks. Rounds, and every other step that changes what
 * is held or subscribed, run one after another (see serialise): two at once could
 * place tasks on the same offer.
 */
export class SchedulingRounds {
  private serial: Promise<unknown> = Promise.resolve();
  /** A round is queued and has not started yet: whatever arrives now joins it. */
  private roundQueued = false;
  /** Roles of submitted tasks the framework is not subscribed with, to report in the next round. */
  private readonly unknownRoles = new Set<string>();
  private holdTimer: NodeJS.Timeout | undefined;

  constructor(private readonly parts: RoundParts) {}

  /** Offers held too long go back even while no round runs. */
  start(): void {
    this.holdTimer = setInterval(() => void this.serialise(() => this.expireHeldOffers()), 1000);
    this.holdTimer.unref();
  }

  stop(): void {
    clearInterval(this.holdTimer);
  }

  serialise<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work, work);
    this.serial = run.catch((error: unknown) =>
      this.parts.listener.onError?.('scheduling step failed', error),
    );
    return run;
  }

  /**
   * One round for everything that arrives before it starts: at most one round waits
   * behind the one under way, however many submissions, offers and updates ask for one.
   */
  scheduleSoon(): void {
    if (this.roundQueued) return;
    this.roundQueued = true;
    setImmediate(() => {
      void this.serialise(() => {
        this.roundQueued = false;
        return this.run();
      });
    });
  }

  /** A task was queued for a role not subscribed with: the next round reports it. */
  unknownRole(role: string): void {
    this.unknownRoles.add(role);
  }

  /** Offers are held as they arrive (a RESCIND right behind them finds them); placing them waits for the round. */
  offered(offers: Offer[]): void {
    const { agents, maintenance, held, stats } = this.parts;
    const now = Date.now();
    for (const offer of offers) {
      agents.set(offer.agent_id.value, agentOf(offer));
      maintenance.offered(offer);
      const role = offer.allocation_info?.role ?? this.parts.roles()[0] ?? '*';
      held.add(offer, role, now);
      stats.offered(role, new OfferCapacity(offer));
    }
    this.scheduleSoon();
  }

  /** Places every waiting task it can on held offers, launches them, declines what no one needs. */
  async run(): Promise<void> {
    const { listener, pending, held, live, agents, demand } = this.parts;
    if (this.unknownRoles.size > 0) {
      for (const role of this.unknownRoles) listener.onUnknownRole?.(role);
      this.unknownRoles.clear();
    }
    if (!this.parts.subscribed()) return;
    const context = this.placementContext();
    const launches = new LaunchBatch();
    for (const [role, queue] of pending.queues) {
      if (queue.size === 0) continue;
      const offers = held.ofRole(role).map((h) => h.capacity);
      if (offers.length === 0) continue;
      for (const request of [...queue.values()]) {
        const placement = place(request, offers, this.parts.options.strategy, context);
        if (!placement) continue;
        this.parts.cancel(request.taskId);
        demand.placed(role);
        const agentId = placement.capacity.offer.agent_id.value;
        live.set(request.taskId, { agentId, groupKey: request.groupKey });
        launches.add(request, placement, agents.get(agentId)?.endpoint);
      }
    }
    this.parts.waits.explain(true);
    // Launches (stored, then their ACCEPTs) and the offers no one needs go back at the same
    // time: they concern different offers. A REVIVE waits for both, so no ACCEPT's or
    // DECLINE's filter outlives it.
    await Promise.all([
      launches.size > 0 ? this.parts.launcher.launch(launches) : undefined,
      this.declineUnneeded(),
    ]);
    await demand.ask(this.parts.roles());
    this.parts.stats.report(listener.onOfferRound);
  }

  private placementContext(): PlacementContext {
    const { agents, live, maintenance } = this.parts;
    return {
      agents,
      peers: (groupKey) =>
        live
          .groupAgents(groupKey)
          .map((agentId) => agents.get(agentId) ?? { agentId, hostname: '', attributes: {} }),
      tasksOn: (agentId) => live.onAgent(agentId),
      draining: (agentId) => maintenance.isDraining(agentId),
    };
  }

  /** Gives back the offers no one needs (see unneededOffers); suppresses roles with no work. */
  private async declineUnneeded(): Promise<void> {
    // The offers leave the held set at once; the DECLINE and the SUPPRESS go out together.
    await Promise.all([
      this.parts.decliner.unneeded(),
      this.parts.subscribed() ? this.parts.demand.suppressIdle(this.parts.roles()) : undefined,
    ]);
  }

  private async expireHeldOffers(): Promise<void> {
    await this.parts.decliner.expired();
    await this.declineUnneeded();
    this.parts.stats.report(this.parts.listener.onOfferRound);
    this.parts.waits.explain(false);
  }
}
