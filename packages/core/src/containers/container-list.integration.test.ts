import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import { createServices, type Services } from '../services';

// `docker ps` keeps the rows it read and asks the database only which ones changed: a
// listing must still show every change, whoever made it and whichever columns it set.

let db: Db;
let services: Services;
let tenantId: string;
let otherTenantId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(db);
  tenantId = (await services.tenants.create({ slug: 'lister', name: 'Lister' }, 'test')).id;
  otherTenantId = (await services.tenants.create({ slug: 'other', name: 'Other' }, 'test')).id;
});
afterAll(async () => {
  await db?.close();
});

const ps = async (id = tenantId) =>
  (await services.containers.list(id, { all: true })).map((c) => ({
    name: c.name,
    state: c.state,
    task: c.task?.state ?? null,
    exitCode: c.exitCode,
  }));

it('shows each change to a listed container, even one written straight to the database', async () => {
  await services.containers.create(tenantId, { name: 'web', image: 'nginx' }, 'test');
  await services.containers.create(tenantId, { name: 'db', image: 'postgres' }, 'test');
  expect(await ps()).toEqual([
    { name: 'db', state: 'created', task: null, exitCode: null },
    { name: 'web', state: 'created', task: null, exitCode: null },
  ]);

  await services.containers.rename(tenantId, 'web', 'frontend', 'test');
  expect((await ps()).map((c) => c.name)).toEqual(['db', 'frontend']);

  // A writer that sets no updatedAt: the listing still sees the row changed.
  await db.sql.query(
    `UPDATE "Container" SET state = 'EXITED', "exitCode" = 3 WHERE name = 'db' AND "tenantId" = $1`,
    [tenantId],
  );
  expect((await ps())[0]).toEqual({ name: 'db', state: 'exited', task: null, exitCode: 3 });

  // A task appears for a container, then changes state.
  const [frontend] = await db.sql.query<{ id: string }>(
    `SELECT id FROM "Container" WHERE name = 'frontend' AND "tenantId" = $1`,
    [tenantId],
  );
  await db.sql.query(
    `INSERT INTO "Task" (id, "containerId", "mesosTaskId", state, "launchedAt", "updatedAt")
     VALUES ('t1', $1, 'shoal.t1', 'TASK_STAGING', now(), now())`,
    [frontend!.id],
  );
  expect((await ps())[1]!.task).toBe('TASK_STAGING');
  await db.sql.query(`UPDATE "Task" SET state = 'TASK_RUNNING' WHERE id = 't1'`);
  expect((await ps())[1]!.task).toBe('TASK_RUNNING');

  // Removed: gone from the listing.
  await db.sql.query(`DELETE FROM "Container" WHERE name = 'db' AND "tenantId" = $1`, [tenantId]);
  expect((await ps()).map((c) => c.name)).toEqual(['frontend']);
});

it('never shows a container of another tenant, though it was listed before by its own', async () => {
  await services.containers.create(otherTenantId, { name: 'secret', image: 'alpine' }, 'test');
  expect((await ps(otherTenantId)).map((c) => c.name)).toEqual(['secret']);
  expect((await ps()).map((c) => c.name)).not.toContain('secret');
});

it('hands out rows no caller can change for the next listing', async () => {
  const [first] = await services.containers.list(tenantId, { all: true });
  expect(() => {
    first!.spec.labels.injected = 'yes';
  }).toThrow(TypeError);
  const [again] = await services.containers.list(tenantId, { all: true });
  expect(again!.spec.labels).not.toHaveProperty('injected');
});

it('gives each listed container the version of its rows, new after any change to them', async () => {
  const { id } = await services.containers.create(
    tenantId,
    { name: 'versioned', image: 'nginx' },
    'test',
  );
  const version = async () =>
    (await services.containers.list(tenantId, { all: true })).find((c) => c.id === id)!.version;
  const first = await version();
  expect(first).toEqual(expect.any(String));
  expect(await version()).toBe(first);

  await db.sql.query(`UPDATE "Container" SET "restartCount" = 1 WHERE id = $1`, [id]);
  const second = await version();
  expect(second).not.toBe(first);

  await db.sql.query(
    `INSERT INTO "Task" (id, "containerId", "mesosTaskId", state, "launchedAt", "updatedAt")
     VALUES ('tv', $1, 'shoal.tv', 'TASK_STAGING', now(), now())`,
    [id],
  );
  const third = await version();
  expect([first, second]).not.toContain(third);
  await db.sql.query(`UPDATE "Task" SET message = 'pulling' WHERE id = 'tv'`);
  expect([first, second, third]).not.toContain(await version());
});
