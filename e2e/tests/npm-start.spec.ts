import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { freePort } from '../ports';

// `npm start` under a process manager: it sends SIGTERM to the process it started
// (npm) and nothing else, and Shoal must stop with it rather than run on orphaned.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** When the test fails: the server it left running, told to stop (it stops its dashboard). */
function stopLeftServer(dataDir: string): void {
  const lock = path.join(dataDir, 'pglite', 'shoal.pid');
  if (!existsSync(lock)) return;
  try {
    process.kill(Number(readFileSync(lock, 'utf8').trim()), 'SIGTERM');
  } catch {
    // already gone
  }
}

test('SIGTERM to npm start stops the whole of Shoal', async () => {
  test.setTimeout(300_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shoal-npm-start-'));
  const [api, docker, web, metrics] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SHOAL_HOST: '127.0.0.1',
    SHOAL_PORT: String(api),
    SHOAL_DOCKER_PORT: String(docker),
    SHOAL_WEB_PORT: String(web),
    SHOAL_METRICS_PORT: String(metrics),
    SHOAL_DATA_DIR: dataDir,
  };
  // The embedded default: its own PGlite and emulated cluster.
  delete env.DATABASE_URL;
  delete env.MESOS_MASTER;
  const npm = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await expect.poll(() => output, { timeout: 240_000 }).toContain('Shoal is ready');
    expect(await answers(docker)).toBe(true);

    const exited = new Promise((resolve) => npm.once('exit', resolve));
    npm.kill('SIGTERM');
    await exited;
    await expect
      .poll(async () => [await answers(api), await answers(docker), await answers(web)], {
        timeout: 60_000,
      })
      .toEqual([false, false, false]);
    expect(output).toContain('SIGTERM received, shutting down');
  } finally {
    npm.kill('SIGKILL');
    stopLeftServer(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
