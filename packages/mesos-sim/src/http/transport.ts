import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  CONTENT_TYPES,
  decodeMessage,
  encodeMessage,
  encodeRecord,
  formatFromContentType,
  type MessageName,
  type MessageOf,
  type WireFormat,
} from '@shoal/mesos';
import type { Master } from '../master';
import type { EventSink } from '../model';

/**
 * Transport rules shared by the scheduler and operator APIs, in the order a Mesos master
 * applies them: leader redirect or 503, recovery 503, 405, 400 missing Content-Type, 415,
 * 400 undecodable body. Error bodies are plain text, as Mesos sends them.
 */

export function sendText(
  res: ServerResponse,
  status: number,
  text = '',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendMessage<N extends MessageName>(
  res: ServerResponse,
  status: number,
  type: N,
  message: MessageOf<N>,
  format: WireFormat,
): void {
  const body = encodeMessage(type, message, format, { withDefaults: true });
  res.writeHead(status, {
    'Content-Type': CONTENT_TYPES[format],
    'Content-Length': String(body.byteLength),
  });
  res.end(body);
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface AcceptEntry {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): AcceptEntry[] {
  return header.split(',').flatMap((part) => {
    const [range, ...params] = part.split(';').map((s) => s.trim());
    const [type, subtype] = (range ?? '').toLowerCase().split('/');
    if (!type || !subtype) return [];
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key === 'q') q = Number(value);
    }
    return [{ type, subtype, q: Number.isFinite(q) ? q : 0 }];
  });
}

/** Whether `Accept` allows a media type: the most specific matching range decides (q=0 refuses). */
export function acceptsMediaType(header: string | undefined, mediaType: string): boolean {
  if (header === undefined || header.trim() === '') return true;
  const [type, subtype] = mediaType.split('/');
  let best: AcceptEntry | undefined;
  let bestRank = -1;
  for (const entry of parseAccept(header)) {
    const rank =
      entry.type === type && entry.subtype === subtype
        ? 2
        : entry.type === type && entry.subtype === '*'
          ? 1
          : entry.type === '*'
            ? 0
            : -1;
    if (rank > bestRank) {
      best = entry;
      bestRank = rank;
    }
  }
  return best !== undefined && best.q > 0;
}

/** Mesos answers JSON whenever the client accepts it (a missing Accept accepts everything). */
export function responseFormat(req: IncomingMessage): WireFormat | undefined {
  if (acceptsMediaType(req.headers.accept, CONTENT_TYPES.json)) return 'json';
  if (acceptsMediaType(req.headers.accept, CONTENT_TYPES.protobuf)) return 'protobuf';
  return undefined;
}

export function notAcceptable(res: ServerResponse): void {
  sendText(
    res,
    406,
    `Expecting 'Accept' to allow '${CONTENT_TYPES.protobuf}' or '${CONTENT_TYPES.json}'`,
  );
}

/** Answers 307/503 for a master that is not the serving leader; true if the request may go on. */
function leaderGate(
  master: Master,
  self: number,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  if (master.leader === null) {
    sendText(res, 503, 'No leader elected');
    return false;
  }
  if (master.leader !== self) {
    const leader = master.masterEndpoints[master.leader];
    // Protocol-relative, so the client keeps its own scheme.
    res.writeHead(307, { Location: `//${leader?.host}:${leader?.port}${req.url ?? '/'}` });
    res.end();
    return false;
  }
  if (master.recovering) {
    sendText(res, 503, 'Master has not finished recovery');
    return false;
  }
  return true;
}

