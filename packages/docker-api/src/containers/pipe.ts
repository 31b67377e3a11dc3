import type { Writable } from 'node:stream';
import type { ContainerEvent, ContainerView, OutputChunk, PipeRun } from '@shoal/core';
import { queryBool } from '../query';
import type { RequestContext } from '../router';
import { frame, streamContentType } from '../streams/framing';
import { pump } from '../streams/pump';
import { nextStart } from './next-start';

// `docker run -i` without -t under the ucr runtime: the container's command runs for the
// client that attached (core's PipeService), its output framed as Docker frames it without
// a terminal, the client's stdin its input and the client's half-close its end of input.

async function* framed(chunks: AsyncIterable<OutputChunk>) {
  for await (const chunk of chunks) yield frame(chunk.stream, Buffer.from(chunk.data));
}

/**
 * POST /containers/{id}/attach for a piped container. The connection is taken over at
 * once (the CLI starts the container only then); once the task runs, the command starts,
 * given what the client typed meanwhile. Without `stdin` it reads an empty input.
 */
export async function attachPipe(
  ctx: RequestContext,
  view: ContainerView,
  events: AsyncIterable<ContainerEvent>,
): Promise<void> {
  const { ex, query, caller, services } = ctx;
  const stdin = queryBool(query, 'stdin');
  const headers = { 'Content-Type': streamContentType(false, ctx.apiVersion) };
  const typed: Buffer[] = [];
  let inputEnded = !stdin;
  const attached: { run?: PipeRun } = {};
  let out: Writable;
  if (ex.wantsUpgrade) {
    const socket = ex.upgrade(headers);
    out = socket;
    socket.on('data', (chunk: Buffer) => {
      if (!stdin) return;
      if (attached.run) attached.run.write(chunk);
      else typed.push(chunk);
    });
    socket.once('end', () => {
      if (!stdin) return;
      inputEnded = true;
      attached.run?.endInput();
    });
  } else {
    // Without the hijacked connection nothing can carry input: the command reads its end.
    inputEnded = true;
    out = ex.stream(200, headers);
  }
  if (!queryBool(query, 'stream')) {
    out.end();
    return;
  }
  if (view.state !== 'running' && !(await nextStart(events, view.id))) {
    out.end();
    return;
  }
  const run = (attached.run = await services.pipes.attach(caller.tenantId, view.id, ex.signal));
  for (const chunk of typed.splice(0)) run.write(chunk);
  if (inputEnded) run.endInput();
  await pump(out, framed(run.output), ex.signal);
  out.end();
}
