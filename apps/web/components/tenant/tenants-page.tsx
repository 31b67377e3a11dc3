'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { PageHeader, Section } from '@/components/ui/section';
import { Empty, QueryState } from '@/components/ui/states';
import { formatAmount } from '@/lib/format';
import { useTRPC } from '@/lib/trpc';
import { ControlPlaneStatus } from './control-plane-status';

export function TenantsPage() {
  const trpc = useTRPC();
  const tenants = useQuery(trpc.tenants.mine.queryOptions());
  return (
    <>
      <PageHeader
        title="My tenants"
        description="Each tenant is a Mesos role with its own quota, containers and Docker API tokens."
      />
      <QueryState query={tenants} what="tenants">
        {(list) =>
          list.length === 0 ? (
            <Empty title="You belong to no tenant yet">
              Ask a tenant owner to add you, or a cluster admin to create a tenant.
            </Empty>
          ) : (
            <ul className="mb-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {list.map(({ tenant, role, membership }) => (
                <li key={tenant.id}>
                  <Link
                    href={`/t/${tenant.slug}`}
                    className="block rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4 hover:border-blue-400 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
                  >
                    <div className="flex items-center justify-between gap-2">
                      <span className="font-medium text-slate-900 dark:text-slate-100">
                        {tenant.name}
                      </span>
                      <Badge tone={membership ? 'blue' : 'slate'}>
                        {membership ?? `admin as ${role.toLowerCase()}`}
                      </Badge>
                    </div>
                    <p className="mt-1 font-mono text-xs text-slate-600 dark:text-slate-400">
                      {tenant.slug} · role {tenant.mesosRole}
                    </p>
                    <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">
                      Limit {formatAmount(tenant.quotaCpusLimit, 'cpus')} ·{' '}
                      {formatAmount(tenant.quotaMemLimit, 'MB')}
                    </p>
                  </Link>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      <Section title="Control plane">
        <ControlPlaneStatus />
      </Section>
    </>
  );
}
