import { setImmediate as nextTurn } from 'node:timers/promises';
import protobuf from 'protobufjs';
import { MesosCodecError } from '../errors';
import type { MessageName } from '../generated/types';
import { decodeProtobuf } from './protobuf';
import { messageType, nestedMessage } from './schema';

/** How long one slice of decoding may hold the event loop before it lets others run. */
const DEFAULT_SLICE_MS = 2;

const LENGTH_DELIMITED = 2;

interface Split {
  /** Each occurrence of the field, as the bytes of its value. */
  values: Uint8Array[];
  /** Every other field, as it was on the wire. */
  rest: Uint8Array[];
}

/** A message's fields, told apart by their tags alone: those numbered `number`, and the others. */
function split(bytes: Uint8Array, number: number): Split {
  const reader = protobuf.Reader.create(bytes);
  const found: Split = { values: [], rest: [] };
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    if (tag >>> 3 === number && (tag & 7) === LENGTH_DELIMITED) {
      const length = reader.uint32();
      found.values.push(bytes.subarray(reader.pos, reader.pos + length));
      reader.skip(length);
    } else {
      reader.skipType(tag & 7);
      found.rest.push(bytes.subarray(start, reader.pos));
    }
  }
  return found;
}

function joined(parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function fieldOf(type: protobuf.Type, name: string): protobuf.Field {
  const field = type.fields[name];
  if (!field) throw new MesosCodecError(`${type.fullName.slice(1)} has no field ${name}`);
  return field;
}

/**
 * The message at `path` inside a protobuf message of type `type` (`['get_agents']`: the
 * GetAgents in a master's Response), decoded as decodeMessage would, but its repeated
 * field `repeated` one element at a time: a master's listing of a thousand agents takes
 * tens of milliseconds to decode, and between slices of `sliceMs` the event loop serves
 * requests. Undefined when the message at `path` is absent.
 */
export async function decodeNestedInSlices(
  type: MessageName,
  bytes: Uint8Array,
  path: string[],
  repeated: string,
  sliceMs = DEFAULT_SLICE_MS,
): Promise<Record<string, unknown> | undefined> {
  let outer = messageType(type);
  let inner: Uint8Array = bytes;
  const described = `${type}${path.map((p) => `.${p}`).join('')}`;
  try {
    for (const name of path) {
      const field = fieldOf(outer, name);
      const nested = nestedMessage(field);
      if (!nested) throw new MesosCodecError(`${name} of ${outer.fullName} is not a message`);
      // Occurrences of an embedded message merge, as their bytes joined do.
      const { values } = split(inner, field.id);
      if (values.length === 0) return undefined;
      inner = joined(values);
      outer = nested;
    }
    const field = fieldOf(outer, repeated);
    const element = nestedMessage(field);
    if (!element || !field.repeated)
      throw new MesosCodecError(`${repeated} of ${outer.fullName} is not a repeated message`);
    const { values, rest } = split(inner, field.id);
    const message = decodeProtobuf(outer, joined(rest));
    const elements: unknown[] = [];
    let since = performance.now();
    for (const value of values) {
      elements.push(decodeProtobuf(element, value));
      if (performance.now() - since >= sliceMs) {
        await nextTurn();
        since = performance.now();
      }
    }
    if (elements.length > 0) message[repeated] = elements;
    return message;
  } catch (cause) {
    if (cause instanceof MesosCodecError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new MesosCodecError(`cannot decode ${described} as protobuf: ${reason}`, { cause });
  }
}
