import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createServices } from '@shoal/core';
import { createTestDatabase } from '@shoal/db/testing';
import { startSimCluster, type HeldCall, type SimCluster } from '@shoal/mesos-sim';
import {
  containerIn,
  eventually,
  FAST_SIM,
  liveTasksByContainer,
  startShoalForTest,
  TEST_ENV,
} from './testing/shoal-under-test';
import { SERVER_MAIN } from './testing/compiled-main';

// `shoal serve` as its own process, killed with SIGKILL while Mesos holds its
// ACCEPT: the framework dies between sending the launches and hearing the
// answer, the case a graceful shutdown never exercises.

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

function serveProcess(databaseUrl: string, sim: SimCluster): ChildProcess {
  const child = spawn(process.execPath, [SERVER_MAIN, 'serve'], {
    cwd: REPO,
    // Only what Shoal reads: the test's own environment stays out of it.
    env: { ...TEST_ENV, DATABASE_URL: databaseUrl, MESOS_MASTER: sim.masterUrls.join(',') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    if (stderr.includes('"level":"error"')) console.error(stderr);
  });
  return child;
}

async function scenario(outcome: 'process' | 'drop') {
  const sim = await startSimCluster({ agents: 3, ...FAST_SIM });
  cleanups.push(() => sim.close());
  const db = await createTestDatabase();
  cleanups.push(() => db.close());

  // Desired state written the way any instance writes it; the served process launches it.
  const writer = createServices(db, { containers: { startWaitMs: 0 } });
  const tenant = await writer.tenants.create({ slug: 'acme', name: 'Acme' }, 'test');
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  for (const name of names) {
    await writer.containers.create(tenant.id, { name, image: 'nginx' }, 'test');
    await writer.containers.start(tenant.id, name, 'test');
  }

  const held = sim.faults.holdNextCall('ACCEPT');
  const server = serveProcess(db.url, sim);
  const accept: HeldCall = await held;
  server.kill('SIGKILL');
  await once(server, 'exit');
  // The master acts on the launches after their sender died, or never sees them.
  if (outcome === 'process') accept.process();
  else accept.drop();

  const restarted = await startShoalForTest({ db, masters: sim.masterUrls });
  cleanups.push(() => restarted.close());
  for (const name of names) await containerIn(restarted.services, tenant.id, name, ['running']);
  await eventually('exactly one live Mesos task per container', async () => {
    const live = liveTasksByContainer(sim);
    return live.size === names.length && [...live.values()].every((ids) => ids.length === 1);
  });
  // Stored state agrees with Mesos: each container's task is the one that runs.
  for (const name of names) {
    const view = await restarted.services.containers.get(tenant.id, name);
    expect(liveTasksByContainer(sim).get(view.id.slice(0, 12))).toEqual([view.task?.mesosTaskId]);
  }
  return { sim, restarted };
}

describe('the server process killed mid-ACCEPT', () => {
  it('adopts launches Mesos made after the kill, launching nothing twice', async () => {
    const { sim } = await scenario('process');
    // One framework: the restart took over the same identity instead of registering anew.
    expect(new Set(sim.state.tasks().map((t) => t.frameworkId)).size).toBe(1);
  });

  it('launches again what Mesos never received, losing nothing', async () => {
    await scenario('drop');
  });
});
