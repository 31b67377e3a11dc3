import type { PrismaClient } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { conflict, goneAs } from '../errors';
import type { ContainerEventBus } from '../events/event-bus';
import type { ContainerReads } from './container-reads';
import type { ContainerWaits } from './container-waits';
import {
  COMMAND_EXIT,
  isLaunched,
  type KilledBy,
  meantToRun,
  PENDING,
  TERMINAL_STATES,
} from './lifecycle';
import { DEFAULT_STOP_TIMEOUT_SECONDS, stopTimeout, terminatingSignal } from './stop-signals';
import type { LaunchHooks } from './ports';
import { publishChange } from './publish';
import { toView } from './rows';
import type { ContainerSpec, ContainerView } from './types';

/**
 * Stop, kill and remove: the desired state is stored with the tasks marked for their kill in
 * one transaction, then the kill is sent; the supervisor sends it again until Mesos confirms.
 */
export class ContainerStops {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditService,
    private readonly events: ContainerEventBus,
    private readonly reads: ContainerReads,
    private readonly waits: ContainerWaits,
    private readonly hooks: LaunchHooks,
  ) {}

  /**
   * `docker stop [--signal S] [-t N]`: the signal, else the container's own (--stop-signal)
   * or TERM, as `kill` reads it; a KILL stops at once, the others after the grace period (the
   * container's --stop-timeout, or 10 s, unless given). Says whether there was anything to
   * stop: a container neither running nor meant to run is left as it is.
   */
  async stopIfRunning(
    tenantId: string,
    ref: string,
    options: { timeoutSeconds?: number; signal?: string },
    actor: string,
  ): Promise<{ container: ContainerView; stopped: boolean }> {
    if (options.timeoutSeconds !== undefined) stopTimeout(options.timeoutSeconds);
    const current = await this.reads.resolve(tenantId, ref);
    const spec = current.config as unknown as ContainerSpec;
    const timeout = options.timeoutSeconds ?? spec.stopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS;
    // A container started but still waiting for an agent is stopped too: it must not run later.
    if (!meantToRun(current)) return { container: toView(current), stopped: false };
    const { mode, number } = terminatingSignal(options.signal ?? spec.stopSignal ?? 'TERM');
    // Docker reports the stop signal as a kill before the container dies of it.
    if (current.state === 'RUNNING' || current.state === 'RESTARTING')
      publishChange(this.events, current, 'kill', { signal: String(number) });
    const container = await this.halt(tenantId, ref, mode, mode === 'kill' ? 0 : timeout, actor);
    return { container, stopped: true };
  }

  async kill(
    tenantId: string,
    ref: string,
    options: { signal?: string },
    actor: string,
  ): Promise<ContainerView> {
    const { mode, number } = terminatingSignal(options.signal ?? 'KILL');
    const current = await this.reads.resolve(tenantId, ref);
    if (current.state !== 'RUNNING' && current.state !== 'RESTARTING') {
      throw conflict(`Cannot kill container: ${ref}: Container ${current.id} is not running`);
    }
    // Docker reports the signal sent, whichever it was, before the container dies of it.
    publishChange(this.events, current, 'kill', { signal: String(number) });
    // A TERM sent by kill is no stop: no stop event follows the container's death. As
    // Docker's, a KILL is answered once the container has died of it (inspect and ps then
    // show it exited); any other signal once it is sent, as the container may outlive it.
    return this.halt(
      tenantId,
      ref,
      mode === 'kill' ? 'kill' : 'signal',
      mode === 'kill' ? 0 : DEFAULT_STOP_TIMEOUT_SECONDS,
      actor,
      mode === 'kill',
    );
  }

  async remove(
    tenantId: string,
    ref: string,
    options: { force?: boolean },
    actor: string,
  ): Promise<void> {
    const current = await this.reads.resolve(tenantId, ref);
    const task = current.tasks[0];
    const live = task && isLaunched(task.state);
    if (live && !options.force) {
      throw conflict(
        `You cannot remove a running container ${current.id}. Stop the container before attempting removal or force remove`,
      );
    }
    if (current.state === 'RESTARTING' && !options.force) {
      throw conflict(
        `cannot remove container "/${current.name}": container is restarting: stop the container before removing or force remove`,
      );
    }
    const dropped = await this.prisma
      .$transaction(async (tx) => {
        let queued: string[] = [];
        if (live) {
          // The row goes when Mesos confirms the kill; its name is free at once, as in Docker.
          await tx.container.update({
            where: { id: current.id },
            data: {
              state: 'REMOVING',
              desiredState: 'STOPPED',
              name: `${current.name}.removing.${current.id.slice(0, 12)}`,
            },
          });
          ({ queued } = await markForKill(tx, current.id, 'kill'));
        } else {
          if (task?.state === PENDING) queued = [task.mesosTaskId];
          await tx.container.delete({ where: { id: current.id } });
        }
        await this.audit.record(
          {
            tenantId,
            actor,
            action: 'container.remove',
            target: current.name,
            detail: { id: current.id, force: Boolean(options.force) },
          },
          tx,
        );
        return queued;
      })
      .catch(goneAs(`No such container: ${ref}`));
    const { launcher, converge } = this.hooks;
    for (const taskId of dropped) launcher?.cancel(taskId);
    if (live) {
      // As Docker's rm -f: the KILL it dies of is told, then its death and its removal.
      publishChange(this.events, current, 'kill', { signal: '9' });
      await launcher?.kill(task.mesosTaskId, task.agentId ?? undefined, 0).catch(() => undefined);
      converge.wake();
    } else {
      publishChange(this.events, current, 'destroy');
    }
  }

  /**
   * The command run beside a container's task (piped.ts) ended with `exitCode`: the task,
   * which only held the container's place, is killed, and its end carries that code. A
   * task a stop or kill has been sent to keeps that reason.
   */
  async commandEnded(containerId: string, mesosTaskId: string, exitCode: number): Promise<void> {
    const task = await this.prisma.task.findFirst({
      where: { containerId, mesosTaskId, state: { notIn: [PENDING, ...TERMINAL_STATES] } },
      select: { id: true, agentId: true },
    });
    if (!task) return;
    const { count } = await this.prisma.task.updateMany({
      where: { id: task.id, killedBy: null },
      data: { killedBy: `${COMMAND_EXIT}${exitCode}` },
    });
    if (count === 0) return;
    await this.hooks.launcher
      ?.kill(mesosTaskId, task.agentId ?? undefined, 0)
      .catch(() => undefined);
    this.hooks.converge.wake();
  }

  private async halt(
    tenantId: string,
    ref: string,
    mode: KilledBy,
    graceSeconds: number,
    actor: string,
    waitForExit = true,
  ): Promise<ContainerView> {
    const current = await this.reads.resolve(tenantId, ref);
    const task = current.tasks[0];
    const controller = new AbortController();
    const exited =
      waitForExit && task && isLaunched(task.state)
        ? this.waits
            .wait(tenantId, current.id, 'not-running', controller.signal)
            .catch(() => undefined)
        : undefined;
    let restartCancelled = false;
    try {
      const dropped = await this.prisma
        .$transaction(async (tx) => {
          await tx.container.update({
            where: { id: current.id },
            data: { desiredState: 'STOPPED', restartAt: null },
          });
          const { live, queued } = await markForKill(tx, current.id, mode);
          if (live === 0 && current.state === 'RESTARTING') {
            // Waiting to run again after an exit: the restart is called off, and it stays exited.
            const { count } = await tx.container.updateMany({
              where: { id: current.id, state: 'RESTARTING' },
              data: { state: 'EXITED', finishedAt: new Date() },
            });
            restartCancelled = count > 0;
          } else if (live === 0 && queued.length > 0) {
            await tx.container.update({
              where: { id: current.id },
              // Back to what it was before this start: exited if it ever ran.
              data: { state: current.startedAt ? 'EXITED' : 'CREATED' },
            });
          }
          await this.audit.record(
            {
              tenantId,
              actor,
              action: mode === 'stop' ? 'container.stop' : 'container.kill',
              target: current.name,
              detail: { id: current.id },
            },
            tx,
          );
          return queued;
        })
        .catch(goneAs(`No such container: ${ref}`));
      const { launcher, converge } = this.hooks;
      for (const taskId of dropped) launcher?.cancel(taskId);
      // Its die was told at its exit; as Docker's, the stop of a restarting container is told.
      if (restartCancelled) publishChange(this.events, current, 'stop');
      if (task && isLaunched(task.state)) {
        await launcher
          ?.kill(task.mesosTaskId, task.agentId ?? undefined, graceSeconds)
          .catch(() => undefined);
        converge.wake();
        if (exited) {
          // Bounded: a lost agent may never confirm; the supervisor keeps trying.
          const timer = setTimeout(() => controller.abort(), (graceSeconds + 15) * 1000);
          await exited;
          clearTimeout(timer);
        }
      }
    } finally {
      controller.abort();
    }
    return toView(await this.reads.current(tenantId, current.id));
  }
}

/**
 * Marks every launched task of a container as killed by Shoal (the supervisor sends
 * the kill, and again until Mesos confirms it) and drops its queued tasks. Answers
 * how many launched tasks there are, and the Mesos ids of the queued ones dropped.
 */
async function markForKill(
  tx: Pick<PrismaClient, 'task'>,
  containerId: string,
  mode: KilledBy,
): Promise<{ live: number; queued: string[] }> {
  const { count: live } = await tx.task.updateMany({
    where: { containerId, state: { notIn: [PENDING, ...TERMINAL_STATES] } },
    data: { killedBy: mode },
  });
  const queued = await tx.task.findMany({
    where: { containerId, state: PENDING },
    select: { id: true, mesosTaskId: true },
  });
  if (queued.length > 0)
    await tx.task.deleteMany({ where: { id: { in: queued.map((t) => t.id) }, state: PENDING } });
  return { live, queued: queued.map((t) => t.mesosTaskId) };
}
