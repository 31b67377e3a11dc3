import { setMaxListeners } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import { CONTENT_TYPES, formatFromContentType, type WireFormat } from '../codec';
import {
  MesosClientClosedError,
  MesosConnectError,
  MesosError,
  MesosHttpStatusError,
  MesosNoLeaderError,
  MesosRedirectLoopError,
  MesosTimeoutError,
} from '../errors';
import { backoffDelay, DEFAULT_BACKOFF, sleep, type BackoffOptions } from './backoff';
import { leaderFromLocation, normalizeBaseUrl } from './leader';

export interface MasterClientOptions {
  /** Base URLs of every master, e.g. `http://10.0.0.1:5050`; tried in turn when one refuses connections. */
  masters: readonly string[];
  /** Wire format of requests and of the answers asked for. Default protobuf. */
  format?: WireFormat;
  /** Sent as HTTP basic authentication when both are set. */
  principal?: string;
  secret?: string;
  /** Limit for connecting and for the response headers (and whole body, for non-streaming calls). Default 30 s. */
  requestTimeoutMs?: number;
  /** Waits between retries after 503 or when no master accepts a connection. */
  backoff?: BackoffOptions;
  /** Tries per request before a 503 or connection failure is given up on. Default 6. */
  maxAttempts?: number;
  /** Leader redirects followed per request. Default 5. */
  maxRedirects?: number;
  /** Heartbeat intervals of silence after which an event stream is presumed dead. Default 5. */
  heartbeatMissFactor?: number;
}

export interface MasterRequest {
  path: string;
  body: Uint8Array;
  headers?: Record<string, string>;
  /** The body is an endless event stream: no body timeout applies. */
  streaming?: boolean;
  /**
   * The call may reach the master twice without harm (an acknowledgement, a decline):
   * it is pipelined with others, and a connection lost before its answer may send it
   * again. Others have a connection to themselves while in flight.
   */
  repeatable?: boolean;
  signal?: AbortSignal;
}

/** What callers read of a response body: a stream for subscriptions, bytes in hand otherwise. */
export interface ResponseBody extends AsyncIterable<Uint8Array> {
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
  dump(): Promise<void>;
  destroy(): void;
}

export interface MasterResponse {
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** Format of the body, from its Content-Type (falls back to the requested one). */
  format: WireFormat;
  body: ResponseBody;
}

/** A body read to its end before the response was handed over. */
class BufferedBody implements ResponseBody {
  constructor(private readonly bytes: Buffer) {}

  async arrayBuffer(): Promise<ArrayBuffer> {
    const { buffer, byteOffset, byteLength } = this.bytes;
    return buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return this.bytes.toString('utf8');
  }

  async dump(): Promise<void> {}

  destroy(): void {}

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.bytes.byteLength > 0) yield this.bytes;
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_ATTEMPTS = 6;
const DEFAULT_MAX_REDIRECTS = 5;
const DEFAULT_HEARTBEAT_MISS_FACTOR = 5;
/**
 * Repeatable calls in flight on one connection to the master, and connections per
 * master. The master answers pipelined requests in order (libprocess keeps a queue of
 * responses per connection), so a batch of acknowledgements leaves in one packet where
 * each was a system call on a connection of its own, and the master reads them in one
 * go: on a busy framework these messages cost more CPU than the work they ask for.
 */
const CALLS_PER_CONNECTION = 64;
const CALL_CONNECTIONS = 4;

// Failures that happen before the request reached a master, so another
// master (or a later attempt) can safely be tried even for non-idempotent calls.
const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function isConnectFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECT_ERROR_CODES.has(code);
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

/** Thrown inside one pass over the masters when nobody could be reached. */
class AllMastersUnreachable extends Error {
  constructor(
    readonly urls: string[],
    readonly causes: unknown[],
  ) {
    super('no master reachable');
  }
}

/**
 * Sends POSTs to the leading master: follows leader redirects and remembers
 * the leader, retries 503 (no leader yet / recovering) with backoff, and
 * moves on to the next master when one refuses connections. Both the
 * scheduler and the operator client are built on it.
 */
export class MasterTransport {
  readonly format: WireFormat;
  readonly timeoutMs: number;
  readonly backoff: BackoffOptions;
  readonly heartbeatMissFactor: number;
  private readonly masters: string[];
  /** One connection per request in flight: event streams and calls not repeatable. */
  private readonly dispatcher: Agent;
  /** Repeatable calls, pipelined: see CALLS_PER_CONNECTION. */
  private readonly repeatables: Agent;
  private readonly closing = new AbortController();
  private readonly maxAttempts: number;
  private readonly maxRedirects: number;
  private readonly authorization: string | undefined;
  private leaderUrl: string | undefined;

