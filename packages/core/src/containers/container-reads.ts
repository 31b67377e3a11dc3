import { Prisma, type Row, type SqlReader } from '@shoal/db';
import { GroupCommit } from '../batching/group-commit';
import { invalid, notFound } from '../errors';
import { ListedRows, ROW_VERSION, type ListedRow } from './listed-rows';
import { TERMINAL_STATES } from './lifecycle';
import type { ContainerRow } from './rows';
import type { ContainerListFilters, ContainerStateName } from './types';

// Reads of containers, each with the task that speaks for it, in one statement each.
// These run for nearly every Docker request (inspect, start, wait, ps), so they are
// plain SQL: one round trip, one index lookup per container; and the lookups by name
// or id that arrive together share one statement.

export const CONTAINER_COLUMNS = Object.values(Prisma.ContainerScalarFieldEnum);
const TASK_COLUMNS = Object.values(Prisma.TaskScalarFieldEnum);
/** Each task column with the name selectContainers gives it, made once: `docker ps` reads hundreds of rows. */
const TASK_FIELDS = TASK_COLUMNS.map((c) => [c, `task.${c}`] as const);

/**
 * A SELECT of containers (`c`), each with the task that speaks for it (`t`), whose rows
 * `fromRow` reads; `extra` adds columns of the caller's own. The caller adds the joins
 * and conditions.
 */
export function selectContainers(extra = ''): string {
  return `SELECT ${columns(extra)} ${FROM_CONTAINERS}`;
}

function columns(extra: string): string {
  return `${extra ? `${extra}, ` : ''}${CONTAINER_COLUMNS.map((c) => `c."${c}"`).join(', ')},
         ${TASK_FIELDS.map(([c, as]) => `t."${c}" AS "${as}"`).join(', ')}`;
}

const NOT_ENDED = `state NOT IN (${TERMINAL_STATES.map((s) => `'${s}'`).join(', ')})`;

/**
 * speakingTask (lifecycle.ts) in SQL: the newest task not ended, else the newest. Each
 * branch reads the ("containerId", "launchedAt") index from its newest end, and
 * PostgreSQL runs a UNION ALL's branches in order, so the second is read only when the
 * first finds nothing: a container with a live task costs one index probe.
 */
const SPEAKING_TASK = `
  LEFT JOIN LATERAL (
    (SELECT *, xmin FROM "Task" WHERE "containerId" = c."id" AND ${NOT_ENDED}
     ORDER BY "launchedAt" DESC LIMIT 1)
    UNION ALL
    (SELECT *, xmin FROM "Task" WHERE "containerId" = c."id"
     ORDER BY "launchedAt" DESC LIMIT 1)
    LIMIT 1
  ) t ON true`;

const FROM_CONTAINERS = `FROM "Container" c ${SPEAKING_TASK}`;

/**
 * The container that `r.ref`, a full id or a name, means within tenant `r.tenant`: the
 * id first, as the Docker Engine resolves one. A subquery for a lateral join on `r`, with
 * the row's xmin for ROW_VERSION.
 */
export const NAME_OR_ID_MATCH = `
  SELECT *, xmin FROM "Container"
  WHERE "tenantId" = r.tenant AND ("id" = r.ref OR "name" = r.ref)
  ORDER BY "id" = r.ref DESC
  LIMIT 1`;

/**
 * Each (tenant, name or id) pair's container, if that tenant has one, by the pair's place
 * (ord, from 1), with its version (ROW_VERSION).
 */
const BY_NAME_OR_ID = `
  SELECT ${columns(`r.ord, ${ROW_VERSION} AS "rowVersion"`)}
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(tenant, ref, ord)
  JOIN LATERAL (${NAME_OR_ID_MATCH}) c ON true
  ${SPEAKING_TASK}`;

/** Rows `list` keeps between listings: enough for the largest tenants' `docker ps -a`. */
const LISTED_ROWS = 10_000;

/** A row of selectContainers() as the Prisma payload the views are built from. */
export function fromRow(row: Row): ContainerRow {
  const container: Record<string, unknown> = {};
  for (const c of CONTAINER_COLUMNS) container[c] = row[c];
  const tasks: Record<string, unknown>[] = [];
  if (row['task.id'] !== null) {
    const task: Record<string, unknown> = {};
    for (const [c, as] of TASK_FIELDS) task[c] = row[as];
    tasks.push(task);
  }
  return { ...container, tasks } as unknown as ContainerRow;
}

export class ContainerReads {
  private readonly listed = new ListedRows(LISTED_ROWS);
  /**
   * Lookups by full id or name that arrive together, from any request: those of Docker
   * requests naming a container, and the rows a listing finds changed.
   */
  private readonly exact: GroupCommit<{ tenantId: string; key: string }, ListedRow | undefined>;

