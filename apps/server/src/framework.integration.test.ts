import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalError, type Services } from '@shoal/core';
import {
  containerIn,
  eventually,
  liveTasksByContainer,
  startShoalForTest,
} from './testing/shoal-under-test';
import type { RunningShoal } from './app';

let shoal: RunningShoal;
let services: Services;
let tenantId: string;

beforeAll(async () => {
  shoal = await startShoalForTest();
  services = shoal.services;
  const tenant = await services.tenants.create({ slug: 'acme', name: 'Acme' }, 'test');
  tenantId = tenant.id;
  await eventually(
    'the framework to subscribe',
    async () => services.cluster.framework().subscribed,
  );
});
afterAll(async () => {
  await shoal?.close();
});

async function collect(iterable: AsyncIterable<{ text: string }>): Promise<string> {
  let out = '';
  for await (const line of iterable) out += line.text;
  return out;
}

describe('running containers on Mesos', () => {
  it('runs a command to completion and keeps its output', async () => {
    await services.containers.create(
      tenantId,
      { name: 'hello', image: 'busybox', cmd: ['echo', 'hello from mesos'] },
      'test',
    );
    await services.containers.start(tenantId, 'hello', 'test');
    const done = await containerIn(services, tenantId, 'hello', ['exited']);
    expect(done.exitCode).toBe(0);
    expect(done.task?.state).toBe('TASK_FINISHED');
    const logs = await collect(
      services.containers.logs(tenantId, 'hello', { stdout: true, stderr: true, follow: false }),
    );
    expect(logs).toContain('hello from mesos');
  });

  it('reports a failing command with its exit code', async () => {
    await services.containers.create(
      tenantId,
      { name: 'fails', image: 'busybox', cmd: ['sh', '-c', 'exit 3'] },
      'test',
    );
    await services.containers.start(tenantId, 'fails', 'test');
    const done = await containerIn(services, tenantId, 'fails', ['exited']);
    expect(done.exitCode).toBe(3);
  });

  it('starts a server, answers start once it runs, and stops it', async () => {
    await services.containers.create(
      tenantId,
      { name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'tcp' }] },
      'test',
    );
    const started = await services.containers.start(tenantId, 'web', 'test');
    expect(started.state).toBe('running');
    expect(started.task?.ports[0]?.hostPort).toBeGreaterThanOrEqual(31000);
    const role = (await services.tenants.getBySlug('acme')).mesosRole;
    const frameworkId = services.cluster.framework().frameworkId;
    const tasks = shoal
      .sim!.state.tasks()
      .filter((t) => t.frameworkId === frameworkId && t.state === 'TASK_RUNNING');
    expect(tasks.map((t) => t.role)).toContain(role);

    const stopped = await services.containers.stop(tenantId, 'web', { timeoutSeconds: 1 }, 'test');
    expect(stopped.state).toBe('exited');
    expect(stopped.exitCode).toBe(143);
  });

  it('runs a container started again before Mesos confirmed its stop, on a new task', async () => {
    // Removed whatever the outcome: a failure here must not fail the tests after it.
    try {
      await services.containers.create(tenantId, { name: 'bounce', image: 'nginx' }, 'test');
      const first = await services.containers.start(tenantId, 'bounce', 'test');
      // This stop's KILL: one sent meanwhile for another task (the supervisor repeats
      // kills until Mesos confirms them) must not be the one held.
      const held = shoal.sim!.faults.holdNextCall(
        'KILL',
        (call) => call.kill?.task_id.value === first.task?.mesosTaskId,
      );
      const stopping = services.containers.stop(tenantId, 'bounce', { timeoutSeconds: 1 }, 'test');
      const kill = await held;
      const starting = services.containers.start(tenantId, 'bounce', 'test');
      await eventually(
        'the start to be stored while the kill is held',
        async () => (await services.containers.get(tenantId, 'bounce')).desiredState === 'running',
      );
      kill.process();
      const [started] = await Promise.all([starting, stopping]);

      // The answer names the task launched after the start, running or (on a busy machine,
      // once the start's wait is over) still on its way; never the task being killed.
      expect(started.task?.mesosTaskId).not.toBe(first.task?.mesosTaskId);
      const live = await eventually('the stopped task to end and the new one to run', async () => {
        const ids = liveTasksByContainer(shoal.sim!).get(first.id.slice(0, 12)) ?? [];
        return ids.length === 1 ? ids : undefined;
      });
      expect(live).toEqual([started.task?.mesosTaskId]);
      await eventually('the container to be stored as running on it', async () => {
        const now = await services.containers.get(tenantId, 'bounce');
        return now.state === 'running' && now.desiredState === 'running';
      });
    } finally {
      await services.containers
        .remove(tenantId, 'bounce', { force: true }, 'test')
        .catch(() => undefined);
    }
  });

  it('refuses a start over quota at once, naming tenant, resource and numbers', async () => {
    await services.tenants.setQuota(tenantId, { quotaCpusLimit: 1 }, 'test');
    await services.containers.create(tenantId, { name: 'big', image: 'nginx', cpus: 2 }, 'test');
    const error = await services.containers.start(tenantId, 'big', 'test').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShoalError);
    expect((error as ShoalError).code).toBe('QUOTA_EXCEEDED');
    expect((error as ShoalError).message).toMatch(
      /tenant "acme": cpus limit is 1, 0 already in use, this container needs 2/,
    );
    expect((await services.containers.get(tenantId, 'big')).desiredState).toBe('stopped');
    await services.tenants.setQuota(tenantId, { quotaCpusLimit: null }, 'test');
  });

  it('launches many containers started at once exactly once each', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `burst-${i}`);
    for (const name of names)
      await services.containers.create(
        tenantId,
        { name, image: 'nginx', cpus: 0.1, memoryMb: 32 },
        'test',
      );
    const started = await Promise.all(
      names.map((n) => services.containers.start(tenantId, n, 'test')),
    );
    expect(started.map((c) => c.state)).toEqual(names.map(() => 'running'));
    const frameworkId = services.cluster.framework().frameworkId;
    const burstTasks = shoal
      .sim!.state.tasks()
      .filter(
        (t) =>
          t.frameworkId === frameworkId && started.some((c) => t.id.includes(c.id.slice(0, 12))),
      );
    expect(burstTasks.filter((t) => t.state === 'TASK_RUNNING')).toHaveLength(30);
    expect(burstTasks.filter((t) => t.state === 'TASK_ERROR')).toEqual([]);
    await Promise.all(
      names.map((n) => services.containers.remove(tenantId, n, { force: true }, 'test')),
    );
  });

  it('restarts a failing container under on-failure with a retry limit', async () => {
    await services.containers.create(
      tenantId,
      {
        name: 'flaky',
        image: 'busybox',
        cmd: ['sh', '-c', 'exit 1'],
        restartPolicy: { name: 'on-failure', maximumRetryCount: 2 },
      },
      'test',
    );
    await services.containers.start(tenantId, 'flaky', 'test');
    const done = await eventually('flaky to give up', async () => {
      const c = await services.containers.get(tenantId, 'flaky');
      return c.state === 'exited' && c.restartCount === 2 ? c : undefined;
    });
    expect(done.exitCode).toBe(1);
    const history = await services.containers.history(tenantId, 'flaky');
    expect(new Set(history.map((h) => h.mesosTaskId)).size).toBe(3);
    // Started again by hand, its policy begins afresh, as Docker's does: two retries more.
    await services.containers.start(tenantId, 'flaky', 'test');
    await eventually('flaky to give up again', async () => {
      const runs = new Set(
        (await services.containers.history(tenantId, 'flaky')).map((h) => h.mesosTaskId),
      );
      const c = await services.containers.get(tenantId, 'flaky');
      return runs.size === 6 && c.state === 'exited' && c.restartCount === 2 ? c : undefined;
    });
  });

  it('stops a container waiting to restart: it stays exited, its wait ends, rm without -f is refused', async () => {
    const { id } = await services.containers.create(
      tenantId,
      {
        name: 'backoff',
        image: 'busybox',
        cmd: ['sh', '-c', 'exit 1'],
        restartPolicy: { name: 'always' },
      },
      'test',
    );
    await services.containers.start(tenantId, id, 'test');
    // Held in its backoff (as after many quick exits, when it waits up to a minute).
    await eventually('backoff to wait for its restart', async () => {
      const { count } = await shoal.db.prisma.container.updateMany({
        where: { id, state: 'RESTARTING' },
        data: { restartAt: new Date(Date.now() + 3_600_000) },
      });
      return count > 0;
    });
    expect((await services.containers.get(tenantId, id)).state).toBe('restarting');
    await expect(services.containers.remove(tenantId, id, {}, 'test')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/container is restarting/) as unknown,
    });
    const waited = services.containers.wait(tenantId, id, 'not-running');
    const { stopped } = await services.containers.stopIfRunning(tenantId, id, {}, 'test');
    expect(stopped).toBe(true);
    expect(await waited).toEqual({ exitCode: 1 });
    const after = await services.containers.get(tenantId, id);
    expect(after).toMatchObject({ state: 'exited', desiredState: 'stopped', exitCode: 1 });
    await services.containers.remove(tenantId, id, {}, 'test');
  });

  it('reports readiness and Prometheus metrics of what it did', async () => {
    const ready = await fetch(`${shoal.controlPlane.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', leader: true, subscribed: true });
    const text = await (await fetch(`${shoal.metrics.url}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    expect(value(/^shoal_mesos_subscribed (\d+)$/m)).toBe(1);
    expect(value(/^shoal_task_launches_total (\d+)$/m)).toBeGreaterThanOrEqual(5);
    expect(value(/^shoal_offers_received_total\{role="shoal-acme"\} (\d+)$/m)).toBeGreaterThan(0);
    expect(value(/^shoal_container_start_seconds_count (\d+)$/m)).toBeGreaterThan(0);
    expect(value(/^shoal_tasks\{state="TASK_FINISHED"\} (\d+)$/m)).toBeGreaterThan(0);
    // Base units: an agent's memory is offered in bytes, not MB.
    expect(
      value(/^shoal_offer_memory_bytes_total\{role="shoal-acme",outcome="offered"\} (\d+)$/m),
    ).toBeGreaterThan(1024 * 1024 * 1024);
  });
});

describe('Docker options as Mesos’s Docker containerizer takes them', () => {
  it('refuses a hostname on the host network at create, in Docker’s words, and stores nothing', async () => {
    await expect(
      services.containers.create(
        tenantId,
        { name: 'hosted', image: 'nginx', networkMode: 'host', hostname: 'web' },
        'test',
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'conflicting options: hostname and the network mode',
    });
    expect(
      (await services.containers.list(tenantId, { all: true })).map((c) => c.name),
    ).not.toContain('hosted');
  });

  it('runs a multi-part entrypoint with the command after it, as Docker would', async () => {
    await services.containers.create(
      tenantId,
      {
        name: 'split',
        image: 'busybox',
        entrypoint: ['sh', '-c'],
        cmd: ['echo "entrypoint and command"; exit 5'],
      },
      'test',
    );
    await services.containers.start(tenantId, 'split', 'test');
    const done = await containerIn(services, tenantId, 'split', ['exited']);
    expect(done.exitCode).toBe(5);
    expect(
      await collect(
        services.containers.logs(tenantId, 'split', { stdout: true, stderr: true, follow: false }),
      ),
    ).toContain('entrypoint and command');
  });
});
