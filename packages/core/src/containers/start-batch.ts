import { randomUUID } from 'node:crypto';
import type { Sql, SqlRunner, Tenant, TenantUsage } from '@shoal/db';
import type { PlacementNeeds, TaskRequest } from '@shoal/scheduler';
import { GroupCommit } from '../batching/group-commit';
import { QUOTA_CLAIMS, shownAmount } from '../tenants/quota-claims';
import { busy, ShoalError } from '../errors';
import { fromRow, NAME_OR_ID_MATCH, selectContainers } from './container-reads';
import { PENDING, TERMINAL_STATES } from './lifecycle';
import type { PlacementCheck } from './ports';
import type { ContainerRow } from './rows';
import { newTaskId, taskRequest } from './task-request';
import type { ContainerSpec } from './types';

export interface StartRequest {
  tenantId: string;
  /** A full id or a name: prefixes are resolved before a start joins a batch. */
  ref: string;
  actor: string;
}

export interface StartOutcome {
  /** The container as the start left it. */
  container: ContainerRow;
  /** False when there was nothing to do (meant to run already, or being removed). */
  changed: boolean;
  /** The task queued for it, when this process launches tasks itself. */
  launch?: TaskRequest;
}

/** No container of that tenant has this id or name (a prefix may still match). */
export class NoExactMatch extends Error {}

type Limits = Pick<
  Tenant,
  'slug' | 'mesosRole' | 'quotaCpusLimit' | 'quotaMemLimit' | 'quotaDiskLimit' | 'quotaGpusLimit'
>;
type Claims = Pick<TenantUsage, 'cpus' | 'memMb' | 'diskMb' | 'gpus'>;

/**
 * `docker start`, many at a time, in one transaction per batch: the containers
 * are locked, their tenants' claimed resources (TenantUsage, kept by the
 * database) are locked and checked against quota in the order the starts
 * arrived, and every admitted container is marked to run, queued as a task
 * (when this process launches tasks) and audited. Two starts can never both
 * squeeze under a limit, and a start is stored whole or not at all.
 */
export class StartBatch {
  private readonly commits: GroupCommit<StartRequest, StartOutcome>;
  /** Set on the process that launches tasks: its starts queue the task at once. */
  queuesTasks = false;
  /** Refuses a start no agent could ever run, naming why (set where the cluster is known). */
  placement: PlacementCheck | undefined;

  constructor(private readonly sql: Sql) {
    this.commits = new GroupCommit((claim) =>
      this.sql.transaction((tx) => this.write(tx, claim())),
    );
  }

  /** Once `signal` aborts, a start that is not being written yet is not made: busy. */
  start(request: StartRequest, signal?: AbortSignal): Promise<StartOutcome> {
    return this.commits.submit(
      request,
      signal && { signal, error: () => busy(`start ${request.ref}`) },
    );
  }

