import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ShoalEnv } from '@shoal/config';

export interface RunningDashboard {
  url: string;
  close(): Promise<void>;
}

/** Runs the built Next.js dashboard (`next start`) next to the control plane. */
export async function startDashboard(env: ShoalEnv, serverUrl: string): Promise<RunningDashboard> {
  const require = createRequire(import.meta.url);
  const webDir = path.dirname(require.resolve('@shoal/web/package.json'));
  const nextBin = require.resolve('next/dist/bin/next', { paths: [webDir] });
  const url = `http://${env.SHOAL_HOST}:${env.SHOAL_WEB_PORT}`;
  // Its own process group, because `next start` leaves a next-server child behind.
  const child = spawn(
    process.execPath,
    [nextBin, 'start', '-p', String(env.SHOAL_WEB_PORT), '-H', env.SHOAL_HOST],
    {
      cwd: webDir,
      // The child inherits the environment as a whole; nothing is read from it here.
      // eslint-disable-next-line no-restricted-properties
      env: { ...process.env, SHOAL_SERVER_URL: serverUrl, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: true,
    },
  );
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
