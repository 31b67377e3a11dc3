import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import { createServices, type Services } from '../services';

// Lookups by name or id that arrive together share one statement: each must still
// find its own tenant's container, and never another tenant's of the same name.

let db: Db;
let services: Services;
let a: string;
let b: string;

beforeAll(async () => {
  db = await createTestDatabase();
  // Nothing runs here: a start is answered as still pending soon after it is made.
  services = createServices(db, { containers: { startWaitMs: 200 } });
  a = (await services.tenants.create({ slug: 'alpha', name: 'Alpha' }, 'test')).id;
  b = (await services.tenants.create({ slug: 'beta', name: 'Beta' }, 'test')).id;
});
afterAll(async () => {
  await db?.close();
});

it('answers lookups made at once each from its own tenant', async () => {
  const aWeb = await services.containers.create(a, { name: 'web', image: 'nginx' }, 'test');
  const bWeb = await services.containers.create(b, { name: 'web', image: 'httpd' }, 'test');
  const aDb = await services.containers.create(a, { name: 'db', image: 'postgres' }, 'test');

  const lookups = await Promise.allSettled([
    services.containers.get(a, 'web'),
    services.containers.get(b, 'web'),
    services.containers.get(a, aDb.id),
    services.containers.get(b, aDb.id),
    services.containers.get(b, 'db'),
    services.containers.get(a, `/${aWeb.id}`),
    services.containers.get(b, bWeb.id.slice(0, 12)),
    services.containers.get(a, bWeb.id.slice(0, 12)),
  ]);
  const answers = lookups.map((r) =>
    r.status === 'fulfilled' ? `${r.value.image} ${r.value.id}` : (r.reason as Error).message,
  );
  expect(answers).toEqual([
    `nginx ${aWeb.id}`,
    `httpd ${bWeb.id}`,
    `postgres ${aDb.id}`,
    `No such container: ${aDb.id}`,
    'No such container: db',
    `nginx ${aWeb.id}`,
    `httpd ${bWeb.id}`,
    `No such container: ${bWeb.id.slice(0, 12)}`,
  ]);
});

it('takes a full id for the container of that id, even where another is named so', async () => {
  const first = await services.containers.create(a, { name: 'first', image: 'nginx' }, 'test');
  const impostor = await services.containers.create(a, { name: first.id, image: 'httpd' }, 'test');
  const [looked, started] = await Promise.all([
    services.containers.get(a, first.id),
    services.containers.start(a, first.id, 'test'),
  ]);
  expect(looked.id).toBe(first.id);
  expect(started.id).toBe(first.id);
  expect((await services.containers.get(a, impostor.id)).image).toBe('httpd');
});
