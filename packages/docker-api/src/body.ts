import type { IncomingMessage } from 'node:http';
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
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`invalid JSON in the request body: ${(error as Error).message}`);
  }
}

const tooLarge = (limit: number) =>
  new DockerApiError(413, `request body is larger than the ${limit / 1024 / 1024} MiB limit`);
