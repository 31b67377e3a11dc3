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
            -- One pass over the tenant's containers for both (a second scan of them
            -- doubled the statement's time in PostgreSQL).
            (SELECT json_build_object(
                      'byState', coalesce(json_object_agg(c.state, c.n)
                                            FILTER (WHERE c.state <> 'REMOVING'), '{}'),
                      'bestEffortCpus', round(coalesce(sum(c.cpus), 0)::numeric, 6),
                      'bestEffortMemMb', round(coalesce(sum(c.mem), 0)::numeric, 6))
               FROM (SELECT state, count(*)::int AS n,
                            sum(cpus) FILTER (WHERE claims) AS cpus,
                            sum("memMb") FILTER (WHERE claims) AS mem
                     FROM (SELECT state, cpus, "memMb",
                                  "bestEffort" AND "desiredState" = 'RUNNING' AS claims
                           FROM "Container" WHERE "tenantId" = t.id) k
                     GROUP BY state) c) AS containers
     FROM "Tenant" t LEFT JOIN "TenantUsage" u ON u."tenantId" = t.id
     WHERE t.id = $1`,
    [tenantId],
  );
  if (!row) throw notFound('No such tenant');
  const containersByState = Object.fromEntries(CONTAINER_STATES.map((s) => [s, 0])) as Record<
    ContainerStateName,
    number
  >;
  for (const [state, n] of Object.entries(row.containers.byState))
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
    bestEffort: {
      cpus: row.containers.bestEffortCpus,
      memoryMb: row.containers.bestEffortMemMb,
    },
    containersByState,
  };
}

/** The tenant's names, quota columns and usage counters, as the statement reads them. */
type UsageRow = TenantNames &
  Required<TenantQuota> &
  Pick<TenantUsageCounters, 'cpus' | 'memMb' | 'diskMb' | 'gpus'> & {
    containers: {
      byState: Record<string, number>;
      bestEffortCpus: number;
      bestEffortMemMb: number;
    };
  };
