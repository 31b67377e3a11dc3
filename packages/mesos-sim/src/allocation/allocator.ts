import type { Master } from '../master';
import { hasAllocatable } from './allocatable';
import type { Candidate } from './candidate-order';
import { AllocationRound } from './round';

/**
 * A simplified hierarchical DRF allocator. Each round walks the usable agents in a
 * shuffled order and gives each agent's free resources to (framework, role) pairs ordered
 * by weighted dominant share. Roles below their quota guarantee go first; other roles only
 * get what is left beyond the unmet guarantees; nobody goes past a quota limit.
 */
export class Allocator {
  private pending?: NodeJS.Timeout;

  constructor(private readonly master: Master) {}

  start(): void {
    this.master.timers.every(this.master.options.allocationIntervalMs, () => this.allocate());
  }

  /** Runs a round on the next turn of the event loop (coalesced), as Mesos does on events. */
  soon(): void {
    if (this.pending) return;
    this.pending = this.master.timers.after(0, () => {
      this.pending = undefined;
      this.allocate();
    });
  }

  allocate(): void {
    const master = this.master;
    if (!master.isServing()) return;
    const now = Date.now();
    const candidates: Candidate[] = [...master.frameworks.values()]
      .filter((f) => f.connected)
      .flatMap((framework) =>
        framework.roles
          .filter((r) => !framework.suppressed.has(r))
          .map((role) => ({ framework, role })),
      );
    if (candidates.length > 0) {
      const usable = [...master.agents.values()].filter(
        (a) => a.status === 'REGISTERED' && !a.deactivated && !master.maintenance.isDown(a),
      );
      // A busy cluster's agents are mostly offered out or full: a round without an agent
      // that has something to give would only add up totals.
      if (usable.some(hasAllocatable)) new AllocationRound(master, candidates, usable, now).run();
    }
    master.maintenance.sendInverseOffers(now);
  }
}
