/** Docker's label filters (`key` or `key=value`, all must hold), alike for containers and networks. */
export function matchesLabels(labels: Record<string, string>, filters: string[]): boolean {
  return filters.every((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? f in labels : labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
}
