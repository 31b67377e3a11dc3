/** Where an admin's setting names the tenant, so each tenant gets a CNI network of its own. */
export const TENANT_PLACEHOLDER = '{tenant}';

/**
 * The Mesos CNI network a tenant's Docker networks map to: the tenant's own setting,
 * else the cluster's, with `{tenant}` standing for the tenant's slug.
 */
export function cniNetworkOf(
  tenant: { slug: string; cniNetwork: string | null },
  clusterSetting: string,
): string {
  return (tenant.cniNetwork ?? clusterSetting).replaceAll(TENANT_PLACEHOLDER, tenant.slug);
}

/** CNI network names as the Mesos agent's network/cni isolator reads them from its config. */
export const CNI_NETWORK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
