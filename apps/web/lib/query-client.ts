import { isTRPCClientError } from '@trpc/client';
import { defaultShouldDehydrateQuery, isServer, QueryClient } from '@tanstack/react-query';
import superjson from 'superjson';

// A 4xx answer (signed out, forbidden, not found, bad input) will not change on a retry.
export function isClientError(error: unknown): boolean {
  const status = isTRPCClientError(error)
    ? (error.data as { httpStatus?: number } | undefined)?.httpStatus
    : undefined;
  return Boolean(status && status >= 400 && status < 500);
}

const shouldRetry = (failures: number, error: unknown) => failures < 2 && !isClientError(error);

/**
 * The cache of one browser tab, or of one server render: what the server fetched for a page
 * goes to the browser with it (dates and all, through superjson), so the page's first paint
 * shows data instead of "Loading…".
 */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 5_000, retry: isServer ? false : shouldRetry },
      mutations: { retry: false },
      dehydrate: {
        serializeData: superjson.serialize,
        shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query),
      },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}

let browserClient: QueryClient | undefined;

/** A new cache per server render; one for the life of a browser tab. */
export function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  return (browserClient ??= makeQueryClient());
}
