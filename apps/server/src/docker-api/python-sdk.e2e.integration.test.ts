import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningShoal } from '../app';
import { eventually, startShoalForTest } from '../testing/shoal-under-test';

// Debian's Python Docker SDK (python3-docker, installed by npm test) driving Shoal for
// one tenant while a second tenant runs the same session at the same time.

const PYTHON = '/usr/bin/python3';
const SDK = '/usr/lib/python3/dist-packages/docker/__init__.py';
const SESSION = path.join(__dirname, 'python-sdk-session.py');

let shoal: RunningShoal;
const configDirs: string[] = [];

beforeAll(async () => {
  shoal = await startShoalForTest();
  await eventually(
    'the framework to subscribe',
    async () => shoal.services.cluster.framework().subscribed,
  );
});
afterAll(async () => {
  await shoal?.close();
  for (const dir of configDirs) rmSync(dir, { recursive: true, force: true });
});

async function tenantConfig(slug: string): Promise<string> {
  const { services } = shoal;
  const tenant = await services.tenants.create({ slug, name: slug }, 'test');
  await services.tenants.setQuota(tenant.id, { quotaCpusLimit: 4, quotaMemLimit: 4096 }, 'test');
  const { secret } = await services.tokens.issue({ tenantId: tenant.id, name: 'sdk' }, 'test');
  const dir = mkdtempSync(path.join(tmpdir(), 'shoal-python-sdk-'));
  configDirs.push(dir);
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({ HttpHeaders: { Authorization: `Bearer ${secret}` } }),
  );
  return dir;
}

function session(configDir: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      ['-I', '-S', SESSION],
      {
        env: { DOCKER_HOST: shoal.dockerApi.url, DOCKER_CONFIG: configDir },
        timeout: 180_000,
      },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`the SDK session failed: ${stderr || error.message}`))
          : resolve(JSON.parse(stdout) as Record<string, unknown>),
    );
  });
}

describe("Debian's Python Docker SDK against Shoal", () => {
  it('is installed (npm test installs python3-docker)', () => {
    expect(existsSync(PYTHON), PYTHON).toBe(true);
    expect(existsSync(SDK), SDK).toBe(true);
  });

  it('runs, lists, reads, stops, waits for and removes containers, pulls and lists images, and reads events, while another tenant does the same', async () => {
    const [mine, theirs] = await Promise.all([
      tenantConfig('python').then(session),
      tenantConfig('python-neighbour').then(session),
    ]);
    for (const seen of [mine, theirs]) {
      expect(seen).toMatchObject({
        ping: true,
        version: { api: '1.50', server: expect.stringMatching(/^shoal\//) },
        pulled: ['alpine:latest'],
        images: ['alpine:latest'],
        get: ['alpine:latest'],
        wait: 3,
        logs: 'hello\n',
        stderr: 'oops\n',
        web: 'running',
        // Each tenant sees its own two containers, though both chose the same names.
        running: ['py-web'],
        listed: ['py-job', 'py-web'],
        labelled: ['py-web'],
        info: { containers: 2, running: 1 },
        stopped: 'exited',
        foreground: 'in the foreground\n',
        left: [],
      });
      expect(seen.events).toEqual(
        expect.arrayContaining([
          ['create', 'py-job'],
          ['start', 'py-job'],
          ['die', 'py-job'],
          ['destroy', 'py-job'],
          ['create', 'py-web'],
          ['start', 'py-web'],
          ['stop', 'py-web'],
          ['destroy', 'py-web'],
        ]),
      );
    }
  });
});
