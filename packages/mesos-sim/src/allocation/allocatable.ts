import type { AgentRecord, FrameworkRecord } from '../model';
import { cappedScalar, type Resources } from '../resources';
import type { Quantities } from './role-figures';

/** Mesos's default `--min_allocatable_resources`: an offer must hold some cpus or memory. */
export function allocatable(r: Resources): boolean {
  return (
    (r.scalars.cpus ?? 0) >= 0.01 ||
    (r.scalars.mem ?? 0) >= 32 ||
    (r.revocable.cpus ?? 0) >= 0.01 ||
    (r.revocable.mem ?? 0) >= 32
  );
}

/**
 * The same test on an agent without building its free resources, so that a busy cluster's
 * full agents cost a few subtractions per round.
 */
export function hasAllocatable(agent: AgentRecord): boolean {
  const free = (bag: 'scalars' | 'revocable', name: string) =>
    (agent.total[bag][name] ?? 0) - (agent.used[bag][name] ?? 0) - (agent.offered[bag][name] ?? 0);
  return (
    free('scalars', 'cpus') >= 0.01 ||
    free('scalars', 'mem') >= 32 ||
    free('revocable', 'cpus') >= 0.01 ||
    free('revocable', 'mem') >= 32
  );
}

/** `allocatable` of `free` capped by `caps` in turn (revocable part only if `revocable`). */
export function wouldAllocate(
  free: Resources,
  revocable: boolean,
  caps: readonly Quantities[],
): boolean {
  return (
    cappedScalar(free, 'cpus', caps) >= 0.01 ||
    cappedScalar(free, 'mem', caps) >= 32 ||
    (revocable && ((free.revocable.cpus ?? 0) >= 0.01 || (free.revocable.mem ?? 0) >= 32))
  );
}

/**
 * Whether `amount` of each resource is worth offering to `role` of `framework`: it holds
 * all of one of the quantities its FrameworkInfo names for the role (`offer_filters`).
 * Mesos puts them in place of its own minimum; here they apply after it, so a framework
 * naming less than that minimum is offered no smaller pieces than one naming none.
 */
export function holdsMinimum(
  framework: FrameworkRecord,
  role: string,
  amount: (name: string) => number,
): boolean {
  const minimum = framework.info.offer_filters?.[role]?.min_allocatable_resources;
  const quantities = minimum?.quantities ?? [];
  if (quantities.length === 0) return true;
  return quantities.some((q) =>
    Object.entries(q.quantities ?? {}).every(([name, s]) => amount(name) >= s.value - 1e-9),
  );
}

/** Whether the agent has revocable cpus or memory at all (quota does not cap them). */
export function hasRevocable(agent: AgentRecord): boolean {
  return (agent.total.revocable.cpus ?? 0) > 0 || (agent.total.revocable.mem ?? 0) > 0;
}
