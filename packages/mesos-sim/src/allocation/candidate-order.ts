import type { FrameworkRecord } from '../model';
import type { RoleFigures } from './role-figures';

export interface Candidate {
  framework: FrameworkRecord;
  role: string;
}

/** The order in which a round's candidates are offered each agent's resources. */
export class CandidateOrder {
  /** Each candidate's place in the list, the last tie-break (as a stable sort keeps it). */
  private readonly rank = new Map<Candidate, number>();
  private order: Candidate[] | undefined;
  /**
   * Candidates whose quota headroom leaves them nothing on any agent. Headroom only
   * shrinks during a round, so they are dropped from the order for the rest of it: a busy
   * cluster's roles are mostly at their limit once offered, and would otherwise be looked
   * at again for every agent.
   */
  private readonly exhausted = new Set<Candidate>();
  /** How many of them the order had been rid of. */
  private pruned = 0;

  constructor(
    private readonly candidates: readonly Candidate[],
    private readonly figures: RoleFigures,
  ) {
    candidates.forEach((c, i) => this.rank.set(c, i));
  }

  private readonly compare = (a: Candidate, b: Candidate): number =>
    this.figures.share(a.role) - this.figures.share(b.role) ||
    this.figures.frameworkShare(a) - this.figures.frameworkShare(b) ||
    a.framework.id.localeCompare(b.framework.id) ||
    this.rank.get(a)! - this.rank.get(b)!;

  exhaust(c: Candidate): void {
    this.exhausted.add(c);
  }

  /** Candidates by share, lowest first, the exhausted left out. */
  ordered(): Candidate[] {
    if (this.exhausted.size > this.pruned) {
      this.pruned = this.exhausted.size;
      this.order = this.order?.filter((c) => !this.exhausted.has(c));
    }
    this.order ??= this.candidates.filter((c) => !this.exhausted.has(c)).sort(this.compare);
    return this.order;
  }

  /**
   * After an offer to `role`, only the shares of that role's candidates changed: they move
   * to their new places in a new list (an agent still being offered keeps walking the old
   * one), instead of the whole list being sorted again for every offer.
   */
  reorder(role: string): void {
    if (!this.order) return;
    const order = this.order.filter((c) => c.role !== role && !this.exhausted.has(c));
    for (const moved of this.order) {
      if (moved.role !== role || this.exhausted.has(moved)) continue;
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.compare(order[mid]!, moved) <= 0) lo = mid + 1;
        else hi = mid;
      }
      order.splice(lo, 0, moved);
    }
    this.order = order;
  }
}
