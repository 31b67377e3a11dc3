import { afterEach } from 'vitest';
import type { Services } from '@shoal/core';
import type { Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import { startSimCluster, type SimCluster, type SimOptions } from '@shoal/mesos-sim';
import type { RunningShoal } from '../app';
import { eventually, FAST_SIM, startShoalForTest } from './shoal-under-test';

/**
 * Each test its own emulated cluster, database and Shoal: what the tests of faults and of
 * Mesos's resources start. Call it once at the top of a test file; everything a test
 * started (and whatever it hands to `defer`) is closed after it, last first.
 */
export function simShoalFixture() {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });
  const defer = (cleanup: () => Promise<void>) => void cleanups.push(cleanup);
  return {
    defer,
    async cluster(options: SimOptions = {}): Promise<{ sim: SimCluster; db: Db }> {
      const sim = await startSimCluster({ agents: 3, ...FAST_SIM, ...options });
      defer(() => sim.close());
      const db = await createTestDatabase();
      defer(() => db.close());
      return { sim, db };
    },
    async shoalOn(sim: SimCluster, db: Db): Promise<RunningShoal> {
      const shoal = await startShoalForTest({ db, masters: sim.masterUrls });
      defer(() => shoal.close());
      return shoal;
    },
  };
}

export async function subscribed(services: Services): Promise<void> {
  await eventually(
    'the framework to subscribe',
    async () => services.cluster.framework().subscribed,
  );
}

/** The tenant's id, made on first use. */
export async function tenant(services: Services, slug = 'acme'): Promise<string> {
  const existing = await services.tenants.list();
  return (
    existing.find((t) => t.slug === slug) ??
    (await services.tenants.create({ slug, name: slug }, 'test'))
  ).id;
}
