import { inputFault, type TerminalSize } from '@shoal/core';
import { badRequest } from './errors';

/** Docker's reading of boolean query values: anything but empty, 0, no, false or none is true. */
export function queryBool(query: URLSearchParams, name: string, fallback = false): boolean {
  const raw = query.get(name);
  if (raw === null) return fallback;
  return !['', '0', 'no', 'false', 'none'].includes(raw.trim().toLowerCase());
}

export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value))
    throw badRequest(`invalid value for ${name}: "${raw}" is not an integer`);
  return value;
}

/** The terminal size a resize asks for: `h` rows and `w` columns, both required. */
export function queryTerminalSize(query: URLSearchParams): TerminalSize {
  const rows = queryInt(query, 'h');
  const columns = queryInt(query, 'w');
  if (rows === undefined || columns === undefined || rows < 0 || columns < 0)
    throw badRequest('resize needs a height h and a width w, both 0 or more');
  return { rows, columns };
}

/**
 * A Unix time in seconds (fractions allowed), as `since`/`until` are sent. 0 means unset,
 * as `docker logs` reads it, unless `zeroIsEpoch`: `docker events --since 0` asks for every
 * event kept, from the epoch on.
 */
export function queryTime(
  query: URLSearchParams,
  name: string,
  { zeroIsEpoch = false } = {},
): Date | undefined {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds)) {
    throw badRequest(`invalid value for ${name}: "${raw}" is not a Unix timestamp`);
  }
  if (seconds === 0 && !zeroIsEpoch) return undefined;
  const at = new Date(seconds * 1000);
  if (Number.isNaN(at.getTime()))
    throw badRequest(`invalid value for ${name}: "${raw}" is past any date a clock can show`);
  return at;
}

export type Filters = Map<string, string[]>;

/**
 * The `filters` parameter: `{"label":["a=b"]}`, or the older
 * `{"label":{"a=b":true}}` the CLI still sends. Unknown filter names are
 * refused so a typo never silently lists everything.
 */
export function queryFilters(query: URLSearchParams, allowed: readonly string[]): Filters {
  const filters: Filters = new Map();
  const raw = query.get('filters');
  if (raw === null || raw.trim() === '') return filters;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badRequest(`invalid filters: "${raw}" is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('invalid filters: expected a JSON object of filter names');
  }
  const fault = inputFault(parsed);
  if (fault) throw badRequest(`invalid filters: ${fault.path} ${fault.problem}`);
  for (const [name, value] of Object.entries(parsed)) {
    if (!allowed.includes(name)) {
      throw badRequest(`invalid filter '${name}' (supported: ${allowed.join(', ')})`);
    }
    const values = Array.isArray(value)
      ? value
      : typeof value === 'object' && value !== null
        ? Object.keys(value).filter((k) => (value as Record<string, unknown>)[k])
        : [value];
    if (!values.every((v): v is string => typeof v === 'string')) {
      throw badRequest(`invalid filters: values of '${name}' must be strings`);
    }
    filters.set(name, values);
  }
  return filters;
}

const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * A prune's `until` filter as Docker reads it: a duration before now (`24h`, `1h30m`), a
 * Unix time in seconds, or a date (`2026-12-01`, RFC 3339).
 */
export function untilFilter(value: string, now = Date.now()): Date {
  let at: number;
  if (GO_DURATION.test(value)) {
    let ms = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
      ms += Number(amount) * UNIT_MS[unit!]!;
    at = now - ms;
  } else if (/^\d+(?:\.\d+)?$/.test(value)) at = Number(value) * 1000;
  else at = Date.parse(value);
  if (!Number.isFinite(at) || Number.isNaN(new Date(at).getTime()))
    throw badRequest(
      `invalid filter 'until=${value}': use a duration (24h), a Unix time or a date (2026-12-01)`,
    );
  return new Date(at);
}
