import { dehydrate, HydrationBoundary, type QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { headers } from 'next/headers';
import { cache, type ReactNode } from 'react';
import superjson from 'superjson';
import type { AppRouter } from '@shoal/api';
import { loadEnv } from '@shoal/config';
import { makeQueryClient } from './query-client';

// Server components read what a page shows before it is sent, so it arrives with its data.
// They ask the control plane as the browser would, with the visitor's session cookie.

/**
 * How long a page waits for the control plane before it is sent without the data: the
 * browser then reads it itself, and says so if the control plane stays away.
 */
const PREFETCH_WAIT_MS = 3_000;

/** One cache per request, shared by the layouts and the page it renders. */
const requestQueryClient = cache(makeQueryClient);

const requestTRPC = cache(() => {
  const serverUrl = loadEnv().SHOAL_SERVER_URL;
  const client = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: new URL('/trpc', serverUrl).toString(),
        transformer: superjson,
        // The control plane takes at most 100 calls in a batch (MAX_BATCH_CALLS).
        maxItems: 100,
        headers: async () => {
          const incoming = await headers();
          return {
            cookie: incoming.get('cookie') ?? '',
            'x-forwarded-host': incoming.get('x-forwarded-host') ?? incoming.get('host') ?? '',
          };
        },
        fetch: (url, init) => {
          const waited = AbortSignal.timeout(PREFETCH_WAIT_MS);
          const signal = init?.signal ? AbortSignal.any([init.signal, waited]) : waited;
          return fetch(url, { ...init, signal });
        },
      }),
    ],
  });
  return createTRPCOptionsProxy<AppRouter>({ client, queryClient: requestQueryClient });
});

type ServerTRPC = ReturnType<typeof requestTRPC>;

/**
 * Reads the queries `queries` prefetches on the server, then renders `children` with their
 * answers in the browser's cache. A query that fails here is left for the browser to ask
 * again, so a page never fails for want of a prefetch.
 */
export async function Prefetched({
  queries,
  children,
}: {
  queries: (trpc: ServerTRPC, prefetch: QueryClient['prefetchQuery']) => Promise<void>[];
  children: ReactNode;
}) {
  const queryClient = requestQueryClient();
  await Promise.all(queries(requestTRPC(), (options) => queryClient.prefetchQuery(options)));
  return <HydrationBoundary state={dehydrate(queryClient)}>{children}</HydrationBoundary>;
}
