import type { TaskInfo } from '@shoal/mesos';
import type { OfferRoundStats } from './framework-contract';
import { totalResources, type OfferCapacity } from './offer-capacity';

/** Offer figures per role since they were last reported (offered, accepted, declined). */
export class OfferStats {
  private readonly byRole = new Map<string, OfferRoundStats>();

  private of(role: string): OfferRoundStats {
    let stats = this.byRole.get(role);
    if (!stats) {
      stats = {
        role,
        offers: 0,
        offered: { cpus: 0, memMb: 0 },
        accepted: { cpus: 0, memMb: 0 },
        declined: { cpus: 0, memMb: 0 },
      };
      this.byRole.set(role, stats);
    }
    return stats;
  }

  offered(role: string, capacity: OfferCapacity): void {
    const stats = this.of(role);
    stats.offers += 1;
    stats.offered.cpus += capacity.scalar('cpus');
    stats.offered.memMb += capacity.scalar('mem');
  }

  /** What the tasks launched on an offer take of it. */
  accepted(role: string, tasks: readonly TaskInfo[]): void {
    const stats = this.of(role);
    for (const t of tasks) {
      const { cpus, memMb } = totalResources(t.resources);
      stats.accepted.cpus += cpus;
      stats.accepted.memMb += memMb;
    }
  }

  /** What an offer leaves unused, declined or after an ACCEPT, Mesos counts as declined. */
  declined(role: string, capacity: OfferCapacity): void {
    const stats = this.of(role);
    stats.declined.cpus += capacity.scalar('cpus');
    stats.declined.memMb += capacity.scalar('mem');
  }

  /** Hands every role's figures over and starts counting again. */
  report(to: ((stats: OfferRoundStats) => void) | undefined): void {
    for (const stats of this.byRole.values()) to?.(stats);
    this.byRole.clear();
  }
}
