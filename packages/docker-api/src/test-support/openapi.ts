import engineApi from '../spec/engine-api-v1.50.json';

// Checks a JSON answer against the Docker Engine API's schema of it (see spec/README.md).

export interface Schema {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  required?: string[];
  enum?: unknown[];
  allOf?: Schema[];
  nullable?: boolean;
}

interface EngineApi {
  apiVersion: string;
  routes: Record<string, { status: number; schema: Schema }>;
  error: Schema;
  definitions: Record<string, Schema>;
}

export const ENGINE_API = engineApi as EngineApi;

/** Where Shoal says what Docker has no field for, at the top of any answer. */
const SHOAL_EXTENSION = 'Shoal';

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const target = ENGINE_API.definitions[schema.$ref];
  if (!target) throw new Error(`the schema has no definition ${schema.$ref}`);
  return resolve(target);
}

/** Every property an object may have: its own and those of each allOf part. */
function propertiesOf(schema: Schema): Record<string, Schema> {
  return Object.assign(
    {},
    ...(schema.allOf ?? []).map((part) => propertiesOf(resolve(part))),
    schema.properties ?? {},
  ) as Record<string, Schema>;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

function fits(type: string, value: unknown): boolean {
  const actual = typeOf(value);
  if (type === 'number') return actual === 'integer' || actual === 'number';
  return actual === type;
}

/**
 * Where `value` differs from `schema`: a wrong type, a missing required field, a value
 * outside an enumeration, or a field the schema does not name. Go encodes an empty slice
 * or map as null, so Docker itself answers null for lists and objects: allowed there.
 */
export function mismatches(
  value: unknown,
  given: Schema,
  /** Top-level fields Docker sends that its reference leaves out, each with a reason. */
  extensions: readonly string[] = [],
  at = '$',
): string[] {
  const top = at === '$';
  const schema = resolve(given);
  const type = schema.type ?? (schema.properties || schema.allOf ? 'object' : undefined);
  if (value === null) {
    return schema.nullable || type === 'array' || type === 'object' || type === undefined
      ? []
      : [`${at}: null where the API has a ${type}`];
  }
  if (type && !fits(type, value)) return [`${at}: ${typeOf(value)} where the API has a ${type}`];
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    return [`${at}: ${JSON.stringify(value)} is none of ${JSON.stringify(schema.enum)}`];
  }
  if (type === 'array') {
    return schema.items
      ? (value as unknown[]).flatMap((item, i) =>
          mismatches(item, schema.items!, [], `${at}[${i}]`),
        )
      : [];
  }
  if (type !== 'object') return [];
  const object = value as Record<string, unknown>;
  const properties = propertiesOf(schema);
  const named = Object.keys(properties).length > 0;
  const extra = schema.additionalProperties;
  const problems: string[] = [];
  for (const field of schema.required ?? []) {
    if (!(field in object)) problems.push(`${at}.${field}: missing (the API requires it)`);
  }
  for (const [field, item] of Object.entries(object)) {
    const where = `${at}.${field}`;
    if (properties[field]) problems.push(...mismatches(item, properties[field], [], where));
    else if (typeof extra === 'object') problems.push(...mismatches(item, extra, [], where));
    else if (
      named &&
      extra !== true &&
      !(top && [SHOAL_EXTENSION, ...extensions].includes(field))
    ) {
      problems.push(`${where}: not a field of this answer in the API`);
    }
  }
  return problems;
}
