import type { ContainerEvent, ContainerView, OutputChunk } from '@shoal/core';
import { queryBool } from '../query';
import type { RequestContext } from '../router';
import { frame } from '../streams/framing';
import { pump } from '../streams/pump';
import { takeOverClient } from './client-input';
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
  const client = takeOverClient(ctx, {
    tty: false,
    stdin: queryBool(query, 'stdin'),
    eofWithoutStdin: true,
  });
  if (!queryBool(query, 'stream')) {
    client.out.end();
    return;
  }
  if (view.state !== 'running' && !(await nextStart(events, view.id))) {
    client.out.end();
    return;
  }
  const run = await services.pipes.attach(caller.tenantId, view.id, ex.signal);
  client.connect(run);
  await pump(client.out, framed(run.output), ex.signal);
  client.out.end();
}
