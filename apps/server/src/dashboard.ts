import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ShoalEnv } from '@shoal/config';

export interface RunningDashboard {
  url: string;
  /** Stops it, at once if it has not ended a few seconds after being asked. */
  close(): Promise<void>;
  /** Ends it now, for a Shoal that must exit at once. */
  kill(): void;
}

/** Where `next build` leaves the dashboard's self-contained server (output: 'standalone'). */
const STANDALONE_SERVER = path.join(
  'apps',
  'web',
  '.next',
  'standalone',
  'apps',
  'web',
  'server.js',
);
/** Answers in the dashboard's process what Next.js answers with a fault (see the file). */
const SERVER_GUARD = path.join('apps', 'web', 'server-guard.mjs');

/**
 * Runs the built dashboard's standalone Next.js server next to the control plane. The server
 * process needs no dashboard package at run time, only the build's output.
 */
export async function startDashboard(env: ShoalEnv, serverUrl: string): Promise<RunningDashboard> {
  // A server already on the port would answer the readiness check below for this one,
  // which then exits on EADDRINUSE while Shoal says it is ready.
  await portFree(env.SHOAL_HOST, env.SHOAL_WEB_PORT);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const server = findAbove(here, STANDALONE_SERVER);
  if (!server) {
    throw new Error(
      `The dashboard is not built (no ${STANDALONE_SERVER}); npm start builds it, or run npm run build`,
    );
  }
  const guard = findAbove(here, SERVER_GUARD);
  if (!guard) throw new Error(`The dashboard's ${SERVER_GUARD} is missing from this checkout`);
  const url = `http://${env.SHOAL_HOST}:${env.SHOAL_WEB_PORT}`;
  const preloads = ['--import', LIFELINE, '--import', pathToFileURL(guard).href];
  const child = spawn(process.execPath, [...preloads, server], {
    cwd: path.dirname(server),
    env: {
      // The child inherits the environment as a whole; nothing is read from it here.
      // eslint-disable-next-line no-restricted-properties
      ...process.env,
      PORT: String(env.SHOAL_WEB_PORT),
      HOSTNAME: env.SHOAL_HOST,
      SHOAL_SERVER_URL: serverUrl,
      NEXT_TELEMETRY_DISABLED: '1',
    },
    stdio: ['pipe', 'ignore', 'inherit'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntilServing(url, exited);
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null && child.pid)
      process.kill(-child.pid, name);
  };
  return {
    url,
    async close() {
      signal('SIGTERM');
      // Next.js ends once every connection has: one held open (a client sending nothing,
      // a socket it never closes) held Shoal's own shutdown for ever.
      const timer = setTimeout(() => signal('SIGKILL'), DASHBOARD_STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
    kill: () => signal('SIGKILL'),
  };
}

/** How long the dashboard may take to finish the requests it is answering when Shoal stops. */
const DASHBOARD_STOP_GRACE_MS = 5_000;

/**
 * Loaded into the dashboard's process first: it ends when its stdin, a pipe from Shoal's
 * process, closes. That happens however Shoal's process ends, SIGKILL and crashes included,
 * where close() never runs; a dashboard left behind held its port against the next start.
 */
const LIFELINE =
  'data:text/javascript,process.stdin.on("end",()=>process.exit(0)).on("error",()=>process.exit(0)).resume()';

async function portFree(host: string, port: number): Promise<void> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `The dashboard's port ${port} on ${host} is taken, perhaps by a dashboard an earlier Shoal left running: free it, or set SHOAL_WEB_PORT`,
            )
          : error,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

function findAbove(from: string, relative: string): string | undefined {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, relative))) return path.join(dir, relative);
  }
  return undefined;
}

async function waitUntilServing(url: string, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let attempt = 0; attempt < 240; attempt++) {
    if (gone)
      throw new Error('The dashboard exited during start-up (was it built? npm start builds it)');
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The dashboard did not answer on ${url}`);
}
