import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A PostgreSQL server of one test's own, which it may stop and start at will. */
export interface PrivatePostgres {
  /** The `postgres` database as superuser `postgres`, trusted without a password. */
  url: string;
  /** `fast` ends every session at once, as an orderly server restart does; `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Returns once the server accepts connections again. */
  start(): Promise<void>;
  restart(options?: { mode?: 'fast' | 'immediate'; downMs?: number }): Promise<void>;
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>;
}

/**
 * initdb into a temporary directory and start it on a free loopback port.
 * The shared server that other test files use is never restarted; a test
 * that needs PostgreSQL to go away uses one of these.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = findServerBinaries();
  const dir = await mkdtemp(path.join(tmpdir(), 'shoal-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  try {
    // PostgreSQL refuses to run as root; as root, run it as the postgres OS user.
    const asUser = process.getuid?.() === 0 ? await osUser('postgres') : undefined;
    if (asUser) await chown(dir, asUser.uid, asUser.gid);
    const exec = async (command: string, args: string[]) => {
      const [file, argv] = asUser
        ? ['runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args]]
        : [path.join(bin, command), args];
      try {
        await run(file, argv, { cwd: dir, timeout: 60_000 });
      } catch (error) {
        const stderr = (error as { stderr?: string }).stderr?.trim();
        throw new Error(`${command} ${args.join(' ')} failed: ${stderr || String(error)}`, {
          cause: error,
        });
      }
    };
    await exec('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-locale',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const port = await freePort();
    // The socket goes into the test's directory, so it never meets the shared server's.
    // Safe against a crash of PostgreSQL itself, which the fault tests cause (an immediate
    // stop), but not of the machine: a commit is written to the kernel before it is
    // acknowledged, never flushed to disk. With synchronous_commit off, an immediate stop
    // loses commits already acknowledged, and Shoal rightly trusts what was acknowledged.
    await appendFile(
      path.join(data, 'postgresql.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${port}`,
        `unix_socket_directories = '${dir}'`,
        'fsync = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
    const start = () => exec('pg_ctl', ['start', '-w', '-t', '30', '-D', data, '-l', log]);
    const stop = (mode: 'fast' | 'immediate' = 'fast') =>
      exec('pg_ctl', ['stop', '-w', '-t', '30', '-m', mode, '-D', data]);
    await start();
    return {
      url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      start,
      stop,
      async restart({ mode = 'fast', downMs = 1_500 } = {}) {
        await stop(mode);
        await new Promise((r) => setTimeout(r, downMs));
        await start();
      },
      async destroy() {
        await stop('immediate').catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Debian's layout (/usr/lib/postgresql/<version>/bin), where npm test installs them; newest first. */
function findServerBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(root, versions[0], 'bin');
  throw new Error(
    `PostgreSQL server binaries (initdb, pg_ctl) not found under ${root}/<version>/bin. ` +
      'This test starts a PostgreSQL server of its own; install the Debian package "postgresql" (npm test does so).',
  );
}

async function osUser(name: string): Promise<{ uid: number; gid: number }> {
  try {
    const [uid, gid] = await Promise.all([
      run('id', ['-u', name]).then((r) => Number(r.stdout.trim())),
      run('id', ['-g', name]).then((r) => Number(r.stdout.trim())),
    ]);
    return { uid, gid };
  } catch (cause) {
    throw new Error(
      `PostgreSQL cannot run as root and there is no "${name}" OS user to run it as (the Debian package "postgresql" creates it)`,
      { cause },
    );
  }
}

// Picked below the kernel's ephemeral range (32768-60999 on Linux): a port the kernel hands
// out for listen(0) is free only until another process's listen(0) or outgoing connection
// is given it, and on a busy machine that can happen before the server under test binds it.
const FIRST_PORT = 20_000;
const LAST_PORT = 32_000;

/** A loopback port nothing listens on now. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FIRST_PORT + Math.floor(Math.random() * (LAST_PORT - FIRST_PORT));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${FIRST_PORT} and ${LAST_PORT}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
