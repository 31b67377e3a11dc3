import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCli, type DockerCli } from '@shoal/docker-api/testing';
import type { RunningShoal } from '../app';
import { eventually, startShoalForTest } from '../testing/shoal-under-test';

// The real docker CLI managing a tenant's networks on the whole of Shoal: what each
// command does, what it refuses and why, what another tenant sees of them, and a launch
// on a CNI network the emulated agents do not have failing as a real agent fails it.

let shoal: RunningShoal;

interface Tenant {
  slug: string;
  cli: DockerCli;
}

beforeAll(async () => {
  shoal = await startShoalForTest({
    env: { SHOAL_TENANT_CNI_NETWORK: 'tenant-{tenant}' },
    sim: { cniNetworks: ['mesos-bridge', 'tenant-team', 'tenant-other'] },
  });
  await eventually(
    'the framework to subscribe',
    async () => shoal.services.cluster.framework().subscribed,
  );
});
afterAll(async () => {
  await shoal?.close();
});

async function tenant(slug: string): Promise<Tenant> {
  const { services } = shoal;
  const created = await services.tenants.create({ slug, name: slug }, 'test');
  await services.tenants.setQuota(created.id, { quotaCpusLimit: 4, quotaMemLimit: 4096 }, 'test');
  const { secret } = await services.tokens.issue({ tenantId: created.id, name: 'cli' }, 'test');
  return { slug, cli: dockerCli(shoal.dockerApi.url, secret) };
}

