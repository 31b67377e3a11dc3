import { randomUUID } from 'node:crypto';
import type { Container, Sql, Task } from '@shoal/db';
import { isLaunched, PENDING, TERMINAL_STATES } from './lifecycle';
import type { ConvergeTrigger, TaskLauncher } from './ports';
import { newTaskId, taskRequest } from './task-request';

export interface SupervisorOptions {
  /**
   * Safety-net pass interval (changes made here also wake it at once); the sweep for
   * replaced tasks reads a slice once an interval.
   */
  intervalMs: number;
  /** A task whose agent is unreachable this long gets a replacement elsewhere. */
  unreachableReplaceAfterMs: number;
  /** A kill that Mesos has not confirmed is sent again after this long. */
  killRetryMs: number;
  /**
   * Containers handled per pass, so one pass stays short under a flood of starts; and
   * tasks in a slice of the sweep for replaced tasks left alive.
   */
  batchSize: number;
  /**
   * Passes are at least this far apart: a busy cluster wakes the supervisor with
   * every batch of status updates, and one pass covers them all.
   */
  minPassSpacingMs: number;
}

export const DEFAULT_SUPERVISOR_OPTIONS: SupervisorOptions = {
  intervalMs: 2_000,
  unreachableReplaceAfterMs: 60_000,
  killRetryMs: 30_000,
  batchSize: 2_000,
  minPassSpacingMs: 250,
};

const LIVE_STATES = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING'];
/** Launched and not ended, unreachable ones included. */
const LAUNCHED_STATES = [...LIVE_STATES, 'TASK_UNREACHABLE'];
/** Docker states of a container that is meant to run but does not. */
const WAITING_TO_RUN = ['CREATED', 'RESTARTING', 'EXITED', 'DEAD', 'PAUSED'];

type Launchable = Pick<Container, 'id' | 'tenantId' | 'name' | 'config'> & { mesosRole: string };
/**
 * The scan for orphaned queued tasks runs on the first pass and every this many after:
 * status updates handle them as they happen, and it only catches what a crash left behind.
 */
const SAFETY_EVERY_PASSES = 10;
/** How long a removed container's id still resolves (for a client reading its last output). */
const REMOVED_KEPT_MS = 30_000;

/**
 * Runs on the process holding the Mesos subscription and makes actual state
 * follow desired state: launches containers meant to run (respecting restart
 * backoff), re-queues launches lost with a restart, kills tasks of containers
 * meant to stop, replaces tasks on unreachable or draining agents and, once a
 * replacement runs, kills what it replaced. Each pass is a few indexed queries
 * whose cost follows the work to do, not the number of containers.
 */
export class ContainerSupervisor implements ConvergeTrigger {
  private timer: NodeJS.Timeout | undefined;
  private delayed: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private lastPass = 0;
  private readonly killsSent = new Map<string, number>();
  private readonly drainingAgents = new Set<string>();
  private stopped = false;
  private passes = 0;
  /** The container id the last slice of the replaced-task sweep ended at ('' : none yet). */
  private sweptUpTo = '';
  private lastSlice = 0;

