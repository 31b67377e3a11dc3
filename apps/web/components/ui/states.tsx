import type { ReactNode } from 'react';
import { messageOf } from '@/lib/errors';

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="py-6 text-sm text-slate-600 dark:text-slate-400">
      Loading {what}…
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-6 py-10 text-center">
      <p className="font-medium text-slate-800 dark:text-slate-200">{title}</p>
      {children && (
        <div className="mt-2 text-sm text-slate-600 dark:text-slate-400">{children}</div>
      )}
    </div>
  );
}

export function ErrorNote({
  error,
  title = 'This could not be loaded',
}: {
  error: unknown;
  title?: string;
}) {
  return (
    <div
      role="alert"
      className="rounded-md border border-red-200 dark:border-red-900 bg-red-50 dark:bg-red-950 px-4 py-3 text-sm text-red-800 dark:text-red-300"
    >
      <p className="font-medium">{title}</p>
      <p>{messageOf(error)}</p>
    </div>
  );
}

/** Query states in one place, so every panel shows loading and failure the same way. */
export function QueryState<T>({
  query,
  what,
  children,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean };
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error)
    return <ErrorNote error={query.error} title={`The ${what} could not be loaded`} />;
  return <Loading what={what} />;
}
