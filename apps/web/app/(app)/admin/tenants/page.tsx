'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Fragment, useState } from 'react';
import { CreateTenantForm } from '@/components/admin/create-tenant-form';
import { EditTenantForm } from '@/components/admin/edit-tenant-form';
import { Button } from '@/components/ui/button';
import { PageHeader, Section } from '@/components/ui/section';
import { Empty, QueryState } from '@/components/ui/states';
import { Cell, Table } from '@/components/ui/table';
import { formatAmount } from '@/lib/format';
import { useTRPC } from '@/lib/trpc';

const range = (g: number | null, l: number | null, unit: 'cpus' | 'MB' | 'gpus') =>
  g === null && l === null ? '—' : `${formatAmount(g, unit)} – ${formatAmount(l, unit)}`;

export default function AdminTenantsPage() {
  const trpc = useTRPC();
  const tenants = useQuery(trpc.admin.tenants.list.queryOptions());
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <>
      <PageHeader
        title="Tenants"
        description="Each tenant is a Mesos role; quota guarantees and limits are pushed to Mesos and checked at admission."
      />
      <Section title="New tenant">
        <CreateTenantForm />
      </Section>
      <Section title="All tenants">
        <QueryState query={tenants} what="tenants">
          {(list) =>
            list.length === 0 ? (
              <Empty title="No tenants yet" />
            ) : (
              <Table
                caption="Tenants"
                head={[
                  'Tenant',
                  'Mesos role',
                  'Weight',
                  'Runtime',
                  'CPUs (guarantee – limit)',
                  'Memory',
                  'Members',
                  'Live containers',
                  '',
                ]}
              >
                {list.map(({ tenant: t, members, containers }) => (
                  <Fragment key={t.id}>
                    <tr>
                      <Cell>
                        <Link
                          href={`/t/${t.slug}`}
                          className="font-medium text-blue-800 dark:text-blue-300 underline-offset-2 hover:underline"
                        >
                          {t.name}
                        </Link>
                        <span className="block font-mono text-xs text-slate-600 dark:text-slate-400">
                          {t.slug}
                        </span>
                      </Cell>
                      <Cell className="font-mono text-xs">{t.mesosRole}</Cell>
                      <Cell>{t.weight}</Cell>
                      <Cell>{t.runtime ?? 'default'}</Cell>
                      <Cell>{range(t.quotaCpusGuarantee, t.quotaCpusLimit, 'cpus')}</Cell>
                      <Cell>{range(t.quotaMemGuarantee, t.quotaMemLimit, 'MB')}</Cell>
                      <Cell>{members}</Cell>
                      <Cell>{containers}</Cell>
                      <Cell>
                        <Button
                          variant="secondary"
                          aria-expanded={editing === t.id}
                          aria-label={`Edit ${t.slug}`}
                          onClick={() => setEditing(editing === t.id ? null : t.id)}
                        >
                          Edit
                        </Button>
                      </Cell>
                    </tr>
                    {editing === t.id && (
                      <tr>
                        <td colSpan={9}>
                          <EditTenantForm tenant={t} onDone={() => setEditing(null)} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </Table>
            )
          }
        </QueryState>
      </Section>
    </>
  );
}
