import type { Writable } from 'node:stream';
import type { RequestContext } from '../router';
import { streamContentType } from '../streams/framing';

/** Where what the client types goes once there is a process to take it. */
interface InputSink {
  write(data: Uint8Array): void;
  endInput(): void;
}

/**
 * The client's side of an attachment, taken over at once (the CLI starts the container
 * only after the attach is answered): its connection, or a plain stream when it asked for
 * no upgrade, and what it types held until the process it is for exists. A command that
 * reads stdin (`eofWithoutStdin`) sees its input end when the client sends none; a
 * terminal stays open.
 */
export function takeOverClient(
  ctx: RequestContext,
  options: { tty: boolean; stdin: boolean; eofWithoutStdin: boolean },
): { out: Writable; connect(sink: InputSink): void } {
  const { ex } = ctx;
  const headers = { 'Content-Type': streamContentType(options.tty, ctx.apiVersion) };
  const typed: Uint8Array[] = [];
  let inputEnded = options.eofWithoutStdin && (!options.stdin || !ex.wantsUpgrade);
  let sink: InputSink | undefined;
  if (!ex.wantsUpgrade) return { out: ex.stream(200, headers), connect };
  const socket = ex.upgrade(headers);
  socket.on('data', (chunk: Buffer) => {
    if (!options.stdin) return;
    if (sink) sink.write(chunk);
    else typed.push(chunk);
  });
  socket.once('end', () => {
    if (!options.stdin) return;
    inputEnded = true;
    sink?.endInput();
  });
  return { out: socket, connect };

  function connect(to: InputSink): void {
    sink = to;
    for (const chunk of typed.splice(0)) to.write(chunk);
    if (inputEnded) to.endInput();
  }
}
