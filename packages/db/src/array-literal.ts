/**
 * Arrays given as a statement's values, written as PostgreSQL array literals here where
 * node-postgres would write them itself. The batch statements send arrays of ids, states
 * and times, one element per container or task; node-postgres escapes each element and
 * adds it to the literal piece by piece, several new strings an element, which made it
 * the largest source of garbage on the launch path. For an array of strings, finite
 * numbers and nulls, JSON's text is already the literal once its brackets are braces,
 * as long as JSON escaped nothing but quotes and backslashes, which PostgreSQL escapes
 * alike: control characters, escaped differently, leave the array to node-postgres.
 */
export function arrayLiteral(values: readonly unknown[]): string | undefined {
  for (const value of values) {
    if (value === null || value === undefined || typeof value === 'string') continue;
    if (typeof value === 'number' && Number.isFinite(value)) continue;
    return undefined;
  }
  const json = JSON.stringify(values);
  if (!escapesOnlyQuotes(json)) return undefined;
  return `{${json.slice(1, -1)}}`;
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/**
 * Whether every escape in a JSON text is of a quote or a backslash. Each escape is a
 * backslash and what follows it, so the search goes on past both: in `\\n` (an escaped
 * backslash, then the letter n) there is no escape of a control character.
 */
function escapesOnlyQuotes(json: string): boolean {
  for (let i = json.indexOf('\\'); i !== -1; i = json.indexOf('\\', i + 2)) {
    const escaped = json.charCodeAt(i + 1);
    if (escaped !== QUOTE && escaped !== BACKSLASH) return false;
  }
  return true;
}

/** `values` with each array that `arrayLiteral` can write replaced by its literal. */
export function withArrayLiterals(values: unknown[]): unknown[] {
  let written: unknown[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Array.isArray(value)) continue;
    const literal = arrayLiteral(value);
    if (literal === undefined) continue;
    written ??= [...values];
    written[i] = literal;
  }
  return written ?? values;
}
