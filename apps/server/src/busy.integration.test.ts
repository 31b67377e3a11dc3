import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createTestDatabase } from '@shoal/db/testing';
import { startSimCluster } from '@shoal/mesos-sim';
import { eventually, FAST_SIM, startShoalForTest } from './testing/shoal-under-test';

// Being busy makes a request wait, never fail: a database pool of two connections
// serves thousands of requests at once, and a request that waits longer than
// SHOAL_START_WAIT_SECONDS is answered with Docker's error form, saying Shoal is
// busy and that nothing was done, and indeed nothing is.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function busyShoal(startWaitSeconds: number) {
  const sim = await startSimCluster({
    agents: Array.from({ length: 8 }, () => ({ cpus: 64, mem: 262_144 })),
    ...FAST_SIM,
  });
  cleanups.push(() => sim.close());
  const db = await createTestDatabase({ poolSize: 2 });
  cleanups.push(() => db.close());
  const shoal = await startShoalForTest({
    db,
    masters: sim.masterUrls,
    env: { SHOAL_START_WAIT_SECONDS: String(startWaitSeconds) },
  });
  cleanups.push(() => shoal.close());
  const tenant = await shoal.services.tenants.create({ slug: 'acme', name: 'Acme' }, 'test');
  const { secret } = await shoal.services.tokens.issue({ tenantId: tenant.id, name: 't' }, 'test');
  const docker = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await request(`${shoal.dockerApi.url.replace(/^tcp:/, 'http:')}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${secret}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return { shoal, db, tenantId: tenant.id, docker };
}

describe('a busy Shoal', () => {
  it(
    'makes 3,000 simultaneous docker runs wait on a pool of two connections, and runs them all',
    // A bound for a broken run only: 45 s on an idle machine, past 300 s beside other work.
    {
      timeout: 900_000,
    },
    async () => {
      const { shoal, tenantId } = await busyShoal(240);
      const { containers } = shoal.services;
      // Ten times the framework-launch benchmark's callers, all at once.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 3_000 }, async (_, i) => {
          await containers.create(
            tenantId,
            { name: `c${i}`, image: 'nginx', cpus: 0.01, memoryMb: 4 },
            'test',
          );
          return (await containers.start(tenantId, `c${i}`, 'test')).state;
        }),
      );
      const failures = outcomes.filter((o) => o.status === 'rejected');
      expect(failures.map((f) => String(f.reason))).toEqual([]);
      // A start may answer before its container runs (Docker's does too); each then does.
      await eventually(
        'all 3,000 containers to run',
        async () => {
          const running = await shoal.db.prisma.container.count({
            where: { tenantId, state: 'RUNNING' },
          });
          return running === 3_000;
        },
        300_000,
      );
      expect(await containers.list(tenantId, { all: true })).toHaveLength(3_000);
    },
  );

  it(
    'answers a start that waited too long with a busy error, and makes no start',
    {
      timeout: 120_000,
    },
    async () => {
      const { db, docker, shoal, tenantId } = await busyShoal(1);
      expect(
        await docker('POST', '/v1.50/containers/create?name=held', { Image: 'nginx' }),
      ).toMatchObject({ status: 201 });
      // Every connection of the pool is taken, for longer than a start may wait.
      const held = Promise.all([
        db.sql.query('SELECT pg_sleep(4)'),
        db.sql.query('SELECT pg_sleep(4)'),
      ]);
      const start = docker('POST', '/v1.50/containers/held/start');
      const create = docker('POST', '/v1.50/containers/create?name=late', { Image: 'nginx' });
      expect(await start).toEqual({
        status: 503,
        body: {
          message: expect.stringMatching(
            /^Shoal is busy: the request to start held waited too long .*nothing changed, try again$/,
          ) as unknown,
        },
      });
      expect(await create).toEqual({
        status: 503,
        body: {
          message: expect.stringMatching(/^Shoal is busy: the request to create late/) as unknown,
        },
      });
      await held;
      // Nothing was done: the container is still created and not meant to run, no task was
      // queued for it, and the create that gave up left no container behind.
      const view = await shoal.services.containers.get(tenantId, 'held');
      expect(view).toMatchObject({ state: 'created', desiredState: 'stopped', task: null });
      await expect(shoal.services.containers.get(tenantId, 'late')).rejects.toThrow(
        /No such container/,
      );
      // Once the database is free, the same start works.
      expect(await docker('POST', '/v1.50/containers/held/start')).toMatchObject({ status: 204 });
    },
  );
});
