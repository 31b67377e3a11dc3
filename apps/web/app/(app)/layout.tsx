import type { ReactNode } from 'react';
import { AppShell } from '@/components/shell/app-shell';
import { Prefetched } from '@/lib/trpc-server';

export default function SignedInLayout({ children }: { children: ReactNode }) {
  return (
    <Prefetched
      queries={(trpc, prefetch) => [
        prefetch(trpc.auth.me.queryOptions()),
        prefetch(trpc.system.status.queryOptions()),
      ]}
    >
      <AppShell>{children}</AppShell>
    </Prefetched>
  );
}
