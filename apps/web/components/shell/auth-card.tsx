import type { ReactNode } from 'react';

/** The centred card of the signed-out pages. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-6 shadow-sm">
        <p className="text-sm font-semibold tracking-tight text-blue-800 dark:text-blue-300">
          Shoal
        </p>
        <h1 className="mt-1 text-xl font-semibold text-slate-900 dark:text-slate-100">{title}</h1>
        <div className="mt-6">{children}</div>
      </div>
    </main>
  );
}