  constructor(
    private readonly sql: Sql,
    private readonly launcher: TaskLauncher,
    private readonly options: SupervisorOptions = DEFAULT_SUPERVISOR_OPTIONS,
    private readonly onError: (message: string, error: unknown) => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.intervalMs);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.delayed);
    await this.running;
  }

  /** Coalesces: a wake during a pass makes exactly one more pass, no sooner than the spacing. */
  wake(): void {
    if (this.stopped || this.delayed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const wait = this.lastPass + this.options.minPassSpacingMs - Date.now();
    if (wait > 0) {
      this.delayed = setTimeout(() => {
        this.delayed = undefined;
        this.wake();
      }, wait);
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => this.onError('supervisor pass failed', error))
      .finally(() => {
        this.running = undefined;
        this.lastPass = Date.now();
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Tasks on this agent get replacements elsewhere before they are killed. */
  drainAgent(agentId: string): void {
    this.drainingAgents.add(agentId);
    this.wake();
  }

  /** The agent is out of maintenance: its tasks stay where they are. */
  agentAvailable(agentId: string): void {
    this.drainingAgents.delete(agentId);
  }

  /** A task alive that should not be (see TaskStore.onUnwanted): killed now, whatever was sent before. */
  killUnwanted(taskId: string, agentId?: string): void {
    this.killsSent.set(taskId, Date.now());
    void this.launcher
      .kill(taskId, agentId)
      .catch((e: unknown) => this.onError(`kill of task ${taskId} failed`, e));
  }

  /** One pass now, as the timer and wake() run them (benchmarks time it). */
  async pass(): Promise<void> {
    const startedAt = Date.now();
    const safety = this.passes++ % SAFETY_EVERY_PASSES === 0;
    const forgotten = startedAt - 2 * this.options.killRetryMs;
    for (const [taskId, at] of this.killsSent) if (at < forgotten) this.killsSent.delete(taskId);
    await this.purgeRemoved();
    await this.launchWanted();
    if (safety) await this.requeuePending();
    await this.killStopped();
    await this.replaceDisplaced();
    // A slice an interval, however often status updates wake the supervisor: under a
    // flood of launches passes come every few hundred ms, and a slice at each cost
    // PostgreSQL more than the whole read every tenth pass had. Timed from the passes'
    // starts, which the timer keeps an interval apart: taken after the queries above, a
    // pass whose queries ran quicker than the last one's came in under the interval and
    // read no slice.
    const first = this.passes === 1;
    if (first || startedAt - this.lastSlice >= this.options.intervalMs) {
      this.lastSlice = startedAt;
      await this.retireReplaced(first);
    }
  }

  private async launchWanted(): Promise<void> {
    // Only containers with no task in flight: the query stays small however many run.
    // The state is compared as the enum it is: cast to text, it could not use the index
    // on (state, desiredState), and each pass read every container.
    const containers = await this.sql.query<Launchable>(
      `SELECT c.id, c."tenantId", c.name, c.config, t."mesosRole"
       FROM "Container" c JOIN "Tenant" t ON t.id = c."tenantId"
       WHERE c.state = ANY($1::"ContainerState"[]) AND c."desiredState" = 'RUNNING'
         AND (c."restartAt" IS NULL OR c."restartAt" <= $2::timestamp)
         AND NOT EXISTS (SELECT 1 FROM "Task" k
                         WHERE k."containerId" = c.id AND k.state <> ALL($3::text[]))
       ORDER BY c."updatedAt" LIMIT $4`,
      [WAITING_TO_RUN, new Date().toISOString(), TERMINAL_STATES, this.options.batchSize],
    );
    await this.queue(containers);
  }

  /** New tasks for containers: stored as queued, then handed to the framework together. */
  private async queue(containers: Launchable[]): Promise<void> {
    if (containers.length === 0) return;
    const fresh = containers.map((c) => ({ container: c, mesosTaskId: newTaskId(c.id) }));
    const now = new Date().toISOString();
    // Only for containers that are still there, locked as a foreign key would: one
    // removed since it was read gets no task, and its removal waits for these.
    const stored = await this.sql.query<{ mesosTaskId: string }>(
      `INSERT INTO "Task" (id, "containerId", "mesosTaskId", state, "launchedAt", "updatedAt")
       SELECT q.id, q.container, q.task, $4, $5::timestamp, $5::timestamp
       FROM unnest($1::text[], $2::text[], $3::text[]) AS q(id, container, task)
       JOIN (SELECT id FROM "Container" WHERE id = ANY($2::text[]) FOR KEY SHARE) c
         ON c.id = q.container
       RETURNING "mesosTaskId"`,
      [
        fresh.map(() => randomUUID()),
        fresh.map((f) => f.container.id),
        fresh.map((f) => f.mesosTaskId),
        PENDING,
        now,
      ],
    );
    const queued = new Set(stored.map((t) => t.mesosTaskId));
    this.launcher.submitAll(
      fresh
        .filter((f) => queued.has(f.mesosTaskId))
        .map((f) => taskRequest(f.container, f.container.mesosRole, f.mesosTaskId)),
    );
  }

  /** Removed containers whose tasks have ended are deleted once attached readers had their time. */
  private async purgeRemoved(): Promise<void> {
    await this.sql.query(
      `DELETE FROM "Container" c
       WHERE c.state = 'REMOVING' AND c."updatedAt" < $1::timestamp
         AND NOT EXISTS (SELECT 1 FROM "Task" k
                         WHERE k."containerId" = c.id AND k.state = ANY($2::text[]))`,
      [new Date(Date.now() - REMOVED_KEPT_MS).toISOString(), LAUNCHED_STATES],
    );
  }

  /** Tasks queued by a process that has since stopped (or lost leadership) are queued here again. */
  private async requeuePending(): Promise<void> {
    const tasks = await this.sql.query<Launchable & { mesosTaskId: string }>(
      `SELECT k."mesosTaskId", c.id, c."tenantId", c.name, c.config, t."mesosRole"
       FROM "Task" k JOIN "Container" c ON c.id = k."containerId"
       JOIN "Tenant" t ON t.id = c."tenantId"
       WHERE k.state = $1 AND c."desiredState" = 'RUNNING'
       LIMIT $2`,
      [PENDING, this.options.batchSize],
    );
    this.launcher.submitAll(
      tasks
        .filter((t) => !this.launcher.isPending(t.mesosTaskId))
        .map((t) => taskRequest(t, t.mesosRole, t.mesosTaskId)),
    );
  }

  private async killStopped(): Promise<void> {
    // Every stop, kill and forced remove marks the tasks it kills; a start since then
    // wants a new task, not that one.
    const tasks = await this.sql.query<Pick<Task, 'mesosTaskId' | 'agentId' | 'killedBy'>>(
      `SELECT k."mesosTaskId", k."agentId", k."killedBy"
       FROM "Task" k
       WHERE k.state = ANY($1::text[]) AND k."killedBy" IS NOT NULL
       LIMIT $2`,
      [LAUNCHED_STATES, this.options.batchSize],
    );
    for (const task of tasks) {
      const graceful = task.killedBy === 'stop' || task.killedBy === 'signal';
      this.sendKill(task.mesosTaskId, task.agentId, graceful ? 10 : 0);
    }
    const stale = await this.sql.query<Pick<Task, 'mesosTaskId'>>(
      `DELETE FROM "Task" k USING "Container" c
       WHERE c.id = k."containerId" AND k.state = $1 AND c."desiredState" = 'STOPPED'
       RETURNING k."mesosTaskId"`,
      [PENDING],
    );
    for (const task of stale) this.launcher.cancel(task.mesosTaskId);
  }

  /** Running containers whose task sits on an unreachable or draining agent get a second task. */
  private async replaceDisplaced(): Promise<void> {
    const unreachableSince = new Date(Date.now() - this.options.unreachableReplaceAfterMs);
    const displaced = await this.sql.query<{ containerId: string }>(
      `SELECT DISTINCT "containerId" FROM "Task"
       WHERE state = 'TASK_UNREACHABLE' AND "updatedAt" <= $1::timestamp
       LIMIT $2`,
      [unreachableSince.toISOString(), this.options.batchSize],
    );
    // Asked only while an agent drains: no index finds tasks by agent, so this reads every
    // live task. Folded into the query above as an arm that can match nothing, it made the
    // planner read every live task at every pass all the same.
    if (this.drainingAgents.size > 0)
      displaced.push(
        ...(await this.sql.query<{ containerId: string }>(
          `SELECT DISTINCT "containerId" FROM "Task"
           WHERE state = ANY($1::text[]) AND "agentId" = ANY($2::text[])
           LIMIT $3`,
          [LIVE_STATES, [...this.drainingAgents], this.options.batchSize],
        )),
      );
    if (displaced.length === 0) return;
    // Replaced only if its newest task is itself the displaced one: a queued replacement
    // would be newer.
    const newest = await this.sql.query<Launchable & Pick<Task, 'state' | 'agentId'>>(
      `SELECT c.id, c."tenantId", c.name, c.config, t."mesosRole", n.state, n."agentId"
       FROM "Container" c JOIN "Tenant" t ON t.id = c."tenantId"
       JOIN LATERAL (
         SELECT state, "agentId" FROM "Task" k
         WHERE k."containerId" = c.id AND k.state <> ALL($2::text[])
         ORDER BY k."launchedAt" DESC LIMIT 1
       ) n ON true
       WHERE c.id = ANY($1::text[]) AND c."desiredState" = 'RUNNING' AND c.state = 'RUNNING'`,
      [displaced.map((d) => d.containerId), TERMINAL_STATES],
    );
    await this.queue(
      newest.filter(
        (c) =>
          isLaunched(c.state) &&
          (c.state === 'TASK_UNREACHABLE' ||
            (c.agentId !== null && this.drainingAgents.has(c.agentId))),
      ),
    );
  }

  /**
   * Once a container's newest live task runs, older live tasks (replaced ones) are
   * killed. Tasks that ended are left out: a newer launch that was lost must not
   * shelter an older duplicate. Status updates retire them as they happen; this catches
   * what a crash or a lost kill left behind, so it looks at every task: it reads one
   * slice of them an interval (by container id, from where the last slice ended) and a
   * sweep of the cluster spans passes. One read of every task, every tenth pass, held a
   * PostgreSQL core for 100 ms and more at 30,000 containers, and every request waiting
   * on the database waited that long. The first pass sweeps it all, as a new leader must.
   */
  private async retireReplaced(wholeSweep: boolean): Promise<void> {
    do {
      const [slice] = await this.sql.query<{ last: string | null; tasks: number }>(
        `SELECT max("containerId") AS last, count(*)::int AS tasks
         FROM (SELECT "containerId" FROM "Task" WHERE "containerId" > $1
               ORDER BY "containerId" LIMIT $2) s`,
        [this.sweptUpTo, this.options.batchSize],
      );
      if (!slice?.last) {
        this.sweptUpTo = '';
        return;
      }
      const older = await this.sql.query<Pick<Task, 'mesosTaskId' | 'agentId'>>(
        `WITH crowded AS (
           SELECT "containerId" FROM "Task"
           WHERE "containerId" > $2 AND "containerId" <= $3 AND state = ANY($1::text[])
           GROUP BY "containerId" HAVING count(*) > 1
         ),
         ranked AS (
           SELECT k."mesosTaskId", k."agentId", k.state,
                  first_value(k.state) OVER (PARTITION BY k."containerId" ORDER BY k."launchedAt" DESC) AS newest,
                  row_number() OVER (PARTITION BY k."containerId" ORDER BY k."launchedAt" DESC) AS rank
           FROM "Task" k JOIN crowded USING ("containerId")
           JOIN "Container" c ON c.id = k."containerId"
           WHERE k.state = ANY($1::text[]) AND c.state = 'RUNNING'
         )
         SELECT "mesosTaskId", "agentId" FROM ranked
         WHERE rank > 1 AND newest = 'TASK_RUNNING'`,
        [LAUNCHED_STATES, this.sweptUpTo, slice.last],
      );
      for (const task of older) this.sendKill(task.mesosTaskId, task.agentId, 10);
      // A short slice reached the end: the next one starts the sweep over.
      this.sweptUpTo = slice.tasks < this.options.batchSize ? '' : slice.last;
    } while (wholeSweep && this.sweptUpTo !== '' && !this.stopped);
  }

  private sendKill(taskId: string, agentId: string | null, graceSeconds: number): void {
    const last = this.killsSent.get(taskId);
    if (last !== undefined && Date.now() - last < this.options.killRetryMs) return;
    this.killsSent.set(taskId, Date.now());
    void this.launcher
      .kill(taskId, agentId ?? undefined, graceSeconds)
      .catch((e: unknown) => this.onError(`kill of task ${taskId} failed`, e));
  }
}
