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
import { EventQueue } from './event-queue';

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
    const req = request(
      url,
      { method: options.method ?? 'POST', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
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
    headers: {
      'Content-Type': CONTENT_TYPES[format],
      Accept: CONTENT_TYPES[format],
      ...options.headers,
    },
    body: encodeMessage(type, call, format),
  });
}

export function decodeResponse<N extends MessageName>(
  type: N,
  response: RawResponse,
): MessageOf<N> {
  const format = response.headers['content-type'] === CONTENT_TYPES.json ? 'json' : 'protobuf';
  return decodeMessage(type, response.body, format);
}

/** A subscription stream read with RecordIO, below any client library. */
export class RawStream<E> extends EventQueue<E> {
  private abort: () => void = () => {};
  status = 0;
  headers: Record<string, string | string[] | undefined> = {};

  static open<C extends MessageName, N extends MessageName>(
    url: string,
    callType: C,
    call: MessageOf<C>,
    eventType: N,
    options: { format?: WireFormat; headers?: Record<string, string> } = {},
  ): Promise<RawStream<MessageOf<N>>> {
    const stream = new RawStream<MessageOf<N>>();
    const format = options.format ?? 'protobuf';
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: {
            'Content-Type': CONTENT_TYPES[format],
            Accept: CONTENT_TYPES[format],
            ...options.headers,
          },
        },
        (res) => {
          stream.status = res.statusCode ?? 0;
          stream.headers = res.headers;
          const eventFormat =
            res.headers['content-type'] === CONTENT_TYPES.json ? 'json' : 'protobuf';
          const decoder = new RecordIODecoder();
          res.on('data', (chunk: Buffer) => {
            if (stream.status !== 200) return;
            for (const record of decoder.push(chunk))
              stream.push(decodeMessage(eventType, record, eventFormat));
          });
          res.on('close', () => stream.end(new Error('closed by the server')));
          resolve(stream);
        },
      );
      stream.abort = () => req.destroy();
      req.on('error', (error) => {
        stream.end(error);
        reject(error);
      });
      req.end(encodeMessage(callType, call, format));
    });
  }

  get streamId(): string {
    return String(this.headers['mesos-stream-id'] ?? '');
  }

  close(): void {
    this.abort();
  }
}
