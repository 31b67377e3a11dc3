import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports';

// The whole product the way `npm start` runs it — control plane and the built dashboard —
// on free ports, over a database made for it. The suite shares one (global-setup.ts); a test
// that kills the control plane boots its own.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

export interface Stack {
  baseURL: string;
  apiURL: string;
  dockerURL: string;
  databaseURL: string;
  adminPassword: string;
  /** The emulator's master, when it runs in a process of its own. */
  mesosMaster: string | undefined;
  /** SIGKILLs the control plane (the dashboard keeps running). */
  killControlPlane(): void;
  /** Stops the control plane's processes in their tracks (SIGSTOP): a frozen backend. */
  freezeControlPlane(): void;
  thawControlPlane(): void;
  /** Starts the control plane again on the same ports and database; resolves once healthy. */
  startControlPlane(): Promise<void>;
  /** Runs a `shoal` admin command against this stack's database; resolves to its output. */
  shoal(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

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

function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: 'inherit',
    detached: true,
  });
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.exitCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, name);
  } catch {
    // already gone
  }
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

export interface StackOptions {
  /**
   * Run the Mesos emulator as a process of its own, so that killing the control plane leaves
   * the cluster and its tasks running, as a real Mesos cluster would.
   */
  separateEmulator?: boolean;
  /** More settings of the control plane (SHOAL_SIM_AGENTS, say). */
  env?: Record<string, string>;
}

/** Starts the emulator's CLI and resolves to its MESOS_MASTER once it listens. */
function startEmulator(): Promise<{ child: ChildProcess; masters: string }> {
  const child = spawn(
    'npx',
    ['tsx', 'packages/mesos-sim/src/cli.ts', '--port', '0', '--gateway-port', '0', '--quiet'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: true },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const masters = /^MESOS_MASTER=(\S+)$/m.exec(out)?.[1];
      if (masters) resolve({ child, masters });
    });
    child.once('exit', (code) =>
      reject(new Error(`the Mesos emulator exited with ${code}: ${out}`)),
    );
  });
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const database = `shoal_e2e_${randomBytes(5).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${database}"`);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${database}`;

  const [apiPort, webPort, dockerPort] = [await freePort(), await freePort(), await freePort()];
  // First start writes the admin's one-time password here, as it does for an operator.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shoal-e2e-'));
  const emulator = options.separateEmulator ? await startEmulator() : undefined;
  const env = {
    // No Mesos cluster here: the emulator in its own process, or the embedded one asked for.
    ...(emulator ? { MESOS_MASTER: emulator.masters } : { SHOAL_EMULATOR: 'true' }),
    DATABASE_URL: databaseUrl.toString(),
    SHOAL_DATA_DIR: dataDir,
    SHOAL_DOCKER_PORT: String(dockerPort),
    SHOAL_PORT: String(apiPort),
    SHOAL_METRICS_PORT: '0',
    SHOAL_SERVER_URL: `http://127.0.0.1:${apiPort}`,
    NEXT_TELEMETRY_DISABLED: '1',
    // The request log would bury the test report; warnings and faults still show.
    SHOAL_LOG_LEVEL: 'warn',
    ...options.env,
  };
  let server: ChildProcess | undefined;
  let web: ChildProcess | undefined;
  const startControlPlane = async () => {
    // The compiled server and the standalone dashboard, as production runs them.
    server = start(process.execPath, ['apps/server/dist/main.js', 'serve'], root, env);
    await waitFor(`${env.SHOAL_SERVER_URL}/healthz`, server);
  };
  const stop = async () => {
    const children = [server, web, emulator?.child].filter((c) => c !== undefined);
    for (const child of children) signal(child, 'SIGTERM');
    // They write into the data directory until they exit; one that does not stop in a
    // minute is killed, and waited for all the same, before the directory goes.
    const killLate = setTimeout(() => {
      for (const child of children) signal(child, 'SIGKILL');
    }, 60_000);
    await Promise.all(children.map((c) => exited(c)));
    clearTimeout(killLate);
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await startControlPlane();
    const standalone = path.join(root, 'apps/web/.next/standalone/apps/web');
    web = start(process.execPath, ['server.js'], standalone, {
      ...env,
      PORT: String(webPort),
      HOSTNAME: '127.0.0.1',
    });
    await waitFor(`http://127.0.0.1:${webPort}/`, web);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    baseURL: `http://127.0.0.1:${webPort}`,
    apiURL: env.SHOAL_SERVER_URL,
    dockerURL: `http://127.0.0.1:${dockerPort}`,
    databaseURL: env.DATABASE_URL,
    adminPassword: adminPassword(dataDir),
    mesosMaster: emulator?.masters.split(',')[0],
    killControlPlane: () => server && signal(server, 'SIGKILL'),
    freezeControlPlane: () => server && signal(server, 'SIGSTOP'),
    thawControlPlane: () => server && signal(server, 'SIGCONT'),
    startControlPlane,
    async shoal(...args) {
      const { stdout } = await run(process.execPath, ['apps/server/dist/main.js', ...args], {
        cwd: root,
        env: { ...process.env, ...env },
      });
      return stdout;
    },
    stop,
  };
}

function adminPassword(dataDir: string): string {
  const notes = readFileSync(path.join(dataDir, 'first-start.txt'), 'utf8');
  const match = /cluster admin\s+admin@shoal\.local\s+(\S+)/.exec(notes);
  if (!match?.[1]) throw new Error(`No admin password in the first-start notes:\n${notes}`);
  return match[1];
}
