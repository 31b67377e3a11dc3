import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@shoal/api';

type Outputs = inferRouterOutputs<AppRouter>;
type Yielded<T> = T extends AsyncIterable<infer V> ? V : never;
export type ContainerList = Outputs['containers']['list'];
export type ContainerChange = Yielded<Outputs['containers']['changes']>['data'];

/**
 * The cached list with one change applied: changed rows replace theirs, new ones are added,
 * removed ones dropped. `asOf` stays: it only says where a fresh subscription starts.
 */
export function applyChange(list: ContainerList, change: ContainerChange): ContainerList {
  if (change.containers.length === 0 && change.removed.length === 0) return list;
  const changed = new Map(change.containers.map((c) => [c.id, c]));
  const removed = new Set(change.removed);
  const kept = list.containers
    .filter((c) => !removed.has(c.id))
    .map((c) => {
      const next = changed.get(c.id);
      changed.delete(c.id);
      return next ?? c;
    });
  return { ...list, containers: [...changed.values(), ...kept] };
}
