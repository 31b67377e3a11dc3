/**
 * Where to go after signing in: a path on this site only. The value is resolved the way the
 * browser would resolve it (which treats `\` as `/` and drops tabs and newlines, so
 * `/\evil.example` and `/\t/evil.example` mean `//evil.example`); anything that leaves
 * `origin` falls back to the tenant list.
 */
export function safeNextPath(next: string | null, origin: string): string {
  const fallback = '/tenants';
  if (!next?.startsWith('/')) return fallback;
  let target: URL;
  try {
    target = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (target.origin !== new URL(origin).origin) return fallback;
  return `${target.pathname}${target.search}${target.hash}`;
}
