import type protobuf from 'protobufjs';
import { MesosCodecError } from '../errors';
import { parseJson, RawNumber, stringifyJson } from './json-text';
import {
  checkBigInt,
  checkInteger32,
  checkLeaf,
  is32BitInteger,
  is64Bit,
  isFloating,
} from './scalars';
import { leafShape } from './schema';
import { DROP, type FieldPath, walkMessage, type WalkOptions } from './walk';

// Mesos's own JSON mapping (stout/protobuf.hpp), which is not proto3 JSON:
// keys are the proto field names, enums are name strings (numbers are
// rejected), bytes are base64, maps are objects, 64-bit integers are bare
// JSON numbers, and unknown keys are ignored.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const INTEGER = /^-?\d+$/;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function toJsonLeaf(field: protobuf.Field, value: unknown, path: FieldPath): unknown {
  const checked = checkLeaf(field, value, path);
  if (typeof checked === 'bigint') return new RawNumber(checked.toString());
  if (checked instanceof Uint8Array)
    return Buffer.from(checked.buffer, checked.byteOffset, checked.byteLength).toString('base64');
  if (typeof checked === 'number' && !Number.isFinite(checked)) {
    throw new MesosCodecError(`${path}: ${checked} cannot be written as JSON`);
  }
  return checked;
}

/** Text of a JSON number, or of a string holding one (stout accepts both for numeric fields). */
function numericText(value: unknown, path: FieldPath): string {
  if (value instanceof RawNumber) return value.text;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
    return value.trim();
  throw new MesosCodecError(`${path}: expected a JSON number, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value instanceof RawNumber) return `number ${value.text}`;
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'string' ? `string ${JSON.stringify(value)}` : typeof value;
}

function integerText(text: string, type: string, path: FieldPath): string {
  if (INTEGER.test(text)) return text;
  // 1e3 or 5.0 still name an integer; anything with a fraction does not.
  const number = Number(text);
  if (!Number.isInteger(number))
    throw new MesosCodecError(`${path}: ${text} is not an integer for ${type}`);
  return BigInt(number).toString();
}

function fromJsonLeaf(field: protobuf.Field, value: unknown, path: FieldPath): unknown {
  const shape = leafShape(field);
  if (shape.kind === 'enum') {
    if (typeof value !== 'string') {
      throw new MesosCodecError(
        `${path}: enum ${shape.type.name} must be given by name, got ${describe(value)}`,
      );
    }
    if (Object.hasOwn(shape.type.values, value)) return value;
    // Like Mesos: an unknown name for an optional enum leaves the field unset.
    if (field.required)
      throw new MesosCodecError(
        `${path}: '${value}' is not a value of enum ${shape.type.fullName.slice(1)}`,
      );
    return DROP;
  }
  const type = shape.type;
  if (is64Bit(type))
    return checkBigInt(type, BigInt(integerText(numericText(value, path), type, path)), path);
  if (is32BitInteger(type)) return checkInteger32(type, Number(numericText(value, path)), path);
  if (isFloating(type)) return Number(numericText(value, path));
  if (type === 'bool') {
    if (typeof value !== 'boolean')
      throw new MesosCodecError(`${path}: expected a boolean, got ${describe(value)}`);
    return value;
  }
  if (typeof value !== 'string')
    throw new MesosCodecError(`${path}: expected a string, got ${describe(value)}`);
  if (type === 'bytes') {
    if (!BASE64.test(value)) throw new MesosCodecError(`${path}: invalid base64`);
    return new Uint8Array(Buffer.from(value, 'base64'));
  }
  return value;
}

export function encodeJson(
  type: protobuf.Type,
  message: unknown,
  options: WalkOptions = {},
): Uint8Array {
  return utf8.encode(stringifyJson(walkMessage(type, message, toJsonLeaf, options)));
}

export function decodeJson(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch (cause) {
    throw new MesosCodecError('JSON body is not valid UTF-8', { cause });
  }
  return walkMessage(type, parseJson(text), fromJsonLeaf);
}
