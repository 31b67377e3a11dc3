import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@shoal/db/testing';
import { startSimCluster, type SimCluster } from '@shoal/mesos-sim';
import type { RunningShoal } from './app';
import {
  eventually,
  FAST_SIM,
  liveTasksByContainer,
  startShoalForTest,
} from './testing/shoal-under-test';

// Replacing a task on an unreachable agent when the cluster has no room for the
// replacement: the original must keep serving, and the container must never be
// shown running without a live Mesos task behind it.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Two one-cpu agents: one container on each fills the cluster. */
async function fullCluster(): Promise<{ sim: SimCluster; shoal: RunningShoal; tenantId: string }> {
  const sim = await startSimCluster({ agents: [{ cpus: 1 }, { cpus: 1 }], ...FAST_SIM });
  cleanups.push(() => sim.close());
  const db = await createTestDatabase();
  cleanups.push(() => db.close());
  const shoal = await startShoalForTest({ db, masters: sim.masterUrls });
  cleanups.push(() => shoal.close());
  await eventually(
    'the framework to subscribe',
    async () => shoal.services.cluster.framework().subscribed,
  );
  const tenantId = (await shoal.services.tenants.create({ slug: 'acme', name: 'acme' }, 'test')).id;
  for (const name of ['svc', 'filler']) {
    await shoal.services.containers.create(tenantId, { name, image: 'nginx', cpus: 1 }, 'test');
    const started = await shoal.services.containers.start(tenantId, name, 'test');
    expect(started.state).toBe('running');
  }
  return { sim, shoal, tenantId };
}

describe('a replacement that cannot be placed', () => {
  it(
    'keeps the original task when its agent comes back, and drops the queued replacement',
    { timeout: 90_000 },
    async () => {
      const { sim, shoal, tenantId } = await fullCluster();
      const { services } = shoal;
      const svc = await services.containers.get(tenantId, 'svc');
      const original = svc.task!;

      sim.faults.partitionAgent(original.agentId!);
      // The replacement is queued but waits: the other agent is full.
      await eventually('a replacement to be queued', async () => {
        const c = await services.containers.get(tenantId, 'svc');
        return c.task?.mesosTaskId !== original.mesosTaskId && c.task?.state === 'PENDING';
      });

      sim.faults.restoreAgent(original.agentId!);
      const back = await eventually('the original to serve the container again', async () => {
        const c = await services.containers.get(tenantId, 'svc');
        return c.task?.mesosTaskId === original.mesosTaskId && c.task.state === 'TASK_RUNNING'
          ? c
          : undefined;
      });
      expect(back.state).toBe('running');
      expect(liveTasksByContainer(sim).get(svc.id.slice(0, 12))).toEqual([original.mesosTaskId]);
      const history = await services.containers.history(tenantId, 'svc');
      expect(history.filter((h) => h.mesosTaskId !== original.mesosTaskId)).toEqual([]);
      expect(history.some((h) => h.state === 'TASK_KILLED')).toBe(false);
    },
  );

  it(
    'shows the container restarting, not running, when the original is gone and the replacement still waits',
    { timeout: 90_000 },
    async () => {
      const { sim, shoal, tenantId } = await fullCluster();
      const { services } = shoal;
      const svc = await services.containers.get(tenantId, 'svc');
      const agentId = svc.task!.agentId!;

      sim.faults.partitionAgent(agentId);
      await eventually('a replacement to be queued', async () => {
        const c = await services.containers.get(tenantId, 'svc');
        return c.task?.state === 'PENDING';
      });
      // The agent never comes back: its tasks are gone.
      sim.faults.killAgent(agentId);
      const waiting = await eventually('the container to wait for its replacement', async () => {
        const c = await services.containers.get(tenantId, 'svc');
        return c.state !== 'running' ? c : undefined;
      });
      expect(waiting.state).toBe('restarting');
      expect(liveTasksByContainer(sim).get(svc.id.slice(0, 12)) ?? []).toEqual([]);

      // Room appears: the queued replacement runs.
      sim.faults.addAgents([{ cpus: 1 }]);
      const moved = await eventually('the replacement to run', async () => {
        const c = await services.containers.get(tenantId, 'svc');
        return c.state === 'running' && c.task?.state === 'TASK_RUNNING' ? c : undefined;
      });
      expect(liveTasksByContainer(sim).get(svc.id.slice(0, 12))).toEqual([moved.task!.mesosTaskId]);
    },
  );
});
