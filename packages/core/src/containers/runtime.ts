import type { ContainerRuntime, Sql } from '@shoal/db';
import { GroupCommit } from '../batching/group-commit';

export type { ContainerRuntime };

/** The label through which a Docker client picks a container's runtime. */
export const RUNTIME_LABEL = 'shoal.runtime';

export const RUNTIMES: readonly ContainerRuntime[] = ['docker', 'ucr'];

/** How messages name a runtime, so a refusal says which containerizer cannot do it. */
export const RUNTIME_NAMES: Record<ContainerRuntime, string> = {
  docker: 'the docker runtime (the Mesos Docker containerizer)',
  ucr: 'the ucr runtime (the Mesos containerizer with the Docker image)',
};

/** Containers stored before runtimes existed ran under the Docker containerizer. */
export function runtimeOf(spec: { runtime?: ContainerRuntime }): ContainerRuntime {
  return spec.runtime ?? 'docker';
}

export function isRuntime(value: unknown): value is ContainerRuntime {
  return RUNTIMES.includes(value as ContainerRuntime);
}

/**
 * The runtime a tenant's new containers get: the tenant's own setting, else the
 * cluster's default. Looked up for many creates at once, so a burst of creates costs
 * one query, and always fresh, so an admin's change applies to the next create.
 */
export class TenantRuntimes {
  private readonly lookups: GroupCommit<string, ContainerRuntime>;

  constructor(
    private readonly sql: Sql,
    private readonly clusterDefault: () => ContainerRuntime,
  ) {
    this.lookups = new GroupCommit((claim) =>
      // Claimed once a connection is held, so a lookup still waiting for one can give up.
      // One read: no transaction, and its two round trips, around it.
      this.sql.connected(async (connection) => {
        const tenantIds = claim();
        if (tenantIds.length === 0) return [];
        const rows = await connection.query<{ id: string; runtime: ContainerRuntime | null }>(
          `SELECT id, runtime FROM "Tenant" WHERE id = ANY($1::text[])`,
          [[...new Set(tenantIds)]],
        );
        const byId = new Map(rows.map((r) => [r.id, r.runtime]));
        return tenantIds.map((id) => byId.get(id) ?? this.clusterDefault());
      }),
    );
  }

  /** Once `giveUp` aborts, a lookup still waiting for the database fails with `busy()`. */
  of(
    tenantId: string,
    giveUp?: { signal: AbortSignal | undefined; busy: () => Error },
  ): Promise<ContainerRuntime> {
    return this.lookups.submit(
      tenantId,
      giveUp?.signal && { signal: giveUp.signal, error: giveUp.busy },
    );
  }
}
