/**
 * Docker's label filters (`key` or `key=value`, all must hold), alike for containers,
 * networks and events. Only a label's own key counts: `label=constructor` must not match every object.
 */
export function matchesLabels(labels: Record<string, string>, filters: string[]): boolean {
  return filters.every((f) => {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f : f.slice(0, eq);
    if (!Object.hasOwn(labels, key)) return false;
    return eq < 0 || labels[key] === f.slice(eq + 1);
  });
}