describe('docker network with the docker CLI', () => {
  let team: Tenant;
  let other: Tenant;
  let lost: Tenant;

  beforeAll(async () => {
    [team, other, lost] = await Promise.all([tenant('team'), tenant('other'), tenant('lost')]);
    // An admin maps this tenant's networks to a CNI network its agents do not have.
    const { id } = await shoal.services.tenants.getBySlug('lost');
    await shoal.services.tenantAdmin.update(id, { cniNetwork: 'nowhere-{tenant}' }, 'admin');
  });
  afterAll(() => {
    for (const t of [team, other, lost]) t?.cli.close();
  });

  const docker = (t: Tenant, ...args: string[]) => t.cli.run(...args);

  it('creates a network once per name, and lists and inspects it', async () => {
    const created = await docker(team, 'network', 'create', '--label', 'tier=back', 'app');
    expect(created).toMatchObject({ code: 0, stdout: expect.stringMatching(/^[0-9a-f]{64}\n$/) });
    const again = await docker(team, 'network', 'create', 'app');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('network with name app already exists');
    const custom = await docker(
      team,
      'network',
      'ls',
      '--filter',
      'type=custom',
      '-q',
      '--no-trunc',
    );
    expect(custom.stdout).toBe(created.stdout);
    const inspect = await docker(
      team,
      'network',
      'inspect',
      '--format',
      '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels.tier}} {{.Shoal.cniNetwork}}',
      created.stdout.trim().slice(0, 12),
    );
    expect(inspect.stdout).toBe('app bridge local back tenant-team\n');
  });

  it('refuses what a Mesos CNI network cannot be, saying why', async () => {
    const subnet = await docker(team, 'network', 'create', '--subnet', '10.9.0.0/16', 'fixed');
    expect(subnet.stderr).toMatch(/IPAM\.Config \(--subnet.*\) is not supported by Shoal/);
    const overlay = await docker(team, 'network', 'create', '-d', 'overlay', 'wide');
    expect(overlay.stderr).toMatch(/network driver "overlay" is not supported by Shoal/);
    const builtin = await docker(team, 'network', 'rm', 'bridge');
    expect(builtin.stderr).toMatch(/bridge is a pre-defined network and cannot be removed/);
    // The docker runtime cannot join a CNI network: the refusal names it and the way out.
    const plain = await docker(team, 'run', '-d', '--name', 'plain', '--network', 'app', 'nginx');
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toMatch(
      /network app: the docker runtime \(the Mesos Docker containerizer\) cannot join the Mesos CNI network.*--runtime ucr/,
    );
    const volume = await docker(team, 'run', '-d', '--runtime', 'ucr', '-v', 'data:/data', 'redis');
    expect(volume.stderr).toMatch(
      /named volume "data" \(-v data:…, --mount type=volume\) is not supported by Shoal: a Mesos task gets no Docker volumes/,
    );
  });

  it('connects containers before they start, with their aliases, and keeps a running one as it is', async () => {
    const api = await docker(
      team,
      'create',
      '--name',
      'api',
      '--runtime',
      'ucr',
      '--network',
      'app',
      '--network-alias',
      'backend',
      'nginx',
    );
    expect(api.code, api.stderr).toBe(0);
    expect(
      (
        await docker(
          team,
          'create',
          '--name',
          'worker',
          '--runtime',
          'ucr',
          'busybox',
          'sleep',
          '600',
        )
      ).code,
    ).toBe(0);
    const connect = await docker(team, 'network', 'connect', '--alias', 'jobs', 'app', 'worker');
    expect(connect.code, connect.stderr).toBe(0);
    const members = await docker(
      team,
      'network',
      'inspect',
      '--format',
      '{{range .Containers}}{{.Name}} {{end}}',
      'app',
    );
    expect(members.stdout.trim().split(' ').sort()).toEqual(['api', 'worker']);
    const filtered = await docker(
      team,
      'ps',
      '-a',
      '--filter',
      'network=app',
      '--format',
      '{{.Names}} {{.Networks}}',
    );
    expect(filtered.stdout.split('\n').filter(Boolean).sort()).toEqual(['api app', 'worker app']);
    expect((await docker(team, 'start', 'api', 'worker')).code).toBe(0);
    await eventually('both to run', async () => {
      const ps = await docker(team, 'ps', '--filter', 'status=running', '--format', '{{.Names}}');
      return ps.stdout.split('\n').filter(Boolean).length === 2;
    });
    const running = await docker(team, 'network', 'disconnect', 'app', 'worker');
    expect(running.stderr).toMatch(
      /container worker is running: a Mesos task's networks are fixed when it launches/,
    );
    const busy = await docker(team, 'network', 'rm', 'app');
    expect(busy.stderr).toMatch(/network app id [0-9a-f]{64} has active endpoints/);
  });

  it('shows another tenant nothing of the network', async () => {
    for (const args of [
      ['network', 'inspect', 'app'],
      ['network', 'rm', 'app'],
      ['network', 'connect', 'app', 'api'],
    ]) {
      const run = await docker(other, ...args);
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.stderr).toContain('network app not found');
    }
    const ls = await docker(other, 'network', 'ls', '--filter', 'type=custom', '-q');
    expect(ls.stdout).toBe('');
  });

  it('fails the launch, as an agent does, on a CNI network the agents do not have', async () => {
    expect((await docker(lost, 'network', 'create', 'app')).code).toBe(0);
    await docker(
      lost,
      'run',
      '-d',
      '--name',
      'stray',
      '--runtime',
      'ucr',
      '--network',
      'app',
      'nginx',
    );
    const error = await eventually('the launch to fail', async () => {
      const run = await docker(lost, 'inspect', '--format', '{{.State.Error}}', 'stray');
      return run.stdout.trim() || undefined;
    });
    expect(error).toContain("Unknown CNI network 'nowhere-lost'");
  });

  it('removes networks once no container is on them, and prunes unused ones', async () => {
    expect((await docker(team, 'rm', '-f', 'api', 'worker')).code).toBe(0);
    expect((await docker(team, 'network', 'create', 'spare')).code).toBe(0);
    const rm = await docker(team, 'network', 'rm', 'app');
    expect(rm).toMatchObject({ code: 0, stdout: 'app\n' });
    const prune = await docker(team, 'network', 'prune', '-f');
    expect(prune.stdout).toContain('spare');
    expect((await docker(team, 'network', 'ls', '--filter', 'type=custom', '-q')).stdout).toBe('');
  });
});
