import { TenantsPage } from '@/components/tenant/tenants-page';
import { Prefetched } from '@/lib/trpc-server';

export default function Page() {
  return (
    <Prefetched queries={(trpc, prefetch) => [prefetch(trpc.tenants.mine.queryOptions())]}>
      <TenantsPage />
    </Prefetched>
  );
}
