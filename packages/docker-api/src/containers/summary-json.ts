import { VersionedCache, type ContainerView } from '@shoal/core';
import { summaryBody } from './views';

/** Entries kept between listings: as many as core keeps rows for, the largest tenants' `ps -a`. */
const KEPT_ENTRIES = 10_000;

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']\n');

/**
 * The entries of `docker ps` as JSON, kept by container and by the version of its stored
 * rows, so a listing builds and serialises again only the containers that changed. An
 * entry's Status is worded from the time of the read, so it is kept as the bytes before
 * and after that value. Kept as bytes: joining hundreds of kept strings and encoding the
 * result cost more than serialising the entries afresh.
 */
export class SummaryJson {
  private readonly kept = new VersionedCache<readonly [Buffer, Buffer]>(KEPT_ENTRIES);

  /** GET /containers/json's answer: these containers' entries, as a JSON array. */
  listing(views: ContainerView[], apiVersion: string): Buffer {
    const parts: Buffer[] = [OPEN];
    for (const [i, view] of views.entries()) {
      if (i > 0) parts.push(COMMA);
      parts.push(...this.entry(view, apiVersion));
    }
    parts.push(CLOSE);
    return Buffer.concat(parts);
  }

  private entry(view: ContainerView, apiVersion: string): Buffer[] {
    if (view.version === undefined)
      return [Buffer.from(JSON.stringify(summaryBody(view, apiVersion)))];
    const version = `${view.version} ${apiVersion}`;
    const [before, after] =
      this.kept.get(view.id, version) ??
      this.kept.put(view.id, version, around(summaryBody(view, apiVersion), 'Status'));
    return [before, Buffer.from(JSON.stringify(view.status)), after];
  }
}

/** An object's JSON in two parts: up to the value of `key`, and after it. */
export function around(body: Record<string, unknown>, key: string): [Buffer, Buffer] {
  const keys = Object.keys(body);
  const at = keys.indexOf(key);
  const members = (some: string[]) =>
    JSON.stringify(Object.fromEntries(some.map((k) => [k, body[k]]))).slice(1, -1);
  const before = members(keys.slice(0, at));
  const after = members(keys.slice(at + 1));
  return [
    Buffer.from(`{${before}${before ? ',' : ''}${JSON.stringify(key)}:`),
    Buffer.from(`${after ? ',' : ''}${after}}`),
  ];
}
