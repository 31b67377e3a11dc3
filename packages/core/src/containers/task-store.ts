import type { PrismaClient } from '@shoal/db';
import type { FrameworkStore, LaunchRecord } from '@shoal/scheduler';
import type { TaskStatus } from '@shoal/mesos';
import type { ContainerEventBus } from '../events/event-bus';
import {
  exitCodeOf,
  isTerminal,
  PENDING,
  restartDelayMs,
  shouldRestart,
  TERMINAL_STATES,
} from './lifecycle';
import { groupKeyOf } from './spec';
import type { ContainerAction, ContainerSpec } from './types';

const FRAMEWORK_ROW = 1;

/** Terminal states Mesos reports when an agent or a launch was lost, not when a container exited. */
const LOST_WITH_INFRASTRUCTURE = new Set([
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
]);

export interface OrphanTask {
  taskId: string;
  agentId?: string;
}

/**
 * The framework's durable memory in PostgreSQL, and the one place where Mesos
 * task states turn into container states. Every status update is stored (task
 * row, history row, container state) in one transaction before the framework
 * acknowledges it.
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
  /** Called after an update that may need the supervisor (restarts, replacements). */
  onChange: () => void = () => undefined;

  constructor(
    private readonly prisma: PrismaClient,
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

  async recordLaunch(launch: LaunchRecord): Promise<boolean> {
    // Only a task still queued: one dropped meanwhile (stopped, or its replacement no
    // longer needed) must not be launched.
    const { count } = await this.prisma.task.updateMany({
      where: { mesosTaskId: launch.taskId, state: PENDING },
      data: {
        state: 'TASK_STAGING',
        agentId: launch.agentId,
        hostname: launch.hostname,
        agentEndpoint: launch.agentEndpoint ?? null,
        ports: launch.ports as unknown as object,
      },
    });
    return count === 1;
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

  async recordStatus(status: TaskStatus): Promise<void> {
    const taskId = status.task_id.value;
    const state = status.state;
    const events: { action: ContainerAction; attributes?: Record<string, string> }[] = [];
    let container:
      | {
          id: string;
          tenantId: string;
          name: string;
          image: string;
          labels: Record<string, string>;
        }
      | undefined;
    let unwanted = false;
    /** Queued tasks of the container that are no longer needed. */
    const cancelled: string[] = [];

    await this.prisma.$transaction(async (tx) => {
      const task = await tx.task.findUnique({
        where: { mesosTaskId: taskId },
        include: {
          container: {
            include: {
              tasks: {
                where: { state: { notIn: [...TERMINAL_STATES] } },
                select: { id: true, mesosTaskId: true, state: true, launchedAt: true },
              },
            },
          },
        },
      });
      if (!task) {
        unwanted = !isTerminal(state);
        return;
      }
      const c = task.container;
      const spec = c.config as unknown as ContainerSpec;
      container = {
        id: c.id,
        tenantId: c.tenantId,
        name: c.name,
        image: c.image,
        labels: spec.labels ?? {},
      };
      const now = new Date();
      const reason = status.reason ?? null;
      const message = status.message ?? null;
      const others = c.tasks.filter((t) => t.id !== task.id);
      const launchedOthers = others.filter((t) => t.state !== PENDING);
      const queued = others.filter((t) => t.state === PENDING);
      // A task speaks for its container unless a newer one has been launched: an older
      // task is being replaced. A task that ends speaks only if no other task still lives.
      const replacedBy = launchedOthers.filter((t) => t.launchedAt > task.launchedAt);
      const alive =
        state === 'TASK_RUNNING' || state === 'TASK_STARTING' || state === 'TASK_STAGING';
      const speaks = isTerminal(state) ? launchedOthers.length === 0 : replacedBy.length === 0;
      // Kept alive until its replacement runs, so the container is never left without one.
      if (
        alive &&
        (c.desiredState === 'STOPPED' || replacedBy.some((t) => t.state === 'TASK_RUNNING'))
      )
        unwanted = true;

      // Mesos re-sends an update until it is acknowledged; history keeps one row per change.
      // A reconciliation answer restating the stored state is no change either: its generic
      // message would replace the agent's ("exited with status N"), and so the exit code.
      const restated = task.state === state && reason === 'REASON_RECONCILIATION';
      const changed =
        !restated && (task.state !== state || task.message !== message || task.reason !== reason);
      if (!changed) return;
      await tx.task.update({
        where: { id: task.id },
        data: {
          state,
          reason,
          message,
          ...(status.agent_id ? { agentId: status.agent_id.value } : {}),
        },
      });
      await tx.taskUpdate.create({
        data: { taskId: task.id, state, reason, message, source: status.source ?? null },
      });

      if (!speaks) return;
      // The agent of an unreachable task came back before its replacement could be placed:
      // the original serves on, and the queued replacement is dropped.
      if (alive && task.state === 'TASK_UNREACHABLE' && queued.length > 0) {
        await tx.task.deleteMany({
          where: { id: { in: queued.map((t) => t.id) }, state: PENDING },
        });
        cancelled.push(...queued.map((t) => t.mesosTaskId));
      }

      if (state === 'TASK_RUNNING' && c.state !== 'RUNNING' && c.state !== 'REMOVING') {
        await tx.container.update({
          where: { id: c.id },
          data: { state: 'RUNNING', startedAt: now, error: null },
        });
        events.push({ action: 'start' });
        return;
      }
      if (!isTerminal(state)) return;

      // The container ends here: a replacement still queued for it has nothing to replace.
      const dropQueued = async () => {
        if (queued.length === 0) return;
        await tx.task.deleteMany({
          where: { id: { in: queued.map((t) => t.id) }, state: PENDING },
        });
        cancelled.push(...queued.map((t) => t.mesosTaskId));
      };
      const exitCode = exitCodeOf(
        state,
        message,
        (task.killedBy as 'stop' | 'kill' | null) ?? undefined,
      );
      const diedOfItself = !task.killedBy && c.desiredState === 'RUNNING';
      const error =
        state === 'TASK_FINISHED' || state === 'TASK_KILLED'
          ? null
          : describeFailure(state, reason, message);
      events.push({ action: 'die', attributes: { exitCode: String(exitCode) } });
      if (task.killedBy === 'stop') events.push({ action: 'stop' });

      if (c.state === 'REMOVING') {
        await dropQueued();
        await tx.container.update({ where: { id: c.id }, data: retired(c, exitCode, error, now) });
        events.push({ action: 'destroy' });
        return;
      }
      if (diedOfItself && LOST_WITH_INFRASTRUCTURE.has(state)) {
        // Not the container's doing (agent or launch lost): it runs again, as
        // Marathon would, whatever its restart policy says about exits.
        await tx.container.update({
          where: { id: c.id },
          data: { state: c.state === 'RUNNING' ? 'RESTARTING' : c.state, error, restartAt: null },
        });
        return;
      }
      const ranForMs = c.startedAt ? now.getTime() - c.startedAt.getTime() : 0;
      if (diedOfItself && shouldRestart(spec.restartPolicy, exitCode, c.restartCount)) {
        await tx.container.update({
          where: { id: c.id },
          data: {
            state: 'RESTARTING',
            exitCode,
            error,
            finishedAt: now,
            restartCount: { increment: 1 },
            restartAt: new Date(now.getTime() + restartDelayMs(c.restartCount, ranForMs)),
          },
        });
        return;
      }
      await dropQueued();
      if (spec.autoRemove) {
        await tx.container.update({ where: { id: c.id }, data: retired(c, exitCode, error, now) });
        events.push({ action: 'destroy' });
        return;
      }
      await tx.container.update({
        where: { id: c.id },
        data: {
          state: 'EXITED',
          desiredState: 'STOPPED',
          exitCode,
          error,
          finishedAt: now,
          restartAt: null,
        },
      });
    });

    if (cancelled.length > 0) this.onCancelled(cancelled);
    if (unwanted)
      this.onUnwanted({ taskId, ...(status.agent_id ? { agentId: status.agent_id.value } : {}) });
    const c = container as typeof container;
    if (c) {
      for (const e of events) {
        this.events.publish({
          tenantId: c.tenantId,
          containerId: c.id,
          name: c.name,
          image: c.image,
          action: e.action,
          at: new Date(),
          attributes: { name: c.name, image: c.image, ...c.labels, ...e.attributes },
        });
      }
    }
    if (isTerminal(state) || state === 'TASK_RUNNING' || state === 'TASK_UNREACHABLE')
      this.onChange();
  }
}

/**
 * A removed container is not deleted at once: its name is freed and it leaves
 * every listing, but for a short while its id still resolves, so a client
 * attached to it (`docker run --rm`) can read the last of its output. The
 * supervisor deletes it shortly after.
 */
function retired(
  c: { id: string; name: string },
  exitCode: number,
  error: string | null,
  now: Date,
) {
  const suffix = `.removed.${c.id.slice(0, 12)}`;
  return {
    state: 'REMOVING' as const,
    desiredState: 'STOPPED' as const,
    name: c.name.endsWith(suffix) || c.name.includes('.removing.') ? c.name : `${c.name}${suffix}`,
    exitCode,
    error,
    finishedAt: now,
    restartAt: null,
  };
}

function describeFailure(state: string, reason: string | null, message: string | null): string {
  const why = [
    reason
      ?.replace(/^REASON_/, '')
      .toLowerCase()
      .replaceAll('_', ' '),
    message,
  ]
    .filter(Boolean)
    .join(': ');
  return `${state.replace(/^TASK_/, '').toLowerCase()}${why ? ` (${why})` : ''}`;
}
