'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ContainerActions } from '@/components/containers/container-actions';
import { ContainerFacts } from '@/components/containers/container-facts';
import { LogPanel } from '@/components/containers/log-panel';
import { StateHistory } from '@/components/containers/state-history';
import { StateBadge } from '@/components/ui/badge';
import { PageHeader, Section } from '@/components/ui/section';
import { QueryState } from '@/components/ui/states';
import { useTenant } from '@/components/tenant/tenant-context';
import { useTRPC } from '@/lib/trpc';

export default function ContainerPage() {
  const { ref } = useParams<{ ref: string }>();
  const { slug, can } = useTenant();
  const trpc = useTRPC();
  const container = useQuery(trpc.containers.get.queryOptions({ tenantSlug: slug, ref }));
  return (
    <>
      <Link href={`/t/${slug}`} className="mb-4 inline-block text-sm text-blue-800 underline-offset-2 hover:underline">
        ← All containers
      </Link>
      <QueryState query={container} what="container">
        {(c) => (
          <>
            <PageHeader
              title={c.name}
              description={<span className="inline-flex items-center gap-2" data-testid="container-state"><StateBadge state={c.state} /> {c.status}</span>}
              actions={can('MEMBER') ? <ContainerActions tenantSlug={slug} id={c.id} state={c.state} /> : undefined}
            />
            <div className="grid gap-6 lg:grid-cols-2">
              <Section title="Details">
                <ContainerFacts c={c} />
              </Section>
              <Section title="State history">
                <StateHistory tenantSlug={slug} id={c.id} />
              </Section>
            </div>
            <Section title="Logs">
              <LogPanel tenantSlug={slug} id={c.id} taskId={c.task?.mesosTaskId} />
            </Section>
          </>
        )}
      </QueryState>
    </>
  );
}
