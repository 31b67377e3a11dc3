import { ShoalError } from '../errors';
import type { ContainerOperations } from './types';

export const BULK_ACTIONS = ['stop', 'restart', 'remove'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export interface BulkResult {
  ref: string;
  ok: boolean;
  /** Why it was not done, in the words the single action would give; null when done. */
  message: string | null;
}

/**
 * Enough at once to keep the batched paths (group commit, one ACCEPT for many launches)
 * full, few enough that one request cannot take every database connection.
 */
const AT_ONCE = 16;

/**
 * One action on each of a tenant's containers, as a list page's selection asks for it: every
 * container is tried, and each gets its own outcome. A refusal (already gone, a conflict, over
 * quota) is that container's answer; a fault of Shoal's own is thrown once all have been
 * tried, so it reaches the log instead of hiding in a list.
 */
export async function actOnEach(
  containers: ContainerOperations,
  tenantId: string,
  action: BulkAction,
  refs: readonly string[],
  actor: string,
): Promise<BulkResult[]> {
  const todo = [...new Set(refs)];
  const results: BulkResult[] = new Array<BulkResult>(todo.length);
  let fault: unknown;
  const act = (ref: string): Promise<unknown> => {
    switch (action) {
      case 'stop':
        return containers.stop(tenantId, ref, {}, actor);
      case 'restart':
        return containers.restart(tenantId, ref, {}, actor);
      case 'remove':
        // The page asks first, saying that running ones are killed.
        return containers.remove(tenantId, ref, { force: true }, actor);
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const i = next++;
      const ref = todo[i]!;
      try {
        await act(ref);
        results[i] = { ref, ok: true, message: null };
      } catch (error) {
        if (!(error instanceof ShoalError)) fault ??= error;
        results[i] = {
          ref,
          ok: false,
          message: error instanceof ShoalError ? error.message : 'Shoal failed to do this',
        };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, todo.length) }, worker));
  if (fault !== undefined) throw fault;
  return results;
}
