import { notFound, ShoalError } from '../errors';
import type { ContainerEventBus } from '../events/event-bus';
import type { ContainerReads } from './container-reads';
import type { ContainerStops } from './container-stops';
import type { ContainerWatch } from './container-watch';
import { isLaunched, isTerminal } from './lifecycle';
import type { LaunchHooks, PlacementCheck } from './ports';
import { toView, type ContainerRow } from './rows';
import { NoExactMatch, type StartBatch, type StartOutcome } from './start-batch';
import type { ContainerEvent, ContainerSpec, ContainerView } from './types';

/** Why a wait stops once it has its answer. */
export const ANSWERED = Symbol('answered');

/** What a start needs of the service that is set after it is made. */
export interface StartHooks extends LaunchHooks {
  readonly placement: PlacementCheck | undefined;
  /** Told how long each start took until the container ran (for latency metrics). */
  onStarted(ms: number): void;
}

/**
 * A busy database makes a create or start wait for its batch, for as long as a start
 * waits for its container to run; then it is not made, and says so. With no start wait
 * (0), it waits as long as it takes.
 */
export function turnDeadline(startWaitMs: number): {
  signal: AbortSignal | undefined;
  clear: () => void;
} {
  if (startWaitMs <= 0) return { signal: undefined, clear: () => undefined };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(ANSWERED), startWaitMs);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/**
 * Starts, answered as Docker answers them: once the container runs or failed to, or, when
 * resources take long, still pending after `startWaitMs`.
 */
export class ContainerStarts {
  constructor(
    private readonly batch: StartBatch,
    private readonly reads: ContainerReads,
    private readonly events: ContainerEventBus,
    private readonly watch: ContainerWatch,
    private readonly stops: ContainerStops,
    private readonly hooks: StartHooks,
    private readonly startWaitMs: number,
    /** Aborted on shutdown, so starts waiting for their container end at once. */
    private readonly closing: AbortSignal,
  ) {}

  async startIfStopped(
    tenantId: string,
    ref: string,
    actor: string,
  ): Promise<{ container: ContainerView; started: boolean }> {
    const began = performance.now();
    // A plain timer, not AbortSignal.timeout: a signal only AbortSignal.any refers to
    // can be collected on Node 20 before it fires, and the wait would never end.
    const giveUp = new AbortController();
    const timer = setTimeout(() => giveUp.abort(), this.startWaitMs);
    const onClose = () => giveUp.abort();
    this.closing.addEventListener('abort', onClose, { once: true });
    let events: AsyncIterableIterator<ContainerEvent> | undefined;
    try {
      // A start right after boot is checked against the cluster too.
      await this.hooks.placement?.ready();
      const turn = turnDeadline(this.startWaitMs);
      const outcome = await this.startByRef(tenantId, ref, actor, turn.signal)
        .catch((error: unknown) => this.removeAfterRefusal(tenantId, ref, actor, error))
        .finally(turn.clear);
      const { changed, container } = outcome;
      // A start with nothing to do answers at once, unless the container is being started
      // (by a start just before): then, as Docker's second start, once that start ends.
      if (!changed && !beingStarted(container))
        return { container: toView(container), started: false };
      const { id } = container;
      // Another instance's status updates reach this one as events only. Nothing of this
      // start can have happened before its commit, just awaited, so none is missed.
      const heardOf = (events = this.events.subscribe(tenantId, giveUp.signal, id));
      if (outcome.launch) this.hooks.launcher?.submitAll([outcome.launch]);
      else if (changed) this.hooks.converge.wake();
      // Like Docker, answer once the container runs (or failed to), unless resources take long.
      // A stop whose kill Mesos has not confirmed yet leaves a task that only ends: the
      // start is answered by the task launched after it.
      const since = new Date();
      const stopping = stoppingTask(outcome.container);
      const settled = (row: ContainerRow) => {
        if (row.state === 'REMOVING') return true;
        if (stopping === undefined)
          return row.state === 'RUNNING' || (row.finishedAt !== null && row.finishedAt >= since);
        // The stopping task's end is not this start's answer; the next task's run or end is.
        const next = row.tasks[0];
        if (!next || next.mesosTaskId === stopping) return false;
        return row.state === 'RUNNING' || isTerminal(next.state);
      };
      const heard = (async () => {
        let endsToSkip = stopping ? 1 : 0;
        for await (const event of heardOf) {
          // While a stop's kill is unconfirmed, a `start` may be the old task's own (an
          // update restating that it runs): only `settled` tells the next task's run apart.
          if (event.action === 'start' && stopping === undefined) return;
          if (event.action === 'die' && endsToSkip-- === 0) return;
        }
      })();
      const watched = this.watch.until(id, settled, giveUp.signal);
      // The start this one waits for may have ended before the watch began: read it once.
      const current = changed ? undefined : await this.reads.current(tenantId, id);
      const row =
        current && (settled(current) || !beingStarted(current))
          ? current
          : await Promise.race([watched, heard.then(() => undefined)]);
      const view = toView(row ?? (await this.reads.current(tenantId, id)));
      if (changed && view.state === 'running') this.hooks.onStarted(performance.now() - began);
      return { container: view, started: changed };
    } finally {
      clearTimeout(timer);
      this.closing.removeEventListener('abort', onClose);
      // With a reason of its own: abort() would build a DOMException and its stack.
      giveUp.abort(ANSWERED);
      await events?.return?.();
    }
  }

  /**
   * Docker removes an auto-remove container whose start failed: `docker run --rm` waits
   * for that removal, and would wait for ever for a container left behind. Rethrows `error`.
   */
  private async removeAfterRefusal(
    tenantId: string,
    ref: string,
    actor: string,
    error: unknown,
  ): Promise<never> {
    const refused =
      error instanceof ShoalError && (error.code === 'CONFLICT' || error.code === 'QUOTA_EXCEEDED');
    if (refused) {
      const row = await this.reads.resolve(tenantId, ref).catch(() => undefined);
      const spec = row?.config as ContainerSpec | undefined;
      if (row && spec?.autoRemove && row.desiredState !== 'RUNNING' && row.tasks.length === 0)
        await this.stops.remove(tenantId, row.id, {}, actor).catch(() => undefined);
    }
    throw error;
  }

  /** Starts by full id or name in a batch; a unique id prefix is resolved first. */
  private async startByRef(
    tenantId: string,
    ref: string,
    actor: string,
    signal: AbortSignal | undefined,
  ): Promise<StartOutcome> {
    const key = ref.replace(/^\//, '');
    if (!key) throw notFound(`No such container: ${ref}`);
    try {
      return await this.batch.start({ tenantId, ref: key, actor }, signal);
    } catch (error) {
      if (!(error instanceof NoExactMatch)) throw error;
      const { id } = await this.reads.resolve(tenantId, key);
      return this.batch.start({ tenantId, ref: id, actor }, signal);
    }
  }
}

/** Meant to run, not running yet, with its task queued or launched and not ended. */
function beingStarted(row: ContainerRow): boolean {
  const task = row.tasks[0];
  return (
    row.desiredState === 'RUNNING' &&
    row.state !== 'RUNNING' &&
    row.state !== 'REMOVING' &&
    task !== undefined &&
    !isTerminal(task.state)
  );
}

/** The Mesos id of the container's task that a stop or kill has been sent to, if it still lives. */
function stoppingTask(row: ContainerRow): string | undefined {
  const task = row.tasks[0];
  return task && task.killedBy !== null && isLaunched(task.state) ? task.mesosTaskId : undefined;
}
