import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningShoal } from './app';
import { containerIn, eventually, startShoalForTest, TEST_ENV } from './testing/shoal-under-test';
import { SERVER_MAIN } from './testing/compiled-main';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function shoal(options: Parameters<typeof startShoalForTest>[0] = {}): Promise<RunningShoal> {
  const started = await startShoalForTest(options);
  cleanups.push(() => started.close());
  return started;
}

describe('what a real Mesos cluster asks of Shoal', () => {
  it('refuses a master older than Mesos 1.9, naming both versions, and never subscribes', async () => {
    const { services, sim } = await shoal({ sim: { version: '1.8.1' } });
    const problem = await eventually(
      'the refusal',
      async () => services.cluster.framework().problem ?? undefined,
    );
    expect(problem).toMatch(/runs Mesos 1\.8\.1; Shoal needs Mesos 1\.9\.0 or later/);
    expect(services.cluster.framework().subscribed).toBe(false);
    expect(sim?.state.frameworks()).toEqual([]);
  });

  it('registers afresh after Mesos removed the framework and brings containers back per restart policy', async () => {
    const { services, sim, db } = await shoal();
    await eventually('the subscription', async () => services.cluster.framework().subscribed);
    const tenantId = (await services.tenants.create({ slug: 'acme', name: 'Acme' }, 'test')).id;
    await services.containers.create(
      tenantId,
      { name: 'keeper', image: 'nginx', restartPolicy: { name: 'always' } },
      'test',
    );
    await services.containers.create(tenantId, { name: 'once', image: 'nginx' }, 'test');
    const before = await services.containers.start(tenantId, 'keeper', 'test');
    await services.containers.start(tenantId, 'once', 'test');
    const removedId = services.cluster.framework().frameworkId ?? '';

    // An operator tears the framework down: Mesos kills its tasks and forgets it.
    const teardown = await fetch(`${sim?.leaderUrl ?? ''}/api/v1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'TEARDOWN', teardown: { framework_id: { value: removedId } } }),
    });
    expect(teardown.status).toBe(200);

    const freshId = await eventually('a new framework to subscribe', async () => {
      const f = services.cluster.framework();
      return f.subscribed && f.frameworkId && f.frameworkId !== removedId
        ? f.frameworkId
        : undefined;
    });
    const keeper = await eventually('keeper to run again under the new framework', async () => {
      const c = await services.containers.get(tenantId, 'keeper');
      return c.state === 'running' && c.task?.mesosTaskId !== before.task?.mesosTaskId
        ? c
        : undefined;
    });
    expect(sim?.state.tasks().find((t) => t.id === keeper.task?.mesosTaskId)?.frameworkId).toBe(
      freshId,
    );
    const once = await containerIn(services, tenantId, 'once', ['exited']);
    expect(once.error).toContain(`Mesos removed framework ${removedId}`);

    const audit = await db.prisma.auditEvent.findFirst({ where: { action: 'framework.removed' } });
    expect(audit).toMatchObject({ actor: 'shoal', target: removedId });
    const dies = await db.prisma.containerEventEntry.findMany({ where: { action: 'die' } });
    expect(dies.map((d) => [d.name, (d.attributes as { reason?: string }).reason])).toEqual(
      expect.arrayContaining([
        ['keeper', expect.stringContaining('Mesos removed framework')],
        ['once', expect.stringContaining('Mesos removed framework')],
      ]),
    );
  });

  it('`shoal serve` refuses to start without MESOS_MASTER unless the emulator is asked for', async () => {
    const child = spawn(process.execPath, [SERVER_MAIN, 'serve'], {
      cwd: REPO,
      env: { ...TEST_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('MESOS_MASTER is not set');
    expect(stderr).toContain('SHOAL_EMULATOR=true');
  });

  it('says plainly, in docker info and to the dashboard, that an embedded cluster is emulated', async () => {
    const { services, dockerApi } = await shoal();
    const tenantId = (await services.tenants.create({ slug: 'acme', name: 'Acme' }, 'test')).id;
    const token = (await services.tokens.issue({ tenantId, name: 'ci' }, 'test')).secret;
    const res = await fetch(`${dockerApi.url.replace('tcp:', 'http:')}/v1.50/info`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const info = (await res.json()) as { SystemStatus: [string, string][]; Warnings: string[] };
    expect(Object.fromEntries(info.SystemStatus)['Mesos cluster']).toContain('EMULATED');
    expect(info.Warnings).toContain(
      'WARNING: this is an emulated Mesos cluster (Shoal started without MESOS_MASTER): containers do not run anywhere',
    );
    expect((await services.system.status(null)).emulatedCluster).toBe(true);
    expect(services.cluster.framework().emulated).toBe(true);
  });
});
