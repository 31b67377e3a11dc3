import type { Sql, TenantUsage as TenantUsageCounters } from '@shoal/db';
import { notFound } from '../errors';
import type { TenantQuota } from '../tenants/tenant-service';
import {
  CONTAINER_STATES,
  type ContainerStateName,
  type TenantNames,
  type TenantUsage,
} from './types';

/**
 * A tenant's names, its quota, its use of each resource (and, apart, what its best-effort
 * containers take of revocable ones) and its containers per state, in one statement:
 * `docker info` asks often, and each statement more is a round trip that can queue behind
 * the launches. A container being removed is gone for its tenant, as
 * `docker rm -f` promised.
 */
export async function readTenantUsage(sql: Sql, tenantId: string): Promise<TenantUsage> {
  const [row] = await sql.query<UsageRow>(
    `SELECT t.id, t.slug, t.name, t."mesosRole",
            t."quotaCpusGuarantee", t."quotaCpusLimit", t."quotaMemGuarantee", t."quotaMemLimit",
            t."quotaDiskGuarantee", t."quotaDiskLimit", t."quotaGpusGuarantee", t."quotaGpusLimit",
            coalesce(u.cpus, 0) AS cpus, coalesce(u."memMb", 0) AS "memMb",
            coalesce(u."diskMb", 0) AS "diskMb", coalesce(u.gpus, 0) AS gpus,
            (SELECT coalesce(json_object_agg(c.state, c.n), '{}')
               FROM (SELECT state, count(*)::int AS n FROM "Container"
                     WHERE "tenantId" = t.id AND state <> 'REMOVING' GROUP BY state) c) AS "byState",
            (SELECT json_build_object('cpus', round(coalesce(sum(cpus), 0)::numeric, 6),
                                      'memMb', round(coalesce(sum("memMb"), 0)::numeric, 6))
               FROM "Container" WHERE "tenantId" = t.id AND "bestEffort"
                 AND "desiredState" = 'RUNNING') AS "bestEffort"
     FROM "Tenant" t LEFT JOIN "TenantUsage" u ON u."tenantId" = t.id
     WHERE t.id = $1`,
    [tenantId],
  );
  if (!row) throw notFound('No such tenant');
  const containersByState = Object.fromEntries(CONTAINER_STATES.map((s) => [s, 0])) as Record<
    ContainerStateName,
    number
  >;
  for (const [state, n] of Object.entries(row.byState))
    containersByState[state.toLowerCase() as ContainerStateName] = n;
  const amount = (guarantee: number | null, limit: number | null, used: number) => ({
    guarantee,
    limit,
    used,
  });
  return {
    tenant: { id: row.id, slug: row.slug, name: row.name, mesosRole: row.mesosRole },
    quota: {
      cpus: amount(row.quotaCpusGuarantee, row.quotaCpusLimit, row.cpus),
      memoryMb: amount(row.quotaMemGuarantee, row.quotaMemLimit, row.memMb),
      diskMb: amount(row.quotaDiskGuarantee, row.quotaDiskLimit, row.diskMb),
      gpus: amount(row.quotaGpusGuarantee, row.quotaGpusLimit, row.gpus),
    },
    bestEffort: { cpus: row.bestEffort.cpus, memoryMb: row.bestEffort.memMb },
    containersByState,
  };
}

/** The tenant's names, quota columns and usage counters, as the statement reads them. */
type UsageRow = TenantNames &
  Required<TenantQuota> &
  Pick<TenantUsageCounters, 'cpus' | 'memMb' | 'diskMb' | 'gpus'> & {
    byState: Record<string, number>;
    bestEffort: { cpus: number; memMb: number };
  };
