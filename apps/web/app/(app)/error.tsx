'use client';

import { useRouter } from 'next/navigation';
import { startTransition } from 'react';
import { Button } from '@/components/ui/button';

/**
 * A page that failed while it was being put together. The frame and its navigation stay, so
 * another page is a click away; trying again reads the page afresh from the server.
 */
export default function PageError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  const router = useRouter();
  const retry = () =>
    startTransition(() => {
      router.refresh();
      reset();
    });
  return (
    <div
      role="alert"
      className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
    >
      <p className="font-medium">This page could not be shown.</p>
      <p className="mt-1">
        Try again; if it fails again, check that the Shoal control plane is running (the status on
        My tenants says whether it answers).
        {error.digest && (
          <>
            {' '}
            The dashboard&apos;s log has the details under reference{' '}
            <code className="font-mono">{error.digest}</code>.
          </>
        )}
      </p>
      <Button className="mt-3" onClick={retry}>
        Try again
      </Button>
    </div>
  );
}
