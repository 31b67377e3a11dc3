'use client';

import type { Terminal } from '@xterm/xterm';
import { useEffect, useRef } from 'react';
import { messageOf } from '@/lib/errors';
import { useTRPCClient } from '@/lib/trpc';

export type ShellState =
  | { kind: 'closed' }
  | { kind: 'connecting' }
  | { kind: 'open' }
  /** The stream broke after the shell opened; it comes back to the same shell. */
  | { kind: 'reconnecting' }
  | { kind: 'exited'; code: number | null }
  | { kind: 'failed'; message: string };

type Pending =
  { kind: 'text'; text: string } | { kind: 'size'; size: { rows: number; columns: number } };

/** The page's colours, so the terminal reads as the log panel does. */
const THEME = { background: '#020617', foreground: '#f1f5f9', cursor: '#f1f5f9' };

function bytesOf(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * One shell's terminal: xterm.js in the page, the shell's output streamed from the control
 * plane, what is typed and the terminal's size (following the panel's width) sent in order,
 * one call at a time. While `connected`
 * is false the shell is left (unmounting or closing ends it); the screen stays to be read.
 */
export function ShellTerminal({
  tenantSlug,
  id,
  name,
  connected,
  onState,
}: {
  tenantSlug: string;
  id: string;
  name: string;
  connected: boolean;
  onState: (state: ShellState) => void;
}) {
  const client = useTRPCClient();
  const box = useRef<HTMLDivElement>(null);
  const leave = useRef<() => void>(() => undefined);

  useEffect(() => {
    if (!connected) leave.current();
  }, [connected]);

  useEffect(() => {
    let disposed = false;
    let terminal: Terminal | undefined;
    let observer: ResizeObserver | undefined;
    let subscription: { unsubscribe(): void } | undefined;
    let shellId: string | undefined;
    // Typing and resizes, sent in the order they happened: `stty size` typed after a
    // resize sees the new size.
    const pending: Pending[] = [];
    let sending = false;

    const send = async () => {
      const next = pending.shift();
      if (sending || !shellId || !next) {
        if (next) pending.unshift(next);
        return;
      }
      sending = true;
      try {
        if (next.kind === 'text')
          await client.containers.terminalInput.mutate({
            tenantSlug,
            id: shellId,
            text: next.text,
          });
        else
          await client.containers.terminalResize.mutate({
            tenantSlug,
            id: shellId,
            size: next.size,
          });
      } catch (error) {
        onState({ kind: 'failed', message: messageOf(error) });
      } finally {
        sending = false;
      }
      void send();
    };
    const queue = (item: Pending) => {
      const last = pending.at(-1);
      // What is typed while a call is on its way goes together in the next one.
      if (item.kind === 'text' && last?.kind === 'text') last.text += item.text;
      else if (item.kind === 'size' && last?.kind === 'size') last.size = item.size;
      else pending.push(item);
      void send();
    };
    leave.current = () => {
      subscription?.unsubscribe();
      subscription = undefined;
      shellId = undefined;
      observer?.disconnect();
    };

    void (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([
        import('@xterm/xterm'),
        import('@xterm/addon-fit'),
      ]);
      if (disposed || !box.current) return;
      const term = (terminal = new Terminal({
        cursorBlink: true,
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace',
        fontSize: 13,
        theme: THEME,
      }));
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(box.current);
      // xterm.js draws nothing while its screen is out of view, and its focus does not
      // scroll: a terminal opened near the page's foot would stay blank until scrolled to.
      box.current.scrollIntoView({ block: 'nearest' });
      fit.fit();
      term.onData((text) => queue({ kind: 'text', text }));
      term.onResize(({ rows, cols }) => queue({ kind: 'size', size: { rows, columns: cols } }));
      observer = new ResizeObserver(() => fit.fit());
      observer.observe(box.current);
      subscription = client.containers.terminal.subscribe(
        { tenantSlug, ref: id, size: { rows: term.rows, columns: term.cols } },
        {
          onData: ({ data: event }) => {
            // A stream that breaks comes back by itself, to the same shell (tRPC sends the
            // last event's id), with what the shell wrote meanwhile. A shell of its own
            // instead means the first one is gone, and nothing typed since reached it.
            if (event.kind === 'opened' && shellId !== undefined) {
              leave.current();
              onState({
                kind: 'failed',
                message: 'The connection to the shell was lost; open a new terminal',
              });
            } else if (event.kind === 'opened') {
              shellId = event.id;
              onState({ kind: 'open' });
              term.focus();
              void send();
            } else if (event.kind === 'output') {
              term.write(bytesOf(event.data));
            } else {
              onState({ kind: 'exited', code: event.code });
              leave.current();
            }
          },
          onConnectionStateChange: (connection) => {
            if (shellId === undefined) return;
            if (connection.state === 'connecting') onState({ kind: 'reconnecting' });
            else if (connection.state === 'pending') onState({ kind: 'open' });
          },
          onError: (error) => {
            onState({ kind: 'failed', message: messageOf(error) });
            leave.current();
          },
        },
      );
    })();

    return () => {
      disposed = true;
      leave.current();
      terminal?.dispose();
    };
    // One shell per mount: the panel mounts a new one to open another.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div
      ref={box}
      role="region"
      aria-label={`Terminal in ${name}`}
      data-testid="terminal"
      className="h-80 overflow-hidden rounded bg-slate-950 p-2 dark:ring-1 dark:ring-slate-700"
    />
  );
}
