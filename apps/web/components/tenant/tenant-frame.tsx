'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { Badge } from '@/components/ui/badge';
import { ErrorNote, Loading } from '@/components/ui/states';
import { LiveUpdates } from '@/components/tenant/live-updates';
import { TenantContext } from '@/components/tenant/tenant-context';
import { TenantTabs } from '@/components/tenant/tenant-tabs';
import { useTRPC } from '@/lib/trpc';

/** The tenant's name, role and live status above its tabs; its pages read the tenant from it. */
export function TenantFrame({ children }: { children: ReactNode }) {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const tenant = useQuery(trpc.tenants.get.queryOptions({ tenantSlug: slug }));

  if (tenant.error)
    return <ErrorNote error={tenant.error} title={`Tenant ${slug} is not available`} />;
  if (!tenant.data) return <Loading what="tenant" />;
  const { tenant: t, role } = tenant.data;
  return (
    <TenantContext value={{ slug: t.slug, name: t.name, role }}>
      <div className="mb-2 flex flex-wrap items-center gap-3">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Tenant <span className="font-medium text-slate-900 dark:text-slate-100">{t.name}</span> ·
          Mesos role <code className="font-mono">{t.mesosRole}</code>
        </p>
        <Badge tone="blue">{role}</Badge>
        <LiveUpdates tenantSlug={t.slug} />
      </div>
      <TenantTabs />
      {children}
    </TenantContext>
  );
}
