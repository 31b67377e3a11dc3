import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CONTENT_TYPES,
  decodeMessage,
  encodeMessage,
  formatFromContentType,
  type WireFormat,
} from '../codec';
import type { MessageName, MessageOf } from '../generated/types';
import { encodeRecord } from '../recordio';

// A scriptable stand-in for a Mesos master, listening on 127.0.0.1 with a
// real HTTP server, for the client tests. Each test supplies the handler.

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  format: WireFormat;
  body: Uint8Array;
  /** The client's end of the connection the request came on. */
  remotePort: number;
}

export type Handler = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

export interface FakeMaster {
  /** Base URL, e.g. http://127.0.0.1:39123 */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startFakeMaster(handler: Handler): Promise<FakeMaster> {
  const requests: ReceivedRequest[] = [];
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const received: ReceivedRequest = {
      path: req.url ?? '/',
      headers: req.headers,
      format: formatFromContentType(req.headers['content-type']) ?? 'json',
      body: new Uint8Array(Buffer.concat(chunks)),
      remotePort: req.socket.remotePort ?? 0,
    };
    requests.push(received);
    try {
      await handler(received, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    }
  };
  const server = createServer((req, res) => void serve(req, res));
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => closeServer(server),
  };
}

/** A base URL on which nothing listens, so connecting is refused. */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  return `http://127.0.0.1:${port}`;
}

export function decodeRequest<N extends MessageName>(
  type: N,
  request: ReceivedRequest,
): MessageOf<N> {
  return decodeMessage(type, request.body, request.format);
}

/** Starts a 200 RecordIO event stream in the request's format. */
export function openStream(
  response: ServerResponse,
  format: WireFormat,
  headers: Record<string, string> = {},
): void {
  response.writeHead(200, { 'content-type': CONTENT_TYPES[format], ...headers });
  response.flushHeaders();
}

export function frame<N extends MessageName>(
  type: N,
  message: MessageOf<N>,
  format: WireFormat,
): Uint8Array {
  return encodeRecord(encodeMessage(type, message, format));
}

export function reply<N extends MessageName>(
  response: ServerResponse,
  status: number,
  format: WireFormat,
  type?: N,
  message?: MessageOf<N>,
): void {
  if (type && message) {
    response
      .writeHead(status, { 'content-type': CONTENT_TYPES[format] })
      .end(encodeMessage(type, message, format));
  } else {
    response.writeHead(status).end();
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
