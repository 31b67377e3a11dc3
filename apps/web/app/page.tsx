'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/lib/trpc';

export default function HomePage() {
  const trpc = useTRPC();
  const status = useQuery(trpc.system.status.queryOptions());

  return (
    <main className="mx-auto max-w-3xl px-6 py-16">
      <h1 className="text-3xl font-semibold tracking-tight">Shoal</h1>
      <p className="mt-2 text-slate-600">
        Your team’s own Docker engine, running on a shared Mesos cluster.
      </p>
      <section aria-labelledby="status-heading" className="mt-10 rounded-lg border border-slate-200 bg-white p-6">
        <h2 id="status-heading" className="text-lg font-medium">
          Control plane
        </h2>
        {status.isPending && <p className="mt-4 text-slate-500">Checking…</p>}
        {status.isError && (
          <p role="alert" className="mt-4 text-red-700">
            The control plane cannot be reached: {status.error.message}
          </p>
        )}
        {status.data && (
          <dl className="mt-4 grid grid-cols-2 gap-x-6 gap-y-3 text-sm">
            <dt className="text-slate-500">Version</dt>
            <dd data-testid="version">{status.data.version}</dd>
            <dt className="text-slate-500">Database</dt>
            <dd data-testid="database">
              {status.data.database.kind === 'pglite' ? 'Embedded PGlite' : 'PostgreSQL'} ·{' '}
              {status.data.database.ok ? 'healthy' : `unavailable (${status.data.database.error})`}
            </dd>
            <dt className="text-slate-500">Tenants</dt>
            <dd data-testid="tenants">{status.data.tenants}</dd>
            <dt className="text-slate-500">Containers</dt>
            <dd data-testid="containers">{status.data.containers}</dd>
          </dl>
        )}
      </section>
    </main>
  );
}
