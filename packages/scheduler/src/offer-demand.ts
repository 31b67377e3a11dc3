import type { SchedulerClient } from '@shoal/mesos';
import type { HeldOffers } from './held-offers';
import { hungryRoles, IDLE_LINGER_MS } from './offer-policy';
import type { TaskQueues } from './task-queues';

/** How often at the most a role without an offer its tasks fit asks for more (see ask). */
const REVIVE_SPACING_MS = 100;
/** The longest spacing, reached by doubling while a role's revives get nothing placed. */
const MAX_REVIVE_SPACING_MS = 5_000;

/**
 * Which roles ask Mesos for offers. A role with no work is suppressed, so the allocator
 * stops offering it what it would only decline; a role with work asks again with REVIVE,
 * spaced more and more while its revives get nothing placed, so that a role whose tasks
 * fit nothing does not keep the allocator busy.
 */
export class OfferDemand {
  private readonly suppressed = new Set<string>();
  /** When each role last asked for offers with REVIVE. */
  private readonly revivedAt = new Map<string, number>();
  /** How long each role waits between revives now (REVIVE_SPACING_MS when not set). */
  private readonly spacing = new Map<string, number>();
  private reviveTimer: NodeJS.Timeout | undefined;
  /** When reviveTimer fires. */
  private reviveTimerAt = Infinity;

  constructor(
    private readonly client: Pick<SchedulerClient, 'revive' | 'suppress'>,
    private readonly pending: TaskQueues,
    private readonly held: HeldOffers,
    /** Asks for a round: a role that asked too recently asks again in one. */
    private readonly scheduleSoon: () => void,
  ) {}

  /** The roles to name suppressed in a SUBSCRIBE or UPDATE_FRAMEWORK. */
  get suppressedRoles(): string[] {
    return [...this.suppressed];
  }

  /**
   * The roles about to be named in a SUBSCRIBE or UPDATE_FRAMEWORK. Those without work
   * start suppressed, named so in that call: a restart, or a new tenant, does not flood
   * the framework with offers. A role no longer named is forgotten.
   */
  setRoles(roles: readonly string[]): void {
    for (const role of roles) if (this.pending.count(role) === 0) this.suppressed.add(role);
    for (const role of [...this.suppressed])
      if (!roles.includes(role)) this.suppressed.delete(role);
  }

  /**
   * Once subscribed (again), every role with work asks for offers at once: REVIVE also
   * clears the filters its declines left before.
   */
  async reviveWaiting(roles: readonly string[]): Promise<void> {
    const wanted = roles.filter((r) => this.pending.count(r) > 0);
    if (wanted.length > 0) {
      await this.client.revive(wanted);
      for (const role of wanted) this.suppressed.delete(role);
    }
  }

  /**
   * A role with tasks waiting and no offer they fit asks for offers again. Each ACCEPT
   * uses up its offer, and Mesos offers an agent's remainder only at its next allocation,
   * while REVIVE allocates at once (and clears the role's filters). Asked at most once
   * per spacing per role, REVIVE_SPACING_MS while its revives get tasks placed and twice
   * as long after each that does not, so no role turns into a revive storm.
   */
  async ask(roles: readonly string[]): Promise<void> {
    const now = Date.now();
    const hungry = hungryRoles(this.held, this.pending.queues).filter(
      (role) => roles.includes(role) && !this.suppressed.has(role),
    );
    const spacing = (role: string) => this.spacing.get(role) ?? REVIVE_SPACING_MS;
    const wait = (role: string) => (this.revivedAt.get(role) ?? 0) + spacing(role) - now;
    const due = hungry.filter((r) => wait(r) <= 0);
    // A role that asked too recently asks again once its spacing is over: the timer is
    // brought forward for it, not left to fire when another role's longer spacing ends.
    const later = hungry.filter((r) => wait(r) > 0);
    const next = Math.min(...later.map(wait));
    if (later.length > 0 && now + next < this.reviveTimerAt) {
      clearTimeout(this.reviveTimer);
      this.reviveTimerAt = now + next;
      this.reviveTimer = setTimeout(() => {
        this.reviveTimer = undefined;
        this.reviveTimerAt = Infinity;
        this.scheduleSoon();
      }, next);
      this.reviveTimer.unref();
    }
    // A suppressed role with work left after this round's placements (its tasks fit none
    // of the offers it still holds) asks at once: no offers come to it otherwise.
    const woken = [...this.pending.queues]
      .filter(([role, queue]) => queue.size > 0 && this.suppressed.has(role))
      .map(([role]) => role)
      .filter((role) => roles.includes(role));
    if (due.length === 0 && woken.length === 0) return;
    for (const role of [...due, ...woken]) {
      this.revivedAt.set(role, now);
      // Until a task of the role is placed (see placed), its next revive waits twice as long.
      this.spacing.set(role, Math.min(2 * spacing(role), MAX_REVIVE_SPACING_MS));
    }
    await this.client.revive([...due, ...woken]);
    for (const role of woken) this.suppressed.delete(role);
  }

  /**
   * A task of `role` was placed: its revives work, and it may ask again soon. Holding
   * offers is no reason to wait: under a quota limit, a role whose task took the offer
   * that had the memory of its headroom is left holding the cpus of another agent alone.
   */
  placed(role: string): void {
    this.spacing.delete(role);
  }

  /**
   * A role with nothing waiting, and nothing queued for IDLE_LINGER_MS, asks for no more
   * offers: the offers it kept meanwhile go back at the same moment (see unneededOffers).
   * Left unsuppressed, it would be offered the pieces its quota headroom allows in every
   * allocation round, only to decline them; the next start it gets revives it. Not at once:
   * a role whose starts come one after another empties its queue between them, and a
   * REVIVE for each burst had the master offer it every free agent again.
   */
  async suppressIdle(roles: readonly string[]): Promise<void> {
    const quietSince = Date.now() - IDLE_LINGER_MS;
    const idle = roles.filter(
      (r) =>
        this.pending.count(r) === 0 &&
        !this.suppressed.has(r) &&
        (this.pending.lastDemand.get(r) ?? -Infinity) <= quietSince,
    );
    if (idle.length === 0) return;
    await this.client.suppress(idle);
    for (const role of idle) this.suppressed.add(role);
  }

  stop(): void {
    clearTimeout(this.reviveTimer);
  }
}
