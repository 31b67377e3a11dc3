import { available, roleTotals } from './ledger';
import type { Master } from './master';
import type { AgentRecord, FrameworkRecord, OfferRecord } from './model';
import {
  addResources,
  cappedScalar,
  capScalars,
  containsCapped,
  dominantShare,
  emptyResources,
  type Resources,
  subtractResources,
  withoutRevocable,
} from './resources';
import { ancestorRoles, isSubroleOrSelf } from './roles';

/** Mesos's default `--min_allocatable_resources`: an offer must hold some cpus or memory. */
function allocatable(r: Resources): boolean {
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
function hasAllocatable(agent: AgentRecord): boolean {
  const free = (bag: 'scalars' | 'revocable', name: string) =>
    (agent.total[bag][name] ?? 0) - (agent.used[bag][name] ?? 0) - (agent.offered[bag][name] ?? 0);
  return (
    free('scalars', 'cpus') >= 0.01 ||
    free('scalars', 'mem') >= 32 ||
    free('revocable', 'cpus') >= 0.01 ||
    free('revocable', 'mem') >= 32
  );
}

/**
 * Whether `amount` of each resource is worth offering to `role` of `framework`: it holds
 * all of one of the quantities its FrameworkInfo names for the role (`offer_filters`).
 * Mesos puts them in place of its own minimum; here they apply after it, so a framework
 * naming less than that minimum is offered no smaller pieces than one naming none.
 */
function holdsMinimum(
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

/** An agent with no end of everything: capped by quota alone. */
const BOUNDLESS: Resources = {
  scalars: { cpus: Infinity, mem: Infinity },
  ports: [],
  revocable: {},
};

/** Whether the agent has revocable cpus or memory at all (quota does not cap them). */
function hasRevocable(agent: AgentRecord): boolean {
  return (agent.total.revocable.cpus ?? 0) > 0 || (agent.total.revocable.mem ?? 0) > 0;
}

interface Candidate {
  framework: FrameworkRecord;
  role: string;
}

type Quantities = Record<string, number>;

function minus(a: Quantities, b: Quantities): Quantities {
  const out: Quantities = {};
  for (const [name, value] of Object.entries(a)) out[name] = value - (b[name] ?? 0);
  return out;
}

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

/**
 * One allocation round. Cost is O(agents × pairs) at worst (every pair filtered) and near
 * O(agents) in a busy cluster, because an agent with nothing allocatable is skipped at once.
 */
class AllocationRound {
  private readonly agents: AgentRecord[];
  /** Non-revocable scalars of the usable agents, the denominator of every share. */
  private readonly clusterTotal: Resources = emptyResources();
  /** Allocated plus offered, per role: what shares and quota are measured against. */
  private readonly held = new Map<string, Resources>();
  private readonly made = new Map<FrameworkRecord, OfferRecord[]>();
  /** What offers to roles without unmet guarantees may still take, when some are unmet. */
  private spare: Quantities | undefined;
  /**
   * Per-role figures, asked for by every agent's ordering of every candidate: without
   * them a round with many roles costs agents × roles² additions. Only an offer changes
   * what they are computed from, so offer() forgets them.
   */
  private readonly consumptions = new Map<string, Quantities>();
  private readonly headrooms = new Map<string, Quantities>();
  private readonly shares = new Map<string, number>();
  private readonly frameworkShares = new Map<Candidate, number>();
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
  /** Whether some agent may have revocable resources to give, which quota does not cap. */
  private readonly anyRevocable: boolean;

  constructor(
    private readonly master: Master,
    private readonly candidates: Candidate[],
    usable: AgentRecord[],
    private readonly now: number,
  ) {
    candidates.forEach((c, i) => this.rank.set(c, i));
    this.agents = master.random.shuffle(usable.filter(hasAllocatable));
    this.anyRevocable = this.agents.some(hasRevocable);
    const total = this.clusterTotal.scalars;
    for (const agent of usable) {
      for (const [name, value] of Object.entries(agent.total.scalars))
        total[name] = (total[name] ?? 0) + value;
    }
    for (const [role, usage] of roleTotals(master.frameworks.values())) {
      this.held.set(role, addResources(usage.allocated, usage.offered));
    }
  }

  run(): void {
    const roles = [...new Set(this.candidates.map((c) => c.role))];
    const underGuarantee = (c: Candidate) => this.hasUnmetGuarantee(c.role);
    if (this.candidates.some(underGuarantee)) {
      for (const agent of this.agents) this.offerAgent(agent, underGuarantee);
    }
    const stillUnmet = roles
      .map((r) => this.unmetGuarantee(r))
      .filter((q) => Object.keys(q).length > 0);
    if (stillUnmet.length > 0) {
      let free = emptyResources();
      for (const agent of this.agents) free = addResources(free, available(agent));
      this.spare = stillUnmet.reduce(minus, { ...free.scalars });
    }
    for (const agent of this.agents) this.offerAgent(agent, () => true);
    for (const [framework, offers] of this.made) this.master.offerBook.send(framework, offers);
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

  private unmetGuarantee(role: string): Quantities {
    const guarantees = this.master.roleConfig.quota(role)?.guarantees ?? {};
    const unmet: Quantities = {};
    for (const [name, value] of Object.entries(minus(guarantees, this.consumption(role)))) {
      if (value > 1e-9) unmet[name] = value;
    }
    return unmet;
  }

  private hasUnmetGuarantee(role: string): boolean {
    return Object.keys(this.unmetGuarantee(role)).length > 0;
  }

  private limitHeadroom(role: string): Quantities {
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

  private share(role: string): number {
    let share = this.shares.get(role);
    if (share === undefined) {
      share =
        dominantShare(this.held.get(role) ?? emptyResources(), this.clusterTotal) /
        this.master.roleConfig.weight(role);
      this.shares.set(role, share);
    }
    return share;
  }

  private frameworkShare(c: Candidate): number {
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

  private readonly compare = (a: Candidate, b: Candidate): number =>
    this.share(a.role) - this.share(b.role) ||
    this.frameworkShare(a) - this.frameworkShare(b) ||
    a.framework.id.localeCompare(b.framework.id) ||
    this.rank.get(a)! - this.rank.get(b)!;

  /** Candidates by share, lowest first, the exhausted left out. */
  private ordered(): Candidate[] {
    this.order ??= this.candidates.filter((c) => !this.exhausted.has(c)).sort(this.compare);
    return this.order;
  }

  /** Whether `caps` leave `c` too little cpus and memory on any agent, now and for the round. */
  private nothingLeft(revocable: boolean, caps: readonly Quantities[]): boolean {
    if (revocable && this.anyRevocable) return false;
    return (
      cappedScalar(BOUNDLESS, 'cpus', caps) < 0.01 && cappedScalar(BOUNDLESS, 'mem', caps) < 32
    );
  }

  /**
   * After an offer to `role`, only the shares of that role's candidates changed: they move
   * to their new places in a new list (an agent still being offered keeps walking the old
   * one), instead of the whole list being sorted again for every offer.
   */
  private reorder(role: string): void {
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

  private offerAgent(agent: AgentRecord, eligible: (c: Candidate) => boolean): void {
    if (!hasAllocatable(agent)) return;
    let free = available(agent);
    const hasGpus = (agent.total.scalars.gpus ?? 0) > 0;
    if (this.exhausted.size > this.pruned) {
      this.pruned = this.exhausted.size;
      this.order = this.order?.filter((c) => !this.exhausted.has(c));
    }
    for (const c of this.ordered()) {
      if (!eligible(c)) continue;
      // Without GPU_RESOURCES a framework is offered nothing from a GPU agent.
      if (hasGpus && !c.framework.capabilities.has('GPU_RESOURCES')) continue;
      const revocable = c.framework.capabilities.has('REVOCABLE_RESOURCES');
      const caps = [this.limitHeadroom(c.role)];
      if (this.spare && !this.hasUnmetGuarantee(c.role)) caps.push(this.spare);
      // Most pairs get nothing (no headroom left, or a filter): told without building the
      // capped resources, which would cost agents × roles bags a round.
      if (!this.wouldAllocate(free, revocable, caps)) {
        if (this.nothingLeft(revocable, caps)) this.exhausted.add(c);
        continue;
      }
      // A role whose quota headroom is too small for its framework's minimum on any agent
      // is done for the round; one this agent is too small for is looked at elsewhere.
      const room = (name: string) => Math.min(...caps.map((cap) => cap[name] ?? Infinity));
      if (!(revocable && this.anyRevocable) && !holdsMinimum(c.framework, c.role, room)) {
        this.exhausted.add(c);
        continue;
      }
      // What the offer would hold, told before it is built.
      const offered = (name: string) =>
        cappedScalar(free, name, caps) + (revocable ? (free.revocable[name] ?? 0) : 0);
      if (!holdsMinimum(c.framework, c.role, offered)) continue;
      if (this.filtered(c, agent, free, revocable, caps)) continue;
      let resources = revocable ? free : withoutRevocable(free);
      for (const cap of caps) resources = capScalars(resources, cap);
      this.offer(agent, c, resources);
      free = subtractResources(free, resources);
      if (!allocatable(free)) return;
    }
  }

  private offer(agent: AgentRecord, c: Candidate, resources: Resources): void {
    const record = this.master.offerBook.create(c.framework, agent, c.role, resources);
    this.held.set(c.role, addResources(this.held.get(c.role) ?? emptyResources(), resources));
    // Only the figures this offer changed are forgotten: the role's share, its candidates'
    // shares, and the consumption of the role and its ancestors with every headroom under them.
    const changed = [c.role, ...ancestorRoles(c.role)];
    for (const role of changed) this.consumptions.delete(role);
    for (const role of this.headrooms.keys())
      if (changed.some((r) => isSubroleOrSelf(role, r))) this.headrooms.delete(role);
    this.shares.delete(c.role);
    for (const candidate of this.candidates)
      if (candidate.role === c.role) this.frameworkShares.delete(candidate);
    this.reorder(c.role);
    if (this.spare) {
      for (const [name, value] of Object.entries(resources.scalars))
        this.spare[name] = (this.spare[name] ?? 0) - value;
    }
    const list = this.made.get(c.framework) ?? [];
    list.push(record);
    this.made.set(c.framework, list);
  }

  /** `allocatable` of `free` capped by `caps` in turn (revocable part only if `revocable`). */
  private wouldAllocate(free: Resources, revocable: boolean, caps: readonly Quantities[]): boolean {
    return (
      cappedScalar(free, 'cpus', caps) >= 0.01 ||
      cappedScalar(free, 'mem', caps) >= 32 ||
      (revocable && ((free.revocable.cpus ?? 0) >= 0.01 || (free.revocable.mem ?? 0) >= 32))
    );
  }

  /** Whether a filter refuses `free` as capped by `caps` (see wouldAllocate). */
  private filtered(
    c: Candidate,
    agent: AgentRecord,
    free: Resources,
    revocable: boolean,
    caps: readonly Quantities[],
  ): boolean {
    const byAgent = c.framework.filters.get(c.role);
    const filter = byAgent?.get(agent.id);
    if (!byAgent || !filter) return false;
    if (filter.until <= this.now) {
      byAgent.delete(agent.id);
      return false;
    }
    // A filter only holds while the agent has nothing beyond what was refused.
    return containsCapped(filter.resources, free, revocable, caps);
  }
}
