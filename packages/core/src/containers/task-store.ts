import { randomUUID } from 'node:crypto';
import type { Container, PrismaClient, Sql, SqlRunner, Task } from '@shoal/db';
import type { TaskStatus } from '@shoal/mesos';
import type { FrameworkStore, LaunchRecord } from '@shoal/scheduler';
import type { ContainerEventBus } from '../events/event-bus';
import { isTerminal, PENDING, speakingTask, TERMINAL_STATES } from './lifecycle';
import { publishChange } from './publish';
import type { ContainerRow } from './rows';
import { groupKeyOf } from './spec';
import { applyStatus, type ContainerWork } from './task-transitions';
import type { ContainerAction } from './types';

const FRAMEWORK_ROW = 1;

export interface OrphanTask {
  taskId: string;
  agentId?: string;
}

interface Published {
  container: Container;
  action: ContainerAction;
  attributes?: Record<string, string>;
}

/**
 * The framework's durable memory in PostgreSQL. Launches and status updates
 * come in batches: a batch of updates is stored (task rows, history rows,
 * container states) in one transaction before the framework acknowledges
 * any of them, and the container rows they touch are locked meanwhile, so a
 * concurrent stop or start sees the state before or after, never between.
 */
export class TaskStore implements FrameworkStore {
  /**
   * Called for a task reporting itself alive that should not be: one Shoal has
   * no record of (of a removed container), one already replaced, or one of a
   * container meant to be stopped. It should be killed now: an earlier kill
   * may have been lost while its agent was unreachable.
   */
  onUnwanted: (task: OrphanTask) => void = () => undefined;
  /** Called with queued tasks (Mesos task ids) that were dropped before launch: unqueue them. */
  onCancelled: (taskIds: string[]) => void = () => undefined;
  /** Called after updates that may need the supervisor (a task ended: restarts, replacements). */
  onChange: () => void = () => undefined;
  /** Called with the containers a batch changed, as stored, each with its task (speakingTask). */
  onContainersChanged: (rows: ContainerRow[]) => void = () => undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
    private readonly events: ContainerEventBus,
  ) {}

  async frameworkId(): Promise<string | undefined> {
    const row = await this.prisma.frameworkState.findUnique({ where: { id: FRAMEWORK_ROW } });
    return row?.frameworkId ?? undefined;
  }

  async saveFrameworkId(frameworkId: string): Promise<void> {
    await this.prisma.frameworkState.upsert({
      where: { id: FRAMEWORK_ROW },
      create: { id: FRAMEWORK_ROW, frameworkId, subscribedAt: new Date() },
      update: { frameworkId, subscribedAt: new Date() },
    });
  }

  async failoverTimeoutSeconds(): Promise<number | undefined> {
    const row = await this.prisma.frameworkState.findUnique({ where: { id: FRAMEWORK_ROW } });
    return row?.failoverTimeoutSeconds;
  }

  async recordLaunches(launches: LaunchRecord[]): Promise<Set<string>> {
    if (launches.length === 0) return new Set();
    // Only tasks still queued: one dropped meanwhile (stopped, or its replacement no
    // longer needed) must not be launched.
    const launched = await this.sql.query<{ mesosTaskId: string }>(
      `UPDATE "Task" t SET state = 'TASK_STAGING', "agentId" = l.agent, hostname = l.host,
              "agentEndpoint" = l.endpoint, ports = l.ports, "updatedAt" = $6::timestamp
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
         AS l(task, agent, host, endpoint, ports)
       WHERE t."mesosTaskId" = l.task AND t.state = '${PENDING}'
       RETURNING t."mesosTaskId"`,
      [
        launches.map((l) => l.taskId),
        launches.map((l) => l.agentId),
        launches.map((l) => l.hostname),
        launches.map((l) => l.agentEndpoint ?? null),
        launches.map((l) => JSON.stringify(l.ports)),
        new Date().toISOString(),
      ],
    );
    return new Set(launched.map((l) => l.mesosTaskId));
  }

  /** Why queued tasks wait, kept as their message (their state stays queued). */
  async noteWaiting(reasons: { taskId: string; reason: string }[]): Promise<void> {
    if (reasons.length === 0) return;
    await this.sql.query(
      `UPDATE "Task" t SET message = w.reason
       FROM unnest($1::text[], $2::text[]) AS w(task, reason)
       WHERE t."mesosTaskId" = w.task AND t.state = '${PENDING}'`,
      [reasons.map((r) => r.taskId), reasons.map((r) => r.reason)],
    );
  }

  async liveTasks(): Promise<{ taskId: string; agentId?: string; groupKey?: string }[]> {
    const tasks = await this.prisma.task.findMany({
      where: { state: { notIn: [PENDING, ...TERMINAL_STATES] } },
      select: {
        mesosTaskId: true,
        agentId: true,
        container: { select: { id: true, tenantId: true, config: true } },
      },
    });
    return tasks.map((t) => ({
      taskId: t.mesosTaskId,
      groupKey: groupKeyOf(t.container),
      ...(t.agentId ? { agentId: t.agentId } : {}),
    }));
  }

  async recordStatuses(statuses: TaskStatus[]): Promise<void> {
    if (statuses.length === 0) return;
    const now = new Date();
    const unwanted: OrphanTask[] = [];
    const cancelled: string[] = [];
    const published: Published[] = [];
    let needsSupervisor = false;
    const changed = await this.sql.transaction(async (tx) => {
      unwanted.length = cancelled.length = published.length = 0;
      const works = await this.lockContainers(tx, statuses);
      const history: HistoryRow[] = [];
      const updatesOf = new Map<string, number>();
      const written = new Set<Task>();
      for (const status of statuses) {
        const taskId = status.task_id.value;
        const work = works.byTask.get(taskId);
        const task = work && [...work.tasks.values()].find((t) => t.mesosTaskId === taskId);
        const agentId = status.agent_id?.value;
        const orphan = { taskId, ...(agentId ? { agentId } : {}) };
        if (!work || !task) {
          if (!isTerminal(status.state)) unwanted.push(orphan);
          continue;
        }
        const effects = applyStatus(work, task, status, now);
        if (effects.unwanted) unwanted.push(orphan);
        for (const t of effects.retired)
          unwanted.push({ taskId: t.mesosTaskId, ...(t.agentId ? { agentId: t.agentId } : {}) });
        cancelled.push(...effects.cancelled.map((t) => t.mesosTaskId));
        for (const t of effects.cancelled) works.deleted.push(t.id);
        if (effects.recorded) {
          written.add(task);
          // A batch may hold several changes of one task (an agent lost and back): each a
          // millisecond after the last, so its history reads in the order they happened.
          const earlier = updatesOf.get(task.id) ?? 0;
          updatesOf.set(task.id, earlier + 1);
          history.push({
            task: { ...task },
            source: status.source ?? null,
            at: new Date(now.getTime() + earlier),
          });
        }
        for (const e of effects.events) published.push({ container: work.row, ...e });
        // An end may mean a restart, or a replacement to launch; unreachable agents and
        // replacements that run are handled by the periodic pass and by `retired` above.
        if (effects.recorded && isTerminal(status.state)) needsSupervisor = true;
      }
      const rows = [...works.containers.values()].filter((w) => w.changed);
      await writeChanges(
        tx,
        [...written],
        history,
        rows.map((w) => w.row),
        now,
      );
      if (works.deleted.length > 0)
        await tx.query(`DELETE FROM "Task" WHERE id = ANY($1::text[]) AND state = '${PENDING}'`, [
          works.deleted,
        ]);
      return [...works.containers.values()].filter(
        (w) => w.changed || [...w.tasks.values()].some((t) => written.has(t)),
      );
    });

    if (cancelled.length > 0) this.onCancelled(cancelled);
    for (const task of unwanted) this.onUnwanted(task);
    // Dated when published, not when the batch began: a `docker events --since` that
    // subscribed meanwhile must not see it both replayed and live.
    for (const { container, action, attributes } of published)
      publishChange(this.events, container, action, attributes);
    if (changed.length > 0) this.onContainersChanged(changed.map(withSpeakingTask));
    if (needsSupervisor) this.onChange();
  }

  /**
   * The containers of the updated tasks, locked (in id order, as every writer of
   * containers locks them) with each one's tasks that are not ended.
   */
  private async lockContainers(tx: SqlRunner, statuses: TaskStatus[]) {
    const taskIds = [...new Set(statuses.map((s) => s.task_id.value))];
    const containers = await tx.query<Container>(
      `SELECT c.* FROM "Container" c
       WHERE c.id IN (SELECT "containerId" FROM "Task" WHERE "mesosTaskId" = ANY($1::text[]))
       ORDER BY c.id FOR UPDATE`,
      [taskIds],
    );
    // Each container's tasks are found through the index on its id, one container at a
    // time (OFFSET 0 keeps the lateral subquery from being merged into a join), and then
    // locked by primary key. As a plain join or `"containerId" = ANY(…)`, the planner
    // chose to read every task in the cluster for each batch of updates.
    const tasks = await tx.query<Task>(
      `SELECT * FROM "Task"
       WHERE id = ANY(ARRAY(
         SELECT k.id FROM unnest($1::text[]) AS w(container)
         JOIN LATERAL (
           SELECT id FROM "Task"
           WHERE "containerId" = w.container
             AND (state <> ALL($2::text[]) OR "mesosTaskId" = ANY($3::text[]))
           OFFSET 0
         ) k ON true))
       ORDER BY id FOR UPDATE`,
      [containers.map((c) => c.id), TERMINAL_STATES, taskIds],
    );
    const works = new Map<string, ContainerWork>(
      containers.map((row) => [row.id, { row, tasks: new Map(), changed: false }]),
    );
    const byTask = new Map<string, ContainerWork>();
    for (const task of tasks) {
      const work = works.get(task.containerId);
      if (!work) continue;
      work.tasks.set(task.id, task);
      byTask.set(task.mesosTaskId, work);
    }
    return { containers: works, byTask, deleted: [] as string[] };
  }
}

