import { setMaxListeners } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'undici';
import { CONTENT_TYPES, formatFromContentType, type WireFormat } from '../codec';
import {
  MesosClientClosedError,
  MesosConnectError,
  MesosError,
  MesosTimeoutError,
} from '../errors';
import type { MasterRequest, MasterResponse, ResponseBody } from './master-request';
import { pipeliningAgent } from './pipelining';
import { isTimeout } from './transport-errors';

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

/**
 * Sends one POST to one master URL and hands back whatever it answers: which master to
 * ask, and what a redirect or a 503 means, is left to its users. It owns the
 * connections, so closing it ends every call in flight.
 */
export class RequestSender {
  /** One connection per request in flight: event streams and calls not repeatable. */
  private readonly dispatcher: Agent;
  /** Repeatable calls, pipelined: see pipeliningAgent. */
  private readonly repeatables: Agent;
  private readonly closing = new AbortController();
  private readonly authorization: string | undefined;

  constructor(
    readonly format: WireFormat,
    readonly timeoutMs: number,
    credentials: { principal?: string; secret?: string },
  ) {
    this.authorization =
      credentials.principal !== undefined && credentials.secret !== undefined
        ? `Basic ${Buffer.from(`${credentials.principal}:${credentials.secret}`).toString('base64')}`
        : undefined;
    this.dispatcher = new Agent({ connect: { timeout: this.timeoutMs } });
    this.repeatables = pipeliningAgent(this.timeoutMs);
    // Every call in flight listens here and stops when it ends, so a busy framework
    // (acknowledgements, accepts, declines at once) passes Node's leak-warning threshold of 10.
    setMaxListeners(0, this.closing.signal);
  }

  /** Aborted by close(): lets long-lived users (event streams) stop waiting. */
  get closedSignal(): AbortSignal {
    return this.closing.signal;
  }

  async send(
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

  /** The Mesos error for a request to `url` that got no answer. */
  networkError(url: string, cause: unknown): MesosError {
    if (this.closing.signal.aborted) return new MesosClientClosedError();
    if (cause instanceof MesosError) return cause;
    if (isTimeout(cause)) return new MesosTimeoutError(url, this.timeoutMs, { cause });
    return new MesosConnectError([url], { cause });
  }

  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([this.dispatcher.destroy(), this.repeatables.destroy()]);
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
