'use client';

import { QueryClientProvider } from '@tanstack/react-query';
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  retryLink,
  splitLink,
} from '@trpc/client';
import { useState, type ReactNode } from 'react';
import superjson from 'superjson';
import type { AppRouter } from '@shoal/api';
import { getQueryClient, isClientError } from '@/lib/query-client';
import { TRPCProvider } from '@/lib/trpc';

export function Providers({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          // Server-sent events through the same /trpc proxy; the session cookie goes along.
          true: [
            // A dropped stream is opened again with growing pauses, resuming after its last
            // change (retryLink sends it as lastEventId); only a refusal (4xx) ends it.
            retryLink({
              retry: ({ error }) => !isClientError(error),
              retryDelayMs: (attempt) =>
                Math.min(500 * 2 ** (attempt - 1), 4_000) * (1 + Math.random() / 4),
            }),
            httpSubscriptionLink({ url: '/trpc', transformer: superjson }),
          ],
          false: httpBatchLink({
            url: '/trpc',
            transformer: superjson,
            // The control plane takes at most 100 calls in a batch (MAX_BATCH_CALLS).
            maxItems: 100,
            // The control plane refuses mutations without it (see packages/api http/cookies.ts).
            headers: { 'x-shoal-csrf': '1' },
          }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
