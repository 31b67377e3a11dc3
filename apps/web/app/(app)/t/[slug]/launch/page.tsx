'use client';

import { LaunchForm } from '@/components/containers/launch-form';
import { PageHeader } from '@/components/ui/section';
import { Empty } from '@/components/ui/states';
import { useTenant } from '@/components/tenant/tenant-context';

export default function LaunchPage() {
  const { slug, can } = useTenant();
  return (
    <>
      <PageHeader
        title="Launch a container"
        description="Like docker run -d: the container starts as soon as Mesos offers the resources."
      />
      {can('MEMBER') ? (
        <div className="rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4 sm:p-6">
          <LaunchForm tenantSlug={slug} />
        </div>
      ) : (
        <Empty title="Viewers cannot launch containers">
          Ask an owner of this tenant for the member role.
        </Empty>
      )}
    </>
  );
}
