import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEnv } from '@shoal/config';
import { startShoal, type RunningShoal } from '../app';
import { createLogger } from '../logger';
import { FAST_SIM, TEST_ENV } from '../testing/shoal-under-test';
import { SERVER_MAIN } from '../testing/compiled-main';

// The embedded database lives in one process: an admin command pointed at the data
// directory of a running embedded server is refused with what to do instead, never
// told it succeeded and then lost.

const REPO = fileURLToPath(new URL('../../../..', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `shoal <words>` as its own process on the embedded database in `dataDir`. */
function shoalCommand(dataDir: string, ...words: string[]) {
  return spawnSync(process.execPath, [SERVER_MAIN, ...words], {
    cwd: REPO,
    // No DATABASE_URL: the embedded database in the data directory.
    env: { ...TEST_ENV, SHOAL_DATA_DIR: dataDir, PATH: '/usr/bin:/bin' },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

async function embeddedServer(dataDir: string): Promise<RunningShoal> {
  const env = loadEnv({ ...TEST_ENV, SHOAL_DATA_DIR: dataDir });
  const shoal = await startShoal(env, {
    logger: createLogger('error'),
    sim: { agents: 1, ...FAST_SIM },
  });
  return shoal;
}

describe('the embedded database', () => {
  it(
    'refuses an admin command while a server runs on it, and takes it once the server is gone',
    {
      timeout: 180_000,
    },
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'shoal-embedded-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const server = await embeddedServer(dataDir);
      let serverClosed = false;
      cleanups.push(async () => {
        if (!serverClosed) await server.close();
      });
      expect(server.db.kind).toBe('pglite');

      const refused = shoalCommand(dataDir, 'tenant', 'create', 'late');
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(
        `Cannot use the data directory ${path.join(dataDir, 'pglite')}: Shoal is running on this data directory (process ${process.pid})`,
      );
      expect(refused.stdout).not.toContain('Created tenant');
      await expect(server.services.tenants.getBySlug('late')).rejects.toThrow();

      await server.close();
      serverClosed = true;
      const made = shoalCommand(dataDir, 'tenant', 'create', 'late');
      expect(made.stderr).toBe('');
      expect(made.stdout).toContain('Created tenant late');
      // Kept: a server started on the directory again has it.
      const again = await embeddedServer(dataDir);
      cleanups.push(() => again.close());
      expect((await again.services.tenants.getBySlug('late')).slug).toBe('late');
    },
  );
});
