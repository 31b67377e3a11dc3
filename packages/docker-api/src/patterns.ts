import { RE2JS } from 're2js';
import { PATTERN_LIMITS, patternFault } from '@shoal/core';
import { badRequest } from './errors';

// Filters hold patterns a tenant writes, matched on the one thread every tenant's requests
// share. A backtracking RegExp takes minutes, or forever, on such as `a*a*a*x` against a
// long name; RE2 takes time linear in the text, whatever the pattern. Docker's patterns
// are Go's regexp, RE2 too, so the syntax is the same.

function compiled(filter: string, pattern: string, source: string): RE2JS {
  const fault = patternFault(pattern);
  if (fault) throw badRequest(`invalid filter '${filter}=${pattern.slice(0, 100)}': it ${fault}`);
  try {
    return RE2JS.compile(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw badRequest(`invalid filter '${filter}=${pattern}': ${reason}`);
  }
}

/**
 * `name=` filters as Docker reads them: regular expressions found anywhere in the name,
 * with or without its leading slash (`^/web$` and `^web$` both find web).
 */
export function nameMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length > PATTERN_LIMITS.perContainer)
    throw badRequest(`at most ${PATTERN_LIMITS.perContainer} name filters are allowed`);
  const res = patterns.map((p) => compiled('name', p, p));
  return (name) => res.some((re) => re.matcher(name).find() || re.matcher(`/${name}`).find());
}

/**
 * `reference=` filters: the whole reference, where `*` stands for any run of characters
 * other than `/` (`nginx*`, `library/*:1.2*`), with or without an implied `:latest`.
 */
export function referenceMatcher(patterns: readonly string[]): (reference: string) => boolean {
  if (patterns.length > PATTERN_LIMITS.perContainer)
    throw badRequest(`at most ${PATTERN_LIMITS.perContainer} reference filters are allowed`);
  const res = patterns.map((p) => ({
    re: compiled('reference', p, p.split('*').map(RE2JS.quote).join('[^/]*')),
    // `busybox` names a repository, every tag of it, as Docker reads it; `busybox:1.36` one.
    tagged: /:[^/]*$/.test(p) || p.includes('@'),
  }));
  return (reference) => {
    const repository = reference.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
    return res.some(
      ({ re, tagged }) => re.matches(reference) || (!tagged && re.matches(repository)),
    );
  };
}
