'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { PageHeader, Section } from '@/components/ui/section';
import { Empty, QueryState } from '@/components/ui/states';
import { Cell, Table } from '@/components/ui/table';
import { When } from '@/components/ui/when';
import { useTRPC } from '@/lib/trpc';

const dayStart = (value: string) => (value ? new Date(`${value}T00:00:00`) : undefined);
const dayEnd = (value: string) => (value ? new Date(`${value}T23:59:59.999`) : undefined);

export default function AuditPage() {
  const trpc = useTRPC();
  const [tenantId, setTenantId] = useState('');
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const tenants = useQuery(trpc.admin.tenants.list.queryOptions());
  const actions = useQuery(trpc.admin.audit.actions.queryOptions());
  const filters = {
    ...(tenantId ? { tenantId } : {}),
    ...(actor.trim() ? { actor: actor.trim() } : {}),
    ...(action ? { action } : {}),
    since: dayStart(since),
    until: dayEnd(until),
    limit: 50,
  };
  const events = useInfiniteQuery(
    trpc.admin.audit.list.infiniteQueryOptions(filters, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
    }),
  );
  const families = [...new Set((actions.data ?? []).map((a) => `${a.split('.')[0]}.`))];

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made through the dashboard, the Docker API and the framework, newest first."
      />
      <Section title="Filters">
        <div className="grid gap-3 sm:grid-cols-5">
          <SelectField
            label="Tenant"
            value={tenantId}
            onChange={(e) => setTenantId(e.target.value)}
          >
            <option value="">All tenants</option>
            {tenants.data?.map(({ tenant }) => (
              <option key={tenant.id} value={tenant.id}>
                {tenant.slug}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Actor contains"
            value={actor}
            onChange={(e) => setActor(e.target.value)}
          />
          <SelectField label="Action" value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">All actions</option>
            {families.map((f) => (
              <option key={f} value={f}>{`${f}*`}</option>
            ))}
            {actions.data?.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </SelectField>
          <TextField
            label="From"
            type="date"
            value={since}
            onChange={(e) => setSince(e.target.value)}
          />
          <TextField
            label="Until"
            type="date"
            value={until}
            onChange={(e) => setUntil(e.target.value)}
          />
        </div>
      </Section>
      <Section title="Events">
        <QueryState
          query={{ data: events.data, error: events.error, isPending: events.isPending }}
          what="audit events"
        >
          {(data) => {
            const rows = data.pages.flatMap((p) => p.events);
            return rows.length === 0 ? (
              <Empty title="No event matches these filters" />
            ) : (
              <>
                <Table
                  caption="Audit events"
                  head={['When', 'Tenant', 'Actor', 'Action', 'Target', 'Detail']}
                >
                  {rows.map((e) => (
                    <tr key={e.id}>
                      <Cell className="whitespace-nowrap">
                        <When date={e.at} />
                      </Cell>
                      <Cell>{e.tenantSlug ?? '—'}</Cell>
                      <Cell className="text-xs">{e.actor}</Cell>
                      <Cell className="font-mono text-xs">{e.action}</Cell>
                      <Cell className="text-xs">{e.target ?? '—'}</Cell>
                      <Cell className="max-w-xs truncate font-mono text-xs">
                        {e.detail == null ? '' : JSON.stringify(e.detail)}
                      </Cell>
                    </tr>
                  ))}
                </Table>
                {events.hasNextPage && (
                  <Button
                    variant="secondary"
                    className="mt-4"
                    disabled={events.isFetchingNextPage}
                    onClick={() => void events.fetchNextPage()}
                  >
                    {events.isFetchingNextPage ? 'Loading…' : 'Load older events'}
                  </Button>
                )}
              </>
            );
          }}
        </QueryState>
      </Section>
    </>
  );
}
