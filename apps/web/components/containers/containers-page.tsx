'use client';

import { useQuery } from '@tanstack/react-query';
import { ContainersTable } from '@/components/containers/containers-table';
import { QueryState } from '@/components/ui/states';
import { useTenant } from '@/components/tenant/tenant-context';
import { useTRPC } from '@/lib/trpc';

export function ContainersPage() {
  const { slug, can } = useTenant();
  const trpc = useTRPC();
  // Kept current by the live stream's patches (LiveUpdates), so never read again just for age.
  const containers = useQuery({
    ...trpc.containers.list.queryOptions({ tenantSlug: slug }),
    staleTime: Infinity,
  });
  return (
    <>
      <h1 className="sr-only">Containers</h1>
      <QueryState query={containers} what="containers">
        {(list) => (
          <ContainersTable tenantSlug={slug} containers={list.containers} canAct={can('MEMBER')} />
        )}
      </QueryState>
    </>
  );
}
