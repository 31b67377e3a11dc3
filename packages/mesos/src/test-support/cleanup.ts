import { afterEach } from 'vitest';

interface Closable {
  close(): Promise<void>;
}

/** Returns `track(resource)`: every tracked resource is closed after each test, newest first. */
export function closeAfterEach(): <T extends Closable>(resource: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    while (open.length > 0) await open.pop()!.close();
  });
  return (resource) => {
    open.push(resource);
    return resource;
  };
}
