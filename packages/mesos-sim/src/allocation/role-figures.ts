import { roleTotals } from '../ledger';
import type { Master } from '../master';
import type { AgentRecord } from '../model';
import { addResources, dominantShare, emptyResources, type Resources } from '../resources';
import { ancestorRoles, isSubroleOrSelf } from '../roles';
import type { Candidate } from './candidate-order';

export type Quantities = Record<string, number>;

export function minus(a: Quantities, b: Quantities): Quantities {
  const out: Quantities = {};
  for (const [name, value] of Object.entries(a)) out[name] = value - (b[name] ?? 0);
  return out;
}

/**
 * What each role holds during one allocation round, and what is measured against it: its
 * dominant share, its unmet quota guarantee and the headroom its quota limits leave.
 */
export class RoleFigures {
  /** Non-revocable scalars of the usable agents, the denominator of every share. */
  private readonly clusterTotal: Resources = emptyResources();
  /** Allocated plus offered, per role: what shares and quota are measured against. */
  private readonly held = new Map<string, Resources>();
  /**
   * Per-role figures, asked for by every agent's ordering of every candidate: without
   * them a round with many roles costs agents × roles² additions. Only an offer changes
   * what they are computed from, so recordOffer() forgets them.
   */
  private readonly consumptions = new Map<string, Quantities>();
  private readonly headrooms = new Map<string, Quantities>();
  private readonly shares = new Map<string, number>();
  private readonly frameworkShares = new Map<Candidate, number>();

  constructor(
    private readonly master: Master,
    private readonly candidates: readonly Candidate[],
    usable: readonly AgentRecord[],
  ) {
    const total = this.clusterTotal.scalars;
    for (const agent of usable) {
      for (const [name, value] of Object.entries(agent.total.scalars))
        total[name] = (total[name] ?? 0) + value;
    }
    for (const [role, usage] of roleTotals(master.frameworks.values())) {
      this.held.set(role, addResources(usage.allocated, usage.offered));
    }
  }

  private consumption(role: string): Quantities {
    const known = this.consumptions.get(role);
    if (known) return known;
    let total = emptyResources();
    for (const [r, res] of this.held)
      if (isSubroleOrSelf(r, role)) total = addResources(total, res);
    this.consumptions.set(role, total.scalars);
    return total.scalars;
  }

  unmetGuarantee(role: string): Quantities {
    const guarantees = this.master.roleConfig.quota(role)?.guarantees ?? {};
    const unmet: Quantities = {};
    for (const [name, value] of Object.entries(minus(guarantees, this.consumption(role)))) {
      if (value > 1e-9) unmet[name] = value;
    }
    return unmet;
  }

  hasUnmetGuarantee(role: string): boolean {
    return Object.keys(this.unmetGuarantee(role)).length > 0;
  }

  limitHeadroom(role: string): Quantities {
    const known = this.headrooms.get(role);
    if (known) return known;
    const caps: Quantities = {};
    for (const r of [role, ...ancestorRoles(role)]) {
      const limits = this.master.roleConfig.quota(r)?.limits;
      if (!limits) continue;
      for (const [name, left] of Object.entries(minus(limits, this.consumption(r)))) {
        caps[name] = Math.max(0, Math.min(caps[name] ?? Infinity, left));
      }
    }
    this.headrooms.set(role, caps);
    return caps;
  }

  share(role: string): number {
    let share = this.shares.get(role);
    if (share === undefined) {
      share =
        dominantShare(this.held.get(role) ?? emptyResources(), this.clusterTotal) /
        this.master.roleConfig.weight(role);
      this.shares.set(role, share);
    }
    return share;
  }

  frameworkShare(c: Candidate): number {
    let share = this.frameworkShares.get(c);
    if (share === undefined) {
      const usage = c.framework.usage.get(c.role);
      share = usage
        ? dominantShare(addResources(usage.allocated, usage.offered), this.clusterTotal)
        : 0;
      this.frameworkShares.set(c, share);
    }
    return share;
  }

  recordOffer(role: string, resources: Resources): void {
    this.held.set(role, addResources(this.held.get(role) ?? emptyResources(), resources));
    // Only the figures this offer changed are forgotten: the role's share, its candidates'
    // shares, and the consumption of the role and its ancestors with every headroom under them.
    const changed = [role, ...ancestorRoles(role)];
    for (const r of changed) this.consumptions.delete(r);
    for (const r of this.headrooms.keys())
      if (changed.some((ancestor) => isSubroleOrSelf(r, ancestor))) this.headrooms.delete(r);
    this.shares.delete(role);
    for (const candidate of this.candidates)
      if (candidate.role === role) this.frameworkShares.delete(candidate);
  }
}