  constructor(options: MasterClientOptions) {
    if (options.masters.length === 0)
      throw new TypeError('at least one Mesos master URL is required');
    this.masters = options.masters.map(normalizeBaseUrl);
    this.format = options.format ?? 'protobuf';
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.heartbeatMissFactor = options.heartbeatMissFactor ?? DEFAULT_HEARTBEAT_MISS_FACTOR;
    this.authorization =
      options.principal !== undefined && options.secret !== undefined
        ? `Basic ${Buffer.from(`${options.principal}:${options.secret}`).toString('base64')}`
        : undefined;
    this.dispatcher = new Agent({ connect: { timeout: this.timeoutMs } });
    const connect = buildConnector({ timeout: this.timeoutMs });
    this.repeatables = new Agent({
      pipelining: CALLS_PER_CONNECTION,
      connections: CALL_CONNECTIONS,
      connect: (options, callback) =>
        connect(options, (...result) => {
          if (result[1]) coalesceWrites(result[1]);
          callback(...result);
        }),
    });
    // Every call in flight listens here and stops when it ends, so a busy framework
    // (acknowledgements, accepts, declines at once) passes Node's leak-warning threshold of 10.
    setMaxListeners(0, this.closing.signal);
  }

  /** Base URL of the master last known to lead. */
  get leader(): string | undefined {
    return this.leaderUrl;
  }

  /** Aborted by close(): lets long-lived users (event streams) stop waiting. */
  get closedSignal(): AbortSignal {
    return this.closing.signal;
  }

  /** Answers every status except 307 and 503, which are handled here; the caller judges the rest. */
  async post(req: MasterRequest): Promise<MasterResponse> {
    // A call without a signal of its own is not given one: close() destroys the
    // dispatcher, which ends it anyway, and a listener per call is a cost a busy
    // framework (an acknowledgement per status update) pays thousands of times a second.
    const signal = req.signal ? AbortSignal.any([req.signal, this.closing.signal]) : undefined;
    for (let attempt = 1; ; attempt++) {
      let response: MasterResponse;
      try {
        response = await this.postToLeader(req, signal);
      } catch (error) {
        if (!(error instanceof AllMastersUnreachable)) throw error;
        if (attempt >= this.maxAttempts) {
          throw new MesosConnectError(error.urls, {
            cause: new AggregateError(error.causes, 'every master refused'),
          });
        }
        await sleep(backoffDelay(this.backoff, attempt - 1), signal ?? this.closing.signal);
        continue;
      }
      if (response.status !== 503) return response;
      const body = await readText(response);
      this.leaderUrl = undefined;
      if (attempt >= this.maxAttempts) throw new MesosNoLeaderError(body, response.url, attempt);
      await sleep(backoffDelay(this.backoff, attempt - 1), signal ?? this.closing.signal);
    }
  }

  /** Reads a non-streaming response fully, failing on any status outside `accepted`. */
  async expectStatus(response: MasterResponse, accepted: readonly number[]): Promise<Uint8Array> {
    if (!accepted.includes(response.status)) throw await this.statusError(response);
    try {
      return new Uint8Array(await response.body.arrayBuffer());
    } catch (cause) {
      throw this.networkError(response.url, cause);
    }
  }

