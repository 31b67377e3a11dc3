'use client';

import { useSyncExternalStore } from 'react';
import { formatDateTime, formatTime } from '@/lib/format';

const never = () => () => undefined;

/**
 * False on the server and while the browser hydrates what it sent, true after: what depends on
 * the browser (its time zone) is rendered as the server did first, so the two agree, and then
 * as the browser would.
 */
export function useInBrowser(): boolean {
  return useSyncExternalStore(
    never,
    () => true,
    () => false,
  );
}

/** A moment in the visitor's time zone (in UTC, marked so, in the server's render). */
export function When({
  date,
  timeOnly = false,
}: {
  date: Date | null | undefined;
  timeOnly?: boolean;
}) {
  const local = useInBrowser();
  if (!date) return <>—</>;
  return (
    <time dateTime={date.toISOString()}>
      {timeOnly ? formatTime(date, local) : formatDateTime(date, local)}
    </time>
  );
}
