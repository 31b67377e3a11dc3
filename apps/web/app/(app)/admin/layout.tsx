'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Empty, Loading } from '@/components/ui/states';
import { useTRPC } from '@/lib/trpc';

/**
 * Admin pages for cluster admins only. The control plane refuses everyone else's calls; this
 * spares them forms that could only fail.
 */
export default function AdminLayout({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  if (!me.data) return <Loading what="your account" />;
  if (!me.data.isAdmin) {
    return (
      <Empty title="This page is for cluster admins">
        Your account manages tenants through their own pages.{' '}
        <Link href="/tenants" className="text-blue-800 dark:text-blue-300 underline">
          Go to my tenants
        </Link>
      </Empty>
    );
  }
  return children;
}
