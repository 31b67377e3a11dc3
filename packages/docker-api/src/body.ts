import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { clipped, inputFault } from '@shoal/core';
import { DockerApiError, badRequest } from './errors';

/** Docker's create bodies are a few KiB; this leaves room without letting one request fill memory. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Reads a JSON body; an empty body is `undefined`. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Stop reading at once; the connection is closed after the 413 goes out.
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return parseJsonBody(Buffer.concat(chunks), req.headers['content-type']);
}

/**
 * The JSON body sent ahead of a hijacked stream (`Upgrade: tcp`): exactly its declared
 * length is read off the socket, so what follows (the client's stdin) stays unread.
 */
export async function readUpgradeJsonBody(
  req: IncomingMessage,
  socket: Duplex,
  limit = MAX_BODY_BYTES,
): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (!Number.isInteger(declared) || declared <= 0) return undefined;
  if (declared > limit) throw tooLarge(limit);
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const take = () => {
      const chunk = socket.read(declared) as Buffer | null;
      if (chunk === null) return;
      done();
      resolve(chunk);
    };
    const ended = () => {
      done();
      reject(badRequest('the request body ended before its Content-Length'));
    };
    const done = () => {
      socket.off('readable', take);
      socket.off('end', ended);
      socket.off('close', ended);
    };
    socket.on('readable', take);
    socket.on('end', ended);
    // Cut off before its end (the client left, or took too long): no 'end' comes then.
    socket.on('close', ended);
    take();
  });
  return parseJsonBody(bytes, req.headers['content-type']);
}

function parseJsonBody(bytes: Buffer, contentType: string | undefined): unknown {
  const text = bytes.toString('utf8').trim();
  if (text === '') return undefined;
  // As Docker: a body said to be something else (curl -d sends a form's type) is refused,
  // rather than read as JSON it was not said to be. One sent with no type is read.
  const type = contentType?.split(';')[0]!.trim().toLowerCase();
  if (type && type !== 'application/json')
    throw badRequest(
      `unsupported Content-Type header (${clipped(contentType!)}): must be 'application/json'`,
    );
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`invalid JSON in the request body: ${(error as Error).message}`);
  }
  const fault = inputFault(body);
  if (fault) throw badRequest(`invalid request body: ${fault.path} ${fault.problem}`);
  return body;
}

const tooLarge = (limit: number) =>
  new DockerApiError(413, `request body is larger than the ${limit / 1024 / 1024} MiB limit`);