/** Method, Content-Type and body checks; answers the error itself and returns undefined. */
async function readCall<N extends MessageName>(
  req: IncomingMessage,
  res: ServerResponse,
  type: N,
): Promise<MessageOf<N> | undefined> {
  if (req.method !== 'POST') {
    sendText(res, 405, `Expecting a 'POST' request, received '${req.method ?? ''}'`, {
      Allow: 'POST',
    });
    return undefined;
  }
  const contentType = req.headers['content-type'];
  if (contentType === undefined) {
    sendText(res, 400, "Expecting 'Content-Type' to be present");
    return undefined;
  }
  // The master compares the whole header: parameters such as a charset make it a type it
  // does not take.
  const format =
    contentType === CONTENT_TYPES.json || contentType === CONTENT_TYPES.protobuf
      ? formatFromContentType(contentType)
      : undefined;
  if (!format) {
    sendText(
      res,
      415,
      `Expecting 'Content-Type' of ${CONTENT_TYPES.json} or ${CONTENT_TYPES.protobuf}`,
    );
    return undefined;
  }
  const body = await readBody(req);
  try {
    return decodeMessage(type, body, format);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    sendText(
      res,
      400,
      format === 'json'
        ? `Failed to convert JSON into Call protobuf: ${reason}`
        : `Failed to parse body into Call protobuf: ${reason}`,
    );
    return undefined;
  }
}

/** Which sub-message each call type must carry, e.g. `{ ACCEPT: 'accept' }`. */
export type RequiredFields = Partial<Record<string, string>>;

/**
 * The common front of both APIs: leader gate, transport checks, then call validation
 * (`type` present, the sub-message its type needs, and `validate`'s own rules), answering
 * 400 "Failed to validate <label>: …" itself. Returns the call when all passed.
 */
export async function receiveCall<N extends MessageName>(
  master: Master,
  self: number,
  req: IncomingMessage,
  res: ServerResponse,
  call: { type: N; label: string; required: RequiredFields },
  validate: (decoded: MessageOf<N>) => string | undefined = () => undefined,
): Promise<MessageOf<N> | undefined> {
  if (!leaderGate(master, self, req, res)) return undefined;
  const decoded = await readCall(req, res, call.type);
  if (!decoded) return undefined;
  const fields = decoded as { type?: string } & Record<string, unknown>;
  const field = fields.type === undefined ? undefined : call.required[fields.type];
  const invalid =
    fields.type === undefined
      ? "Expecting 'type' to be present"
      : field !== undefined && fields[field] === undefined
        ? `Expecting '${field}' to be present`
        : validate(decoded);
  if (invalid) {
    sendText(res, 400, `Failed to validate ${call.label}: ${invalid}`);
    return undefined;
  }
  return decoded;
}

/**
 * A chunked, RecordIO-framed event stream (`Content-Type` is the negotiated message type,
 * not application/recordio, as with Mesos).
 */
export class EventStream<N extends MessageName> implements EventSink<MessageOf<N>> {
  private open = true;
  /** The socket held corked until the end of this turn of the event loop, if any. */
  private corked: Socket | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly type: N,
    private readonly format: WireFormat,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[format],
      'Cache-Control': 'no-cache',
      ...headers,
    });
    res.flushHeaders();
    res.on('close', () => {
      this.open = false;
    });
  }

  onClose(listener: () => void): void {
    this.res.on('close', listener);
  }

  send(event: MessageOf<N>): void {
    if (!this.open) return;
    // Events raised in one turn of the event loop (a launch's first updates, say) leave
    // in one write instead of one syscall each. The socket is corked, not the response:
    // a corked chunked response on Node 22 writes each chunk's size line, data and
    // ending in system calls of their own when uncorked.
    if (!this.corked && this.res.socket) {
      this.corked = this.res.socket;
      this.corked.cork();
      process.nextTick(() => this.uncork());
    }
    this.res.write(
      encodeRecord(encodeMessage(this.type, event, this.format, { withDefaults: true })),
    );
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    // The records held back leave first, then the end of the message.
    this.uncork();
    this.res.end();
  }

  private uncork(): void {
    const socket = this.corked;
    if (!socket) return;
    this.corked = undefined;
    socket.uncork();
  }
}
