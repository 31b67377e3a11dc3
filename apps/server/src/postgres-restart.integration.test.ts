import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerView } from '@shoal/core';
import { createDb } from '@shoal/db';
import { startPrivatePostgres } from './testing/private-postgres';
import {
  containerIn,
  eventually,
  liveTasksByContainer,
  startShoalForTest,
} from './testing/shoal-under-test';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const ENDED = ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST'];

async function health(controlPlaneUrl: string): Promise<{ code: number; status: string }> {
  const res = await fetch(`${controlPlaneUrl}/healthz`);
  const body = (await res.json()) as { status: string };
  return { code: res.status, status: body.status };
}

describe('PostgreSQL restarted while status updates flow', () => {
  // fast: an orderly restart that ends every session; immediate: a crash, then recovery.
  it.each(['fast', 'immediate'] as const)(
    'stores every update Mesos sends again (%s shutdown): no container lost or duplicated, every state right',
    async (mode) => {
      const postgres = await startPrivatePostgres();
      cleanups.push(() => postgres.destroy());
      const db = await createDb({ databaseUrl: postgres.url, poolSize: 5 });
      cleanups.push(() => db.close());
      const shoal = await startShoalForTest({ db });
      cleanups.push(() => shoal.close());
      const sim = shoal.sim!;
      const { services } = shoal;
      await eventually(
        'the framework to subscribe',
        async () => services.cluster.framework().subscribed,
      );
      const tenantId = (await services.tenants.create({ slug: 'acme', name: 'acme' }, 'test')).id;
      const { secret } = await services.tokens.issue({ tenantId, name: 'cli' }, 'test');
      const dockerPs = async () => {
        const res = await fetch(
          `${shoal.dockerApi.url.replace('tcp:', 'http:')}/v1.50/containers/json`,
          { headers: { authorization: `Bearer ${secret}` } },
        );
        return { status: res.status, body: await res.json() };
      };
      expect(await dockerPs()).toEqual({ status: 200, body: [] });

      // What `docker events` shows the tenant: each exit must be told once, with its code.
      const feed = new AbortController();
      cleanups.push(async () => feed.abort());
      const dies: { name: string; exitCode: string | undefined }[] = [];
      void (async () => {
        for await (const e of services.events.subscribe(tenantId, feed.signal))
          if (e.action === 'die') dies.push({ name: e.name, exitCode: e.attributes.exitCode });
      })();

      // Services that keep running, and jobs whose process exits, each with its own code,
      // once PostgreSQL is down (the emulator ends them then), so that their final updates
      // come during the outage however long the steps before it took.
      const longRunning = Array.from({ length: 10 }, (_, i) => `svc-${i}`);
      const jobs = Array.from({ length: 10 }, (_, i) => ({
        name: `job-${i}`,
        exitCode: i % 3 === 0 ? 0 : 10 + i,
      }));
      for (const name of longRunning)
        await services.containers.create(tenantId, { name, image: 'nginx', cpus: 0.1 }, 'test');
      for (const job of jobs)
        await services.containers.create(
          tenantId,
          {
            name: job.name,
            image: 'busybox',
            cpus: 0.1,
            cmd: ['sh', '-c', `sleep 3600; exit ${job.exitCode}`],
          },
          'test',
        );
      const all = [...longRunning, ...jobs.map((j) => j.name)];
      await Promise.all(all.map((name) => services.containers.start(tenantId, name, 'test')));
      const before = new Map<string, ContainerView>();
      for (const name of all)
        before.set(name, await containerIn(services, tenantId, name, ['running']));
      const taskOf = (name: string) => before.get(name)!.task!.mesosTaskId;
      const inMesos = (name: string) => sim.state.tasks().find((t) => t.id === taskOf(name));
      expect(await health(shoal.controlPlane.url)).toEqual({ code: 200, status: 'ok' });

      await postgres.stop(mode);
      // The jobs exit while the database is away: their exits cannot be stored yet.
      for (const job of jobs) sim.faults.exitTask(taskOf(job.name), job.exitCode);

      const down = await eventually('/healthz to report the database down', async () => {
        const h = await health(shoal.controlPlane.url);
        return h.code === 503 ? h : undefined;
      });
      expect(down.status).toBe('degraded');
      // A Docker request meanwhile is told the database is away, in Docker's error form.
      expect(await dockerPs()).toEqual({
        status: 503,
        body: { message: 'Shoal cannot reach its database just now; try again in a few seconds' },
      });
      // The leader lock went with its session: meanwhile this instance must not act as leader.
      await eventually(
        'the instance to give up leadership and the Mesos subscription',
        async () => !shoal.framework.isLeader && !services.cluster.framework().subscribed,
      );
      await eventually(
        'the jobs to exit in Mesos, their final updates unacknowledged',
        async () =>
          jobs.every((j) => {
            const t = inMesos(j.name);
            return t && ENDED.includes(t.agentState) && t.unacknowledged > 0;
          }),
        15_000,
      );
      const backAt = new Date();
      await postgres.start();

      await eventually(
        '/healthz to report ok again',
        async () => (await health(shoal.controlPlane.url)).status === 'ok',
      );
      await eventually(
        'leadership and the Mesos subscription to be regained',
        async () => shoal.framework.isLeader && services.cluster.framework().subscribed,
        30_000,
      );

      for (const name of longRunning) {
        const c = await containerIn(services, tenantId, name, ['running']);
        expect(c.task!.mesosTaskId, name).toBe(taskOf(name));
      }
      for (const job of jobs) {
        const c = await containerIn(services, tenantId, job.name, ['exited']);
        expect(c.exitCode, job.name).toBe(job.exitCode);
      }
      // The exits Mesos had to send again were stored once, after the database came back.
      for (const job of jobs) {
        const ends = (await services.containers.history(tenantId, job.name)).filter((h) =>
          ENDED.includes(h.state),
        );
        expect(ends, job.name).toHaveLength(1);
        expect(ends[0]!.state).toBe(job.exitCode === 0 ? 'TASK_FINISHED' : 'TASK_FAILED');
        expect(ends[0]!.at.getTime()).toBeGreaterThanOrEqual(backAt.getTime());
      }

      await eventually(
        'every update acknowledged, one live task per service and none for the jobs',
        async () => {
          const live = liveTasksByContainer(sim);
          return (
            sim.state.tasks().every((t) => t.unacknowledged === 0) &&
            live.size === longRunning.length &&
            longRunning.every((name) => {
              const ids = live.get(before.get(name)!.id.slice(0, 12)) ?? [];
              return ids.length === 1 && ids[0] === taskOf(name);
            })
          );
        },
      );
      const listed = await services.containers.list(tenantId, { all: true });
      expect(listed.map((c) => c.name).sort()).toEqual([...all].sort());
      // None relaunched, none launched twice: one task each, the one from before the restart.
      expect(await db.prisma.task.count()).toBe(all.length);

      // Still working: a container started now runs.
      await services.containers.create(tenantId, { name: 'after', image: 'nginx' }, 'test');
      expect((await services.containers.start(tenantId, 'after', 'test')).state).toBe('running');
      expect(dies.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        jobs.map((j) => ({ name: j.name, exitCode: String(j.exitCode) })),
      );
    },
    60_000,
  );
});
