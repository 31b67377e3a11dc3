import type protobuf from 'protobufjs';
import { MesosCodecError } from '../errors';
import { nestedMessage } from './schema';

// Both codecs share one structural walk over a message: required fields,
// repeated fields, maps and nesting are handled here, while each direction
// (representation -> wire tree, wire tree -> representation) only converts
// single scalar and enum values.

/** Returned by a leaf converter to leave an element out (unknown enum value, as proto2 does). */
export const DROP: unique symbol = Symbol('drop');

/**
 * Where a value sits in a message (`offers[2].resources[0].name`), spelled out only when
 * an error names it: building every path as a string costs more than the walk itself.
 */
export class FieldPath {
  constructor(
    private readonly parent: FieldPath | undefined,
    private readonly key: string | number,
  ) {}

  toString(): string {
    if (typeof this.key === 'number') return `${this.parent?.toString() ?? ''}[${this.key}]`;
    if (this.key.startsWith('[')) return `${this.parent?.toString() ?? ''}${this.key}`;
    return this.parent ? `${this.parent.toString()}.${this.key}` : this.key;
  }
}

export type LeafConverter = (field: protobuf.Field, value: unknown, path: FieldPath) => unknown;

type Plain = Record<string, unknown>;

export interface WalkOptions {
  /**
   * Fill unset singular fields that have an explicit `[default = …]` and are not
   * deprecated, as Mesos's JSON writer does in everything a master answers.
   */
  defaults?: boolean;
}

/** The explicit default an unset field is written with, if the options ask for it. */
function writtenDefault(field: protobuf.Field, options: WalkOptions): unknown {
  if (!options.defaults || field.repeated || field.map) return undefined;
  const fieldOptions = field.options as { default?: unknown; deprecated?: boolean } | undefined;
  if (fieldOptions?.default === undefined || fieldOptions.deprecated) return undefined;
  return fieldOptions.default;
}

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
export function walkMessage(
  type: protobuf.Type,
  source: unknown,
  leaf: LeafConverter,
  options: WalkOptions = {},
): Plain {
  const missing: FieldPath[] = [];
  const result = walk(type, source, undefined, leaf, missing, options);
  if (missing.length > 0)
    throw new MesosCodecError(`Missing required fields: ${missing.join(', ')}`);
  return result;
}

function walk(
  type: protobuf.Type,
  source: unknown,
  at: FieldPath | undefined,
  leaf: LeafConverter,
  missing: FieldPath[],
  options: WalkOptions,
): Plain {
  if (!isPlainObject(source))
    throw new MesosCodecError(
      `${at?.toString() ?? type.name}: expected an object for ${type.fullName.slice(1)}`,
    );
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const given = Object.hasOwn(source, field.name) ? source[field.name] : undefined;
    const value = given ?? writtenDefault(field, options);
    if (value === undefined || value === null) {
      if (field.required) missing.push(new FieldPath(at, field.name));
      continue;
    }
    const path = new FieldPath(at, field.name);
    if (field.map) {
      if (!isPlainObject(value))
        throw new MesosCodecError(`${path}: expected an object for a map field`);
      const entries: Plain = {};
      for (const [key, item] of Object.entries(value)) {
        const converted = convert(
          field,
          item,
          new FieldPath(path, `[${JSON.stringify(key)}]`),
          leaf,
          missing,
          options,
        );
        if (converted !== DROP) entries[key] = converted;
      }
      if (Object.keys(entries).length > 0) out[field.name] = entries;
    } else if (field.repeated) {
      if (!Array.isArray(value))
        throw new MesosCodecError(`${path}: expected an array for a repeated field`);
      const items = value
        .map((item: unknown, i) =>
          convert(field, item, new FieldPath(path, i), leaf, missing, options),
        )
        .filter((item) => item !== DROP);
      if (items.length > 0) out[field.name] = items;
    } else {
      const converted = convert(field, value, path, leaf, missing, options);
      if (converted !== DROP) out[field.name] = converted;
      else if (field.required) missing.push(path);
    }
  }
  return out;
}

function convert(
  field: protobuf.Field,
  value: unknown,
  path: FieldPath,
  leaf: LeafConverter,
  missing: FieldPath[],
  options: WalkOptions,
): unknown {
  const nested = nestedMessage(field);
  return nested ? walk(nested, value, path, leaf, missing, options) : leaf(field, value, path);
}
