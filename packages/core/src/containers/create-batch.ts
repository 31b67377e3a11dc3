import { randomUUID } from 'node:crypto';
import type { Connection, Container, Sql, SqlRunner } from '@shoal/db';
import { GroupCommit } from '../batching/group-commit';
import { busy, notFound, ShoalError } from '../errors';
import { CONTAINER_COLUMNS } from './container-reads';
import { nameTaken, randomContainerName } from './names';
import type { ContainerSpec } from './types';

export interface CreateRequest {
  id: string;
  tenantId: string;
  spec: ContainerSpec;
  actor: string;
  /** The name was drawn by Shoal, not given: one the tenant already uses is drawn again. */
  nameDrawn?: boolean;
}

/** How often a name Shoal drew is drawn again before the create answers Docker's conflict. */
const MAX_NAME_REDRAWS = 8;

/**
 * `docker create`, many at a time: each batch is one statement that inserts the
 * containers and their audit entries together, so a create is stored with its
 * audit entry or not at all. A name already taken in the tenant fails that
 * create alone, with Docker's message, unless Shoal drew it: then it draws another.
 */
export class CreateBatch {
  private readonly commits: GroupCommit<CreateRequest, Container>;

  constructor(private readonly sql: Sql) {
    this.commits = new GroupCommit((claim) =>
      this.sql.connected((connection) => this.write(connection, claim())),
    );
  }

  /** Once `signal` aborts, a create that is not being written yet is not made: busy. */
  async create(request: CreateRequest, signal?: AbortSignal): Promise<Container> {
    for (let redraw = 1; ; redraw++) {
      try {
        return await this.commits.submit(
          request,
          signal && { signal, error: () => busy(`create ${request.spec.name}`) },
        );
      } catch (error) {
        const taken = error instanceof ShoalError && error.code === 'CONFLICT';
        if (!request.nameDrawn || !taken || redraw > MAX_NAME_REDRAWS) throw error;
        request = { ...request, spec: { ...request.spec, name: randomContainerName(redraw) } };
      }
    }
  }

  private async write(
    connection: Connection,
    requests: CreateRequest[],
  ): Promise<(Container | Error)[]> {
    if (requests.length === 0) return [];
    // The insert is one statement, whole or not at all by itself. Only a batch that names
    // networks needs a transaction, and its BEGIN and COMMIT round trips: the networks
    // stay locked until its containers are stored on them.
    if (!requests.some((r) => r.spec.networks?.length)) return this.insert(connection, requests);
    return connection.transaction(async (tx) => {
      const gone = await missingNetworks(tx, requests);
      const batch = requests.filter((r) => !gone.has(r));
      const made = batch.length > 0 ? await this.insert(tx, batch) : [];
      const answers = new Map(batch.map((r, i) => [r, made[i]!]));
      return requests.map((r) => answers.get(r) ?? notFound(`network ${gone.get(r)} not found`));
    });
  }

