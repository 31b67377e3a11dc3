'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { ErrorNote, Loading } from '@/components/ui/states';
import { useTRPC } from '@/lib/trpc';

const ADMIN_LINKS = [
  { href: '/admin/tenants', label: 'Tenants' },
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/cluster', label: 'Cluster' },
  { href: '/admin/audit', label: 'Audit log' },
];

/** The frame of every signed-in page; sends visitors without a usable session elsewhere. */
export function AppShell({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const status = useQuery(trpc.system.status.queryOptions());
  const user = me.data;
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSettled: () => {
        queryClient.clear();
        router.replace('/sign-in');
      },
    }),
  );

  useEffect(() => {
    if (user === null) router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`);
    else if (user?.mustChangePassword) router.replace('/change-password');
  }, [user, router, pathname]);

  // A failed refetch keeps the page: only a session that could never be read is an error.
  if (me.error && !user)
    return (
      <main className="p-6">
        <ErrorNote error={me.error} title="The control plane cannot be reached" />
      </main>
    );
  if (!user || user.mustChangePassword)
    return (
      <main className="p-6">
        <Loading what="your session" />
      </main>
    );

  const navLink = (href: string, label: string) => {
    const current = pathname === href || pathname.startsWith(`${href}/`);
    return (
      <Link
        key={href}
        href={href}
        aria-current={current ? 'page' : undefined}
        className={`rounded px-2 py-1 text-sm hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-white ${current ? 'bg-slate-700 font-medium text-white' : 'text-slate-200'}`}
      >
        {label}
      </Link>
    );
  };

  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2 focus:bg-white">
        Skip to content
      </a>
      <header className="bg-slate-900 text-white dark:border-b dark:border-slate-800 dark:bg-slate-950">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link
            href="/"
            className="text-lg font-semibold tracking-tight focus-visible:outline-2 focus-visible:outline-white"
          >
            Shoal
          </Link>
          <nav aria-label="Main" className="flex flex-wrap gap-1">
            {navLink('/tenants', 'My tenants')}
            {user.isAdmin && ADMIN_LINKS.map((l) => navLink(l.href, l.label))}
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="text-slate-300" data-testid="signed-in-as">
              {user.email}
              {user.isAdmin && ' · admin'}
            </span>
            <Button
              variant="secondary"
              onClick={() => signOut.mutate()}
              disabled={signOut.isPending}
            >
              Sign out
            </Button>
          </div>
        </div>
      </header>
      {status.data?.emulatedCluster && (
        <div
          role="status"
          data-testid="emulated-cluster"
          className="bg-amber-100 dark:bg-amber-950 px-4 py-2 text-center text-sm text-amber-950 dark:text-amber-100"
        >
          <strong>Emulated Mesos cluster.</strong> Shoal runs on its built-in Mesos emulator:
          containers shown here do not run anywhere. Set MESOS_MASTER to use a real cluster.
        </div>
      )}
      <main id="main" className="mx-auto max-w-7xl px-4 py-6">
        {children}
      </main>
    </div>
  );
}
