import { ContainerPage } from '@/components/containers/container-page';
import { Prefetched } from '@/lib/trpc-server';

export default async function Page({ params }: { params: Promise<{ slug: string; ref: string }> }) {
  const { slug, ref } = await params;
  return (
    <Prefetched
      queries={(trpc, prefetch) => [
        prefetch(trpc.containers.get.queryOptions({ tenantSlug: slug, ref })),
      ]}
    >
      <ContainerPage />
    </Prefetched>
  );
}
