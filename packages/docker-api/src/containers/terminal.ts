import {
  type ContainerEvent,
  type ContainerView,
  type LogLine,
  type OutputChunk,
  ShoalError,
} from '@shoal/core';
import { queryBool, queryTerminalSize } from '../query';
import type { RequestContext, Route } from '../router';
import { pump } from '../streams/pump';
import { takeOverClient } from './client-input';
import { nextStart } from './next-start';

// The terminal of a ucr container launched with -t: `docker run -it`, `docker start -ai`
// and `docker attach` read its live output and send it input through the task's agent
// (core's TerminalService), and `docker run -it` resizes it.

async function* raw(chunks: AsyncIterable<OutputChunk>) {
  for await (const chunk of chunks) yield Buffer.from(chunk.data);
}

async function* logged(lines: AsyncIterable<LogLine>) {
  for await (const line of lines) yield Buffer.from(line.text, 'utf8');
}

/**
 * POST /containers/{id}/attach for a container with a terminal. The connection is taken
 * over at once (the CLI starts the container only then); a container not yet running is
 * waited for, and what its terminal wrote before the attachment is sent first. With
 * `stdin`, what the client sends is typed at the terminal, its half-close sending EOT.
 */
export async function attachTerminal(
  ctx: RequestContext,
  view: ContainerView,
  events: AsyncIterable<ContainerEvent>,
): Promise<void> {
  const { ex, query, caller, services } = ctx;
  const client = takeOverClient(ctx, {
    tty: true,
    stdin: queryBool(query, 'stdin'),
    eofWithoutStdin: false,
  });
  if (!queryBool(query, 'stream')) {
    client.out.end();
    return;
  }
  const wasRunning = view.state === 'running';
  if (!wasRunning && !(await nextStart(events, view.id))) {
    client.out.end();
    return;
  }
  let run;
  try {
    run = await services.terminals.attach(
      caller.tenantId,
      view.id,
      { replay: !wasRunning || queryBool(query, 'logs') },
      ex.signal,
    );
  } catch (error) {
    // A command that ends at once (`echo`) takes its terminal with it before Shoal even
    // hears it started, and with --rm its container too: what it wrote is in the log, and
    // a client attached before the start is owed all of it.
    const gone =
      error instanceof ShoalError && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND');
    if (wasRunning || !gone) throw error;
    const options = { stdout: true, stderr: true, follow: false, attached: true };
    const log = services.containers.logs(caller.tenantId, view.id, options, ex.signal);
    await pump(client.out, logged(log), ex.signal);
    client.out.end();
    return;
  }
  client.connect(run);
  await pump(client.out, raw(run.output), ex.signal);
  client.out.end();
}

/** POST /containers/{id}/resize: the size of a ucr container's terminal. */
async function resize(ctx: RequestContext): Promise<void> {
  await ctx.services.terminals.resize(
    ctx.caller.tenantId,
    ctx.params.id ?? '',
    queryTerminalSize(ctx.query),
  );
  ctx.ex.empty(200);
}

export const terminalRoutes: Route[] = [
  { method: 'POST', path: '/containers/{id}/resize', handle: resize },
];
