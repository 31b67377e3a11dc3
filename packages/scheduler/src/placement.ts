import { satisfiesConstraints } from './constraints';
import type { OfferCapacity, Taken } from './offer-capacity';
import type { AgentFacts, Strategy, TaskRequest } from './types';

export interface PlacementContext {
  agents: Map<string, AgentFacts>;
  /** Agents running (or launching) each group's tasks, one entry per task. */
  peers(groupKey: string): AgentFacts[];
  /** How many of this framework's tasks each agent runs. */
  tasksOn(agentId: string): number;
  draining(agentId: string): boolean;
}

export interface Placement extends Taken {
  capacity: OfferCapacity;
}

/**
 * Picks the offer for one task among those of its role. `spread` prefers the
 * agent with the fewest of our tasks (then the most free cpus); `binpack` the
 * one with the least cpus left, so whole agents stay free for large tasks.
 */
export function place(
  request: TaskRequest,
  offers: readonly OfferCapacity[],
  strategy: Strategy,
  context: PlacementContext,
): Placement | undefined {
  const peers = request.constraints.length > 0 ? context.peers(request.groupKey) : [];
  const candidates = offers.filter((capacity) => {
    const { offer } = capacity;
    if (offer.allocation_info?.role !== undefined && offer.allocation_info.role !== request.role)
      return false;
    if (context.draining(offer.agent_id.value) || offer.unavailability) return false;
    if (request.bestEffort && !capacity.hasRevocable) return false;
    const agent = context.agents.get(offer.agent_id.value);
    return !agent || satisfiesConstraints(request.constraints, agent, peers);
  });
  const freeCpus = (c: OfferCapacity) => c.scalar('cpus', request.bestEffort);
  candidates.sort((a, b) =>
    strategy === 'spread'
      ? context.tasksOn(a.offer.agent_id.value) - context.tasksOn(b.offer.agent_id.value) ||
        freeCpus(b) - freeCpus(a)
      : freeCpus(a) - freeCpus(b),
  );
  for (const capacity of candidates) {
    const taken = capacity.take(request, request.ports, request.bestEffort);
    if (taken) return { ...taken, capacity };
  }
  return undefined;
}
