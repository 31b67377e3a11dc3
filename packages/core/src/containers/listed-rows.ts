import { VersionedCache } from '../versioned-cache';
import type { ContainerRow } from './rows';

/** A row as a listing gives it: with the version it was read at. */
export interface ListedRow {
  row: ContainerRow;
  version: string;
}

/**
 * Rows `docker ps` has read, each with the version of the stored rows it was made from
 * (see ROW_VERSION): a listing asks only for the versions, and reads in full only the
 * containers that changed since.
 *
 * Rows are frozen, config included: a caller that changed one would change what the
 * next listing shows.
 */
export class ListedRows extends VersionedCache<ContainerRow> {
  override put(id: string, version: string, row: ContainerRow): ContainerRow {
    return super.put(id, version, deepFreeze(row));
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
