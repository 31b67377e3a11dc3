import type { ContainerRow } from './rows';

interface Waiter {
  settled: (row: ContainerRow) => boolean;
  resolve: (row: ContainerRow | undefined) => void;
}

/**
 * Containers as this process's status updates leave them, for requests waiting
 * on one (a start waiting for its container to run): the rows come from the
 * batch that changed them, so an answer costs no query.
 */
export class ContainerWatch {
  private readonly waiters = new Map<string, Set<Waiter>>();

  /** The container's row once `settled` holds for it; undefined if `signal` aborts first. */
  until(
    containerId: string,
    settled: (row: ContainerRow) => boolean,
    signal: AbortSignal,
  ): Promise<ContainerRow | undefined> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(undefined);
      let set = this.waiters.get(containerId);
      if (!set) this.waiters.set(containerId, (set = new Set()));
      const waiter: Waiter = {
        settled,
        resolve: (row) => {
          signal.removeEventListener('abort', abort);
          this.drop(containerId, waiter);
          resolve(row);
        },
      };
      const abort = () => waiter.resolve(undefined);
      signal.addEventListener('abort', abort, { once: true });
      set.add(waiter);
    });
  }

  changed(rows: readonly ContainerRow[]): void {
    for (const row of rows) {
      const set = this.waiters.get(row.id);
      if (!set) continue;
      for (const waiter of [...set]) if (waiter.settled(row)) waiter.resolve(row);
    }
  }

  private drop(containerId: string, waiter: Waiter): void {
    const set = this.waiters.get(containerId);
    set?.delete(waiter);
    if (set?.size === 0) this.waiters.delete(containerId);
  }
}
