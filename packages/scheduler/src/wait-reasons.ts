import type { FrameworkListener } from './framework-contract';
import type { HeldOffers } from './held-offers';
import { whyNotPlacedNow, type AgentInventory } from './placement-check';
import type { TaskQueues } from './task-queues';
import type { AgentFacts } from './types';

/** A task is told why it waits once it has waited this long, and again at most this often. */
const EXPLAIN_AFTER_MS = 1_000;
const EXPLAIN_EVERY_MS = 5_000;
const NO_OFFERS_AFTER_MS = 10_000;

/**
 * Says why tasks that have waited a while are not placed, as Marathon and Nomad show
 * placement failures: in a round, what the offers their role holds lack; between
 * rounds, for a role holding none, that no offers came. Worked out at most every few
 * seconds per task, told only when it changed; a reason from offers outlives a bare
 * "no offers" for a while, as offers come and go.
 */
export class WaitReasons {
  /** The reason last told for each waiting task, and when it was worked out. */
  private readonly reasons = new Map<string, { reason: string; at: number; withOffers: boolean }>();

  constructor(
    private readonly pending: TaskQueues,
    private readonly held: HeldOffers,
    private readonly agents: ReadonlyMap<string, AgentFacts>,
    private readonly listener: Pick<FrameworkListener, 'onWaiting'>,
    private readonly draining: (agentId: string) => boolean,
  ) {}

  /** A task no longer waits (placed or cancelled): should it wait again, it starts afresh. */
  forget(taskId: string): void {
    this.reasons.delete(taskId);
  }

  /** In a round (`withOffers`) for the roles holding offers; between rounds for those holding none. */
  explain(withOffers: boolean): void {
    const now = Date.now();
    const told: { taskId: string; reason: string }[] = [];
    for (const [role, queue] of this.pending.queues) {
      const held = this.held.ofRole(role);
      if (held.length > 0 !== withOffers) continue;
      const onDrainingAgents = held.some(
        (h) => this.draining(h.capacity.offer.agent_id.value) || h.capacity.offer.unavailability,
      );
      const offers: AgentInventory[] = held.map((h) => ({
        hostname: h.capacity.offer.hostname,
        attributes: this.agents.get(h.capacity.offer.agent_id.value)?.attributes ?? {},
        resources: h.capacity.resources,
      }));
      for (const request of queue.values()) {
        const waited = this.pending.waited(request.taskId, now);
        // No offers for a moment is normal (between a decline and the next allocation).
        if (waited < (withOffers ? EXPLAIN_AFTER_MS : NO_OFFERS_AFTER_MS)) continue;
        const last = this.reasons.get(request.taskId);
        // A reason from offers replaces a bare "no offers" at once, and outlives it a while.
        const fresh = withOffers
          ? last?.withOffers && now - last.at < EXPLAIN_EVERY_MS
          : last && now - last.at < NO_OFFERS_AFTER_MS;
        if (fresh) continue;
        // Each offer alone has what it asks for: placement turned them down for a reason
        // of its own, told when it can be named, never guessed.
        const reason =
          whyNotPlacedNow(request, offers) ??
          (request.constraints.length > 0
            ? 'the offers it fits are on agents its placement constraints rule out, given where its group runs'
            : onDrainingAgents
              ? 'the offers it fits are on agents being drained'
              : 'no offer held now can take it as it asks; it waits for the next offers');
        this.reasons.set(request.taskId, { reason, at: now, withOffers });
        if (reason !== last?.reason) told.push({ taskId: request.taskId, reason });
      }
    }
    if (told.length > 0) this.listener.onWaiting?.(told);
  }
}
