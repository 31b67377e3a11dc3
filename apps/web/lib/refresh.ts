import type { QueryClient } from '@tanstack/react-query';
import type { useTRPC } from './trpc';

/**
 * After an action on containers: the views that read one container or the tenant's usage
 * are read again. The list is not: the live stream patches it (components/tenant/live-updates).
 */
export function refreshContainerViews(queryClient: QueryClient, trpc: ReturnType<typeof useTRPC>) {
  return Promise.all(
    [trpc.containers.get, trpc.containers.history, trpc.containers.usage].map((procedure) =>
      queryClient.invalidateQueries({ queryKey: procedure.pathKey() }),
    ),
  );
}
