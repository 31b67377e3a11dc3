import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShoalEnv } from '@shoal/config';

export interface RunningDashboard {
  url: string;
  close(): Promise<void>;
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

/**
 * Runs the built dashboard's standalone Next.js server next to the control plane. The server
 * process needs no dashboard package at run time, only the build's output.
 */
export async function startDashboard(env: ShoalEnv, serverUrl: string): Promise<RunningDashboard> {
  const server = findAbove(path.dirname(fileURLToPath(import.meta.url)), STANDALONE_SERVER);
  if (!server) {
    throw new Error(
      `The dashboard is not built (no ${STANDALONE_SERVER}); npm start builds it, or run npm run build`,
    );
  }
  const url = `http://${env.SHOAL_HOST}:${env.SHOAL_WEB_PORT}`;
  const child = spawn(process.execPath, [server], {
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
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntilServing(url, exited);
  return {
    url,
    async close() {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
      await exited;
    },
  };
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
