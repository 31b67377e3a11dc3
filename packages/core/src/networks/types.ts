// Tenant networks as both front doors see them. A network is a name a tenant's
// containers share; on Mesos it is the CNI network the tenant's networks map to.

/** The names Docker gives its own networks; a tenant cannot make or remove them. */
export const BUILTIN_NETWORKS = ['bridge', 'host', 'none'] as const;

export interface NetworkView {
  /** 64 hex digits, as Docker's network ids. */
  id: string;
  tenantId: string;
  name: string;
  driver: string;
  labels: Record<string, string>;
  attachable: boolean;
  createdAt: Date;
  /** The Mesos CNI network its containers join, as the tenant's setting names it now. */
  cniNetwork: string;
  /** The tenant's containers on it, with the aliases each has there. */
  containers: { id: string; name: string; aliases: string[] }[];
}

export interface NetworkCreateInput {
  name: string;
  driver?: string;
  labels?: Record<string, string>;
  attachable?: boolean;
}

/** A container's place on one network: stored in its config, read when its task launches. */
export interface NetworkAttachment {
  id: string;
  name: string;
  /** Extra names the container has on this network (Docker's network-scoped aliases). */
  aliases: string[];
}

/** A network asked for by name, id or id prefix, with the aliases wanted there. */
export interface NetworkRequest {
  network: string;
  aliases?: string[];
}

export interface NetworkListFilters {
  name?: string[];
  id?: string[];
  driver?: string[];
  label?: string[];
}
