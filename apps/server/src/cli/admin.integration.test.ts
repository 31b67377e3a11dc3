import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '@shoal/config';
import { createServices } from '@shoal/core';
import type { Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import { runAdminCommand, UsageError } from './admin';

let db: Db;
const run = async (...words: string[]) => {
  const lines: string[] = [];
  await runAdminCommand(loadEnv({ DATABASE_URL: db.url }), words, (l) => lines.push(l));
  return lines;
};

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe('shoal admin commands', () => {
  it('creates a tenant, sets its quota and issues a working token without the UI', async () => {
    expect(await run('tenant', 'create', 'blue', '--name', 'Blue team')).toEqual([
      'Created tenant blue with Mesos role shoal-blue',
    ]);
    await run('quota', 'set', 'blue', '--cpus-limit', '2', '--mem-limit', '2048');
    const [token] = await run('token', 'issue', 'blue', '--name', 'ci', '--read-only');
    const services = createServices(db);
    const tenant = await services.tenants.getBySlug('blue');
    expect([tenant.quotaCpusLimit, tenant.quotaMemLimit]).toEqual([2, 2048]);
    expect(await services.tokens.authenticate(token!)).toMatchObject({
      tenantId: tenant.id,
      scope: 'READ_ONLY',
    });
    await run('quota', 'set', 'blue', '--mem-limit', 'none');
    expect((await services.tenants.getBySlug('blue')).quotaMemLimit).toBeNull();
  });

  it('refuses bad input with a usage error and changes nothing', async () => {
    await expect(run('quota', 'set', 'blue', '--cpus-limit', 'lots')).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(run('token', 'issue', 'blue')).rejects.toThrow(/--name/);
    await expect(run('tenant', 'create', 'Not A Slug')).rejects.toThrow(/slug/);
    const services = createServices(db);
    expect((await services.tenants.getBySlug('blue')).quotaCpusLimit).toBe(2);
  });

  it('exits 2 with the usage text for an unknown command, as a program', () => {
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    // The child inherits the environment; only its database is set here.
    // eslint-disable-next-line no-restricted-properties
    const env = { ...process.env, DATABASE_URL: db.url };
    const result = spawnSync('npx', ['tsx', main, 'tenant', 'explode'], { encoding: 'utf8', env });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('shoal tenant create <slug>');
  });
});
