import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './ports';

// Boots the whole product the way `npm start` does — control plane and the
// built dashboard — on free ports, over a database made for this run.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function waitFor(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not become ready in ${timeoutMs} ms`);
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: 'inherit',
    detached: true,
  });
}

function stop(child: ChildProcess): void {
  if (child.exitCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const database = `shoal_e2e_${randomBytes(5).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${database}"`);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${database}`;

  const [apiPort, webPort, dockerPort] = [await freePort(), await freePort(), await freePort()];
  // First start writes the admin's one-time password here, as it does for an operator.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shoal-e2e-'));
  const env = {
    DATABASE_URL: databaseUrl.toString(),
    SHOAL_DATA_DIR: dataDir,
    SHOAL_DOCKER_PORT: String(dockerPort),
    SHOAL_PORT: String(apiPort),
    SHOAL_METRICS_PORT: '0',
    SHOAL_SERVER_URL: `http://127.0.0.1:${apiPort}`,
    NEXT_TELEMETRY_DISABLED: '1',
    // The request log would bury the test report; warnings and faults still show.
    SHOAL_LOG_LEVEL: 'warn',
    // No Mesos cluster here: the embedded emulator, asked for explicitly.
    SHOAL_EMULATOR: 'true',
  };
  const children: ChildProcess[] = [];
  const teardown = async () => {
    children.forEach(stop);
    await new Promise((r) => setTimeout(r, 500));
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const server = start('npx', ['tsx', 'apps/server/src/main.ts', 'serve'], root, env);
    children.push(server);
    await waitFor(`${env.SHOAL_SERVER_URL}/healthz`, server);
    const web = start(
      'npx',
      ['next', 'start', '-p', String(webPort), '-H', '127.0.0.1'],
      path.join(root, 'apps/web'),
      env,
    );
    children.push(web);
    await waitFor(`http://127.0.0.1:${webPort}/`, web);
  } catch (error) {
    await teardown();
    throw error;
  }
  process.env.SHOAL_E2E_BASE_URL = `http://127.0.0.1:${webPort}`;
  process.env.SHOAL_E2E_API_URL = env.SHOAL_SERVER_URL;
  process.env.SHOAL_E2E_ADMIN_PASSWORD = adminPassword(dataDir);
  process.env.SHOAL_E2E_DATABASE_URL = env.DATABASE_URL;
  return teardown;
}

function adminPassword(dataDir: string): string {
  const notes = readFileSync(path.join(dataDir, 'first-start.txt'), 'utf8');
  const match = /cluster admin\s+admin@shoal\.local\s+(\S+)/.exec(notes);
  if (!match?.[1]) throw new Error(`No admin password in the first-start notes:\n${notes}`);
  return match[1];
}