  private async insert(tx: SqlRunner, batch: CreateRequest[]): Promise<(Container | Error)[]> {
    const column = <T>(pick: (r: CreateRequest) => T) => batch.map(pick);
    const created = await tx.query<Container>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[],
                              $6::float8[], $7::float8[], $8::float8[], $9::float8[],
                              $10::text[], $11::bool[], $12::text[], $13::text[])
           AS i(id, "tenantId", name, image, config, cpus, "memMb", "diskMb", gpus,
                "restartPolicy", "bestEffort", actor, "auditId")
       ),
       -- What a foreign key would check and lock row by row, once per tenant: a tenant
       -- deleted meanwhile waits for these containers, and then deletes them with it.
       tenants AS (
         SELECT id FROM "Tenant" WHERE id IN (SELECT "tenantId" FROM input) FOR KEY SHARE
       ),
       created AS (
         INSERT INTO "Container" (id, "tenantId", name, image, config, cpus, "memMb", "diskMb",
                                  gpus, "restartPolicy", "bestEffort", "createdAt", "updatedAt")
         SELECT id, "tenantId", name, image, config, cpus, "memMb", "diskMb", gpus,
                "restartPolicy", "bestEffort", $14::timestamp, $14::timestamp
         FROM input WHERE "tenantId" IN (SELECT id FROM tenants)
         ON CONFLICT ("tenantId", name) DO NOTHING
         RETURNING ${CONTAINER_COLUMNS.map((c) => `"${c}"`).join(', ')}
       ),
       audited AS (
         INSERT INTO "AuditEvent" (id, "tenantId", actor, action, target, detail, at)
         SELECT i."auditId", i."tenantId", i.actor, 'container.create', i.name,
                jsonb_build_object('id', i.id, 'image', i.image), $14::timestamp
         FROM input i JOIN created c ON c.id = i.id
       )
       SELECT * FROM created`,
      [
        column((r) => r.id),
        column((r) => r.tenantId),
        column((r) => r.spec.name),
        column((r) => r.spec.image),
        column((r) => JSON.stringify(r.spec)),
        column((r) => r.spec.cpus),
        column((r) => r.spec.memoryMb),
        column((r) => r.spec.diskMb),
        column((r) => r.spec.gpus),
        column((r) => r.spec.restartPolicy.name),
        column((r) => r.spec.bestEffort),
        column((r) => r.actor),
        column(() => randomUUID()),
        new Date().toISOString(),
      ],
    );
    const byId = new Map(created.map((c) => [c.id, c]));
    const refused = batch.filter((r) => !byId.has(r.id));
    const why = refused.length > 0 ? await this.refusals(tx, refused) : new Map<string, Refusal>();
    return batch.map((r) => {
      const made = byId.get(r.id);
      if (made) return made;
      const refusal = why.get(`${r.tenantId}/${r.spec.name}`);
      if (refusal?.tenantGone) return notFound(`tenant ${r.tenantId} not found`);
      return nameTaken(r.spec.name, refusal?.holder);
    });
  }

  /**
   * Why the batch could not make these: who holds their names, for Docker's conflict
   * message, or their tenant was deleted meanwhile.
   */
  private async refusals(tx: SqlRunner, refused: CreateRequest[]): Promise<Map<string, Refusal>> {
    const rows = await tx.query<{
      tenant: string;
      name: string;
      holder: string | null;
      tenantGone: boolean;
    }>(
      `SELECT r.tenant, r.name, c.id AS holder,
              NOT EXISTS (SELECT 1 FROM "Tenant" t WHERE t.id = r.tenant) AS "tenantGone"
       FROM unnest($1::text[], $2::text[]) AS r(tenant, name)
       LEFT JOIN "Container" c ON c."tenantId" = r.tenant AND c.name = r.name`,
      [refused.map((r) => r.tenantId), refused.map((r) => r.spec.name)],
    );
    return new Map(rows.map((r) => [`${r.tenant}/${r.name}`, r]));
  }
}

interface Refusal {
  holder: string | null;
  tenantGone: boolean;
}

/**
 * The creates that name a network removed since it was looked up, with its name. The
 * networks that remain are locked (shared) until the creates commit: a removal waits, and
 * then sees their containers on it; one that went first leaves nothing to lock.
 */
async function missingNetworks(
  tx: SqlRunner,
  batch: CreateRequest[],
): Promise<Map<CreateRequest, string>> {
  const wanted = [...new Set(batch.flatMap((r) => (r.spec.networks ?? []).map((n) => n.id)))];
  if (wanted.length === 0) return new Map();
  const rows = await tx.query<{ id: string }>(
    `SELECT id FROM "Network" WHERE id = ANY($1::text[]) ORDER BY id FOR SHARE`,
    [wanted],
  );
  const present = new Set(rows.map((r) => r.id));
  const missing = new Map<CreateRequest, string>();
  for (const r of batch) {
    const lost = (r.spec.networks ?? []).find((n) => !present.has(n.id));
    if (lost) missing.set(r, lost.name);
  }
  return missing;
}
