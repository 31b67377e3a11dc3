'use client';

import { useQuery } from '@tanstack/react-query';
import { QueryState } from '@/components/ui/states';
import { useTRPC } from '@/lib/trpc';

export function ControlPlaneStatus() {
  const trpc = useTRPC();
  const status = useQuery(trpc.system.status.queryOptions());
  return (
    <QueryState query={status} what="control plane status">
      {(s) => (
        <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm sm:grid-cols-4">
          <dt className="text-slate-600 dark:text-slate-400">Version</dt>
          <dd data-testid="version">{s.version}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Database</dt>
          <dd data-testid="database">
            {s.database.kind === 'pglite' ? 'Embedded PGlite' : 'PostgreSQL'} ·{' '}
            {s.database.ok ? 'healthy' : `unavailable (${s.database.error})`}
          </dd>
          <dt className="text-slate-600 dark:text-slate-400">Mesos</dt>
          <dd data-testid="mesos">
            {s.emulatedCluster ? 'Emulated (containers run nowhere)' : 'Apache Mesos cluster'}
          </dd>
          <dt className="text-slate-600 dark:text-slate-400">Tenants</dt>
          <dd data-testid="tenants">{s.tenants}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Containers</dt>
          <dd data-testid="containers">{s.containers}</dd>
        </dl>
      )}
    </QueryState>
  );
}
