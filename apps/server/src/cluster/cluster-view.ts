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

const AGENTS_CACHE_MS = 3_000;
const FIRST_LISTING_WAIT_MS = 1_000;

/** Resources a role may be offered: unreserved ones and those reserved for it (or an ancestor). */
function usableBy(role: string, resources: readonly Resource[] | undefined): Resource[] {
  return (resources ?? []).filter((r) => {
    const reservedFor =
      r.reservations?.at(-1)?.role ?? (r.role && r.role !== '*' ? r.role : undefined);
    return !reservedFor || reservedFor === role || role.startsWith(`${reservedFor}/`);
  });
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
  private readonly inventories = new WeakMap<object, Map<string, AgentInventory[]>>();
  private firstListing: Promise<unknown> | undefined;

  constructor(
    private readonly operator: OperatorClient,
    private readonly currentFramework: () => MesosFramework | undefined,
    private readonly standing: () => Pick<FrameworkStatus, 'problem' | 'emulated'>,
  ) {}

  /** The agents as the master lists them, asked again once the list is older than a few seconds. */
  private async masterAgents(): Promise<master.Response.GetAgents.Agent[]> {
    if (this.agentsCache && Date.now() - this.agentsCache.at <= AGENTS_CACHE_MS)
      return this.agentsCache.agents;
    // Many readers at once share one call.
    this.fetching ??= this.operator
      .getAgents()
      .then((response) => {
        this.agentsCache = { at: Date.now(), agents: response.agents ?? [] };
        return this.agentsCache.agents;
      })
      .finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  /** Keeps the agent list fresh for placement checks, which cannot wait for a call. */
  async refresh(): Promise<void> {
    const listing = this.masterAgents();
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
   * The agents as a role sees them, made once per listing and role: every start is checked
   * against them, and a thousand agents rebuilt per start cost more than the start itself.
   */
  private inventoriesFor(role: string): AgentInventory[] {
    const listing = this.agentsCache;
    if (!listing) return [];
    let byRole = this.inventories.get(listing);
    if (!byRole) this.inventories.set(listing, (byRole = new Map()));
    let inventories = byRole.get(role);
    if (!inventories) {
      inventories = listing.agents.map((a) => ({
        hostname: a.agent_info.hostname,
        attributes: attributesOf(a),
        resources: usableBy(role, a.total_resources ?? a.agent_info.resources),
      }));
      byRole.set(role, inventories);
    }
    return inventories;
  }

  async agents(role: string): Promise<AgentSummary[]> {
    const agents = await this.masterAgents();
    const framework = this.currentFramework();
    return agents.map((a) => {
      const id = a.agent_info.id?.value ?? '';
      return {
        id,
        hostname: a.agent_info.hostname,
        attributes: attributesOf(a),
        total: summary(usableBy(role, a.total_resources ?? a.agent_info.resources)),
        draining:
          Boolean(a.drain_info) || Boolean(a.deactivated) || Boolean(framework?.isDraining(id)),
        active: a.active,
      };
    });
  }

  heldOffers(role: string): HeldOfferSummary[] {
    return (this.currentFramework()?.heldOffers() ?? [])
      .filter((h) => h.role === role)
      .map((h) => ({
        offerId: h.offer.id.value,
        agentId: h.offer.agent_id.value,
        hostname: h.offer.hostname,
        role: h.role,
        resources: summary(h.offer.resources),
        revocable: totalResources(h.offer.resources).revocable,
        heldSince: h.heldSince,
      }));
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
