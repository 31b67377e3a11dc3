import type { IncomingHttpHeaders } from 'node:http';
import type { WireFormat } from '../codec';

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
