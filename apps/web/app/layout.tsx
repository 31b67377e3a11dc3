import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: 'Shoal',
  description: 'Your team’s Docker engine on a shared Mesos cluster',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request, so each page's scripts carry that response's CSP nonce (proxy.ts).
  await connection();
  return (
    <html lang="en" className="[color-scheme:light_dark]">
      <body className="min-h-screen bg-slate-50 dark:bg-slate-950 font-sans text-slate-900 dark:text-slate-100 antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
