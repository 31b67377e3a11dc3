import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex, Writable } from 'node:stream';
import type { Socket } from 'node:net';
import { readJsonBody, readUpgradeJsonBody } from './body';
import { newRequestRecord, type RequestRecord } from './request-record';
import { VERSION_HEADERS } from './version';

export type Headers = Record<string, string>;

/**
 * One request and the way to answer it. Handlers never touch `res` or the
 * socket directly, because the same handler may be answering a plain request
 * (through node's ServerResponse) or a hijacked one (`Upgrade: tcp`, where node
 * hands over the raw socket and the HTTP response has to be written by hand).
 */
export interface Exchange {
  readonly req: IncomingMessage;
  /** Filled in as the request is served, for the request log. */
  readonly record: RequestRecord;
  /** Whether the client asked to take the connection over (`Upgrade: tcp`). */
  readonly wantsUpgrade: boolean;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  /** Whether an answer has begun; after that, failures can only end the stream. */
  readonly started: boolean;
  json(status: number, body: unknown, headers?: Headers): void;
  /** A status with no body, such as 204 or 304. */
  empty(status: number): void;
  /** A whole body, as given: text, or bytes already encoded. */
  text(status: number, body: string | Buffer, headers?: Headers): void;
  /** A streamed body whose headers are sent at once; the caller ends it. */
  stream(status: number, headers: Headers): Writable;
  /** Answers 101 and returns the connection; only when `wantsUpgrade`. */
  upgrade(headers: Headers): Duplex;
  /** The request's JSON body (undefined when empty); on a hijacked request, only its declared length. */
  readJson(): Promise<unknown>;
}

const JSON_TYPE = { 'Content-Type': 'application/json' };

/**
 * Why an exchange's signal aborts once its request has ended: one reason for every
 * request, as abort() with none would build a DOMException, and its stack, for each.
 */
const ENDED = Object.assign(new Error('the request ended'), { name: 'AbortError' });

export function httpExchange(req: IncomingMessage, res: ServerResponse): Exchange {
  const controller = new AbortController();
  const record = newRequestRecord(req);
  const clock = requestClock(record);
  res.on('close', () => {
    if (res.headersSent) record.status = res.statusCode;
    clock.ended();
    controller.abort(ENDED);
  });
  for (const [name, value] of Object.entries(VERSION_HEADERS)) res.setHeader(name, value);
  res.setHeader('X-Request-Id', record.requestId);
  const whole = (status: number, body: string | Buffer, headers: Headers) => {
    clock.answered();
    // Encoded once: a length taken from the string and a write of it would scan it twice.
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...headers, 'Content-Length': bytes.byteLength });
    res.end(bytes);
  };
  return {
    req,
    record,
    wantsUpgrade: false,
    signal: controller.signal,
    get started() {
      return res.headersSent;
    },
    json: (status, body, headers = {}) =>
      whole(status, `${JSON.stringify(body)}\n`, { ...JSON_TYPE, ...headers }),
    empty(status) {
      clock.answered();
      res.writeHead(status);
      res.end();
    },
    text: (status, body, headers = {}) => whole(status, body, headers),
    stream(status, headers) {
      clock.answered();
      res.writeHead(status, headers);
      res.flushHeaders();
      return res;
    },
    upgrade() {
      throw new Error('upgrade() needs a request that asked for it');
    },
    readJson: () => readJsonBody(req),
  };
}

/**
 * A request node delivered through the server's 'upgrade' event. Anything but
 * a 101 is written as a complete HTTP/1.1 response that closes the connection.
 */
export function socketExchange(
  req: IncomingMessage,
  socket: Socket,
  answerWithinMs: number,
): Exchange {
  const controller = new AbortController();
  const record = newRequestRecord(req);
  const clock = requestClock(record);
  socket.on('close', () => {
    clock.ended();
    controller.abort(ENDED);
  });
  socket.on('error', () => controller.abort(ENDED));
  let started = false;
  const head = (status: number, headers: Headers) => {
    started = true;
    socket.setTimeout(0);
    clock.answered();
    record.status = status;
    const lines = [
      `HTTP/1.1 ${status} ${status === 101 ? 'UPGRADED' : (STATUS_CODES[status] ?? '')}`,
    ];
    const all = { ...VERSION_HEADERS, 'X-Request-Id': record.requestId, ...headers };
    for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  };
  const whole = (status: number, body: string | Buffer, headers: Headers) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    head(status, { ...headers, 'Content-Length': String(bytes.byteLength), Connection: 'close' });
    socket.end(bytes);
  };
  // Node's request timeouts end at the takeover: a client that sends the rest of its body
  // slowly, or never, would hold the connection and its handler for good. Until Shoal
  // answers it has this long; once answered, an attached session may idle as it likes.
  socket.setTimeout(answerWithinMs, () => {
    socket.setTimeout(0);
    if (started) return;
    const body = Buffer.from(
      `${JSON.stringify({ message: 'the request did not arrive in time' })}\n`,
    );
    head(408, { ...JSON_TYPE, 'Content-Length': String(body.byteLength), Connection: 'close' });
    socket.end(body, () => socket.destroy());
  });
  return {
    req,
    record,
    wantsUpgrade: true,
    signal: controller.signal,
    get started() {
      return started;
    },
    json: (status, body, headers = {}) =>
      whole(status, `${JSON.stringify(body)}\n`, { ...JSON_TYPE, ...headers }),
    empty(status) {
      head(status, { Connection: 'close' });
      socket.end();
    },
    text: (status, body, headers = {}) => whole(status, body, headers),
    stream(status, headers) {
      head(status, { ...headers, Connection: 'close' });
      return socket;
    },
    upgrade(headers) {
      head(101, { ...headers, Connection: 'Upgrade', Upgrade: 'tcp' });
      return socket;
    },
    readJson: () => readUpgradeJsonBody(req, socket),
  };
}

/** Times the request from the moment it arrived: until its answer began, and until it ended. */
function requestClock(record: RequestRecord) {
  const began = performance.now();
  const since = () => Math.round(performance.now() - began);
  return {
    answered: () => void (record.answerMs ??= since()),
    ended: () => void (record.durationMs = since()),
  };
}
