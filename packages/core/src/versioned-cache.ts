/**
 * Values made from stored rows, each kept with the version of the rows it was made from:
 * a reader that has asked for the rows' current version takes a kept value only while
 * that version is the same. Bounded: the least recently used value goes first.
 */
export class VersionedCache<T> {
  private readonly entries = new Map<string, { version: string; value: T }>();

  constructor(private readonly capacity: number) {}

  /** The value made at this version, if it is in hand. */
  get(key: string, version: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.version !== version) return undefined;
    // Used again: it moves to the back of the eviction order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` as the one made at `version`, in place of any earlier one; returns it. */
  put(key: string, version: string, value: T): T {
    this.entries.delete(key);
    this.entries.set(key, { version, value });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return value;
  }
}