function withSpeakingTask(work: ContainerWork): ContainerRow {
  const task = speakingTask(work.tasks.values());
  return { ...work.row, tasks: task ? [task] : [] };
}

interface HistoryRow {
  task: Task;
  source: string | null;
  at: Date;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * The tasks' new states, their history and their containers, in one statement: each
 * write alone was a round trip more with the containers locked. Each part reads its own
 * arrays, and an empty one writes nothing.
 */
async function writeChanges(
  tx: SqlRunner,
  tasks: Task[],
  history: HistoryRow[],
  containers: Container[],
  now: Date,
): Promise<void> {
  if (tasks.length === 0 && history.length === 0 && containers.length === 0) return;
  await tx.query(
    `WITH tasks AS (
       UPDATE "Task" t SET state = u.state, reason = u.reason, message = u.message,
              "agentId" = u.agent, "updatedAt" = $6::timestamp,
              -- The log sampler notes a task's file sizes once it runs, and its final
              -- ones once it ends (see LogSampler).
              "logsDueAt" = CASE
                WHEN t.state IS DISTINCT FROM u.state AND t."agentEndpoint" IS NOT NULL
                  AND (u.state = 'TASK_RUNNING' OR u.state = ANY($25::text[]))
                THEN $6::timestamp ELSE t."logsDueAt" END
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         AS u(id, state, reason, message, agent)
       WHERE t.id = u.id
     ), history AS (
       INSERT INTO "TaskUpdate" (id, "taskId", state, reason, message, source, at)
       SELECT id, task, state, reason, message, source, at
       FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                   $13::timestamp[])
         AS h(id, task, state, reason, message, source, at)
     )
     UPDATE "Container" c SET
       state = u.state::"ContainerState", "desiredState" = u.desired::"DesiredState",
       name = u.name, "exitCode" = u.exit, error = u.error, "restartCount" = u.restarts,
       "restartAt" = u.restart_at, "startedAt" = u.started, "finishedAt" = u.finished,
       "updatedAt" = u.updated
     FROM unnest($14::text[], $15::text[], $16::text[], $17::text[], $18::int[], $19::text[],
                 $20::int[], $21::timestamp[], $22::timestamp[], $23::timestamp[],
                 $24::timestamp[])
       AS u(id, state, desired, name, exit, error, restarts, restart_at, started, finished, updated)
     WHERE c.id = u.id`,
    [
      tasks.map((t) => t.id),
      tasks.map((t) => t.state),
      tasks.map((t) => t.reason),
      tasks.map((t) => t.message),
      tasks.map((t) => t.agentId),
      now.toISOString(),
      history.map(() => randomUUID()),
      history.map((h) => h.task.id),
      history.map((h) => h.task.state),
      history.map((h) => h.task.reason),
      history.map((h) => h.task.message),
      history.map((h) => h.source),
      history.map((h) => h.at.toISOString()),
      containers.map((r) => r.id),
      containers.map((r) => r.state),
      containers.map((r) => r.desiredState),
      containers.map((r) => r.name),
      containers.map((r) => r.exitCode),
      containers.map((r) => r.error),
      containers.map((r) => r.restartCount),
      containers.map((r) => iso(r.restartAt)),
      containers.map((r) => iso(r.startedAt)),
      containers.map((r) => iso(r.finishedAt)),
      containers.map((r) => iso(r.updatedAt)),
      TERMINAL_STATES,
    ],
  );
}
