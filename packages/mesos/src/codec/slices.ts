import { setImmediate as nextTurn } from 'node:timers/promises';
import protobuf from 'protobufjs';
import { MesosCodecError } from '../errors';
import { decodeProtobuf } from './protobuf';
import { nestedMessage } from './schema';

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

interface Step {
  field: protobuf.Field;
  type: protobuf.Type;
}

/**
 * The fields `path` names from `type` on: optional message fields, then a repeated one.
 * A required one could not be left out of the rest of its message, decoded apart.
 */
function stepsOf(type: protobuf.Type, path: string[]): Step[] {
  let at = type;
  return path.map((name, i) => {
    const field = at.fields[name];
    const nested = field && nestedMessage(field);
    const last = i === path.length - 1;
    if (!field || !nested || field.required || field.repeated !== last)
      throw new MesosCodecError(
        `${at.fullName.slice(1)}.${name} is not ${last ? 'a repeated' : 'an optional'} message field`,
      );
    at = nested;
    return { field, type: nested };
  });
}

/**
 * Decodes `bytes` as `type`, as decodeProtobuf does, but the repeated message field at the
 * end of `path` (`['offers', 'offers']`: the offers of an OFFERS event) one element at a
 * time, letting the event loop serve others between slices of `sliceMs`.
 */
export function decodeProtobufInSlices(
  type: protobuf.Type,
  bytes: Uint8Array,
  path: string[],
  sliceMs = DEFAULT_SLICE_MS,
): Promise<Record<string, unknown>> {
  return decodeInSlices(type, bytes, stepsOf(type, path), sliceMs);
}

async function decodeInSlices(
  type: protobuf.Type,
  bytes: Uint8Array,
  steps: Step[],
  sliceMs: number,
): Promise<Record<string, unknown>> {
  const [step, ...further] = steps;
  if (!step) return decodeProtobuf(type, bytes);
  const { values, rest } = split(bytes, step.field.id);
  if (values.length === 0) return decodeProtobuf(type, bytes);
  const message = decodeProtobuf(type, joined(rest));
  if (further.length > 0) {
    // Occurrences of an embedded message merge, as their bytes joined do.
    message[step.field.name] = await decodeInSlices(step.type, joined(values), further, sliceMs);
    return message;
  }
  const elements: unknown[] = [];
  let since = performance.now();
  for (const value of values) {
    elements.push(decodeProtobuf(step.type, value));
    if (performance.now() - since >= sliceMs) {
      await nextTurn();
      since = performance.now();
    }
  }
  message[step.field.name] = elements;
  return message;
}
