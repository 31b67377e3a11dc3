import type protobuf from 'protobufjs';
import { MesosCodecError } from '../errors';
import { nestedMessage } from './schema';

// Both codecs share one structural walk over a message: required fields,
// repeated fields, maps and nesting are handled here, while each direction
// (representation -> wire tree, wire tree -> representation) only converts
// single scalar and enum values.

/** Returned by a leaf converter to leave an element out (unknown enum value, as proto2 does). */
export const DROP: unique symbol = Symbol('drop');

export type LeafConverter = (field: protobuf.Field, value: unknown, path: string) => unknown;

type Plain = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Plain {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    ArrayBuffer.isView(value)
  )
    return false;
  return true;
}

/**
 * Rebuilds `source` as a plain object keyed by proto field names, converting
 * every leaf with `leaf`. Unknown keys are ignored, null counts as unset, and
 * empty repeated/map fields are left out so both formats yield the same shape.
 * Throws "Missing required fields: a, b.c" like Mesos when required fields are unset.
 */
export function walkMessage(type: protobuf.Type, source: unknown, leaf: LeafConverter): Plain {
  const missing: string[] = [];
  const result = walk(type, source, '', leaf, missing);
  if (missing.length > 0)
    throw new MesosCodecError(`Missing required fields: ${missing.join(', ')}`);
  return result;
}

function walk(
  type: protobuf.Type,
  source: unknown,
  prefix: string,
  leaf: LeafConverter,
  missing: string[],
): Plain {
  if (!isPlainObject(source))
    throw new MesosCodecError(
      `${prefix || type.name}: expected an object for ${type.fullName.slice(1)}`,
    );
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const path = `${prefix}${field.name}`;
    const value = Object.hasOwn(source, field.name) ? source[field.name] : undefined;
    if (value === undefined || value === null) {
      if (field.required) missing.push(path);
      continue;
    }
    if (field.map) {
      if (!isPlainObject(value))
        throw new MesosCodecError(`${path}: expected an object for a map field`);
      const entries: Plain = {};
      for (const [key, item] of Object.entries(value)) {
        const converted = convert(field, item, `${path}[${JSON.stringify(key)}]`, leaf, missing);
        if (converted !== DROP) entries[key] = converted;
      }
      if (Object.keys(entries).length > 0) out[field.name] = entries;
    } else if (field.repeated) {
      if (!Array.isArray(value))
        throw new MesosCodecError(`${path}: expected an array for a repeated field`);
      const items = value
        .map((item: unknown, i) => convert(field, item, `${path}[${i}]`, leaf, missing))
        .filter((item) => item !== DROP);
      if (items.length > 0) out[field.name] = items;
    } else {
      const converted = convert(field, value, path, leaf, missing);
      if (converted !== DROP) out[field.name] = converted;
      else if (field.required) missing.push(path);
    }
  }
  return out;
}

function convert(
  field: protobuf.Field,
  value: unknown,
  path: string,
  leaf: LeafConverter,
  missing: string[],
): unknown {
  const nested = nestedMessage(field);
  return nested ? walk(nested, value, `${path}.`, leaf, missing) : leaf(field, value, path);
}
