import type {
  AgentSummary,
  ClusterView,
  FrameworkStatus,
  HeldOfferSummary,
  PlacementCheck,
} from '@shoal/core';
import type { master, OperatorClient, Resource } from '@shoal/mesos';
import {
  totalResources,
  type AgentInventory,
  whyNeverPlaced,
  type MesosFramework,
  type PlacementNeeds,
} from '@shoal/scheduler';
import { summary } from './resources';

const FIRST_LISTING_WAIT_MS = 1_000;
/**
 * The agents are listed again every few seconds, less often on a large cluster: a thousand
 * agents take tens of milliseconds to decode, which every request in flight waits out, so
 * the listing keeps to about half a percent of the time.
 */
const LISTING_MIN_INTERVAL_MS = 5_000;
const LISTING_MAX_INTERVAL_MS = 30_000;
const LISTING_COST_FACTOR = 200;

const reservedFor = (r: Resource) =>
  r.reservations?.at(-1)?.role ?? (r.role && r.role !== '*' ? r.role : undefined);

/** Resources a role may be offered: unreserved ones and those reserved for it (or an ancestor). */
function usableBy(role: string, resources: readonly Resource[] | undefined): Resource[] {
  return (resources ?? []).filter((r) => {
    const owner = reservedFor(r);
    return !owner || owner === role || role.startsWith(`${owner}/`);
  });
}

/**
 * Firm and revocable resources apart, as the admin cluster page counts them: revocable
 * ones can be taken back at any moment, so they are no part of what a role can count on.
 */
function firmAndRevocable(resources: readonly Resource[] | undefined) {
  const all = resources ?? [];
  return {
    firm: summary(all.filter((r) => !r.revocable)),
    revocable: summary(all.filter((r) => r.revocable)),
  };
}

type MasterAgent = master.Response.GetAgents.Agent;
const resourcesOf = (a: MasterAgent) => a.total_resources ?? a.agent_info.resources;

/**
 * Per listing of the agents, one value per role, made once: or one for every role when no
 * agent has reserved resources, as every role then sees the same agents.
 */
class PerRole<T> {
  private readonly made = new WeakMap<readonly MasterAgent[], Map<string, T>>();
  private readonly reserved = new WeakMap<readonly MasterAgent[], boolean>();

  constructor(private readonly make: (agents: readonly MasterAgent[], role: string) => T) {}

  get(agents: readonly MasterAgent[], role: string): T {
    let reserved = this.reserved.get(agents);
    if (reserved === undefined) {
      reserved = agents.some((a) => (resourcesOf(a) ?? []).some((r) => reservedFor(r)));
      this.reserved.set(agents, reserved);
    }
    const key = reserved ? role : '';
    let byRole = this.made.get(agents);
    if (!byRole) this.made.set(agents, (byRole = new Map()));
    let value = byRole.get(key);
    if (value === undefined) byRole.set(key, (value = this.make(agents, role)));
    return value;
  }
}

function attributesOf(agent: master.Response.GetAgents.Agent): Record<string, string> {
  return Object.fromEntries(
    (agent.agent_info.attributes ?? []).map((x) => [
      x.name,
      x.text?.value ?? (x.scalar ? String(x.scalar.value) : ''),
    ]),
  );
}

/** The cluster as the Mesos master and the framework see it right now. */
export class LiveClusterView implements ClusterView, PlacementCheck {
  private agentsCache: { at: number; agents: master.Response.GetAgents.Agent[] } | undefined;
  private fetching: Promise<master.Response.GetAgents.Agent[]> | undefined;
  /** How long the last listing took, asked for to decoded. */
  private listingMs = 0;
  private listingTimer: NodeJS.Timeout | undefined;
  /** Bumped by every keepListing and stopListing: an older loop stops at its next turn. */
  private listingRound = 0;
  /** The agents as a role sees them: every start is checked against them. */
  private readonly inventories = new PerRole<AgentInventory[]>((agents, role) =>
    agents.map((a) => ({
      hostname: a.agent_info.hostname,
      attributes: attributesOf(a),
      resources: usableBy(role, resourcesOf(a)),
    })),
  );
  /** What `docker info` sums up, all but the framework's own draining, which can change. */
  private readonly summaries = new PerRole<AgentSummary[]>((agents, role) =>
    agents.map((a) => {
      const { firm, revocable } = firmAndRevocable(usableBy(role, resourcesOf(a)));
      return {
        id: a.agent_info.id?.value ?? '',
        hostname: a.agent_info.hostname,
        attributes: attributesOf(a),
        total: firm,
        revocable,
        draining: Boolean(a.drain_info) || Boolean(a.deactivated),
        active: a.active,
      };
    }),
  );
  private firstListing: Promise<unknown> | undefined;

