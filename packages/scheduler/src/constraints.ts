import { RE2JS } from 're2js';
import type { AgentFacts, PlacementConstraint } from './types';

function fieldValue(agent: AgentFacts, field: string): string | undefined {
  return field === 'hostname' ? agent.hostname : agent.attributes[field];
}

// LIKE/UNLIKE patterns come from tenants and are matched against every offer on
// the leader's one thread, so they run on RE2, whose time is linear in the
// value's length: a backtracking RegExp takes seconds, or forever, on patterns
// such as (a+)+$. Constraints stay plain JSON (they are stored with the
// container and read back, perhaps by another instance), so compiled patterns
// live here, keyed by pattern: compiled when a constraint is parsed or first
// checked, then reused until they fall out of this bounded cache. A pattern
// that cannot be compiled (stored before patterns were checked) is cached as
// its error.
const MAX_COMPILED_PATTERNS = 1_000;
const compiled = new Map<string, RE2JS | Error>();

function compilePattern(pattern: string): RE2JS | Error {
  const cached = compiled.get(pattern);
  if (cached) {
    compiled.delete(pattern);
    compiled.set(pattern, cached);
    return cached;
  }
  let result: RE2JS | Error;
  try {
    result = RE2JS.compile(pattern);
  } catch (error) {
    result = error instanceof Error ? error : new Error(String(error));
  }
  if (compiled.size >= MAX_COMPILED_PATTERNS) compiled.delete(compiled.keys().next().value!);
  compiled.set(pattern, result);
  return result;
}

/**
 * Whether `pattern` matches all of `value` (Marathon's `^(?:pattern)$`);
 * undefined when the pattern cannot be compiled, which neither LIKE nor
 * UNLIKE takes as satisfied.
 */
function fullMatch(pattern: string, value: string): boolean | undefined {
  const re = compilePattern(pattern);
  return re instanceof Error ? undefined : re.matches(value);
}

/**
 * Whether `agent` may take one more task of a group whose other tasks run on
 * `peers` (one entry per task). An agent lacking the attribute never matches,
 * as in Marathon.
 */
export function satisfiesConstraints(
  constraints: readonly PlacementConstraint[],
  agent: AgentFacts,
  peers: readonly AgentFacts[],
): boolean {
  return constraints.every((c) => {
    const value = fieldValue(agent, c.field);
    if (value === undefined) return false;
    const peerValues = peers.map((p) => fieldValue(p, c.field));
    switch (c.operator) {
      case 'UNIQUE':
        return !peerValues.includes(value);
      case 'CLUSTER':
        if (c.value !== undefined) return value === c.value;
        return peerValues.every((v) => v === value);
      case 'LIKE':
        return fullMatch(c.value ?? '', value) === true;
      case 'UNLIKE':
        return fullMatch(c.value ?? '', value) === false;
      case 'MAX_PER': {
        const max = Number(c.value);
        return Number.isFinite(max) && peerValues.filter((v) => v === value).length < max;
      }
    }
  });
}

/**
 * Bounds on a tenant's pattern. RE2's time is linear in the text, but its program grows with
 * counted repeats (`(.?){999}` compiles to a thousand states: 20 ms to compile, 30 ms a
 * match on a 128-character name), and every pattern is matched on the one thread every
 * tenant shares: so a pattern is short, its repeats small, and a container has few.
 */
export const PATTERN_LIMITS = { length: 256, repeats: 100, perContainer: 16 } as const;

/** Why `pattern` is too costly to run for a tenant, or undefined. */
export function patternFault(pattern: string): string | undefined {
  if (pattern.length > PATTERN_LIMITS.length)
    return `is longer than ${PATTERN_LIMITS.length} characters`;
  // The product of every counted repeat bounds how many times any part is copied.
  let copies = 1;
  for (const [, from, to] of pattern.matchAll(/\{(\d+)(?:,(\d*))?\}/g))
    copies *= Math.max(1, Number(to || from));
  if (copies > PATTERN_LIMITS.repeats)
    return `repeats its parts more than ${PATTERN_LIMITS.repeats} times in all ({n} counts multiply)`;
  return undefined;
}

/** Parses Marathon-style `field:OPERATOR[:value]` entries, comma-separated. */
export function parseConstraints(text: string): PlacementConstraint[] {
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const patterns = entries.filter((e) => /^[^:]*:(UN)?LIKE:/i.test(e)).length;
  if (patterns > PATTERN_LIMITS.perContainer) {
    throw new Error(
      `Placement constraints hold ${patterns} LIKE/UNLIKE patterns: at most ${PATTERN_LIMITS.perContainer} are allowed`,
    );
  }
  return entries.map((entry) => {
    const [field, operator, ...rest] = entry.split(':');
    const op = operator?.toUpperCase();
    if (!field || !op || !['UNIQUE', 'CLUSTER', 'LIKE', 'UNLIKE', 'MAX_PER'].includes(op)) {
      throw new Error(
        `Invalid placement constraint "${entry}": expected field:OPERATOR[:value] with OPERATOR one of UNIQUE, CLUSTER, LIKE, UNLIKE, MAX_PER`,
      );
    }
    const value = rest.length > 0 ? rest.join(':') : undefined;
    if ((op === 'LIKE' || op === 'UNLIKE' || op === 'MAX_PER') && value === undefined) {
      throw new Error(`Placement constraint "${entry}" needs a value`);
    }
    if (op === 'MAX_PER' && !(Number(value) >= 1)) {
      throw new Error(`Placement constraint "${entry}": MAX_PER needs a positive number`);
    }
    if (op === 'LIKE' || op === 'UNLIKE') {
      const fault = patternFault(value!);
      if (fault) throw new Error(`Placement constraint "${entry}": the pattern ${fault}`);
      const re = compilePattern(value!);
      if (re instanceof Error) {
        throw new Error(
          `Placement constraint "${entry}": the pattern "${value}" is not a valid regular expression (${re.message.replace(/^error parsing regexp: /, '')}); patterns use RE2 syntax: no backreferences or lookaround`,
        );
      }
    }
    return {
      field,
      operator: op as PlacementConstraint['operator'],
      ...(value !== undefined ? { value } : {}),
    };
  });
}
