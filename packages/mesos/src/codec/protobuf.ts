import type Long from 'long';
import type protobuf from 'protobufjs';
import { MesosCodecError } from '../errors';
import { checkLeaf, is64Bit, isUnsigned64 } from './scalars';
import { leafShape } from './schema';
import { DROP, type FieldPath, walkMessage } from './walk';

// protobufjs does the wire work; these converters translate between its
// message objects (enum numbers, Long) and the package's representation
// (enum names, bigint).

const MASK_32 = 0xffffffffn;

function toWireLeaf(field: protobuf.Field, value: unknown, path: FieldPath): unknown {
  const checked = checkLeaf(field, value, path);
  const shape = leafShape(field);
  if (shape.kind === 'enum') return shape.type.values[checked as string];
  if (typeof checked === 'bigint') {
    // protobufjs accepts any {low, high} pair for 64-bit fields.
    const bits = BigInt.asUintN(64, checked);
    return {
      low: Number(bits & MASK_32) | 0,
      high: Number(bits >> 32n) | 0,
      unsigned: isUnsigned64(shape.type),
    };
  }
  return checked;
}

function fromWireLeaf(field: protobuf.Field, value: unknown): unknown {
  const shape = leafShape(field);
  if (shape.kind === 'enum') {
    // proto2 treats an enum number it does not know as an unknown field.
    return shape.type.valuesById[value as number] ?? DROP;
  }
  if (is64Bit(shape.type)) {
    if (typeof value === 'number') return BigInt(value);
    const { low, high } = value as Long;
    const bits = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
    return isUnsigned64(shape.type) ? bits : BigInt.asIntN(64, bits);
  }
  // Copy out of the (possibly pooled) Buffer protobufjs hands back.
  if (value instanceof Uint8Array) return new Uint8Array(value);
  return value;
}

export function encodeProtobuf(type: protobuf.Type, message: unknown): Uint8Array {
  const wire = walkMessage(type, message, toWireLeaf);
  const bytes = type.encode(wire).finish();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function decodeProtobuf(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  let decoded: protobuf.Message;
  try {
    decoded = type.decode(bytes);
  } catch (cause) {
    throw new MesosCodecError(
      `invalid protobuf for ${type.fullName.slice(1)}: ${(cause as Error).message}`,
      { cause },
    );
  }
  return walkMessage(type, decoded, fromWireLeaf);
}
