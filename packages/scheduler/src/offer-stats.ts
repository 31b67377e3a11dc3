import type { Resource, TaskInfo } from '@shoal/mesos';
import type { OfferAmounts, OfferRoundStats } from './framework-contract';
import { totalResources, type OfferCapacity } from './offer-capacity';

const none = (): OfferAmounts => ({ cpus: 0, memMb: 0 });

/** Offer figures per role since they were last reported (offered, accepted, declined). */
export class OfferStats {
  private readonly byRole = new Map<string, OfferRoundStats>();

  private of(role: string): OfferRoundStats {
    let stats = this.byRole.get(role);
    if (!stats) {
      stats = {
        role,
        offers: 0,
        offered: none(),
        accepted: none(),
        declined: none(),
        revocable: { offered: none(), accepted: none(), declined: none() },
      };
      this.byRole.set(role, stats);
    }
    return stats;
  }

  offered(role: string, capacity: OfferCapacity): void {
    const stats = this.of(role);
    stats.offers += 1;
    addCapacity(stats.offered, stats.revocable.offered, capacity);
  }

  /** What the tasks launched on an offer take of it. */
  accepted(role: string, tasks: readonly TaskInfo[]): void {
    const stats = this.of(role);
    for (const t of tasks) addResources(stats.accepted, stats.revocable.accepted, t.resources);
  }

  /** What an offer leaves unused, declined or after an ACCEPT, Mesos counts as declined. */
  declined(role: string, capacity: OfferCapacity): void {
    const stats = this.of(role);
    addCapacity(stats.declined, stats.revocable.declined, capacity);
  }

  /** Hands every role's figures over and starts counting again. */
  report(to: ((stats: OfferRoundStats) => void) | undefined): void {
    for (const stats of this.byRole.values()) to?.(stats);
    this.byRole.clear();
  }
}

function addCapacity(firm: OfferAmounts, revocable: OfferAmounts, capacity: OfferCapacity) {
  firm.cpus += capacity.scalar('cpus', false);
  firm.memMb += capacity.scalar('mem', false);
  revocable.cpus += capacity.scalar('cpus', true);
  revocable.memMb += capacity.scalar('mem', true);
}

function addResources(
  firm: OfferAmounts,
  revocable: OfferAmounts,
  resources: readonly Resource[] = [],
) {
  for (const [to, kind] of [
    [firm, resources.filter((r) => !r.revocable)],
    [revocable, resources.filter((r) => r.revocable)],
  ] as const) {
    const { cpus, memMb } = totalResources(kind);
    to.cpus += cpus;
    to.memMb += memMb;
  }
}
