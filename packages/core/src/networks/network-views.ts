import type { Network, Sql } from '@shoal/db';
import { matchesLabels } from '../containers/label-filters';
import { cniNetworkOf } from './cni';
import type { NetworkTenant } from './network-lookup';
import type { NetworkAttachment, NetworkListFilters, NetworkView } from './types';

/** `docker network ls` filters: a name part, an id prefix, a driver, labels. */
export function matchesNetworkFilters(n: Network, filters: NetworkListFilters): boolean {
  return (
    (!filters.name || filters.name.some((v) => n.name.includes(v))) &&
    (!filters.id || filters.id.some((v) => n.id.startsWith(v))) &&
    (!filters.driver || filters.driver.includes(n.driver)) &&
    matchesLabels(labelsOf(n), filters.label ?? [])
  );
}

/** The tenant's containers on each of these networks, with their aliases there. */
export async function networkMembers(
  sql: Sql,
  tenantId: string,
  networkIds: string[],
): Promise<Map<string, NetworkView['containers']>> {
  const byNetwork = new Map<string, NetworkView['containers']>();
  if (networkIds.length === 0) return byNetwork;
  const rows = await sql.query<{ id: string; name: string; networks: NetworkAttachment[] }>(
    `SELECT id, name, config->'networks' AS networks FROM "Container"
     WHERE "tenantId" = $1 AND state <> 'REMOVING' AND jsonb_typeof(config->'networks') = 'array'
     ORDER BY "createdAt"`,
    [tenantId],
  );
  for (const row of rows) {
    for (const attachment of row.networks) {
      if (!networkIds.includes(attachment.id)) continue;
      const list = byNetwork.get(attachment.id) ?? [];
      list.push({ id: row.id, name: row.name, aliases: attachment.aliases });
      byNetwork.set(attachment.id, list);
    }
  }
  return byNetwork;
}

export function networkView(
  row: Network,
  tenant: NetworkTenant,
  cniSetting: string,
  containers: NetworkView['containers'],
): NetworkView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    driver: row.driver,
    labels: labelsOf(row),
    attachable: row.attachable,
    createdAt: row.createdAt,
    cniNetwork: cniNetworkOf(tenant, cniSetting),
    containers,
  };
}

function labelsOf(row: Network): Record<string, string> {
  return (row.labels ?? {}) as Record<string, string>;
}
