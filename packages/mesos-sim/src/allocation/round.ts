import { available } from '../ledger';
import type { Master } from '../master';
import type { AgentRecord, FrameworkRecord, OfferRecord } from '../model';
import {
  addResources,
  cappedScalar,
  capScalars,
  containsCapped,
  emptyResources,
  type Resources,
  subtractResources,
  withoutRevocable,
} from '../resources';
import {
  allocatable,
  hasAllocatable,
  hasRevocable,
  holdsMinimum,
  wouldAllocate,
} from './allocatable';
import { type Candidate, CandidateOrder } from './candidate-order';
import { minus, type Quantities, RoleFigures } from './role-figures';

/** An agent with no end of everything: capped by quota alone. */
const BOUNDLESS: Resources = {
  scalars: { cpus: Infinity, mem: Infinity },
  ports: [],
  revocable: {},
};

/**
 * One allocation round. Cost is O(agents × pairs) at worst (every pair filtered) and near
 * O(agents) in a busy cluster, because an agent with nothing allocatable is skipped at once.
 */
export class AllocationRound {
  private readonly agents: AgentRecord[];
  private readonly figures: RoleFigures;
  private readonly order: CandidateOrder;
  private readonly made = new Map<FrameworkRecord, OfferRecord[]>();
  /** What offers to roles without unmet guarantees may still take, when some are unmet. */
  private spare: Quantities | undefined;
  /** Whether some agent may have revocable resources to give, which quota does not cap. */
  private readonly anyRevocable: boolean;

  constructor(
    private readonly master: Master,
    private readonly candidates: Candidate[],
    usable: AgentRecord[],
    private readonly now: number,
  ) {
    this.agents = master.random.shuffle(usable.filter(hasAllocatable));
    this.anyRevocable = this.agents.some(hasRevocable);
    this.figures = new RoleFigures(master, candidates, usable);
    this.order = new CandidateOrder(candidates, this.figures);
  }

  run(): void {
    const roles = [...new Set(this.candidates.map((c) => c.role))];
    const underGuarantee = (c: Candidate) => this.figures.hasUnmetGuarantee(c.role);
    if (this.candidates.some(underGuarantee)) {
      for (const agent of this.agents) this.offerAgent(agent, underGuarantee);
    }
    const stillUnmet = roles
      .map((r) => this.figures.unmetGuarantee(r))
      .filter((q) => Object.keys(q).length > 0);
    if (stillUnmet.length > 0) {
      let free = emptyResources();
      for (const agent of this.agents) free = addResources(free, available(agent));
      this.spare = stillUnmet.reduce(minus, { ...free.scalars });
    }
    for (const agent of this.agents) this.offerAgent(agent, () => true);
    for (const [framework, offers] of this.made) this.master.offerBook.send(framework, offers);
  }

  /** Whether `caps` leave `c` too little cpus and memory on any agent, now and for the round. */
  private nothingLeft(revocable: boolean, caps: readonly Quantities[]): boolean {
    if (revocable && this.anyRevocable) return false;
    return (
      cappedScalar(BOUNDLESS, 'cpus', caps) < 0.01 && cappedScalar(BOUNDLESS, 'mem', caps) < 32
    );
  }

  private offerAgent(agent: AgentRecord, eligible: (c: Candidate) => boolean): void {
    if (!hasAllocatable(agent)) return;
    let free = available(agent);
    const hasGpus = (agent.total.scalars.gpus ?? 0) > 0;
    for (const c of this.order.ordered()) {
      if (!eligible(c)) continue;
      // Without GPU_RESOURCES a framework is offered nothing from a GPU agent.
      if (hasGpus && !c.framework.capabilities.has('GPU_RESOURCES')) continue;
      const revocable = c.framework.capabilities.has('REVOCABLE_RESOURCES');
      const caps = [this.figures.limitHeadroom(c.role)];
      if (this.spare && !this.figures.hasUnmetGuarantee(c.role)) caps.push(this.spare);
      // Most pairs get nothing (no headroom left, or a filter): told without building the
      // capped resources, which would cost agents × roles bags a round.
      if (!wouldAllocate(free, revocable, caps)) {
        if (this.nothingLeft(revocable, caps)) this.order.exhaust(c);
        continue;
      }
      // A role whose quota headroom is too small for its framework's minimum on any agent
      // is done for the round; one this agent is too small for is looked at elsewhere.
      const room = (name: string) => Math.min(...caps.map((cap) => cap[name] ?? Infinity));
      if (!(revocable && this.anyRevocable) && !holdsMinimum(c.framework, c.role, room)) {
        this.order.exhaust(c);
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
    this.figures.recordOffer(c.role, resources);
    this.order.reorder(c.role);
    if (this.spare) {
      for (const [name, value] of Object.entries(resources.scalars))
        this.spare[name] = (this.spare[name] ?? 0) - value;
    }
    const list = this.made.get(c.framework) ?? [];
    list.push(record);
    this.made.set(c.framework, list);
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
