'use client';

import { useQuery, useQueryClient, type Query } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { When } from '@/components/ui/when';
import { applyChange, type ContainerChange, type ContainerList } from '@/lib/live-list';
import { useTRPC } from '@/lib/trpc';
import { useConnectionState, type ConnectionState } from './use-connection-state';

const LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};
const DOT: Record<ConnectionState, string> = {
  connecting: 'bg-amber-500',
  live: 'bg-green-600',
  reconnecting: 'bg-amber-500',
  offline: 'bg-red-600',
};

/**
 * Keeps the tenant's cached container views current from its change stream: the list is
 * patched row by row (never read again because of an event), and only the open views of the
 * containers that changed are read again. Renders the connection's state.
 */
export function LiveUpdates({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listOptions = trpc.containers.list.queryOptions({ tenantSlug });
  // The list, when a page has read it: the stream starts where that read ended.
  const asOf = useQuery({ ...listOptions, enabled: false }).data?.asOf;
  const [lastUpdate, setLastUpdate] = useState<Date | null>(null);

  const apply = (change: ContainerChange) => {
    setLastUpdate(new Date());
    if (change.reset) {
      void queryClient.invalidateQueries({ queryKey: listOptions.queryKey });
    } else {
      queryClient.setQueryData<ContainerList>(listOptions.queryKey, (list) =>
        list ? applyChange(list, change) : list,
      );
    }
    const touched = new Set([
      ...change.removed,
      ...change.containers.flatMap((c) => [c.id, c.name]),
    ]);
    if (touched.size === 0) return;
    const aboutTouched = (query: Query) => {
      const input = (query.queryKey[1] as { input?: { ref?: string } } | undefined)?.input;
      return input?.ref !== undefined && touched.has(input.ref);
    };
    void queryClient.invalidateQueries({
      queryKey: trpc.containers.get.pathKey(),
      predicate: aboutTouched,
    });
    void queryClient.invalidateQueries({
      queryKey: trpc.containers.history.pathKey(),
      predicate: aboutTouched,
    });
    void queryClient.invalidateQueries({ queryKey: trpc.containers.usage.pathKey() });
  };

  const subscription = useSubscription(
    trpc.containers.changes.subscriptionOptions(
      { tenantSlug, lastEventId: asOf?.toISOString() },
      {
        onStarted: () => setLastUpdate(new Date()),
        onData: ({ data }) => apply(data),
      },
    ),
  );
  const state = useConnectionState(subscription.status);

  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-400">
      <span aria-hidden className={`size-2 rounded-full ${DOT[state]}`} />
      <span role="status" data-testid="live-status">
        {LABEL[state]}
      </span>
      {lastUpdate && (
        <span data-testid="last-update">
          · {state === 'live' ? 'updated' : 'last update'} <When date={lastUpdate} timeOnly />
        </span>
      )}
      {state === 'offline' && <span>· the control plane is unreachable, retrying</span>}
    </span>
  );
}
