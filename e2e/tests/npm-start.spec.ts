import { spawn, type ChildProcess } from 'node:child_process';
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

/** The control plane's process: the one holding the embedded database's lock. */
function serverPid(dataDir: string): number | undefined {
  const lock = path.join(dataDir, 'pglite', 'shoal.pid');
  return existsSync(lock) ? Number(readFileSync(lock, 'utf8').trim()) : undefined;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When the test fails: the server it left running, told to stop (it stops its dashboard),
 * and waited for. It writes its database files until it exits, so removing the directory
 * before then fails on files that appear meanwhile.
 */
async function stopLeftServer(dataDir: string): Promise<void> {
  const pid = serverPid(dataDir);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + 60_000;
  while (running(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (running(pid)) process.kill(pid, 'SIGKILL');
}

interface Started {
  npm: ChildProcess;
  output: () => string;
  ports: { api: number; docker: number; web: number };
}

/**
 * `npm start` on the embedded defaults, answered once Shoal says it is ready. Fails at
 * once with Shoal's output if it stops first. The ports were free when picked, but another
 * test's server may take one meanwhile: then it starts again on others.
 */
async function npmStart(dataDir: string, attempts = 3): Promise<Started> {
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
  let stopped = false;
  npm.once('exit', () => (stopped = true));
  const deadline = Date.now() + 240_000;
  while (!stopped && !output.includes('Shoal is ready')) {
    if (Date.now() > deadline) throw new Error(`Shoal was not ready in 240 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!stopped) return { npm, output: () => output, ports: { api, docker, web } };
  await stopLeftServer(dataDir);
  // Another test's server took a port meanwhile: Node's EADDRINUSE, or Shoal's own check.
  const portTaken = output.includes('EADDRINUSE') || /port \d+ on \S+ is taken/.test(output);
  if (portTaken && attempts > 1) return npmStart(dataDir, attempts - 1);
  throw new Error(`npm start stopped before Shoal was ready:\n${output}`);
}

/**
 * `npm start` on a data directory of its own, with its server's pid, for `check`; whatever
 * happens, everything it started is ended and the directory removed afterwards.
 */
async function withNpmStart(
  check: (started: Started, server: number) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shoal-npm-start-'));
  let npm: ChildProcess | undefined;
  try {
    const started = await npmStart(dataDir);
    npm = started.npm;
    const server = serverPid(dataDir);
    if (server === undefined) throw new Error('Shoal is ready but holds no lock on its data');
    await check(started, server);
  } finally {
    npm?.kill('SIGKILL');
    await stopLeftServer(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('SIGTERM to npm start stops the whole of Shoal', async () => {
  test.setTimeout(300_000);
  await withNpmStart(async (started, server) => {
    const { api, docker, web } = started.ports;
    expect(await answers(docker)).toBe(true);
    const exited = new Promise((resolve) => started.npm.once('exit', resolve));
    started.npm.kill('SIGTERM');
    await exited;
    await expect
      .poll(async () => [await answers(api), await answers(docker), await answers(web)], {
        timeout: 60_000,
      })
      .toEqual([false, false, false]);
    // Closed ports are not the end: the server still closes its database after them.
    await expect.poll(() => running(server), { timeout: 60_000 }).toBe(false);
    expect(started.output()).toContain('SIGTERM received, shutting down');
  });
});

test("Shoal's process killed outright takes its dashboard with it", async () => {
  test.setTimeout(300_000);
  await withNpmStart(async (started, server) => {
    expect(await answers(started.ports.web)).toBe(true);
    // As a crash or the OOM killer ends it: no handler of its own runs.
    process.kill(server, 'SIGKILL');
    await expect.poll(() => answers(started.ports.web), { timeout: 60_000 }).toBe(false);
  });
});
