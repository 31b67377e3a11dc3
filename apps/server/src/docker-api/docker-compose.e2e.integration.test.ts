import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OperatorClient, type Task } from '@shoal/mesos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCli, type CliRun, type DockerCli } from '@shoal/docker-api/testing';
import type { RunningShoal } from '../app';
import { eventually, startShoalForTest } from '../testing/shoal-under-test';

// Debian's docker-compose 1.29 (installed by npm test) bringing up a two-service project
// on Shoal for one tenant, while a second tenant sees none of it and brings up a project
// of the same name. Each tenant's networks map to a CNI network of its own.

const COMPOSE = '/usr/bin/docker-compose';

const PROJECT = `
version: "2.4"
services:
  web:
    image: nginx
    runtime: ucr
    ports: ["80"]
    networks:
      front:
        aliases: [www]
  cache:
    image: redis
    runtime: ucr
    networks:
      front:
        aliases: [kv]
networks:
  front: {}
`;

let shoal: RunningShoal;
const dirs: string[] = [];

interface Tenant {
  slug: string;
  /** The directory holding the tenant's docker-compose.yml. */
  project: string;
  cli: DockerCli;
  compose(...args: string[]): Promise<CliRun>;
}

beforeAll(async () => {
  shoal = await startShoalForTest({
    env: { SHOAL_TENANT_CNI_NETWORK: 'tenant-{tenant}' },
    sim: { cniNetworks: ['mesos-bridge', 'tenant-shop', 'tenant-rival'] },
  });
  await eventually(
    'the framework to subscribe',
    async () => shoal.services.cluster.framework().subscribed,
  );
});
afterAll(async () => {
  await shoal?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function tenant(slug: string): Promise<Tenant> {
  const { services } = shoal;
  const created = await services.tenants.create({ slug, name: slug }, 'test');
  await services.tenants.setQuota(created.id, { quotaCpusLimit: 4, quotaMemLimit: 4096 }, 'test');
  const { secret } = await services.tokens.issue({ tenantId: created.id, name: 'cli' }, 'test');
  const cli = dockerCli(shoal.dockerApi.url, secret);
  const project = mkdtempSync(path.join(tmpdir(), 'shoal-compose-'));
  dirs.push(project);
  writeFileSync(path.join(project, 'docker-compose.yml'), PROJECT);
  const compose = (...args: string[]) =>
    new Promise<CliRun>((resolve) => {
      execFile(
        COMPOSE,
        ['--no-ansi', '-p', 'shop', ...args],
        {
          cwd: project,
          env: { ...cli.env, PATH: '/usr/bin:/bin', COMPOSE_HTTP_TIMEOUT: '120' },
          timeout: 180_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  return { slug, project, cli, compose };
}

/** The Mesos task of a container as the master shows it (GET_TASKS): what it was launched with. */
async function taskOf(containerId: string): Promise<Task> {
  const operator = new OperatorClient({ masters: shoal.sim!.masterUrls });
  const { tasks = [] } = await operator.getTasks();
  const task = tasks
    .filter((t) => t.task_id.value.startsWith(`shoal.${containerId.slice(0, 12)}.`))
    .at(-1);
  if (!task) throw new Error(`no Mesos task for ${containerId}`);
  return task;
}

describe("Debian's docker-compose against Shoal", () => {
  let shop: Tenant;
  let rival: Tenant;

  beforeAll(async () => {
    [shop, rival] = await Promise.all([tenant('shop'), tenant('rival')]);
  });
  afterAll(() => {
    shop?.cli.close();
    rival?.cli.close();
  });

  it('is installed (npm test installs docker-compose)', () => {
    expect(existsSync(COMPOSE), COMPOSE).toBe(true);
  });

  it('brings the project up: its network, then both services on it', async () => {
    const up = await shop.compose('up', '-d');
    expect(up.stderr).toContain('Creating network "shop_front" with the default driver');
    expect(up.stderr).toMatch(/Creating shop_web_1\s+\.\.\. done/);
    expect(up.stderr).toMatch(/Creating shop_cache_1\s+\.\.\. done/);
    // Nothing in Shoal's answers made compose doubt what it saw.
    expect(up.stderr).not.toMatch(/WARNING|ERROR/i);
    expect(up.code).toBe(0);
    const networks = await shop.cli.run('network', 'ls', '--format', '{{.Name}} {{.Driver}}');
    expect(networks.stdout.split('\n')).toContain('shop_front bridge');
  });

  it('lists both services running in ps, the web server with its published port', async () => {
    const ps = await eventually('both services to run', async () => {
      const run = await shop.compose('ps');
      return /shop_web_1 .* Up/.test(run.stdout) && /shop_cache_1 .* Up/.test(run.stdout)
        ? run
        : undefined;
    });
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(/shop_web_1 .*Up\s+\S+:\d+->80\/tcp/);
  });

  it('leaves a project that is up as it is when brought up again', async () => {
    const again = await shop.compose('up', '-d');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/shop_web_1 is up-to-date/);
    expect(again.stderr).toMatch(/shop_cache_1 is up-to-date/);
    expect(again.stderr).not.toMatch(/WARNING|ERROR/i);
  });

  it('recreates a service whose configuration changed, as compose 1.29 reads images to do so', async () => {
    writeFileSync(
      path.join(shop.project, 'docker-compose.yml'),
      PROJECT.replace(
        '    runtime: ucr\n    ports: ["80"]',
        '    runtime: ucr\n    environment: { FOO: bar }\n    ports: ["80"]',
      ),
    );
    const up = await shop.compose('up', '-d');
    // compose 1.29 read the image's ContainerConfig to recreate, and failed with a traceback.
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/Recreating shop_web_1\s+\.\.\. done/);
    expect(up.stderr).toMatch(/shop_cache_1 is up-to-date/);
    const env = await shop.cli.run('inspect', '--format', '{{json .Config.Env}}', 'shop_web_1');
    expect(env.stdout).toContain('FOO=bar');
    const names = await shop.cli.run('ps', '-a', '--format', '{{.Names}}');
    expect(names.stdout.split('\n').filter(Boolean).sort()).toEqual(['shop_cache_1', 'shop_web_1']);
  });

  it('shows each service’s output in logs', async () => {
    const logs = await eventually('both services to log', async () => {
      const run = await shop.compose('logs');
      return run.stdout.includes('Configuration complete') && run.stdout.includes('Ready to accept')
        ? run
        : undefined;
    });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/web_1\s+\| .*Configuration complete; ready for start up/);
    expect(logs.stdout).toMatch(/cache_1\s+\| .*Ready to accept connections/);
  });

  it('runs the services on the tenant’s CNI network, their names and aliases published for discovery', async () => {
    const id = (await shop.cli.run('inspect', '--format', '{{.Id}}', 'shop_web_1')).stdout.trim();
    const info = await taskOf(id);
    expect(info.container).toMatchObject({
      type: 'MESOS',
      network_infos: [{ name: 'tenant-shop', port_mappings: [{ container_port: 80 }] }],
    });
    expect(info.discovery).toMatchObject({ visibility: 'FRAMEWORK', name: 'shop_web_1' });
    expect(info.discovery?.labels?.labels).toEqual(
      expect.arrayContaining([
        { key: 'network', value: 'shop_front' },
        { key: 'alias', value: 'web' },
        { key: 'alias', value: 'www' },
      ]),
    );
    const inspect = await shop.cli.run(
      'inspect',
      '--format',
      '{{.HostConfig.NetworkMode}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{join $v.DNSNames ","}}{{end}}',
      'shop_web_1',
    );
    expect(inspect.stdout).toMatch(/^shop_front shop_front=shop_web_1,\S*www/);
  });

  it('shows another tenant none of it, and lets it bring up a project of the same name', async () => {
    expect((await rival.cli.run('ps', '-a', '--format', '{{.Names}}')).stdout).toBe('');
    const networks = await rival.cli.run('network', 'ls', '--format', '{{.Name}}');
    expect(networks.stdout.split('\n').filter(Boolean).sort()).toEqual(['bridge', 'host', 'none']);
    const inspect = await rival.cli.run('network', 'inspect', 'shop_front');
    expect(inspect.code).not.toBe(0);
    expect(inspect.stderr).toMatch(/network shop_front not found/);
    expect((await rival.compose('ps')).stdout).not.toContain('shop_web_1');

    const up = await rival.compose('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    const id = (await rival.cli.run('inspect', '--format', '{{.Id}}', 'shop_web_1')).stdout.trim();
    expect((await taskOf(id)).container?.network_infos?.[0]?.name).toBe('tenant-rival');
    // The first tenant's project is still its own.
    const mine = await shop.cli.run('ps', '--format', '{{.Names}}');
    expect(mine.stdout.split('\n').filter(Boolean).sort()).toEqual(['shop_cache_1', 'shop_web_1']);
  });

  it('stops the services', async () => {
    const stop = await shop.compose('stop');
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).toMatch(/Stopping shop_web_1\s+\.\.\. done/);
    const ps = await shop.compose('ps');
    expect(ps.stdout).toMatch(/shop_web_1 .*Exit/);
    expect(ps.stdout).toMatch(/shop_cache_1 .*Exit/);
  });

  it('takes the project down: containers, then its network', async () => {
    const down = await shop.compose('down');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toMatch(/Removing shop_web_1\s+\.\.\. done/);
    expect(down.stderr).toContain('Removing network shop_front');
    expect((await shop.cli.run('ps', '-a', '--format', '{{.Names}}')).stdout).toBe('');
    const networks = await shop.cli.run('network', 'ls', '--format', '{{.Name}}');
    expect(networks.stdout).not.toContain('shop_front');
    // The other tenant's project of the same name is untouched.
    const theirs = await rival.cli.run('ps', '--format', '{{.Names}}');
    expect(theirs.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'shop_cache_1',
      'shop_web_1',
    ]);
    expect((await rival.compose('down')).code).toBe(0);
  });
});
