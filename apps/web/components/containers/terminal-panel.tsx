'use client';

import '@xterm/xterm/css/xterm.css';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { ShellTerminal, type ShellState } from './shell-terminal';

/**
 * A shell in a running container, for members: opened on demand (each opening is a new
 * `sh`, as `docker exec -it` starts one), closed by the button, by `exit`, or by leaving
 * the page. Only containers of the ucr runtime can run one.
 */
export function TerminalPanel({
  tenantSlug,
  id,
  name,
  running,
  runtime,
}: {
  tenantSlug: string;
  id: string;
  name: string;
  running: boolean;
  runtime: 'docker' | 'ucr';
}) {
  // Each opening mounts a fresh terminal; 0 means none opened yet.
  const [opening, setOpening] = useState(0);
  const [state, setState] = useState<ShellState>({ kind: 'closed' });
  const live =
    state.kind === 'connecting' || state.kind === 'open' || state.kind === 'reconnecting';

  if (runtime !== 'ucr')
    return (
      <p className="text-sm text-slate-700 dark:text-slate-300">
        A terminal needs the ucr runtime: Mesos cannot start a process inside a task of the Docker
        containerizer.
      </p>
    );
  if (!running && opening === 0)
    return (
      <p className="text-sm text-slate-700 dark:text-slate-300">
        A terminal opens in a running container; this one is not running.
      </p>
    );
  return (
    <div>
      <div className="mb-2 flex flex-wrap items-center gap-3">
        {live ? (
          <Button variant="secondary" onClick={() => setState({ kind: 'closed' })}>
            Close terminal
          </Button>
        ) : (
          <Button
            disabled={!running}
            onClick={() => {
              setState({ kind: 'connecting' });
              setOpening((n) => n + 1);
            }}
          >
            {opening === 0 ? 'Open terminal' : 'Open a new terminal'}
          </Button>
        )}
        <span
          className="text-xs text-slate-600 dark:text-slate-400"
          role="status"
          data-testid="terminal-status"
        >
          {describe(state)}
        </span>
      </div>
      {opening > 0 && (
        <ShellTerminal
          key={opening}
          tenantSlug={tenantSlug}
          id={id}
          name={name}
          connected={live}
          onState={setState}
        />
      )}
    </div>
  );
}

function describe(state: ShellState): string {
  switch (state.kind) {
    case 'closed':
      return '';
    case 'connecting':
      return 'Starting sh…';
    case 'open':
      return 'Connected: sh';
    case 'reconnecting':
      return 'Reconnecting to sh…';
    case 'exited':
      return state.code === null ? 'The shell ended' : `The shell exited with code ${state.code}`;
    case 'failed':
      return state.message;
  }
}
