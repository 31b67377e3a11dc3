import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSimCluster, type SimCluster } from '@shoal/mesos-sim';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVER_MAIN } from './testing/compiled-main';
import { TEST_ENV } from './testing/shoal-under-test';

// Production runs the compiled bundle with plain node: no TypeScript loader, no dashboard
// package. The global setup builds it with the production build script; this runs it the
// way an operator would, from another directory.

let sim: SimCluster;
let dataDir: string;

beforeAll(async () => {
  sim = await startSimCluster({ agents: 1 });
  dataDir = mkdtempSync(path.join(tmpdir(), 'shoal-compiled-'));
});

afterAll(async () => {
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('serves from the compiled bundle on the embedded database and stops cleanly on SIGTERM', async () => {
  const { DATABASE_URL: _external, ...inherited } = process.env; // eslint-disable-line no-restricted-properties
  const child = spawn(process.execPath, [SERVER_MAIN, 'serve'], {
    cwd: tmpdir(),
    env: {
      ...inherited,
      ...TEST_ENV,
      SHOAL_DATA_DIR: dataDir,
      MESOS_MASTER: sim.masterUrls.join(','),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const look = () => {
        const match = /control plane listening on (\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      };
      child.stdout.on('data', look);
      void exited.then(() => reject(new Error(`the compiled server exited:\n${output}`)));
    });
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(output).toContain(`embedded PGlite in ${dataDir}`);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(output).toContain('SIGTERM received, shutting down');
});
