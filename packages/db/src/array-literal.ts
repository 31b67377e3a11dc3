/**
 * Arrays given as a statement's values, written as PostgreSQL array literals here where
 * node-postgres would write them itself. The batch statements send arrays of ids, states
 * and times, one element per container or task; node-postgres escapes each element and
 * adds it to the literal piece by piece, several new strings an element, which made it
 * the largest source of garbage on the launch path. For an array of strings, finite
 * numbers and nulls, JSON's text is already the literal once its brackets are braces,
 * as long as nothing in it needed escaping: JSON and PostgreSQL escape quotes and
 * backslashes alike but control characters differently, so arrays with any escape are
 * left to node-postgres.
 */
export function arrayLiteral(values: readonly unknown[]): string | undefined {
  for (const value of values) {
    if (value === null || value === undefined || typeof value === 'string') continue;
    if (typeof value === 'number' && Number.isFinite(value)) continue;
    return undefined;
  }
  const json = JSON.stringify(values);
  if (json.includes('\\')) return undefined;
  return `{${json.slice(1, -1)}}`;
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
