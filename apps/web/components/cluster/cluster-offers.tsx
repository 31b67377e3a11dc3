'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { OfferChart } from '@/components/quota/offer-chart';
import { OfferRangeSelect } from '@/components/quota/offer-range-select';
import { Section } from '@/components/ui/section';
import { Empty, QueryState } from '@/components/ui/states';
import { useTRPC } from '@/lib/trpc';

/** What Mesos offered every tenant's role, and what became of it, a window a minute. */
export function ClusterOffers() {
  const trpc = useTRPC();
  const [hours, setHours] = useState(6);
  const offers = useQuery(
    trpc.admin.cluster.offerSeries.queryOptions({ hours }, { refetchInterval: 30_000 }),
  );
  return (
    <Section
      title="Offers over time"
      actions={<OfferRangeSelect hours={hours} onChange={setHours} />}
    >
      <QueryState query={offers} what="offer statistics">
        {(series) =>
          series.length === 0 ? (
            <Empty title="No offers recorded in this range">
              Mesos offers resources to a tenant’s role while it has containers waiting to start.
            </Empty>
          ) : (
            <div className="grid gap-6 lg:grid-cols-2" data-testid="cluster-offers">
              <OfferChart
                title="CPUs offered to all tenants"
                unit="CPUs"
                points={series.map((p) => ({ windowStart: p.windowStart, ...p.cpus }))}
              />
              <OfferChart
                title="Memory offered to all tenants (MB)"
                unit="MB"
                points={series.map((p) => ({ windowStart: p.windowStart, ...p.memoryMb }))}
              />
            </div>
          )
        }
      </QueryState>
    </Section>
  );
}
