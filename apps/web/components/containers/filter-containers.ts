export interface ContainerRow {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  createdAt: Date;
  spec: { cpus: number; memoryMb: number; labels: Record<string, string> };
  task: { hostname?: string | undefined } | null;
}

export type SortKey = 'name' | 'image' | 'state' | 'cpus' | 'memoryMb' | 'host' | 'createdAt';
export interface Sort {
  key: SortKey;
  descending: boolean;
}

const sortValue = (c: ContainerRow, key: SortKey): string | number => {
  switch (key) {
    case 'cpus':
    case 'memoryMb':
      return c.spec[key];
    case 'host':
      return c.task?.hostname ?? '';
    case 'createdAt':
      return c.createdAt.getTime();
    default:
      return c[key];
  }
};

/**
 * Search matches name, image, id prefix and labels (`key` or `key=value`
 * substrings); `state` narrows to one Docker state.
 */
export function filterAndSort<T extends ContainerRow>(
  rows: T[],
  search: string,
  state: string,
  sort: Sort,
): T[] {
  const needle = search.trim().toLowerCase();
  const matches = (c: T) =>
    (state === '' || c.state === state) &&
    (needle === '' ||
      c.name.toLowerCase().includes(needle) ||
      c.image.toLowerCase().includes(needle) ||
      c.id.startsWith(needle) ||
      Object.entries(c.spec.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(needle)));
  const direction = sort.descending ? -1 : 1;
  return rows.filter(matches).sort((a, b) => {
    const x = sortValue(a, sort.key);
    const y = sortValue(b, sort.key);
    return (x < y ? -1 : x > y ? 1 : 0) * direction;
  });
}
