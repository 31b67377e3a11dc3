import type protobuf from 'protobufjs';
import { MesosCodecError } from '../errors';
import { leafShape } from './schema';
import type { FieldPath } from './walk';

const SIGNED_64 = new Set(['int64', 'sint64', 'sfixed64']);
const UNSIGNED_64 = new Set(['uint64', 'fixed64']);
const SIGNED_32 = new Set(['int32', 'sint32', 'sfixed32']);
const UNSIGNED_32 = new Set(['uint32', 'fixed32']);

export function is64Bit(type: string): boolean {
  return SIGNED_64.has(type) || UNSIGNED_64.has(type);
}

export function isUnsigned64(type: string): boolean {
  return UNSIGNED_64.has(type);
}

export function is32BitInteger(type: string): boolean {
  return SIGNED_32.has(type) || UNSIGNED_32.has(type);
}

export function isFloating(type: string): boolean {
  return type === 'double' || type === 'float';
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

export function checkBigInt(type: string, value: bigint, path: FieldPath): bigint {
  const [min, max] = UNSIGNED_64.has(type) ? [0n, UINT64_MAX] : [INT64_MIN, INT64_MAX];
  if (value < min || value > max)
    throw new MesosCodecError(`${path}: ${value} is out of range for ${type}`);
  return value;
}

export function checkInteger32(type: string, value: number, path: FieldPath): number {
  const [min, max] = UNSIGNED_32.has(type) ? [0, 0xffffffff] : [-0x80000000, 0x7fffffff];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MesosCodecError(`${path}: ${value} is not a valid ${type}`);
  }
  return value;
}

function wrongType(path: FieldPath, expected: string, value: unknown): MesosCodecError {
  const got = value instanceof Uint8Array ? 'Uint8Array' : typeof value;
  return new MesosCodecError(`${path}: expected ${expected}, got ${got}`);
}

/**
 * Validates one in-memory leaf value against its field (enum name string,
 * bigint for 64-bit integers, number, boolean, string, Uint8Array) and returns it.
 */
export function checkLeaf(field: protobuf.Field, value: unknown, path: FieldPath): unknown {
  const shape = leafShape(field);
  if (shape.kind === 'enum') {
    if (typeof value !== 'string')
      throw wrongType(path, `an enum name of ${shape.type.name}`, value);
    if (!Object.hasOwn(shape.type.values, value)) {
      throw new MesosCodecError(
        `${path}: '${value}' is not a value of enum ${shape.type.fullName.slice(1)}`,
      );
    }
    return value;
  }
  const type = shape.type;
  if (is64Bit(type)) {
    if (typeof value !== 'bigint') throw wrongType(path, `a bigint for ${type}`, value);
    return checkBigInt(type, value, path);
  }
  if (is32BitInteger(type)) {
    if (typeof value !== 'number') throw wrongType(path, `a number for ${type}`, value);
    return checkInteger32(type, value, path);
  }
  if (isFloating(type)) {
    if (typeof value !== 'number') throw wrongType(path, 'a number', value);
    return value;
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw wrongType(path, 'a boolean', value);
    return value;
  }
  if (type === 'string') {
    if (typeof value !== 'string') throw wrongType(path, 'a string', value);
    return value;
  }
  if (type === 'bytes') {
    if (!(value instanceof Uint8Array)) throw wrongType(path, 'a Uint8Array', value);
    return value;
  }
  throw new MesosCodecError(`${path}: unsupported field type ${type}`);
}
