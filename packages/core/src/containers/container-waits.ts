import type { PrismaClient } from '@shoal/db';
import type { ContainerEventBus } from '../events/event-bus';
import { isLaunched, meantToRun } from './lifecycle';
import type { ContainerRow } from './rows';
import { sleep } from './sleep';
import type { WaitCondition, WaitResult } from './types';

/** Why a wait's subscription ends: one reason for all, as abort() with none builds a DOMException and its stack. */
const OVER = Object.assign(new Error('the wait is over'), { name: 'AbortError' });

/**
 * `docker wait`: until the container stops running, exits next, or is removed.
 * It listens for the container's events, and also reads its stored state every
 * `checkMs`, so it ends even on an instance that never hears the exit (its
 * relay from the leader was down).
 */
export class ContainerWaits {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: ContainerEventBus,
    private readonly resolve: (tenantId: string, ref: string) => Promise<ContainerRow>,
    private readonly checkMs: number,
    /** Aborted on shutdown, so waits end at once. */
    private readonly closing: AbortSignal,
  ) {}

  async wait(
    tenantId: string,
    ref: string,
    condition: WaitCondition,
    signal?: AbortSignal,
    onWaiting?: () => void,
  ): Promise<WaitResult> {
    const subscription = new AbortController();
    const abort = () => subscription.abort(OVER);
    signal?.addEventListener('abort', abort, { once: true });
    this.closing.addEventListener('abort', abort, { once: true });
    // Subscribe before reading the state, so an exit in between is not missed.
    const events = this.events.subscribe(tenantId, subscription.signal);
    try {
      const current = await this.resolve(tenantId, ref);
      // Found, and its events are heard from here on: a removal now ends the wait.
      onWaiting?.();
      const running = meantToRun(current);
      const latest = current.tasks[0];
      if (current.state === 'REMOVING' && !(latest && isLaunched(latest.state))) {
        // Already removed: nothing more will happen to it.
        return result(current.exitCode ?? 0, current.error);
      }
      if (condition === 'not-running' && !running)
        return result(current.exitCode ?? 0, current.error);
      const heard = (async () => {
        let exit: WaitResult | undefined;
        for await (const event of events) {
          if (event.containerId !== current.id) continue;
          if (event.action === 'die') {
            exit = { exitCode: Number(event.attributes.exitCode ?? 0) };
            if (condition !== 'removed') return exit;
          }
          if (event.action === 'destroy')
            return exit ?? result(current.exitCode ?? 0, current.error);
          // A container stopped while waiting to restart ends with the exit it restarts after.
          if (event.action === 'stop' && condition !== 'removed')
            return exit ?? result(current.exitCode ?? 0, current.error);
        }
        return undefined;
      })();
      const stored = this.exitFromStore(current.id, condition, new Date(), subscription.signal);
      const outcome = await Promise.race([heard, stored]);
      if (outcome) return outcome;
      throw Object.assign(new Error('wait aborted'), { name: 'AbortError' });
    } finally {
      signal?.removeEventListener('abort', abort);
      this.closing.removeEventListener('abort', abort);
      subscription.abort(OVER);
      await events.return?.();
    }
  }

  /** What `wait` is waiting for, read from stored state every waitCheckMs; undefined once aborted. */
  private async exitFromStore(
    containerId: string,
    condition: WaitCondition,
    since: Date,
    signal: AbortSignal,
  ): Promise<WaitResult | undefined> {
    for (;;) {
      await sleep(this.checkMs, signal);
      if (signal.aborted) return undefined;
      const row = await this.prisma.container
        .findUnique({
          where: { id: containerId },
          select: { state: true, exitCode: true, finishedAt: true },
        })
        // A failed read is no answer: the event, or the next read, still is.
        .catch(() => 'unread' as const);
      if (row === 'unread') continue;
      if (!row) return { exitCode: 0 };
      const exited = row.finishedAt !== null && row.finishedAt > since;
      const gone = row.state === 'REMOVING';
      // As a die event would have told it: the exit code alone.
      if (condition === 'removed' ? gone : exited || gone) return { exitCode: row.exitCode ?? 0 };
    }
  }
}

function result(exitCode: number, error: string | null): WaitResult {
  return error ? { exitCode, error } : { exitCode };
}
