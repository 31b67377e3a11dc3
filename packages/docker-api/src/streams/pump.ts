import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Copies chunks to a slow client without buffering them all in memory: it
 * waits for 'drain' when the socket is full, and stops when `signal` aborts
 * (the client went away), which also ends the source through its return().
 */
export async function pump(
  out: Writable,
  source: AsyncIterable<Buffer | string>,
  signal: AbortSignal,
): Promise<void> {
  for await (const chunk of source) {
    if (signal.aborted) return;
    if (!out.write(chunk)) {
      await once(out, 'drain', { signal }).catch(() => undefined);
      if (signal.aborted) return;
    }
  }
}
