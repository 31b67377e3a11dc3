'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { OfferSection } from '@/components/quota/offer-section';
import { QuotaBar } from '@/components/quota/quota-bar';
import { PageHeader, Section } from '@/components/ui/section';
import { QueryState } from '@/components/ui/states';
import { useTenant } from '@/components/tenant/tenant-context';
import { formatAmount } from '@/lib/format';
import { useTRPC } from '@/lib/trpc';

export function QuotaPage() {
  const { slug } = useTenant();
  const trpc = useTRPC();
  const [hours, setHours] = useState(24);
  const usage = useQuery(trpc.containers.usage.queryOptions({ tenantSlug: slug }));
  const offers = useQuery(
    trpc.offers.series.queryOptions({ tenantSlug: slug, hours }, { refetchInterval: 30_000 }),
  );

  return (
    <>
      <PageHeader
        title="Quota and offers"
        description="What the tenant’s containers claim against its quota, and what Mesos offered its role."
      />
      <Section title="Quota usage">
        <QueryState query={usage} what="quota usage">
          {(u) => (
            <div className="space-y-4">
              <QuotaBar label="CPUs" line={u.quota.cpus} unit="cpus" />
              <QuotaBar label="Memory" line={u.quota.memoryMb} unit="MB" />
              <QuotaBar label="Disk" line={u.quota.diskMb} unit="MB" />
              <QuotaBar label="GPUs" line={u.quota.gpus} unit="gpus" />
              <p className="text-sm text-slate-700 dark:text-slate-300">
                Containers:{' '}
                {Object.entries(u.containersByState)
                  .filter(([, n]) => n > 0)
                  .map(([state, n]) => `${n} ${state}`)
                  .join(', ') || 'none'}
              </p>
              <p
                className="text-sm text-slate-600 dark:text-slate-400"
                data-testid="best-effort-use"
              >
                Best-effort containers (label <code>shoal.best-effort=true</code>) run on revocable
                CPUs and memory, which count toward no quota, as in Mesos
                {u.bestEffort.cpus > 0 || u.bestEffort.memoryMb > 0
                  ? `: they claim ${formatAmount(u.bestEffort.cpus, 'cpus')} and ${formatAmount(Math.round(u.bestEffort.memoryMb), 'MB')} now.`
                  : '.'}
              </p>
            </div>
          )}
        </QueryState>
      </Section>
      <OfferSection
        offers={offers}
        hours={hours}
        onHoursChange={setHours}
        titles={{
          cpus: 'CPUs',
          memory: 'Memory (MB)',
          revocableCpus: 'Revocable CPUs',
          revocableMemory: 'Revocable memory (MB)',
        }}
        whenEmpty="The framework records offers for the tenant’s role as they arrive."
      />
    </>
  );
}
