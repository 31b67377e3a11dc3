'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useTenant } from './tenant-context';

export function TenantTabs() {
  const { slug, can } = useTenant();
  const pathname = usePathname();
  const base = `/t/${slug}`;
  const tabs = [
    { href: base, label: 'Containers', exact: true },
    ...(can('MEMBER') ? [{ href: `${base}/launch`, label: 'Launch', exact: false }] : []),
    { href: `${base}/quota`, label: 'Quota & offers', exact: false },
    { href: `${base}/tokens`, label: 'API tokens', exact: false },
    { href: `${base}/members`, label: 'Members', exact: false },
  ];
  return (
    <nav
      aria-label="Tenant"
      className="mb-6 flex flex-wrap gap-1 border-b border-slate-200 dark:border-slate-700"
    >
      {tabs.map((tab) => {
        const current = tab.exact
          ? pathname === tab.href || pathname.startsWith(`${base}/containers`)
          : pathname.startsWith(tab.href);
        return (
          <Link
            key={tab.href}
            href={tab.href}
            aria-current={current ? 'page' : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400 ${current ? 'border-blue-700 font-medium text-blue-800 dark:text-blue-300' : 'border-transparent text-slate-700 dark:text-slate-300 hover:text-slate-900 dark:hover:text-slate-100'}`}
          >
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}
