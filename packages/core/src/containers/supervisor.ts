import type { PrismaClient } from '@shoal/db';
import { isLaunched, PENDING, TERMINAL_STATES } from './lifecycle';
import type { ConvergeTrigger, TaskLauncher } from './ports';
import { newTaskId, taskRequest } from './task-request';

export interface SupervisorOptions {
  /** Safety-net pass interval; changes made here also wake it at once. */
  intervalMs: number;
  /** A task whose agent is unreachable this long gets a replacement elsewhere. */
  unreachableReplaceAfterMs: number;
  /** A kill that Mesos has not confirmed is sent again after this long. */
  killRetryMs: number;
  /** Containers handled per pass, so one pass stays short under a flood of starts. */
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
  minPassSpacingMs: 100,
};

const LIVE_STATES = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING'];
const NOT_ENDED = { notIn: [...TERMINAL_STATES] };
/** Docker states of a container that is meant to run but does not. */
const WAITING_TO_RUN = ['CREATED', 'RESTARTING', 'EXITED', 'DEAD', 'PAUSED'] as const;
/**
 * Scans that look at every task (orphaned queued tasks, replaced tasks left alive)
 * run on the first pass and every this many after: status updates handle both as
 * they happen, and these only catch what a crash or a lost kill left behind.
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

  constructor(
    private readonly prisma: PrismaClient,
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

  /** A task alive that should not be (see TaskStore.onUnwanted): killed now, whatever was sent before. */
  killUnwanted(taskId: string, agentId?: string): void {
    this.killsSent.set(taskId, Date.now());
    void this.launcher
      .kill(taskId, agentId)
      .catch((e: unknown) => this.onError(`kill of task ${taskId} failed`, e));
  }

  private async pass(): Promise<void> {
    const safety = this.passes++ % SAFETY_EVERY_PASSES === 0;
    const forgotten = Date.now() - 2 * this.options.killRetryMs;
    for (const [taskId, at] of this.killsSent) if (at < forgotten) this.killsSent.delete(taskId);
    await this.purgeRemoved();
    await this.launchWanted();
    if (safety) await this.requeuePending();
    await this.killStopped();
    await this.replaceDisplaced();
    if (safety) await this.retireReplaced();
  }

  private async launchWanted(): Promise<void> {
    const now = new Date();
    // Only containers with no task in flight: the query stays small however many run.
    const containers = await this.prisma.container.findMany({
      where: {
        state: { in: [...WAITING_TO_RUN] },
        desiredState: 'RUNNING',
        OR: [{ restartAt: null }, { restartAt: { lte: now } }],
        tasks: { none: { state: NOT_ENDED } },
      },
      include: { tenant: { select: { mesosRole: true } } },
      orderBy: { updatedAt: 'asc' },
      take: this.options.batchSize,
    });
    if (containers.length === 0) return;
    const fresh = containers.map((c) => ({ container: c, mesosTaskId: newTaskId(c.id) }));
    await this.prisma.task.createMany({
      data: fresh.map((f) => ({
        containerId: f.container.id,
        mesosTaskId: f.mesosTaskId,
        state: PENDING,
      })),
    });
    this.launcher.submitAll(
      fresh.map((f) => taskRequest(f.container, f.container.tenant.mesosRole, f.mesosTaskId)),
    );
  }

  /** Removed containers whose tasks have ended are deleted once attached readers had their time. */
  private async purgeRemoved(): Promise<void> {
    await this.prisma.container.deleteMany({
      where: {
        state: 'REMOVING',
        updatedAt: { lt: new Date(Date.now() - REMOVED_KEPT_MS) },
        tasks: { none: { state: { notIn: [PENDING, ...TERMINAL_STATES] } } },
      },
    });
  }

  /** Tasks queued by a process that has since stopped (or lost leadership) are queued here again. */
  private async requeuePending(): Promise<void> {
    const tasks = await this.prisma.task.findMany({
      where: { state: PENDING, container: { desiredState: 'RUNNING' } },
      include: { container: { include: { tenant: { select: { mesosRole: true } } } } },
      take: this.options.batchSize,
    });
    this.launcher.submitAll(
      tasks
        .filter((t) => !this.launcher.isPending(t.mesosTaskId))
        .map((t) => taskRequest(t.container, t.container.tenant.mesosRole, t.mesosTaskId)),
    );
  }

  private async killStopped(): Promise<void> {
    // Every stop, kill and forced remove marks the task it kills.
    const tasks = await this.prisma.task.findMany({
      where: {
        state: { in: [...LIVE_STATES, 'TASK_UNREACHABLE'] },
        killedBy: { not: null },
        container: { desiredState: 'STOPPED' },
      },
      select: { mesosTaskId: true, agentId: true, killedBy: true },
      take: this.options.batchSize,
    });
    for (const task of tasks)
      this.sendKill(task.mesosTaskId, task.agentId, task.killedBy === 'stop' ? 10 : 0);
    const stale = await this.prisma.task.findMany({
      where: { state: PENDING, container: { desiredState: 'STOPPED' } },
      select: { id: true, mesosTaskId: true },
    });
    for (const task of stale) this.launcher.cancel(task.mesosTaskId);
    if (stale.length > 0)
      await this.prisma.task.deleteMany({
        where: { id: { in: stale.map((t) => t.id) }, state: PENDING },
      });
  }

  /** Running containers whose task sits on an unreachable or draining agent get a second task. */
  private async replaceDisplaced(): Promise<void> {
    const unreachableSince = new Date(Date.now() - this.options.unreachableReplaceAfterMs);
    const displaced = await this.prisma.task.findMany({
      where: {
        OR: [
          { state: 'TASK_UNREACHABLE', updatedAt: { lte: unreachableSince } },
          ...(this.drainingAgents.size > 0
            ? [{ state: { in: LIVE_STATES }, agentId: { in: [...this.drainingAgents] } }]
            : []),
        ],
        container: { desiredState: 'RUNNING', state: 'RUNNING' },
      },
      select: { containerId: true },
      distinct: ['containerId'],
      take: this.options.batchSize,
    });
    if (displaced.length === 0) return;
    const containers = await this.prisma.container.findMany({
      where: { id: { in: displaced.map((d) => d.containerId) } },
      include: {
        tenant: { select: { mesosRole: true } },
        tasks: { where: { state: NOT_ENDED }, orderBy: { launchedAt: 'desc' }, take: 1 },
      },
    });
    const fresh: { container: (typeof containers)[number]; mesosTaskId: string }[] = [];
    for (const c of containers) {
      const latest = c.tasks[0];
      // Replace only the newest live task, and only once (a queued replacement is newer).
      const onDrainingAgent = latest?.agentId ? this.drainingAgents.has(latest.agentId) : false;
      if (!latest || !(latest.state === 'TASK_UNREACHABLE' || onDrainingAgent)) continue;
      if (!isLaunched(latest.state)) continue;
      fresh.push({ container: c, mesosTaskId: newTaskId(c.id) });
    }
    if (fresh.length === 0) return;
    await this.prisma.task.createMany({
      data: fresh.map((f) => ({
        containerId: f.container.id,
        mesosTaskId: f.mesosTaskId,
        state: PENDING,
      })),
    });
    this.launcher.submitAll(
      fresh.map((f) => taskRequest(f.container, f.container.tenant.mesosRole, f.mesosTaskId)),
    );
  }

  /** Once a container's newest task runs, older live tasks (replaced ones) are killed. */
  private async retireReplaced(): Promise<void> {
    const crowded = await this.prisma.task.groupBy({
      by: ['containerId'],
      where: { state: { in: [...LIVE_STATES, 'TASK_UNREACHABLE'] } },
      having: { containerId: { _count: { gt: 1 } } },
      orderBy: { containerId: 'asc' },
      take: this.options.batchSize,
    });
    if (crowded.length === 0) return;
    const containers = await this.prisma.container.findMany({
      where: { id: { in: crowded.map((c) => c.containerId) }, state: 'RUNNING' },
      select: {
        tasks: {
          where: { state: { not: PENDING } },
          orderBy: { launchedAt: 'desc' },
          select: { mesosTaskId: true, agentId: true, state: true },
        },
      },
    });
    for (const c of containers) {
      const [latest, ...older] = c.tasks;
      if (latest?.state !== 'TASK_RUNNING') continue;
      for (const task of older)
        if (isLaunched(task.state)) this.sendKill(task.mesosTaskId, task.agentId, 10);
    }
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
