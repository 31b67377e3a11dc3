'use client';

import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/field';
import { messageOf } from '@/lib/errors';
import { useTRPC } from '@/lib/trpc';
import { lineText, logFile, matchingLines, type LogLine } from './log-lines';

const KEEP_LINES = 5_000;

/**
 * The task's stdout and stderr, last lines first, then followed live. Pausing holds new lines
 * back (the view stays still to be read) until it is resumed; the search narrows the lines
 * shown; the download holds every line kept, with its time.
 */
export function LogPanel({
  tenantSlug,
  id,
  name,
  taskId,
}: {
  tenantSlug: string;
  id: string;
  name: string;
  taskId: string | undefined;
}) {
  const trpc = useTRPC();
  const [paused, setPaused] = useState(false);
  const [timestamps, setTimestamps] = useState(false);
  const [search, setSearch] = useState('');
  const [lines, setLines] = useState<LogLine[]>([]);
  const [held, setHeld] = useState<LogLine[]>([]);
  const box = useRef<HTMLPreElement>(null);
  const keep = (more: LogLine[]) => setLines((all) => [...all, ...more].slice(-KEEP_LINES));

  // A new task (a restart) has a new sandbox: start over.
  const [linesOf, setLinesOf] = useState(taskId);
  if (linesOf !== taskId) {
    setLinesOf(taskId);
    setLines([]);
    setHeld([]);
  }
  const subscription = useSubscription(
    trpc.containers.logs.subscriptionOptions(
      { tenantSlug, ref: id, tail: 500, follow: true },
      {
        enabled: Boolean(taskId),
        onData: ({ stream, text, at }) => {
          const line = { stream, text, at };
          if (paused) setHeld((all) => [...all, line].slice(-KEEP_LINES));
          else keep([line]);
        },
      },
    ),
  );
  const resume = () => {
    keep(held);
    setHeld([]);
    setPaused(false);
  };
  useEffect(() => {
    if (!paused && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, paused]);

  const shown = matchingLines(lines, search);
  const download = () => {
    const url = URL.createObjectURL(new Blob([logFile(lines)], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${name}.log`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <div>
      <div className="mb-2 flex flex-wrap items-end gap-3">
        <label className="text-sm font-medium text-slate-800 dark:text-slate-200">
          Search the log
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className="mt-1 block w-56 max-w-full rounded-md border border-slate-300 dark:border-slate-600 px-3 py-1.5 text-sm font-normal focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
          />
        </label>
        <CheckboxField
          label="Timestamps"
          checked={timestamps}
          onChange={(e) => setTimestamps(e.target.checked)}
        />
        <Button variant="secondary" onClick={() => (paused ? resume() : setPaused(true))}>
          {paused ? `Resume${held.length ? ` (${held.length} new)` : ''}` : 'Pause'}
        </Button>
        <Button variant="secondary" disabled={lines.length === 0} onClick={download}>
          Download
        </Button>
        <span className="ml-auto text-xs text-slate-600 dark:text-slate-400" role="status">
          {!taskId
            ? 'Not launched yet'
            : subscription.status === 'error'
              ? messageOf(subscription.error)
              : `${shown.length === lines.length ? '' : `${shown.length} of `}${lines.length} lines${paused ? ' · paused' : ''}`}
        </span>
      </div>
      <pre
        ref={box}
        tabIndex={0}
        aria-label="Container log"
        data-testid="container-log"
        className="h-80 overflow-auto rounded bg-slate-950 p-3 dark:ring-1 dark:ring-slate-700 font-mono text-xs leading-5 text-slate-100 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
      >
        {lines.length === 0
          ? 'No output yet.'
          : shown.map((l, i) => (
              <span key={i} className={l.stream === 'stderr' ? 'text-amber-300' : undefined}>
                {lineText(l, timestamps)}
              </span>
            ))}
      </pre>
    </div>
  );
}
