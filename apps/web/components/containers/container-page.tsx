'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ContainerActions } from '@/components/containers/container-actions';
import { ContainerFacts } from '@/components/containers/container-facts';
import { LogPanel } from '@/components/containers/log-panel';
import { StateHistory } from '@/components/containers/state-history';
import { TerminalPanel } from '@/components/containers/terminal-panel';
import { UsageCharts } from '@/components/containers/usage-charts';
import { StateBadge } from '@/components/ui/badge';
import { PageHeader, Section } from '@/components/ui/section';
import { QueryState } from '@/components/ui/states';
import { useTenant } from '@/components/tenant/tenant-context';
import { useTRPC } from '@/lib/trpc';

/** Meant to run but not placed yet. */
const isWaiting = (c: { state: string; desiredState: string } | undefined) =>
  c?.desiredState === 'running' && c.state === 'created';

export function ContainerPage() {
  const { ref } = useParams<{ ref: string }>();
  const { slug, can } = useTenant();
  const trpc = useTRPC();
  const container = useQuery({
    ...trpc.containers.get.queryOptions({ tenantSlug: slug, ref }),
    // The reason a container waits changes with every offer round, without an event.
    refetchInterval: (query) => (isWaiting(query.state.data) ? 5_000 : false),
  });
  return (
    <>
      <Link
        href={`/t/${slug}`}
        className="mb-4 inline-block text-sm text-blue-800 dark:text-blue-300 underline-offset-2 hover:underline"
      >
        ← All containers
      </Link>
      <QueryState query={container} what="container">
        {(c) => (
          <>
            <PageHeader
              title={c.name}
              description={
                <span className="inline-flex items-center gap-2" data-testid="container-state">
                  <StateBadge state={c.state} /> {c.status}
                </span>
              }
              actions={
                can('MEMBER') ? (
                  <ContainerActions
                    tenantSlug={slug}
                    id={c.id}
                    state={c.state}
                    wantsToRun={c.desiredState === 'running'}
                  />
                ) : undefined
              }
            />
            {isWaiting(c) && (
              <p
                role="status"
                data-testid="waiting-reason"
                className="mb-6 rounded-md border border-amber-200 dark:border-amber-800 bg-amber-50 dark:bg-amber-950 px-4 py-3 text-sm text-amber-900 dark:text-amber-200"
              >
                <span className="font-medium">Waiting to be placed: </span>
                {c.waiting ?? 'no Mesos offer has been matched to it yet'}
              </p>
            )}
            <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-2">
              <Section title="Details">
                <ContainerFacts c={c} />
              </Section>
              <Section title="State history">
                <StateHistory tenantSlug={slug} id={c.id} />
              </Section>
            </div>
            <Section title="Usage">
              <UsageCharts tenantSlug={slug} id={c.id} running={c.state === 'running'} />
            </Section>
            <Section title="Logs">
              <LogPanel tenantSlug={slug} id={c.id} name={c.name} taskId={c.task?.mesosTaskId} />
            </Section>
            {/* Viewers get no terminal; the control plane refuses them one as well. */}
            {can('MEMBER') && (
              <Section title="Terminal">
                <TerminalPanel
                  tenantSlug={slug}
                  id={c.id}
                  name={c.name}
                  running={c.state === 'running'}
                  runtime={c.spec.runtime ?? 'docker'}
                />
              </Section>
            )}
          </>
        )}
      </QueryState>
    </>
  );
}
