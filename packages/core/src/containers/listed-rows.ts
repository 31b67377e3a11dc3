import type { ContainerRow } from './rows';

/**
 * Rows `docker ps` has read, each with the version of the stored rows it was made from
 * (see ROW_VERSION): a listing asks only for the versions, and reads in full only the
 * containers that changed since. Bounded, least recently listed first out.
 *
 * Rows are frozen, config included: a caller that changed one would change what the
 * next listing shows.
 */
export class ListedRows {
  private readonly rows = new Map<string, { version: string; row: ContainerRow }>();

  constructor(private readonly capacity: number) {}

  /** The row read at this version, if it is in hand. */
  get(id: string, version: string): ContainerRow | undefined {
    const entry = this.rows.get(id);
    if (!entry || entry.version !== version) return undefined;
    // Listed again: it moves to the back of the eviction order.
    this.rows.delete(id);
    this.rows.set(id, entry);
    return entry.row;
  }

  put(id: string, version: string, row: ContainerRow): ContainerRow {
    const frozen = deepFreeze(row);
    this.rows.delete(id);
    this.rows.set(id, { version, row: frozen });
    while (this.rows.size > this.capacity) {
      const oldest = this.rows.keys().next().value as string;
      this.rows.delete(oldest);
    }
    return frozen;
  }
}

/**
 * A container row's version: PostgreSQL's xmin changes with every update of a row,
 * whichever columns it sets, and the latest task is named by its id too, so a new task
 * or any change to the container or its task makes a new version.
 */
export const ROW_VERSION = `c.xmin::text || '/' || coalesce(t.id || '/' || t.xmin::text, '')`;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (!(value instanceof Date))
      for (const inner of Object.values(value as object)) deepFreeze(inner);
  }
  return value;
}
