import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type agent,
  CONTENT_TYPES,
  decodeMessage,
  RecordIODecoder,
  type WireFormat,
} from '@shoal/mesos';
import { acceptsMediaType, sendText } from './transport';

/**
 * How an agent reads the calls of its v1 API: the media types it takes and answers in
 * (JSON, protobuf, or RecordIO streams of either), the sub-message each call must carry,
 * and a request body read as RecordIO records.
 */
export const RECORDIO = 'application/recordio';

type MediaType = WireFormat | 'recordio';

export interface MediaTypes {
  content: MediaType;
  accept: MediaType;
  /** The type of each record, for a streaming request or answer. */
  messageContent?: WireFormat;
  messageAccept?: WireFormat;
}

export const STREAMED_ANSWERS = new Set([
  'LAUNCH_NESTED_CONTAINER_SESSION',
  'ATTACH_CONTAINER_OUTPUT',
]);

/** Which sub-message each call type must carry. */
const REQUIRED: Partial<Record<agent.Call.Type, keyof agent.Call>> = {
  LAUNCH_NESTED_CONTAINER_SESSION: 'launch_nested_container_session',
  ATTACH_CONTAINER_INPUT: 'attach_container_input',
  ATTACH_CONTAINER_OUTPUT: 'attach_container_output',
  WAIT_CONTAINER: 'wait_container',
  WAIT_NESTED_CONTAINER: 'wait_nested_container',
  KILL_CONTAINER: 'kill_container',
  KILL_NESTED_CONTAINER: 'kill_nested_container',
};

function mediaTypeOf(header: string | undefined): MediaType | undefined {
  if (header === CONTENT_TYPES.json) return 'json';
  if (header === CONTENT_TYPES.protobuf) return 'protobuf';
  if (header === RECORDIO) return 'recordio';
  return undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The request's media types, or the error an agent answers (already sent). */
export function negotiate(req: IncomingMessage, res: ServerResponse): MediaTypes | undefined {
  const contentType = header(req, 'content-type');
  if (contentType === undefined) {
    sendText(res, 400, "Expecting 'Content-Type' to be present");
    return undefined;
  }
  const content = mediaTypeOf(contentType);
  if (!content) {
    sendText(
      res,
      415,
      `Expecting 'Content-Type' of ${CONTENT_TYPES.json} or ${CONTENT_TYPES.protobuf} or ${RECORDIO}`,
    );
    return undefined;
  }
  const types: MediaTypes = { content, accept: 'json' };
  const messageContentType = header(req, 'message-content-type');
  if (content === 'recordio') {
    if (messageContentType === undefined) {
      sendText(res, 400, "Expecting 'Message-Content-Type' to be set for streaming requests");
      return undefined;
    }
    const messageContent = mediaTypeOf(messageContentType);
    if (messageContent !== 'json' && messageContent !== 'protobuf') {
      sendText(
        res,
        415,
        `Expecting 'Message-Content-Type' of ${CONTENT_TYPES.json} or ${CONTENT_TYPES.protobuf}`,
      );
      return undefined;
    }
    types.messageContent = messageContent;
  } else if (messageContentType !== undefined) {
    sendText(res, 415, "Expecting 'Message-Content-Type' to be not set for non-streaming requests");
    return undefined;
  }
  const accept = header(req, 'accept');
  if (acceptsMediaType(accept, CONTENT_TYPES.json)) types.accept = 'json';
  else if (acceptsMediaType(accept, CONTENT_TYPES.protobuf)) types.accept = 'protobuf';
  else if (acceptsMediaType(accept, RECORDIO)) types.accept = 'recordio';
  else {
    sendText(
      res,
      406,
      `Expecting 'Accept' to allow ${CONTENT_TYPES.json} or ${CONTENT_TYPES.protobuf} or ${RECORDIO}`,
    );
    return undefined;
  }
  const messageAccept = header(req, 'message-accept');
  if (types.accept === 'recordio') {
    // No Message-Accept accepts everything: JSON, as for Accept.
    if (acceptsMediaType(messageAccept, CONTENT_TYPES.json)) types.messageAccept = 'json';
    else if (acceptsMediaType(messageAccept, CONTENT_TYPES.protobuf))
      types.messageAccept = 'protobuf';
    else {
      sendText(
        res,
        406,
        `Expecting 'Message-Accept' to allow ${CONTENT_TYPES.json} or ${CONTENT_TYPES.protobuf}`,
      );
      return undefined;
    }
  } else if (messageAccept !== undefined) {
    sendText(res, 406, "Expecting 'Message-Accept' to be not set for non-streaming responses");
    return undefined;
  }
  return types;
}

function validate(call: agent.Call): string | undefined {
  if (call.type === undefined) return "Expecting 'type' to be present";
  const field = REQUIRED[call.type];
  if (field !== undefined && call[field] === undefined) return `Expecting '${field}' to be present`;
  return undefined;
}

export function decodeCall(bytes: Uint8Array, format: WireFormat): agent.Call | string {
  let call: agent.Call;
  try {
    call = decodeMessage('mesos.v1.agent.Call', bytes, format);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const invalid = validate(call);
  return invalid ? `Failed to validate agent::Call: ${invalid}` : call;
}

/** Reads a request body as RecordIO records, one at a time. */
export class RecordReader {
  private readonly decoder = new RecordIODecoder();
  private readonly queue: Uint8Array[] = [];
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(req: IncomingMessage) {
    this.iterator = (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** The next record, or undefined at the end of the body. Throws on a malformed stream. */
  async next(): Promise<Uint8Array | undefined> {
    while (this.queue.length === 0) {
      const { value, done } = await this.iterator.next();
      if (done) return undefined;
      this.queue.push(...this.decoder.push(value));
    }
    return this.queue.shift();
  }
}