  constructor(private readonly sql: SqlReader) {
    this.exact = new GroupCommit(async (claim) => {
      const wanted = claim();
      const rows = await this.sql.read(BY_NAME_OR_ID, [
        wanted.map((w) => w.tenantId),
        wanted.map((w) => w.key),
      ]);
      const found = new Map(
        rows.map((row) => [Number(row.ord), { row: fromRow(row), version: row.rowVersion }]),
      );
      return wanted.map((_, i) => found.get(i + 1));
    });
  }

  /**
   * A name, a full id or a unique id prefix, within one tenant only. A container being
   * removed (its row kept until Mesos confirms its task killed, and attached readers have
   * had their time) is gone already, as Docker's is once `rm -f` has answered.
   */
  async resolve(tenantId: string, ref: string): Promise<ContainerRow> {
    const key = ref.replace(/^\//, '');
    if (!key) throw notFound(`No such container: ${ref}`);
    const exact = await this.exact.submit({ tenantId, key });
    if (exact && exact.row.state !== 'REMOVING') return exact.row;
    if (!/^[a-f0-9]+$/.test(key)) throw notFound(`No such container: ${ref}`);
    const byPrefix = await this.sql.read(
      `${selectContainers()} WHERE c."tenantId" = $1 AND starts_with(c."id", $2)
         AND c.state <> 'REMOVING' LIMIT 2`,
      [tenantId, key],
    );
    if (byPrefix.length > 1) throw invalid(`multiple IDs found with provided prefix: ${ref}`);
    if (!byPrefix[0]) throw notFound(`No such container: ${ref}`);
    return fromRow(byPrefix[0]);
  }

  /**
   * The container of this id, being removed or not: for a request that holds it already
   * and reads what became of it (a start or a stop whose container removed itself).
   */
  async current(tenantId: string, id: string): Promise<ContainerRow> {
    const found = await this.exact.submit({ tenantId, key: id });
    if (!found) throw notFound(`No such container: ${id}`);
    return found.row;
  }

  /**
   * `docker ps`: newest first, each row with its version (ROW_VERSION); label filters are
   * left to the caller. Rows unchanged since an earlier listing come from it, so a
   * tenant's hundreds of containers cost a few bytes each to list, not a full row read
   * and parsed each time.
   */
  async list(tenantId: string, filters: ContainerListFilters = {}): Promise<ListedRow[]> {
    const states = filters.status
      ? filters.status.map((s) => s.toUpperCase() as Uppercase<ContainerStateName>)
      : filters.all
        ? ['CREATED', 'RESTARTING', 'RUNNING', 'PAUSED', 'EXITED', 'DEAD']
        : ['RUNNING', 'RESTARTING', 'PAUSED'];
    const values: unknown[] = [tenantId, states];
    const where = [`c."tenantId" = $1`, `c."state"::text = ANY($2::text[])`];
    if (filters.id?.length) {
      values.push(filters.id.map((p) => p.toLowerCase()));
      where.push(
        `EXISTS (SELECT 1 FROM unnest($${values.length}::text[]) p WHERE starts_with(c."id", p))`,
      );
    }
    const versions = await this.sql.read<{ id: string; version: string }>(
      `SELECT c.id, ${ROW_VERSION} AS version ${FROM_CONTAINERS}
       WHERE ${where.join(' AND ')} ORDER BY c."createdAt" DESC`,
      values,
    );
    const kept = versions.map((v) => this.listed.get(v.id, v.version));
    // Read in full with the lookups of other requests: no statement of the listing's own.
    const changed = await Promise.all(
      versions.flatMap((v, i) => (kept[i] ? [] : [this.exact.submit({ tenantId, key: v.id })])),
    );
    const read = new Map<string, ListedRow>();
    // Changed again since it was listed: the newer row is the one shown, and kept. One
    // removed since is left out.
    for (const found of changed)
      if (found)
        read.set(found.row.id, {
          row: this.listed.put(found.row.id, found.version, found.row),
          version: found.version,
        });
    return versions.flatMap((v, i) => {
      const row = kept[i];
      const listed = row ? { row, version: v.version } : read.get(v.id);
      return listed ? [listed] : [];
    });
  }

  /** These containers of one tenant (ids of other tenants' containers find nothing). */
  async byIds(tenantId: string, ids: string[]): Promise<ContainerRow[]> {
    const rows = await this.sql.read(
      `${selectContainers()} WHERE c."tenantId" = $1 AND c."id" = ANY($2::text[])`,
      [tenantId, ids],
    );
    return rows.map(fromRow);
  }
}
