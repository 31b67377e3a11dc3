import type { AgentRecord, FrameworkRecord, OfferRecord, RoleUsage, TaskRecord } from './model';
import { addResources, emptyResources, type Resources, subtractResources } from './resources';

/**
 * Book-keeping of who holds what: every change to an offer's or a task's resources goes
 * through here so that the agent's totals, the framework's per-role usage and therefore
 * the allocator's shares and quota headroom never drift apart.
 */

function usageOf(framework: FrameworkRecord, role: string): RoleUsage {
  let usage = framework.usage.get(role);
  if (!usage) {
    usage = { allocated: emptyResources(), offered: emptyResources() };
    framework.usage.set(role, usage);
  }
  return usage;
}

export function trackOffer(offer: OfferRecord): void {
  const usage = usageOf(offer.framework, offer.role);
  usage.offered = addResources(usage.offered, offer.resources);
  offer.agent.offered = addResources(offer.agent.offered, offer.resources);
  offer.agent.offers.add(offer);
  offer.framework.offers.add(offer);
}

export function untrackOffer(offer: OfferRecord): void {
  const usage = usageOf(offer.framework, offer.role);
  usage.offered = subtractResources(usage.offered, offer.resources);
  offer.agent.offered = subtractResources(offer.agent.offered, offer.resources);
  offer.agent.offers.delete(offer);
  offer.framework.offers.delete(offer);
}

export function trackTask(task: TaskRecord): void {
  const usage = usageOf(task.framework, task.role);
  usage.allocated = addResources(usage.allocated, task.resources);
  task.agent.used = addResources(task.agent.used, task.resources);
  task.released = false;
}

/** Gives a task's resources back; safe to call twice. */
export function releaseTask(task: TaskRecord): void {
  if (task.released) return;
  task.released = true;
  const usage = usageOf(task.framework, task.role);
  usage.allocated = subtractResources(usage.allocated, task.resources);
  task.agent.used = subtractResources(task.agent.used, task.resources);
}

export function available(agent: AgentRecord): Resources {
  return subtractResources(subtractResources(agent.total, agent.used), agent.offered);
}

/** Allocated plus offered resources per role, summed over frameworks. */
export function roleTotals(frameworks: Iterable<FrameworkRecord>): Map<string, RoleUsage> {
  const totals = new Map<string, RoleUsage>();
  for (const framework of frameworks) {
    for (const [role, usage] of framework.usage) {
      const total = totals.get(role) ?? { allocated: emptyResources(), offered: emptyResources() };
      total.allocated = addResources(total.allocated, usage.allocated);
      total.offered = addResources(total.offered, usage.offered);
      totals.set(role, total);
    }
  }
  return totals;
}
