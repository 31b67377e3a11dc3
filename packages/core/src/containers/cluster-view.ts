// What the framework knows about the cluster, as the front doors need it for
// `docker info` and the dashboard. Implemented over the Mesos subscription by
// the process that owns it (apps/server); core only reads through it.

export interface ResourceSummary {
  cpus: number;
  memoryMb: number;
  diskMb: number;
  gpus: number;
  /** Port ranges as "31000-32000" strings. */
  ports: string[];
}

export interface AgentSummary {
  id: string;
  hostname: string;
  attributes: Record<string, string>;
  /** Firm resources only: revocable ones can be taken back at any moment, so they are no capacity. */
  total: ResourceSummary;
  /** Revocable (oversubscribed) resources besides, which only best-effort containers run on. */
  revocable: ResourceSummary;
  /** Draining or under maintenance: no new containers go there. */
  draining: boolean;
  active: boolean;
}

export interface HeldOfferSummary {
  offerId: string;
  agentId: string;
  hostname: string;
  role: string;
  /** The offer's firm resources. */
  resources: ResourceSummary;
  /** Its revocable resources, apart. */
  revocableResources: ResourceSummary;
  revocable: boolean;
  heldSince: Date;
}

export interface FrameworkStatus {
  /** Whether this process holds the Mesos subscription now. */
  subscribed: boolean;
  frameworkId: string | null;
  /** The master this process talks to, when subscribed. */
  master: string | null;
  /** Roles the framework is subscribed with, and which of them are suppressed. */
  roles: string[];
  suppressedRoles: string[];
  /** Why Shoal cannot hold a subscription right now (say, a master too old), if it knows. */
  problem: string | null;
  /** The cluster is Shoal's embedded Mesos emulator: containers run nowhere. */
  emulated: boolean;
}

export interface ClusterView {
  /** Active agents whose unreserved or role-reserved resources this role can be offered. */
  agents(role: string): Promise<AgentSummary[]>;
  /** Offers the framework holds for this role right now. */
  heldOffers(role: string): HeldOfferSummary[];
  framework(): FrameworkStatus;
}
