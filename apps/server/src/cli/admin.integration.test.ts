import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '@shoal/config';
import { createServices } from '@shoal/core';
import type { Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import { OperatorClient } from '@shoal/mesos';
import { startSimCluster } from '@shoal/mesos-sim';
import { runAdminCommand, UsageError } from './admin';
import { SERVER_MAIN } from '../testing/compiled-main';

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

  it('sets the runtime of a tenant’s new containers, and back to the cluster default', async () => {
    await run('tenant', 'create', 'runner');
    expect(await run('tenant', 'runtime', 'runner', 'ucr')).toEqual([
      'New containers of runner run under the ucr runtime (the Mesos containerizer with the Docker image)',
    ]);
    const services = createServices(db, { containers: { defaultRuntime: 'docker' } });
    const tenant = await services.tenants.getBySlug('runner');
    expect(tenant.runtime).toBe('ucr');
    const made = await services.containers.create(tenant.id, { image: 'alpine' }, 'test');
    expect(made.spec).toMatchObject({ runtime: 'ucr', cniNetwork: 'mesos-bridge' });
    await run('tenant', 'runtime', 'runner', 'default');
    expect((await services.tenants.getBySlug('runner')).runtime).toBeNull();
    const later = await services.containers.create(tenant.id, { image: 'alpine' }, 'test');
    expect(later.spec.runtime).toBe('docker');
    // Each keeps the runtime it was created with.
    expect((await services.containers.get(tenant.id, made.id)).spec.runtime).toBe('ucr');
    await expect(run('tenant', 'runtime', 'runner', 'kata')).rejects.toBeInstanceOf(UsageError);
  });

  it('maps a tenant’s networks to a CNI network of its own, and back to the cluster’s', async () => {
    await run('tenant', 'create', 'meshed');
    expect(await run('tenant', 'cni-network', 'meshed', 'cni-{tenant}')).toEqual([
      'Containers of meshed created or connected from now on join the CNI network cni-meshed on its networks',
    ]);
    const services = createServices(db, { tenantCniNetwork: 'shared-cni' });
    const tenant = await services.tenants.getBySlug('meshed');
    await services.networks.create(tenant.id, { name: 'app' }, 'test');
    const on = (name: string) =>
      services.containers.create(
        tenant.id,
        { name, image: 'alpine', runtime: 'ucr', networks: [{ network: 'app' }] },
        'test',
      );
    expect((await on('first')).spec.cniNetwork).toBe('cni-meshed');
    await run('tenant', 'cni-network', 'meshed', 'default');
    expect((await on('second')).spec.cniNetwork).toBe('shared-cni');
    await expect(run('tenant', 'cni-network', 'meshed', 'two words')).rejects.toThrow(
      /Invalid CNI network "two words"/,
    );
    await expect(run('tenant', 'cni-network', 'meshed')).rejects.toBeInstanceOf(UsageError);
  });

  it('pushes quota to Mesos masters that require the framework’s credentials', async () => {
    const credentials = { principal: 'shoal', secret: 'operator-secret' };
    const sim = await startSimCluster({ agents: 1, credentials });
    const operator = new OperatorClient({ masters: sim.masterUrls, ...credentials });
    try {
      const env = loadEnv({
        DATABASE_URL: db.url,
        MESOS_MASTER: sim.masterUrls.join(','),
        MESOS_PRINCIPAL: credentials.principal,
        MESOS_SECRET: credentials.secret,
      });
      await runAdminCommand(env, ['tenant', 'create', 'secured'], () => undefined);
      await runAdminCommand(env, ['quota', 'set', 'secured', '--cpus-limit', '3'], () => undefined);
      const quota = (await operator.call({ type: 'GET_QUOTA' }))!;
      expect(quota.get_quota?.status.configs).toContainEqual(
        expect.objectContaining({ role: 'shoal-secured', limits: { cpus: { value: 3 } } }),
      );
    } finally {
      await operator.close();
      await sim.close();
    }
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
    // The child inherits the environment; only its database is set here.
    // eslint-disable-next-line no-restricted-properties
    const env = { ...process.env, DATABASE_URL: db.url };
    const result = spawnSync(process.execPath, [SERVER_MAIN, 'tenant', 'explode'], {
      encoding: 'utf8',
      env,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('shoal tenant create <slug>');
  });
});
