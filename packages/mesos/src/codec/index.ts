import { MesosCodecError } from '../errors';
import type { MessageName, MessageOf } from '../generated/types';
import { decodeJson, encodeJson } from './json';
import { decodeProtobuf, encodeProtobuf } from './protobuf';
import { messageType } from './schema';
import { decodeProtobufInSlices } from './slices';

/**
 * The protobufjs type of a message: its wire form alone, read and written without this
 * package's checks and conversions. What a benchmark sets the codec against.
 */
export { messageType as wireType };

export type WireFormat = 'protobuf' | 'json';

export const CONTENT_TYPES = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
} as const satisfies Record<WireFormat, string>;

/** Maps a Content-Type header (parameters such as charset allowed) to a wire format. */
export function formatFromContentType(contentType: string | undefined): WireFormat | undefined {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === CONTENT_TYPES.protobuf) return 'protobuf';
  if (mediaType === CONTENT_TYPES.json) return 'json';
  return undefined;
}

function describeFailure(
  verb: string,
  type: MessageName,
  format: WireFormat,
  cause: unknown,
): MesosCodecError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new MesosCodecError(`cannot ${verb} ${type} as ${format}: ${reason}`, { cause });
}

/**
 * `withDefaults` writes unset fields that have an explicit default into JSON, as a Mesos
 * master's JSON answers carry them (`"shell": true`, `"network": "HOST"`, …).
 */
export function encodeMessage<N extends MessageName>(
  type: N,
  message: MessageOf<N>,
  format: WireFormat,
  options: { withDefaults?: boolean } = {},
): Uint8Array {
  const schema = messageType(type);
  try {
    return format === 'json'
      ? encodeJson(schema, message, { defaults: options.withDefaults ?? false })
      : encodeProtobuf(schema, message);
  } catch (cause) {
    throw describeFailure('encode', type, format, cause);
  }
}

/** Throws MesosCodecError (with the underlying error as `cause`) on malformed input. */
export function decodeMessage<N extends MessageName>(
  type: N,
  bytes: Uint8Array,
  format: WireFormat,
): MessageOf<N> {
  const schema = messageType(type);
  try {
    const decoded = format === 'json' ? decodeJson(schema, bytes) : decodeProtobuf(schema, bytes);
    return decoded as unknown as MessageOf<N>;
  } catch (cause) {
    throw describeFailure('decode', type, format, cause);
  }
}

/**
 * As decodeMessage, from protobuf, but the repeated message field at the end of `path`
 * (`['offers', 'offers']`: the offers of an OFFERS event) is decoded one element at a
 * time, letting the event loop serve others between slices of a few milliseconds: a
 * thousand offers or agents, decoded at once, held it for tens of milliseconds.
 */
export async function decodeMessageInSlices<N extends MessageName>(
  type: N,
  bytes: Uint8Array,
  path: string[],
  sliceMs?: number,
): Promise<MessageOf<N>> {
  const schema = messageType(type);
  try {
    const decoded = await decodeProtobufInSlices(schema, bytes, path, sliceMs);
    return decoded as unknown as MessageOf<N>;
  } catch (cause) {
    throw describeFailure('decode', type, 'protobuf', cause);
  }
}