  /** The error for an unwanted status, with the master's explanation from the body. */
  async statusError(response: MasterResponse): Promise<MesosHttpStatusError> {
    return new MesosHttpStatusError(response.status, await readText(response), response.url);
  }

  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([this.dispatcher.destroy(), this.repeatables.destroy()]);
  }

  private candidates(): string[] {
    const leader = this.leaderUrl;
    return leader ? [leader, ...this.masters.filter((m) => m !== leader)] : [...this.masters];
  }

  private async postToLeader(
    req: MasterRequest,
    signal: AbortSignal | undefined,
  ): Promise<MasterResponse> {
    const tried: string[] = [];
    const causes: unknown[] = [];
    for (const candidate of this.candidates()) {
      const hops: string[] = [];
      let base = candidate;
      for (;;) {
        const url = `${base}${req.path}`;
        let response: MasterResponse;
        try {
          response = await this.send(url, req, signal);
        } catch (error) {
          if (!isConnectFailure(error)) throw this.networkError(url, error);
          tried.push(url);
          causes.push(error);
          if (this.leaderUrl === base) this.leaderUrl = undefined;
          break;
        }
        const location = response.headers.location;
        if (response.status === 307 && typeof location === 'string') {
          await response.body.dump();
          hops.push(url);
          if (hops.length > this.maxRedirects) throw new MesosRedirectLoopError(hops);
          base = leaderFromLocation(location, url, req.path);
          this.leaderUrl = base;
          continue;
        }
        if (response.status !== 503) this.leaderUrl = base;
        return response;
      }
    }
    throw new AllMastersUnreachable(tried, causes);
  }

  private async send(
    url: string,
    req: MasterRequest,
    signal: AbortSignal | undefined,
  ): Promise<MasterResponse> {
    const contentType = CONTENT_TYPES[this.format];
    const headers: Record<string, string> = {
      'content-type': contentType,
      accept: contentType,
      ...req.headers,
    };
    if (this.authorization) headers.authorization = this.authorization;
    const answer = (status: number, received: IncomingHttpHeaders, body: ResponseBody) => {
      const type = received['content-type'];
      return {
        url,
        status,
        headers: received,
        format: formatFromContentType(Array.isArray(type) ? type[0] : type) ?? this.format,
        body,
      };
    };
    if (!req.streaming && !signal) {
      const {
        status,
        headers: received,
        body,
      } = await this.exchange(url, headers, req.body, req.repeatable === true);
      return answer(status, received, new BufferedBody(body));
    }
    const response = await request(url, {
      method: 'POST',
      headers,
      body: req.body,
      ...(signal ? { signal } : {}),
      dispatcher: this.dispatcher,
      headersTimeout: this.timeoutMs,
      bodyTimeout: req.streaming ? 0 : this.timeoutMs,
    });
    return answer(response.statusCode, response.headers, response.body);
  }

  /**
   * One POST answered in full, through the dispatcher's handler interface: without the
   * streams and promises of `request()` it costs half as much, and a framework sends
   * one for every status update it acknowledges.
   */
  private exchange(
    url: string,
    headers: Record<string, string>,
    body: Uint8Array,
    repeatable: boolean,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    const { origin, path } = targetOf(url);
    return new Promise((resolve, reject) => {
      let status = 0;
      let received: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      (repeatable ? this.repeatables : this.dispatcher).dispatch(
        {
          origin,
          path,
          method: 'POST',
          headers,
          body,
          // Lets a POST be pipelined behind others: a connection lost with several in
          // flight fails the first and sends the rest again on a new one.
          idempotent: repeatable,
          blocking: !repeatable,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        },
        {
          onRequestStart: () => undefined,
          onResponseStart: (_controller, statusCode, responseHeaders) => {
            status = statusCode;
            received = responseHeaders;
          },
          onResponseData: (_controller, chunk) => {
            chunks.push(chunk);
          },
          onResponseEnd: () => resolve({ status, headers: received, body: Buffer.concat(chunks) }),
          onResponseError: (_controller, error) => reject(error),
        },
      );
    });
  }

  private networkError(url: string, cause: unknown): MesosError {
    if (this.closing.signal.aborted) return new MesosClientClosedError();
    if (cause instanceof MesosError) return cause;
    if (isTimeout(cause)) return new MesosTimeoutError(url, this.timeoutMs, { cause });
    return new MesosConnectError([url], { cause });
  }
}

/** Where calls go: a few masters' URLs, each parsed once rather than at every call. */
const targets = new Map<string, { origin: string; path: string }>();
const MAX_TARGETS = 64;

function targetOf(url: string): { origin: string; path: string } {
  let target = targets.get(url);
  if (!target) {
    const { origin, pathname, search } = new URL(url);
    target = { origin, path: `${pathname}${search}` };
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(url, target);
  }
  return target;
}

/**
 * Writes made in one turn of the event loop leave the socket together: requests
 * pipelined in a loop go out in one system call instead of one each.
 */
function coalesceWrites(socket: Socket): void {
  const write = socket.write;
  let corked = false;
  const flush = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(flush);
    }
    return write.apply(this, args);
  } as Socket['write'];
}

async function readText(response: MasterResponse): Promise<string> {
  try {
    return await response.body.text();
  } catch {
    // The status is what matters to the caller; a body cut short adds nothing.
    return '';
  }
}