  private async write(tx: SqlRunner, batch: StartRequest[]): Promise<(StartOutcome | Error)[]> {
    if (batch.length === 0) return [];
    const now = new Date().toISOString();
    // Each reference is matched on its own (through the indexes on id and on tenant and
    // name), then the matches are locked: a join on `id = ref OR name = ref` could only
    // be made by reading every container of the cluster.
    const found = await tx.query(
      `WITH r AS (
         SELECT r.ord, m.id
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(tenant, ref, ord)
         JOIN LATERAL (${NAME_OR_ID_MATCH}) m ON true
       )
       ${selectContainers(
         `r.ord, EXISTS (SELECT 1 FROM "Task" l WHERE l."containerId" = c.id
                         AND l.state <> ALL($3::text[])) AS "hasTask"`,
       )}
       JOIN r ON c.id = r.id
       ORDER BY c.id
       FOR UPDATE OF c`,
      [batch.map((r) => r.tenantId), batch.map((r) => r.ref), TERMINAL_STATES],
    );
    const byOrder = new Map<number, { row: ContainerRow; hasTask: boolean }>();
    for (const f of found)
      byOrder.set(Number(f.ord) - 1, { row: fromRow(f), hasTask: f.hasTask as boolean });

    const tenants = [...new Set(found.map((f) => f.tenantId as string))].sort();
    const accounts = await lockAccounts(tx, tenants);

    const outcomes: (StartOutcome | Error)[] = [];
    const admitted: { row: ContainerRow; request: StartRequest; queue: boolean }[] = [];
    /** Where each container's first start in the batch is answered. */
    const firstStart = new Map<string, number>();
    /** Later starts of a container in the batch: each is answered as its first one. */
    const repeats: { at: number; first: number }[] = [];
    batch.forEach((request, i) => {
      const match = byOrder.get(i);
      if (!match) return outcomes.push(new NoExactMatch(request.ref));
      const { row } = match;
      const first = firstStart.get(row.id);
      if (first !== undefined) {
        repeats.push({ at: outcomes.length, first });
        return outcomes.push({ container: row, changed: false });
      }
      firstStart.set(row.id, outcomes.length);
      // Being removed: gone, as a lookup finds it (ContainerReads.resolve).
      if (row.state === 'REMOVING') return outcomes.push(new NoExactMatch(request.ref));
      if (row.desiredState === 'RUNNING') return outcomes.push({ container: row, changed: false });
      const account = accounts.get(row.tenantId);
      const unplaceable = this.placement?.whyNeverPlaced(account?.mesosRole ?? '', needsOf(row));
      if (unplaceable)
        return outcomes.push(
          new ShoalError(
            'CONFLICT',
            `cannot start container ${row.name}: no Mesos agent in the cluster could ever run it: ${unplaceable}`,
          ),
        );
      const refusal = account && overQuota(account, row);
      if (refusal) return outcomes.push(refusal);
      if (account) for (const [, claim] of QUOTA_CLAIMS) account[claim] += quotaClaim(row, claim);
      admitted.push({ row, request, queue: this.queuesTasks && !match.hasTask });
      outcomes.push({ container: row, changed: true });
    });
    if (admitted.length === 0) return answerRepeats(outcomes, repeats);

    const ids = admitted.map((a) => a.row.id);
    const queued = admitted
      .filter((a) => a.queue)
      .map((a) => ({ ...a, taskId: newTaskId(a.row.id), id: randomUUID() }));
    // The three writes in one statement: each of them alone was a round trip more with
    // the containers and the tenants' claims locked.
    const tasks = await tx.query(
      `WITH started AS (
         UPDATE "Container"
         SET "desiredState" = 'RUNNING', "restartAt" = NULL, "updatedAt" = $2::timestamp,
             -- A start asked for begins the restart policy afresh, as Docker's does.
             "restartCount" = 0,
             state = CASE WHEN state = 'EXITED' THEN 'CREATED'::"ContainerState" ELSE state END
         WHERE id = ANY($1::text[])
       ), audited AS (
         INSERT INTO "AuditEvent" (id, "tenantId", actor, action, target, detail, at)
         SELECT id, tenant, actor, 'container.start', name, jsonb_build_object('id', container),
                $2::timestamp
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $1::text[])
           AS a(id, tenant, actor, name, container)
       )
       INSERT INTO "Task" (id, "containerId", "mesosTaskId", state, "launchedAt", "updatedAt")
       SELECT id, container, task, $10, $2::timestamp, $2::timestamp
       FROM unnest($7::text[], $8::text[], $9::text[]) AS q(id, container, task)
       RETURNING *`,
      [
        ids,
        now,
        admitted.map(() => randomUUID()),
        admitted.map((a) => a.row.tenantId),
        admitted.map((a) => a.request.actor),
        admitted.map((a) => a.row.name),
        queued.map((q) => q.id),
        queued.map((q) => q.row.id),
        queued.map((q) => q.taskId),
        PENDING,
      ],
    );

    // The answers show what the transaction wrote.
    const taskOf = new Map(tasks.map((t) => [t.containerId as string, t]));
    const launches = new Map(
      queued.map((q) => [
        q.row.id,
        taskRequest(q.row, accounts.get(q.row.tenantId)?.mesosRole ?? '', q.taskId),
      ]),
    );
    const written = outcomes.map((o) => {
      if (o instanceof Error || !o.changed) return o;
      const row = o.container;
      const task = taskOf.get(row.id);
      const container = {
        ...row,
        desiredState: 'RUNNING',
        restartAt: null,
        restartCount: 0,
        state: row.state === 'EXITED' ? 'CREATED' : row.state,
        tasks: task ? [task] : row.tasks,
      } as ContainerRow;
      const launch = launches.get(row.id);
      return { container, changed: true, ...(launch ? { launch } : {}) };
    });
    return answerRepeats(written, repeats);
  }
}

