'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useRef } from 'react';
import { useTRPC } from '@/lib/trpc';

// Bursts of events (a scale-up, a node going away) refetch once, not once per event.
const REFETCH_DELAY_MS = 250;

/** Keeps the tenant's container queries fresh from its event stream; renders a live indicator. */
export function LiveUpdates({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const subscription = useSubscription(
    trpc.containers.events.subscriptionOptions(
      { tenantSlug },
      {
        onData: () => {
          pending.current ??= setTimeout(() => {
            pending.current = null;
            void queryClient.invalidateQueries({ queryKey: trpc.containers.pathKey() });
          }, REFETCH_DELAY_MS);
        },
      },
    ),
  );
  const live = subscription.status === 'pending';
  return (
    <span role="status" className="inline-flex items-center gap-1.5 text-xs text-slate-600" data-testid="live-status">
      <span aria-hidden className={`size-2 rounded-full ${live ? 'bg-green-600' : 'bg-amber-500'}`} />
      {live ? 'Live' : subscription.status === 'error' ? 'Reconnecting…' : 'Connecting…'}
    </span>
  );
}
