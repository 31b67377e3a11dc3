import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@shoal/api';

export type ClusterOverview = inferRouterOutputs<AppRouter>['admin']['cluster']['overview'];
export type Agent = ClusterOverview['agents'][number];
export type ResourceKey = 'cpus' | 'memoryMb' | 'diskMb' | 'gpus';

export interface ClusterTotals {
  used: Record<ResourceKey, number>;
  total: Record<ResourceKey, number>;
  agents: { active: number; inactive: number; draining: number; maintenance: number };
}

const zero = (): Record<ResourceKey, number> => ({ cpus: 0, memoryMb: 0, diskMb: 0, gpus: 0 });

/** What the whole cluster has and uses, and its agents by state. */
export function clusterTotals(agents: Agent[]): ClusterTotals {
  const totals: ClusterTotals = {
    used: zero(),
    total: zero(),
    agents: { active: 0, inactive: 0, draining: 0, maintenance: 0 },
  };
  for (const a of agents) {
    for (const key of Object.keys(totals.used) as ResourceKey[]) {
      totals.used[key] += a.used[key];
      totals.total[key] += a.total[key];
    }
    totals.agents[a.active ? 'active' : 'inactive']++;
    if (a.drainState) totals.agents.draining++;
    if (a.maintenance) totals.agents.maintenance++;
  }
  return totals;
}

export type AgentState = 'active' | 'draining' | 'maintenance' | 'inactive';

/**
 * Each agent in one state, for a chart whose parts add up to the whole: a drain (which also
 * deactivates the agent) says most, then maintenance, then whether the master offers it.
 */
export function agentState(a: Agent): AgentState {
  if (a.drainState) return 'draining';
  if (a.maintenance) return 'maintenance';
  return a.active ? 'active' : 'inactive';
}

export function agentsByState(agents: Agent[]): Record<AgentState, number> {
  const counts = { active: 0, draining: 0, maintenance: 0, inactive: 0 };
  for (const a of agents) counts[agentState(a)]++;
  return counts;
}

/** Agents whose hostname, id or an attribute contains `search`, a page at a time. */
export function agentPage(agents: Agent[], search: string, page: number, size: number) {
  const needle = search.trim().toLowerCase();
  const matching = needle
    ? agents.filter(
        (a) =>
          a.hostname.toLowerCase().includes(needle) ||
          a.id.toLowerCase().includes(needle) ||
          Object.entries(a.attributes).some(([k, v]) => `${k}:${v}`.toLowerCase().includes(needle)),
      )
    : agents;
  const pages = Math.max(1, Math.ceil(matching.length / size));
  const current = Math.min(Math.max(1, page), pages);
  return {
    rows: matching.slice((current - 1) * size, current * size),
    matching: matching.length,
    page: current,
    pages,
  };
}