/**
 * A container's later starts in a batch have nothing to do: each gets its first start's
 * refusal, or the container as the first start left it, unchanged by this one.
 */
function answerRepeats(
  outcomes: (StartOutcome | Error)[],
  repeats: { at: number; first: number }[],
): (StartOutcome | Error)[] {
  for (const { at, first } of repeats) {
    const answer = outcomes[first]!;
    outcomes[at] =
      answer instanceof Error ? answer : { container: answer.container, changed: false };
  }
  return outcomes;
}

/**
 * The tenants' claims, locked until the transaction ends, with their quota limits.
 * Every tenant gets its usage row when it is made; one missing is made here.
 */
async function lockAccounts(
  tx: SqlRunner,
  tenants: string[],
): Promise<Map<string, Limits & Claims>> {
  const lock = () =>
    tx.query<Limits & Claims & { tenantId: string }>(
      `SELECT u."tenantId", u.cpus, u."memMb", u."diskMb", u.gpus, t.slug, t."mesosRole",
              t."quotaCpusLimit", t."quotaMemLimit", t."quotaDiskLimit", t."quotaGpusLimit"
       FROM "TenantUsage" u JOIN "Tenant" t ON t.id = u."tenantId"
       WHERE u."tenantId" = ANY($1::text[])
       ORDER BY u."tenantId"
       FOR UPDATE OF u`,
      [tenants],
    );
  let rows = await lock();
  if (rows.length < tenants.length) {
    await tx.query(
      `INSERT INTO "TenantUsage" ("tenantId") SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`,
      [tenants],
    );
    rows = await lock();
  }
  return new Map(rows.map((a) => [a.tenantId, a]));
}

function needsOf(row: ContainerRow): PlacementNeeds {
  const spec = row.config as unknown as ContainerSpec;
  return {
    cpus: spec.cpus,
    memMb: spec.memoryMb,
    diskMb: spec.diskMb,
    gpus: spec.gpus,
    bestEffort: spec.bestEffort,
    ports: spec.ports,
    constraints: spec.constraints,
  };
}

/**
 * What a container claims of its tenant's quota. A best-effort one runs on revocable cpus
 * and memory, which Mesos never counts toward a role's quota (as the usage counters'
 * triggers, migration best_effort_claims_no_quota); its disk and gpus are firm.
 */
function quotaClaim(row: ContainerRow, claim: keyof Claims): number {
  return row.bestEffort && (claim === 'cpus' || claim === 'memMb') ? 0 : row[claim];
}

function overQuota(account: Limits & Claims, row: ContainerRow): ShoalError | undefined {
  for (const [resource, claim, limitKey, unit] of QUOTA_CLAIMS) {
    const limit = account[limitKey];
    const wanted = quotaClaim(row, claim);
    if (limit === null || wanted <= 0) continue;
    if (account[claim] + wanted > limit + 1e-9) {
      return new ShoalError(
        'QUOTA_EXCEEDED',
        `Quota exceeded for tenant "${account.slug}": ${resource} limit is ${shownAmount(limit)}${unit}, ${shownAmount(account[claim])}${unit} already in use, this container needs ${shownAmount(wanted)}${unit}`,
      );
    }
  }
  return undefined;
}
