'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { OfferSection } from '@/components/quota/offer-section';
import { useTRPC } from '@/lib/trpc';

/** What Mesos offered every tenant's role, and what became of it, a window a minute. */
export function ClusterOffers() {
  const trpc = useTRPC();
  const [hours, setHours] = useState(6);
  const offers = useQuery(
    trpc.admin.cluster.offerSeries.queryOptions({ hours }, { refetchInterval: 30_000 }),
  );
  return (
    <OfferSection
      offers={offers}
      hours={hours}
      onHoursChange={setHours}
      titles={{
        cpus: 'CPUs offered to all tenants',
        memory: 'Memory offered to all tenants (MB)',
        revocableCpus: 'Revocable CPUs offered to all tenants',
        revocableMemory: 'Revocable memory offered to all tenants (MB)',
      }}
      whenEmpty="Mesos offers resources to a tenant’s role while it has containers waiting to start."
      testId="cluster-offers"
    />
  );
}
