import type { HeldOffers } from './held-offers';
import { coversDemand, type OfferCapacity } from './offer-capacity';
import type { TaskRequest } from './types';

// Which held offers a framework gives back, and which roles ask for more. Pure: the
// framework applies the answers (DECLINE, REVIVE).

/**
 * A role whose queue just emptied keeps its offers this long, for what comes next; then
 * it gives them back and is suppressed (see OfferDemand.suppressIdle).
 */
export const IDLE_LINGER_MS = 2_000;
/** The fewest offers such a role keeps when others go short (see lingerShare). */
const IDLE_OFFERS = 2;

/**
 * How many offers a role between bursts keeps while another role has work and no offer
 * for it: its fair part of the agents known. Otherwise it keeps them all: until it is
 * suppressed the master offers it every free agent in every round, and what it gave back
 * it would be offered again, or the next role would, only to decline it in turn (3 to 6
 * offers per launch, most of the master's and the framework's work). Keeping them all
 * while others wait would starve those roles until the offers expire.
 */
export function lingerShare(agents: number, roles: number): number {
  return Math.max(IDLE_OFFERS, Math.ceil(agents / Math.max(1, roles)));
}

export type Queues = ReadonlyMap<string, ReadonlyMap<string, TaskRequest>>;

const waitingOf = (queues: Queues, role: string) => [...(queues.get(role)?.values() ?? [])];

/**
 * Roles whose held offers would fit a waiting task together but fit it none alone. Under
 * a quota limit the allocator offers a role no more than its headroom, and an agent whose
 * cpus are already offered to others gives the role its memory only, the next agent its
 * cpus only. Holding such pieces just keeps the role from being offered them whole.
 */
export function splitRoles(held: HeldOffers, queues: Queues): Set<string> {
  const split = new Set<string>();
  for (const role of held.roles()) {
    const offers = held.ofRole(role).map((h) => h.capacity);
    const waiting = waitingOf(queues, role);
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
 * Offers of a role with nothing waiting go back, but for those kept a moment longer if it
 * just had work (see lingerShare): the next start of a burst is then placed at once. So
 * do those of a role whose headroom they hold in pieces. Keeping them longer would hoard
 * the cluster from other frameworks.
 */
export function unneededOffers(
  held: HeldOffers,
  queues: Queues,
  lastDemand: ReadonlyMap<string, number>,
  now: number,
  share: number,
): OfferCapacity[] {
  const split = splitRoles(held, queues);
  const contested = hungryRoles(held, queues).length > 0;
  const unneeded: OfferCapacity[] = [];
  for (const role of held.roles()) {
    const offers = held.ofRole(role).sort((a, b) => a.receivedAt - b.receivedAt);
    const waiting = (queues.get(role)?.size ?? 0) > 0;
    const lingering = (lastDemand.get(role) ?? -Infinity) > now - IDLE_LINGER_MS;
    const lingerKeep = contested ? share : offers.length;
    const keep = split.has(role) ? 0 : waiting ? offers.length : lingering ? lingerKeep : 0;
    // The newest are kept: the oldest would soon expire anyway.
    for (const h of offers.slice(0, offers.length - keep)) unneeded.push(h.capacity);
  }
  return unneeded;
}

/**
 * When one offer of a role has been held too long, all of that role's offers go back
 * together. None of them fits a waiting task (or it would have been placed), and under a
 * quota limit they can hold the role's headroom in pieces, cpus in one and memory in
 * another. Given back one at a time, each piece would be offered again alone while the
 * other is still held, and the role would never get an offer its tasks fit.
 */
export function expiredOffers(held: HeldOffers, heldSince: number): OfferCapacity[] {
  const all = held.all();
  const expired = new Set(all.filter((h) => h.receivedAt <= heldSince).map((h) => h.role));
  return all.filter((h) => expired.has(h.role)).map((h) => h.capacity);
}

/**
 * Roles with tasks waiting and no held offer any of them fits. Held offers that fit no
 * waiting task are no reason to wait: under a quota limit they can be the cpus of the
 * headroom without its memory.
 */
export function hungryRoles(held: HeldOffers, queues: Queues): string[] {
  return [...queues]
    .filter(([role, queue]) => {
      if (queue.size === 0) return false;
      const offers = held.ofRole(role).map((h) => h.capacity);
      return ![...queue.values()].some((t) =>
        offers.some((c) => coversDemand(t, (name) => c.scalar(name, t.bestEffort))),
      );
    })
    .map(([role]) => role);
}
