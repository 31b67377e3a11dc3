import type { ReactNode } from 'react';
import { TenantFrame } from '@/components/tenant/tenant-frame';
import { Prefetched } from '@/lib/trpc-server';

export default async function TenantLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ slug: string }>;
}) {
  const { slug } = await params;
  return (
    <Prefetched
      queries={(trpc, prefetch) => [prefetch(trpc.tenants.get.queryOptions({ tenantSlug: slug }))]}
    >
      <TenantFrame>{children}</TenantFrame>
    </Prefetched>
  );
}
