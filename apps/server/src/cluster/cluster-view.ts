import type { AgentSummary, ClusterView, FrameworkStatus, HeldOfferSummary } from '@shoal/core';
import type { master, OperatorClient, Resource } from '@shoal/mesos';
import { totalResources, type MesosFramework } from '@shoal/scheduler';
import { summary } from './resources';

const AGENTS_CACHE_MS = 3_000;

/** Resources a role may be offered: unreserved ones and those reserved for it (or an ancestor). */
function usableBy(role: string, resources: readonly Resource[] | undefined): Resource[] {
  return (resources ?? []).filter((r) => {
    const reservedFor =
      r.reservations?.at(-1)?.role ?? (r.role && r.role !== '*' ? r.role : undefined);
    return !reservedFor || reservedFor === role || role.startsWith(`${reservedFor}/`);
  });
}

/** The cluster as the Mesos master and the framework see it right now. */
export class LiveClusterView implements ClusterView {
  private agentsCache: { at: number; agents: master.Response.GetAgents.Agent[] } | undefined;

  constructor(
    private readonly operator: OperatorClient,
    private readonly currentFramework: () => MesosFramework | undefined,
  ) {}

  async agents(role: string): Promise<AgentSummary[]> {
    const now = Date.now();
    if (!this.agentsCache || now - this.agentsCache.at > AGENTS_CACHE_MS) {
      const response = await this.operator.getAgents();
      this.agentsCache = { at: now, agents: response.agents ?? [] };
    }
    const framework = this.currentFramework();
    return this.agentsCache.agents.map((a) => {
      const id = a.agent_info.id?.value ?? '';
      return {
        id,
        hostname: a.agent_info.hostname,
        attributes: Object.fromEntries(
          (a.agent_info.attributes ?? []).map((x) => [
            x.name,
            x.text?.value ?? (x.scalar ? String(x.scalar.value) : ''),
          ]),
        ),
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
    };
  }
}
