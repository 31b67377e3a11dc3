import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@shoal/db';
import type { TaskRequest } from '@shoal/scheduler';
import { isLaunched, PENDING, TERMINAL_STATES } from './lifecycle';
import type { ConvergeTrigger, TaskLauncher } from './ports';
import { groupKeyOf } from './spec';
import type { ContainerSpec } from './types';

export interface SupervisorOptions {
  /** Safety-net pass interval; changes made here also wake it at once. */
  intervalMs: number;
  /** A task whose agent is unreachable this long gets a replacement elsewhere. */
  unreachableReplaceAfterMs: number;
  /** A kill that Mesos has not confirmed is sent again after this long. */
  killRetryMs: number;
  /** Containers handled per pass, so one pass stays short under a flood of starts. */
  batchSize: number;
}

export const DEFAULT_SUPERVISOR_OPTIONS: SupervisorOptions = {
  intervalMs: 2_000,
  unreachableReplaceAfterMs: 60_000,
  killRetryMs: 30_000,
  batchSize: 2_000,
};

const LIVE_STATES = { notIn: [PENDING, ...TERMINAL_STATES] };
/** Orphaned queued tasks are looked for on the first pass and every this many passes after. */
const REQUEUE_EVERY_PASSES = 10;
/** How long a removed container's id still resolves (for a client reading its last output). */
const REMOVED_KEPT_MS = 30_000;

/**
 * Runs on the process holding the Mesos subscription and makes actual state
 * follow desired state: launches containers meant to run (respecting restart
 * backoff), re-queues launches lost with a restart, kills tasks of containers
 * meant to stop, replaces tasks on unreachable or draining agents and, once a
 * replacement runs, kills what it replaced.
 */
export class ContainerSupervisor implements ConvergeTrigger {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
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
    await this.running;
  }

  /** Coalesces: a wake during a pass makes exactly one more pass. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => this.onError('supervisor pass failed', error))
      .finally(() => {
        this.running = undefined;
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
    await this.purgeRemoved();
    await this.launchWanted();
    await this.killStopped();
    await this.replaceDisplaced();
    await this.retireReplaced();
  }

  private async launchWanted(): Promise<void> {
    const now = new Date();
    // Only containers with no task in flight: the query stays small however many run.
    const containers = await this.prisma.container.findMany({
      where: {
        desiredState: 'RUNNING',
        state: { notIn: ['RUNNING', 'REMOVING'] },
        OR: [{ restartAt: null }, { restartAt: { lte: now } }],
        tasks: { none: { state: { notIn: [...TERMINAL_STATES] } } },
      },
      include: { tenant: { select: { mesosRole: true } } },
      orderBy: { updatedAt: 'asc' },
      take: this.options.batchSize,
    });
    const fresh = containers.map((c) => ({ container: c, mesosTaskId: newTaskId(c.id) }));
    if (fresh.length > 0) {
      await this.prisma.task.createMany({
        data: fresh.map((f) => ({
          containerId: f.container.id,
          mesosTaskId: f.mesosTaskId,
          state: PENDING,
        })),
      });
    }
    for (const f of fresh) this.launcher.submit(taskRequest(f.container, f.mesosTaskId));
    if (this.passes++ % REQUEUE_EVERY_PASSES === 0) await this.requeuePending();
  }

  /** Removed containers whose tasks have ended are deleted once attached readers had their time. */
  private async purgeRemoved(): Promise<void> {
    await this.prisma.container.deleteMany({
      where: {
        state: 'REMOVING',
        updatedAt: { lt: new Date(Date.now() - REMOVED_KEPT_MS) },
        tasks: { none: { state: LIVE_STATES } },
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
    for (const task of tasks) {
      if (!this.launcher.isPending(task.mesosTaskId))
        this.launcher.submit(taskRequest(task.container, task.mesosTaskId));
    }
  }

  private async killStopped(): Promise<void> {
    const tasks = await this.prisma.task.findMany({
      where: { state: LIVE_STATES, container: { desiredState: 'STOPPED' } },
      select: {
        mesosTaskId: true,
        agentId: true,
        killedBy: true,
        container: { select: { config: true } },
      },
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
      await this.prisma.task.deleteMany({ where: { id: { in: stale.map((t) => t.id) } } });
  }

  /** Running containers whose task sits on an unreachable or draining agent get a second task. */
  private async replaceDisplaced(): Promise<void> {
    const unreachableSince = new Date(Date.now() - this.options.unreachableReplaceAfterMs);
    const displaced = await this.prisma.container.findMany({
      where: {
        desiredState: 'RUNNING',
        state: 'RUNNING',
        tasks: {
          some: {
            OR: [
              { state: 'TASK_UNREACHABLE', updatedAt: { lte: unreachableSince } },
              ...(this.drainingAgents.size > 0
                ? [{ state: LIVE_STATES, agentId: { in: [...this.drainingAgents] } }]
                : []),
            ],
          },
        },
      },
      include: {
        tenant: { select: { mesosRole: true } },
        tasks: {
          where: { state: { notIn: [...TERMINAL_STATES] } },
          orderBy: { launchedAt: 'desc' },
          take: 1,
        },
      },
      take: this.options.batchSize,
    });
    for (const c of displaced) {
      const latest = c.tasks[0];
      // Replace only the newest live task, and only once (a queued replacement is newer).
      const onDrainingAgent =
        latest?.agentId !== null &&
        latest?.agentId !== undefined &&
        this.drainingAgents.has(latest.agentId);
      if (!latest || !(latest.state === 'TASK_UNREACHABLE' || onDrainingAgent)) continue;
      if (!isLaunched(latest.state)) continue;
      const mesosTaskId = newTaskId(c.id);
      await this.prisma.task.create({ data: { containerId: c.id, mesosTaskId, state: PENDING } });
      this.launcher.submit(taskRequest(c, mesosTaskId));
    }
  }

  /** Once a container's newest task runs, older live tasks (replaced ones) are killed. */
  private async retireReplaced(): Promise<void> {
    const crowded = await this.prisma.task.groupBy({
      by: ['containerId'],
      where: { state: LIVE_STATES },
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

function newTaskId(containerId: string): string {
  return `shoal.${containerId.slice(0, 12)}.${randomBytes(4).toString('hex')}`;
}

function taskRequest(
  c: { id: string; tenantId: string; name: string; config: unknown; tenant: { mesosRole: string } },
  taskId: string,
): TaskRequest {
  const spec = c.config as ContainerSpec;
  return {
    taskId,
    name: c.name,
    role: c.tenant.mesosRole,
    cpus: spec.cpus,
    memMb: spec.memoryMb,
    diskMb: spec.diskMb,
    gpus: spec.gpus,
    bestEffort: spec.bestEffort,
    ports: spec.ports,
    constraints: spec.constraints,
    groupKey: groupKeyOf(c),
    container: {
      image: spec.image,
      networkMode: spec.networkMode,
      ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
      ...(spec.cmd ? { cmd: spec.cmd } : {}),
      env: spec.env,
      labels: spec.labels,
      ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
      ...(spec.user ? { user: spec.user } : {}),
      ...(spec.hostname ? { hostname: spec.hostname } : {}),
    },
  };
}
