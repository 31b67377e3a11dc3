'use client';

import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { CheckboxField } from '@/components/ui/field';
import { messageOf } from '@/lib/errors';
import { useTRPC } from '@/lib/trpc';

const KEEP_LINES = 2_000;

interface Line {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** The task's stdout and stderr, last lines first, then followed live while "Follow" is on. */
export function LogPanel({ tenantSlug, id, taskId }: { tenantSlug: string; id: string; taskId: string | undefined }) {
  const trpc = useTRPC();
  const [follow, setFollow] = useState(true);
  const [lines, setLines] = useState<Line[]>([]);
  const box = useRef<HTMLPreElement>(null);

  // A new task (a restart) has a new sandbox, and turning Follow on reads it again: start over.
  const readKey = `${taskId ?? ''}:${follow}`;
  const [linesOf, setLinesOf] = useState(readKey);
  if (linesOf !== readKey) {
    setLinesOf(readKey);
    setLines([]);
  }
  const subscription = useSubscription(
    trpc.containers.logs.subscriptionOptions(
      { tenantSlug, ref: id, tail: 500, follow },
      {
        enabled: Boolean(taskId),
        onData: (line) => setLines((all) => [...all.slice(-(KEEP_LINES - 1)), { stream: line.stream, text: line.text }]),
      },
    ),
  );
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  return (
    <div>
      <div className="mb-2 flex items-center justify-between gap-4">
        <CheckboxField label="Follow" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
        <span className="text-xs text-slate-600" role="status">
          {!taskId ? 'Not launched yet' : subscription.status === 'error' ? messageOf(subscription.error) : `${lines.length} lines`}
        </span>
      </div>
      <pre
        ref={box}
        tabIndex={0}
        aria-label="Container log"
        data-testid="container-log"
        className="h-80 overflow-auto rounded bg-slate-950 p-3 font-mono text-xs leading-5 text-slate-100 focus-visible:outline-2 focus-visible:outline-blue-700"
      >
        {lines.length === 0
          ? 'No output yet.'
          : lines.map((l, i) => (
              <span key={i} className={l.stream === 'stderr' ? 'text-amber-300' : undefined}>
                {l.text.endsWith('\n') ? l.text : `${l.text}\n`}
              </span>
            ))}
      </pre>
    </div>
  );
}