  constructor(
    private readonly operator: OperatorClient,
    private readonly currentFramework: () => MesosFramework | undefined,
    private readonly standing: () => Pick<FrameworkStatus, 'problem' | 'emulated'>,
  ) {}

  private listingIntervalMs(): number {
    return Math.min(
      LISTING_MAX_INTERVAL_MS,
      Math.max(LISTING_MIN_INTERVAL_MS, this.listingMs * LISTING_COST_FACTOR),
    );
  }

  /** Lists the agents now and then again and again, at the pace listingIntervalMs sets. */
  keepListing(onError: (error: unknown) => void): void {
    this.stopListing();
    const round = ++this.listingRound;
    const tick = () => {
      void this.refresh()
        .catch(onError)
        .finally(() => {
          if (round !== this.listingRound) return;
          this.listingTimer = setTimeout(tick, this.listingIntervalMs()).unref();
        });
    };
    tick();
  }

  stopListing(): void {
    this.listingRound++;
    clearTimeout(this.listingTimer);
  }

  /**
   * The agents as the master lists them. A list older than the listing's pace is asked
   * for again, but its readers are answered at once with the one in hand: a request waits
   * for the master (and for a thousand agents to be decoded) only when there is none yet.
   */
  private async masterAgents(): Promise<master.Response.GetAgents.Agent[]> {
    const cached = this.agentsCache;
    if (cached && Date.now() - cached.at <= this.listingIntervalMs()) return cached.agents;
    const listing = this.fetchAgents();
    if (!cached) return listing;
    listing.catch(() => undefined);
    return cached.agents;
  }

  private fetchAgents(): Promise<master.Response.GetAgents.Agent[]> {
    // Many readers at once share one call.
    const asked = performance.now();
    this.fetching ??= this.operator
      .getAgents()
      .then((response) => {
        this.listingMs = performance.now() - asked;
        this.agentsCache = { at: Date.now(), agents: response.agents ?? [] };
        return this.agentsCache.agents;
      })
      .finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  /** Keeps the agent list fresh for placement checks, which cannot wait for a call. */
  async refresh(): Promise<void> {
    const listing = this.fetchAgents();
    this.firstListing ??= listing.catch(() => undefined);
    await listing;
  }

  /** Waits for the first listing, a second at the most: a master that does not answer must not hold starts. */
  async ready(): Promise<void> {
    if (this.agentsCache || !this.firstListing) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.firstListing,
      new Promise((resolve) => (timer = setTimeout(resolve, FIRST_LISTING_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  whyNeverPlaced(role: string, needs: PlacementNeeds): string | undefined {
    return whyNeverPlaced(needs, this.inventoriesFor(role));
  }

  /**
   * The agents as a role sees them, made once per listing (and role, if some are reserved):
   * a thousand agents rebuilt per start, or per tenant every few seconds, cost more than
   * the starts themselves.
   */
  private inventoriesFor(role: string): AgentInventory[] {
    const listing = this.agentsCache;
    return listing ? this.inventories.get(listing.agents, role) : [];
  }

  /** Shared between calls: callers read them, never change them. */
  async agents(role: string): Promise<AgentSummary[]> {
    const summaries = this.summaries.get(await this.masterAgents(), role);
    const framework = this.currentFramework();
    return summaries.map((a) =>
      a.draining || !framework?.isDraining(a.id) ? a : { ...a, draining: true },
    );
  }

  heldOffers(role: string): HeldOfferSummary[] {
    return (this.currentFramework()?.heldOffers() ?? [])
      .filter((h) => h.role === role)
      .map((h) => {
        const { firm, revocable } = firmAndRevocable(h.offer.resources);
        return {
          offerId: h.offer.id.value,
          agentId: h.offer.agent_id.value,
          hostname: h.offer.hostname,
          role: h.role,
          resources: firm,
          revocableResources: revocable,
          revocable: totalResources(h.offer.resources).revocable,
          heldSince: h.heldSince,
        };
      });
  }

  framework(): FrameworkStatus {
    const f = this.currentFramework();
    return {
      subscribed: f?.isSubscribed ?? false,
      frameworkId: f?.frameworkId ?? null,
      master: f?.isSubscribed ? (f.master ?? null) : null,
      roles: f?.subscribedRoles ?? [],
      suppressedRoles: f?.suppressedRoles ?? [],
      ...this.standing(),
    };
  }
}
