'use client';

import { useQuery } from '@tanstack/react-query';
import { AgentsTable } from '@/components/cluster/agents-table';
import { agentsByState, clusterTotals } from '@/components/cluster/cluster-model';
import { ClusterOffers } from '@/components/cluster/cluster-offers';
import { ClusterTotalsView } from '@/components/cluster/cluster-totals';
import { RoleAllocation } from '@/components/cluster/role-allocation';
import { Badge } from '@/components/ui/badge';
import { PageHeader, Section } from '@/components/ui/section';
import { Empty, QueryState } from '@/components/ui/states';
import { Cell, Table } from '@/components/ui/table';
import { formatAmount } from '@/lib/format';
import { useTRPC } from '@/lib/trpc';

interface Resources {
  cpus: number;
  memoryMb: number;
  diskMb: number;
  gpus: number;
}
const partial = (r: Partial<Resources> | null) =>
  r
    ? [
        r.cpus !== undefined && formatAmount(r.cpus, 'cpus'),
        r.memoryMb !== undefined && formatAmount(r.memoryMb, 'MB'),
      ]
        .filter(Boolean)
        .join(' · ') || '—'
    : '—';

export default function AdminClusterPage() {
  const trpc = useTRPC();
  const overview = useQuery(
    trpc.admin.cluster.overview.queryOptions(undefined, { refetchInterval: 10_000 }),
  );
  return (
    <>
      <PageHeader
        title="Cluster"
        description="Agents, frameworks and roles as the Mesos master reports them."
      />
      <QueryState query={overview} what="cluster overview">
        {(o) => {
          const totals = clusterTotals(o.agents);
          return (
            <>
              <Section title="Shoal framework">
                <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-2 text-sm">
                  <dt className="text-slate-600 dark:text-slate-400">Cluster</dt>
                  <dd>
                    {o.framework.emulated ? (
                      <Badge tone="amber">emulated: containers run nowhere</Badge>
                    ) : (
                      <Badge tone="slate">Apache Mesos</Badge>
                    )}
                  </dd>
                  {o.framework.problem && (
                    <>
                      <dt className="text-slate-600 dark:text-slate-400">Problem</dt>
                      <dd
                        className="text-sm text-red-800 dark:text-red-300"
                        data-testid="framework-problem"
                      >
                        {o.framework.problem}
                      </dd>
                    </>
                  )}
                  <dt className="text-slate-600 dark:text-slate-400">Subscription</dt>
                  <dd>
                    {o.framework.subscribed ? (
                      <Badge tone="green">subscribed</Badge>
                    ) : (
                      <Badge tone="amber">not subscribed on this server</Badge>
                    )}
                  </dd>
                  <dt className="text-slate-600 dark:text-slate-400">Framework id</dt>
                  <dd className="font-mono text-xs">{o.framework.frameworkId ?? '—'}</dd>
                  <dt className="text-slate-600 dark:text-slate-400">Master</dt>
                  <dd className="font-mono text-xs">{o.framework.master ?? '—'}</dd>
                  <dt className="text-slate-600 dark:text-slate-400">Roles</dt>
                  <dd className="text-xs">
                    {o.framework.roles
                      .map(
                        (r) =>
                          `${r}${o.framework.suppressedRoles.includes(r) ? ' (suppressed)' : ''}`,
                      )
                      .join(', ') || '—'}
                  </dd>
                </dl>
              </Section>
              {!o.connected ? (
                <Empty title="The Mesos operator API is not connected to this page">
                  Agents, frameworks and roles, and the drain and maintenance actions, appear once
                  the control plane attaches its operator client.
                </Empty>
              ) : (
                <>
                  <Section title="Cluster totals">
                    <ClusterTotalsView totals={totals} byState={agentsByState(o.agents)} />
                  </Section>
                  <Section title="Resources by role">
                    <RoleAllocation roles={o.roles} total={totals.total} />
                  </Section>
                  <ClusterOffers />
                  <Section title="Agents">
                    <AgentsTable agents={o.agents} />
                  </Section>
                  <Section title="Frameworks">
                    <Table caption="Frameworks" head={['Name', 'Id', 'Roles', 'Tasks', 'State']}>
                      {o.frameworks.map((f) => (
                        <tr key={f.id}>
                          <Cell className="font-medium">
                            {f.name}
                            {f.isShoal && ' (Shoal)'}
                          </Cell>
                          <Cell className="font-mono text-xs">{f.id}</Cell>
                          <Cell className="text-xs">{f.roles.join(', ')}</Cell>
                          <Cell>{f.tasks}</Cell>
                          <Cell>
                            <Badge tone={f.active ? 'green' : 'slate'}>
                              {f.active ? 'active' : 'inactive'}
                            </Badge>
                          </Cell>
                        </tr>
                      ))}
                    </Table>
                  </Section>
                  <Section title="Roles">
                    <Table
                      caption="Roles"
                      head={['Role', 'Weight', 'Allocated', 'Guarantee', 'Limit']}
                    >
                      {o.roles.map((r) => (
                        <tr key={r.name}>
                          <Cell className="font-mono text-xs">{r.name}</Cell>
                          <Cell>{r.weight}</Cell>
                          <Cell className="text-xs">{partial(r.allocated)}</Cell>
                          <Cell className="text-xs">{partial(r.quota.guarantee)}</Cell>
                          <Cell className="text-xs">{partial(r.quota.limit)}</Cell>
                        </tr>
                      ))}
                    </Table>
                  </Section>
                </>
              )}
            </>
          );
        }}
      </QueryState>
    </>
  );
}
