import { request } from 'node:http';
import {
  CONTENT_TYPES,
  decodeMessage,
  encodeMessage,
  type MessageName,
  type MessageOf,
  RecordIODecoder,
  type WireFormat,
} from '@shoal/mesos';

/**
 * Plain node:http access to the emulator for tests that check exact status codes and
 * headers, below any client library.
 */

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Uint8Array | string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs a v1 call encoded in `format`. */
export function postCall<N extends MessageName>(
  url: string,
  type: N,
  call: MessageOf<N>,
  options: { format?: WireFormat; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const format = options.format ?? 'protobuf';
  return rawRequest(url, {
    headers: { 'Content-Type': CONTENT_TYPES[format], Accept: CONTENT_TYPES[format], ...options.headers },
    body: encodeMessage(type, call, format),
  });
}

export function decodeResponse<N extends MessageName>(type: N, response: RawResponse): MessageOf<N> {
  const format = response.headers['content-type'] === CONTENT_TYPES.json ? 'json' : 'protobuf';
  return decodeMessage(type, response.body, format);
}

/**
 * A subscription stream read with RecordIO. `next` waits for the next event that matches,
 * skipping heartbeats unless asked for them; nothing here sleeps.
 */
export class RawStream<N extends MessageName> {
  readonly events: MessageOf<N>[] = [];
  private cursor = 0;
  private waiters: (() => void)[] = [];
  private ended = false;
  private abort: () => void = () => {};
  status = 0;
  headers: Record<string, string | string[] | undefined> = {};

  private constructor(private readonly type: N) {}

  static open<C extends MessageName, E extends MessageName>(
    url: string,
    callType: C,
    call: MessageOf<C>,
    eventType: E,
    options: { format?: WireFormat; headers?: Record<string, string> } = {},
  ): Promise<RawStream<E>> {
    const stream = new RawStream(eventType);
    const format = options.format ?? 'protobuf';
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: { 'Content-Type': CONTENT_TYPES[format], Accept: CONTENT_TYPES[format], ...options.headers },
        },
        (res) => {
          stream.status = res.statusCode ?? 0;
          stream.headers = res.headers;
          const eventFormat = res.headers['content-type'] === CONTENT_TYPES.json ? 'json' : 'protobuf';
          const decoder = new RecordIODecoder();
          res.on('data', (chunk: Buffer) => {
            if (stream.status !== 200) return;
            for (const record of decoder.push(chunk)) stream.push(decodeMessage(eventType, record, eventFormat));
          });
          res.on('close', () => stream.finish());
          res.on('error', () => stream.finish());
          resolve(stream);
        },
      );
      stream.abort = () => req.destroy();
      req.on('error', (error) => {
        stream.finish();
        reject(error);
      });
      req.end(encodeMessage(callType, call, format));
    });
  }

  get streamId(): string {
    return String(this.headers['mesos-stream-id'] ?? '');
  }

  get closed(): boolean {
    return this.ended;
  }

  private push(event: MessageOf<N>): void {
    this.events.push(event);
    this.wake();
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves with the next unread event matching `predicate`; rejects if the stream ends first. */
  async next(predicate: (event: MessageOf<N>) => boolean = () => true, timeoutMs = 10_000): Promise<MessageOf<N>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.events.length) {
        const event = this.events[this.cursor++] as MessageOf<N>;
        if (predicate(event)) return event;
      }
      if (this.ended) throw new Error(`stream ended while waiting for a ${this.type} event`);
      if (Date.now() > deadline) throw new Error(`no matching ${this.type} event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves once the server has closed the stream. */
  async whenClosed(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.abort();
  }
}
