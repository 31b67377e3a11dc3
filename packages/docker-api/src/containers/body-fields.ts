import { badRequest } from '../errors';

// Typed reads of one field of a JSON request body. Each names the field by its
// Docker path (e.g. HostConfig.Memory), so a wrong type gets a 400 that says
// exactly which field is wrong.

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const wrongType = (path: string, expected: string) =>
  badRequest(`invalid type for ${path}: expected ${expected}`);

/** Docker clients send every field with a zero value; those mean "not set". */
export function isUnset(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || value === false || value === 0)
    return true;
  if (Array.isArray(value)) return value.every(isUnset);
  if (isObject(value)) return Object.values(value).every(isUnset);
  return false;
}

export function objectField(from: JsonObject, key: string, path: string): JsonObject | undefined {
  const value = from[key];
  if (value === null || value === undefined) return undefined;
  if (!isObject(value)) throw wrongType(path, 'an object');
  return value;
}

export function stringField(from: JsonObject, key: string, path: string): string | undefined {
  const value = from[key];
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw wrongType(path, 'a string');
  return value;
}

export function boolField(from: JsonObject, key: string, path: string): boolean | undefined {
  const value = from[key];
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'boolean') throw wrongType(path, 'true or false');
  return value;
}

/** A non-negative number; 0 is "not set", as in Docker. */
export function amountField(from: JsonObject, key: string, path: string): number | undefined {
  const value = from[key];
  if (value === null || value === undefined || value === 0) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(path, 'a number');
  if (value < 0) throw badRequest(`invalid value for ${path}: ${value} is negative`);
  return value;
}

export function stringListField(from: JsonObject, key: string, path: string): string[] | undefined {
  const value = from[key];
  if (value === null || value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw wrongType(path, 'a list of strings');
  }
  return value;
}

/** Cmd and Entrypoint may be one string or a list, as Docker's strslice allows. */
export function commandField(from: JsonObject, key: string, path: string): string[] | undefined {
  const value = from[key];
  if (typeof value === 'string') return [value];
  return stringListField(from, key, path);
}

export function stringMapField(
  from: JsonObject,
  key: string,
  path: string,
): Record<string, string> | undefined {
  const value = objectField(from, key, path);
  if (!value) return undefined;
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw wrongType(`${path}.${name}`, 'a string');
  }
  return value as Record<string, string>;
}
