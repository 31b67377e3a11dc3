import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServices } from '@shoal/core';
import { createDb } from '@shoal/db';
import { afterEach, describe, it } from 'vitest';
import { expectStillRunning } from './testing/kept-containers';
import { eventually, startShoalForTest, TEST_ENV } from './testing/shoal-under-test';
import { SERVER_MAIN } from './testing/compiled-main';

// `npm start`'s embedded default (PGlite and the Mesos emulator under one data directory)
// killed with SIGKILL, then started again: the emulator's state file was written as things
// changed, so a container running before the kill is still running after it.

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/**
 * The running task and its output as the killed process's emulator last wrote them, once
 * Shoal has acknowledged (so stored) every update of it: killed before that, Shoal would
 * rightly learn of the start only after the restart.
 */
function keptTask(stateFile: string): string | undefined {
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
    cluster?: {
      tasks: { info: { task_id: { value: string } }; agentState: string; pending: unknown[] }[];
    };
    sandboxes: { stdout: string }[];
  };
  const running = state.cluster?.tasks.find(
    (t) => t.agentState === 'TASK_RUNNING' && t.pending.length === 0,
  );
  const wrote = state.sandboxes.some((s) => s.stdout.includes('up before the kill'));
  return running && wrote ? running.info.task_id.value : undefined;
}

describe('the embedded default killed with SIGKILL', () => {
  // Two servers on PGlite one after the other: a loaded machine takes minutes over it.
  it(
    'keeps a running container running, with the same task and its output',
    { timeout: 300_000 },
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'shoal-embedded-kill-'));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      const stateFile = path.join(dataDir, 'mesos-sim', 'state.json');

      // Desired state written beforehand; the served process launches it.
      const setup = await createDb({ dataDir });
      const writer = createServices(setup, { containers: { startWaitMs: 0 } });
      const tenantId = (await writer.tenants.create({ slug: 'kill', name: 'Kill' }, 'test')).id;
      const { secret: token } = await writer.tokens.issue({ tenantId, name: 'cli' }, 'test');
      const cmd = ['sh', '-c', 'echo up before the kill; sleep 3600'];
      await writer.containers.create(tenantId, { image: 'busybox', name: 'long', cmd }, 'test');
      await writer.containers.start(tenantId, 'long', 'test');
      await setup.close();

      const child = spawn(process.execPath, [SERVER_MAIN, 'serve'], {
        cwd: REPO,
        // Only what Shoal reads: no DATABASE_URL and the embedded emulator, the embedded default.
        env: { ...TEST_ENV, SHOAL_DATA_DIR: dataDir, SHOAL_EMULATOR: 'true' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      cleanups.push(async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'exit');
        }
      });
      const taskId = await eventually(
        'the running container in the state file',
        async () => {
          if (child.exitCode !== null) throw new Error(`shoal serve exited: ${stderr}`);
          return keptTask(stateFile);
        },
        120_000,
      );
      child.kill('SIGKILL');
      await once(child, 'exit');

      const since = new Date();
      const db = await createDb({ dataDir });
      cleanups.push(() => db.close());
      const second = await startShoalForTest({ db, env: { SHOAL_DATA_DIR: dataDir } });
      cleanups.push(() => second.close());
      await expectStillRunning(second, { tenantId, token }, 'long', {
        taskId,
        since,
        output: 'up before the kill\n',
      });
    },
  );
});
