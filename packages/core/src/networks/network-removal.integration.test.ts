import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '@shoal/db';
import { createTestDatabase, untilWaitingOnALock } from '@shoal/db/testing';
import { createServices, type Services } from '../services';

// `docker network rm` and a `docker create` on that network at the same time: a container
// is never left on a network that is gone. (A create that commits first makes the removal
// see its container and refuse: the removal reads after taking the network's lock.)

let db: Db;
let services: Services;
let tenantId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(db);
  tenantId = (await services.tenants.create({ slug: 'nets', name: 'Nets' }, 'test')).id;
});
afterAll(async () => {
  await db?.close();
});

const onNetwork = (name: string, network: string) =>
  services.containers.create(
    tenantId,
    { name, image: 'alpine', runtime: 'ucr', networks: [{ network }] },
    'test',
  );

it('refuses a create whose network was removed after it was looked up', async () => {
  const network = await services.networks.create(tenantId, { name: 'going' }, 'test');
  // The removal, as the service makes it, held open: the network row locked and deleted.
  const removal = new pg.Client({ connectionString: db.url });
  await removal.connect();
  try {
    await removal.query('BEGIN');
    await removal.query(`SELECT id FROM "Network" WHERE id = $1 FOR UPDATE`, [network.id]);
    await removal.query(`DELETE FROM "Network" WHERE id = $1`, [network.id]);
    // The create finds the network (the removal has not committed) and waits on its row.
    const create = onNetwork('late', 'going').then(
      () => 'created',
      (error: { code?: string; message: string }) => `${error.code}: ${error.message}`,
    );
    await untilWaitingOnALock(db);
    await removal.query('COMMIT');
    expect(await create).toBe('NOT_FOUND: network going not found');
  } finally {
    await removal.end();
  }
  expect(await services.containers.list(tenantId, { all: true })).toEqual([]);
});
