'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { messageOf } from '@/lib/errors';
import { refreshContainerViews } from '@/lib/refresh';
import { useTRPC } from '@/lib/trpc';

type Action = 'stop' | 'restart' | 'remove';
const LABEL: Record<Action, string> = { stop: 'Stop', restart: 'Restart', remove: 'Remove' };
const DONE: Record<Action, string> = { stop: 'Stopped', restart: 'Restarted', remove: 'Removed' };
const DOING: Record<Action, string> = {
  stop: 'Stopping',
  restart: 'Restarting',
  remove: 'Removing',
};

interface Outcome {
  action: Action;
  results: { name: string; ok: boolean; message: string | null }[];
}

/**
 * Stop, restart or remove the selected containers in one request; afterwards each one's
 * outcome is listed. Those that failed stay selected, to be tried again.
 */
export function BulkActions({
  tenantSlug,
  selected,
  nameOf,
  onDone,
  onClear,
}: {
  tenantSlug: string;
  /** Ids of the selected containers. */
  selected: string[];
  nameOf: (id: string) => string;
  /** Called with the ids that failed, which stay selected. */
  onDone: (failed: string[]) => void;
  onClear: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<Outcome>();
  const act = useMutation(
    trpc.containers.actOnEach.mutationOptions({
      onSettled: () => refreshContainerViews(queryClient, trpc),
    }),
  );

  const run = (action: Action) => {
    const n = selected.length;
    if (
      action === 'remove' &&
      !window.confirm(
        `Remove ${n} container${n === 1 ? '' : 's'}? Those still running are killed first.`,
      )
    ) {
      return;
    }
    // Names as they are now: removed containers leave the list before the outcome is read.
    const names = new Map(selected.map((id) => [id, nameOf(id)]));
    setOutcome(undefined);
    act.mutate(
      { tenantSlug, action, refs: selected },
      {
        onSuccess: ({ results }) => {
          setOutcome({
            action,
            results: results.map((r) => ({
              name: names.get(r.ref) ?? r.ref,
              ok: r.ok,
              message: r.message,
            })),
          });
          onDone(results.filter((r) => !r.ok).map((r) => r.ref));
        },
      },
    );
  };

  const done = outcome?.results.filter((r) => r.ok).length ?? 0;
  return (
    <div className="mb-3 space-y-2">
      {selected.length > 0 && (
        <div
          role="toolbar"
          aria-label="Act on the selected containers"
          className="flex flex-wrap items-center gap-2 rounded-md border border-blue-200 bg-blue-50 px-3 py-2 text-sm dark:border-blue-900 dark:bg-blue-950"
        >
          <span className="font-medium text-slate-900 dark:text-slate-100" data-testid="selection">
            {selected.length} selected
          </span>
          {(['stop', 'restart', 'remove'] as const).map((action) => (
            <Button
              key={action}
              variant={action === 'remove' ? 'danger' : 'secondary'}
              disabled={act.isPending}
              onClick={() => run(action)}
            >
              {act.isPending && act.variables.action === action
                ? `${DOING[action]}…`
                : LABEL[action]}
            </Button>
          ))}
          <Button variant="secondary" disabled={act.isPending} onClick={onClear}>
            Clear selection
          </Button>
        </div>
      )}
      {act.error && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-300">
          {messageOf(act.error)}
        </p>
      )}
      {outcome && (
        <div
          role="status"
          data-testid="bulk-outcome"
          className="rounded-md border border-slate-200 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900"
        >
          <p className="font-medium text-slate-900 dark:text-slate-100">
            {DONE[outcome.action]} {done} of {outcome.results.length}
            {outcome.results.length === 1 ? ' container' : ' containers'}
          </p>
          <ul className="mt-1 space-y-0.5 text-slate-700 dark:text-slate-300">
            {outcome.results.map((r) => (
              <li key={r.name}>
                <span className="font-medium">{r.name}</span>:{' '}
                {r.ok ? (
                  DONE[outcome.action].toLowerCase()
                ) : (
                  <span className="text-red-700 dark:text-red-300">{r.message}</span>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
