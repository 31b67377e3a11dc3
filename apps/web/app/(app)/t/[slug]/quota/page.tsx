import { QuotaPage } from '@/components/quota/quota-page';
import { Prefetched } from '@/lib/trpc-server';

export default async function Page({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <Prefetched
      queries={(trpc, prefetch) => [
        prefetch(trpc.containers.usage.queryOptions({ tenantSlug: slug })),
        prefetch(trpc.offers.series.queryOptions({ tenantSlug: slug, hours: 24 })),
      ]}
    >
      <QuotaPage />
    </Prefetched>
  );
}
