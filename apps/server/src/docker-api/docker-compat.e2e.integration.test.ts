import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningShoal } from '../app';
import { embeddedAgents } from '../cluster/embedded-agents';
import { eventually, startShoalForTest } from '../testing/shoal-under-test';
import { dockerCli, pastEvents, type DockerCli } from '@shoal/docker-api/testing';

// What the real docker CLI 28 tripped on against Shoal, command by command, for a
// tenant with a small quota while a second tenant shares the cluster.

let shoal: RunningShoal;
let cli: DockerCli;
let token: string;
let neighbour: DockerCli;

beforeAll(async () => {
  // The agents `npm start` runs, with racks and revocable resources.
  shoal = await startShoalForTest({ sim: { agents: embeddedAgents(3) } });
  const { services } = shoal;
  const issue = async (slug: string, quota: { quotaCpusLimit: number; quotaMemLimit: number }) => {
    const tenant = await services.tenants.create({ slug, name: slug }, 'test');
    await services.tenants.setQuota(tenant.id, quota, 'test');
    const { secret } = await services.tokens.issue({ tenantId: tenant.id, name: 'cli' }, 'test');
    return { cli: dockerCli(shoal.dockerApi.url, secret), token: secret };
  };
  ({ cli, token } = await issue('compat', { quotaCpusLimit: 1, quotaMemLimit: 2048 }));
  ({ cli: neighbour } = await issue('neighbour', { quotaCpusLimit: 4, quotaMemLimit: 4096 }));
  await eventually(
    'the framework to subscribe',
    async () => services.cluster.framework().subscribed,
  );
});
afterAll(async () => {
  await shoal?.close();
  cli?.close();
  neighbour?.close();
});

const docker = (...args: string[]) => cli.run(...args);
const names = async (...args: string[]) =>
  (await docker('ps', '-a', '--format', '{{.Names}}', ...args)).stdout.split('\n').filter(Boolean);

describe('the docker CLI where it used to trip on Shoal', () => {
  it('ends docker run --rm whose start is refused, and removes its container (1)', async () => {
    const run = await docker('run', '--rm', '--name', 'too-big', '--cpus', '2', 'busybox', 'true');
    expect(run.code).toBe(125);
    expect(run.stderr).toMatch(/Quota exceeded/);
    expect(await names()).not.toContain('too-big');
  });

  it('refuses starts no agent could run, naming why (2)', async () => {
    const port = await docker('run', '-d', '-p', '5:80', 'nginx');
    expect(port.code).not.toBe(0);
    expect(port.stderr).toMatch(/no Mesos agent in the cluster could ever run it: .*port/);
    const rack = await docker('run', '-d', '-l', 'shoal.constraints=rack:CLUSTER:r9', 'nginx');
    expect(rack.code).not.toBe(0);
    expect(rack.stderr).toMatch(/no Mesos agent in the cluster could ever run it: .*rack/);
  });

  it("runs the README's label examples on the embedded cluster (2)", async () => {
    const rack = await docker(
      'run',
      '-d',
      '--name',
      'racked',
      '-l',
      'shoal.constraints=rack:CLUSTER:r1',
      'nginx',
    );
    expect(rack.code).toBe(0);
    const spare = await docker(
      'run',
      '-d',
      '--name',
      'spare',
      '-l',
      'shoal.best-effort=true',
      'nginx',
    );
    expect(spare.code).toBe(0);
    const placed = await docker('inspect', '--format', '{{.State.Status}}', 'racked', 'spare');
    expect(placed.stdout).toBe('running\nrunning\n');
    expect((await docker('rm', '-f', 'racked', 'spare')).code).toBe(0);
  });

  it('refuses -i and -t under the docker runtime, naming it and the way to the ucr one (3)', async () => {
    const interactive = await cli.runWithInput('a\nb\n', 'run', '-i', '--rm', 'busybox', 'cat');
    expect(interactive.code).toBe(125);
    expect(interactive.stderr).toMatch(
      /-i \(--interactive\) is not supported under the docker runtime \(the Mesos Docker containerizer\): .*use the ucr runtime/,
    );
    const tty = await docker('run', '-t', '--rm', 'busybox', 'sh');
    expect(tty.code).toBe(125);
    expect(tty.stderr).toMatch(/-t \(--tty\) is not supported under the docker runtime/);
  });

  it('inspects an image the tenant pulled, and only for that tenant (5)', async () => {
    expect((await docker('pull', 'alpine')).code).toBe(0);
    const inspected = await docker('image', 'inspect', '--format', '{{json .RepoTags}}', 'alpine');
    expect(inspected).toEqual({ code: 0, stdout: '["alpine:latest"]\n', stderr: '' });
    expect((await docker('images', '--format', '{{.Repository}}:{{.Tag}}')).stdout).toContain(
      'alpine:latest',
    );
    // Pulled again and run: still one image.
    expect((await docker('pull', 'docker.io/library/alpine:latest')).code).toBe(0);
    expect((await docker('create', '--name', 'from-alpine', 'alpine')).code).toBe(0);
    const images = await docker('images', '-q');
    const info = await docker('info', '--format', '{{.Images}}');
    expect(info.stdout.trim()).toBe(String(images.stdout.split('\n').filter(Boolean).length));
    expect((await docker('rm', 'from-alpine')).code).toBe(0);
    const other = await neighbour.run('image', 'inspect', 'alpine');
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/No such image: alpine/);
  });

  it("lists Docker's default networks and no volumes, shows disk use, and prunes (6)", async () => {
    const networks = await docker('network', 'ls', '--format', '{{.Name}} {{.Driver}}');
    expect(networks).toMatchObject({ code: 0, stdout: 'bridge bridge\nhost host\nnone null\n' });
    expect(await docker('volume', 'ls', '-q')).toMatchObject({ code: 0, stdout: '' });
    const df = await docker('system', 'df');
    expect(df.code).toBe(0);
    expect(df.stdout).toMatch(/^Containers\s/m);
    const created = await docker('create', '--name', 'leftover', 'busybox', 'true');
    const prune = await docker('system', 'prune', '-f');
    expect(prune.code).toBe(0);
    expect(prune.stdout).toContain(`Deleted Containers:\n${created.stdout.trim()}`);
    expect(await names()).not.toContain('leftover');
  });

  it('renames a container, within its tenant only (7)', async () => {
    expect((await docker('create', '--name', 'first-name', 'busybox', 'true')).code).toBe(0);
    expect(await docker('rename', 'first-name', 'second-name')).toMatchObject({ code: 0 });
    expect(await names()).toContain('second-name');
    expect(await names()).not.toContain('first-name');
    const foreign = await neighbour.run('rename', 'second-name', 'stolen');
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/No such container: second-name/);
    // A name taken is answered as a create's is, naming the container that has it.
    const holder = (await docker('create', '--name', 'holder', 'busybox', 'true')).stdout.trim();
    const taken = await docker('rename', 'second-name', 'holder');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(
      `Conflict. The container name "/holder" is already in use by container "${holder}".`,
    );
    expect((await docker('rm', 'second-name', 'holder')).code).toBe(0);
  });

  it('filters ps by ancestor, before, since and expose, and shows COMMAND (7)', async () => {
    expect((await docker('create', '--name', 'one', 'busybox', 'echo', 'hi')).code).toBe(0);
    expect((await docker('create', '--name', 'two', '-p', '8080', 'nginx')).code).toBe(0);
    expect((await docker('create', '--name', 'three', 'busybox')).code).toBe(0);
    expect(await names('-f', 'ancestor=busybox')).toEqual(['three', 'one']);
    expect(await names('-f', 'since=one')).toEqual(['three', 'two']);
    expect(await names('-f', 'before=three')).toEqual(['two', 'one']);
    expect(await names('-f', 'expose=8000-8090/tcp')).toEqual(['two']);
    const commands = await docker('ps', '-a', '--no-trunc', '--format', '{{.Names}} {{.Command}}');
    expect(commands.stdout).toContain('one "echo hi"');
    expect(commands.stdout).toContain('three "(image default)"');
    expect((await docker('rm', 'one', 'two', 'three')).code).toBe(0);
  });

  it('filters ps by name and images by reference as Docker does, in time linear in the text', async () => {
    for (const name of ['web', 'web2', 'webby'])
      expect((await docker('create', '--name', name, 'busybox')).code).toBe(0);
    // Regular expressions found anywhere in the name, with or without its slash.
    expect(await names('-f', 'name=^web$')).toEqual(['web']);
    expect(await names('-f', 'name=^/web$')).toEqual(['web']);
    expect(await names('-f', 'name=w.b$')).toEqual(['web']);
    expect(await names('-f', 'name=web')).toEqual(['webby', 'web2', 'web']);
    // -n counts what the filters leave.
    expect(await names('-n', '1', '-f', 'name=^web$')).toEqual(['web']);
    const invalid = await docker('ps', '-a', '-f', 'name=(');
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/invalid filter 'name=\('/);
    // A pattern a backtracking matcher takes minutes on, against a long reference.
    const long = 'a'.repeat(200);
    const made = await docker('create', '--name', 'long-image', long);
    expect(made.code).toBe(0);
    const images = await docker(
      'images',
      '--format',
      '{{.Repository}}',
      '-f',
      'reference=a*a*a*a*a*a*x',
    );
    expect(images.code).toBe(0);
    expect(images.stdout.trim()).toBe('');
    const found = await docker(
      'images',
      '--format',
      '{{.Repository}}',
      '-f',
      'reference=a*a*a*a*a',
    );
    expect(found.stdout.trim()).toBe(long);
    expect((await docker('rm', 'web', 'web2', 'webby', 'long-image')).code).toBe(0);
  });

  it('reports kill and restart as events, and counts containers at once after rm -f (7)', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    expect((await docker('run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '600')).code).toBe(
      0,
    );
    const containers = async () =>
      Number((await docker('info', '--format', '{{.Containers}}')).stdout.trim());
    const before = await containers();
    expect((await docker('restart', 'sleeper')).code).toBe(0);
    expect((await docker('kill', 'sleeper')).code).toBe(0);
    const actions = await pastEvents(cli, { since, container: 'sleeper', format: '{{.Action}}' });
    expect(actions).toContain('restart');
    expect(actions).toContain('kill');
    expect(actions.indexOf('restart')).toBeLessThan(actions.lastIndexOf('kill'));
    const state = async () =>
      (await docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'sleeper')).stdout;
    expect(await state()).toBe('exited 137\n');
    expect((await docker('start', 'sleeper')).code).toBe(0);
    // Running again, it has no exit code (Docker shows 0), not the last run's.
    expect(await state()).toBe('running 0\n');
    expect((await docker('rm', '-f', 'sleeper')).code).toBe(0);
    expect(await containers()).toBe(before - 1);
    // As Docker's rm -f of a running container: the KILL, the death of it, the removal.
    const removal = await eventually('the removal to be told', async () => {
      const lines = await pastEvents(cli, {
        since,
        container: 'sleeper',
        format: '{{.Action}} {{index .Actor.Attributes "signal"}}',
      });
      return lines.at(-1) === 'destroy ' ? lines.slice(-3) : undefined;
    });
    expect(removal).toEqual(['kill 9', 'die ', 'destroy ']);
  });

  it('answers a docker kill once the container has died of it, as inspect then shows', async () => {
    expect((await docker('run', '-d', '--name', 'killed', 'busybox', 'sleep', '600')).code).toBe(0);
    const api = (method: string, path: string) =>
      fetch(`${shoal.dockerApi.url.replace('tcp:', 'http:')}/containers/killed/${path}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
    // Read straight after each answer, with no CLI process started in between to hide a gap.
    const seen: string[] = [];
    for (let round = 0; round < 5; round++) {
      if (round > 0) expect((await api('POST', 'start')).status).toBe(204);
      expect((await api('POST', 'kill')).status).toBe(204);
      const { State } = (await (await api('GET', 'json')).json()) as {
        State: { Status: string; ExitCode: number };
      };
      seen.push(`${State.Status} ${State.ExitCode}`);
    }
    expect(seen).toEqual(Array.from({ length: 5 }, () => 'exited 137'));
    expect((await docker('rm', 'killed')).code).toBe(0);
  });

  it('reports docker kill -s TERM as the kill it is, its signal by number, and no stop', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    expect((await docker('run', '-d', '--name', 'termed', 'busybox', 'sleep', '600')).code).toBe(0);
    expect((await docker('kill', '-s', 'TERM', 'termed')).code).toBe(0);
    const state = await eventually('termed to exit', async () => {
      const now = await docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'termed');
      return now.stdout.startsWith('exited') ? now.stdout : undefined;
    });
    expect(state).toBe('exited 143\n');
    const lines = await pastEvents(cli, {
      since,
      container: 'termed',
      format: '{{.Action}} {{index .Actor.Attributes "signal"}}',
    });
    expect(lines.filter((l) => !l.startsWith('create') && !l.startsWith('start'))).toEqual([
      'kill 15',
      'die ',
    ]);
    expect((await docker('rm', 'termed')).code).toBe(0);
  });

  it('stops with the signal docker stop names, when Mesos can send it, and reports it as a kill', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    expect((await docker('run', '-d', '--name', 'signalled', 'busybox', 'sleep', '600')).code).toBe(
      0,
    );
    // As `docker stop --signal` sends it (a CLI of API 1.42 or later).
    const stop = (query: string) =>
      fetch(`${shoal.dockerApi.url.replace('tcp:', 'http:')}/containers/signalled/stop?${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    const hup = await stop('signal=HUP');
    expect(hup.status).toBe(501);
    expect(((await hup.json()) as { message: string }).message).toMatch(
      /Signal HUP cannot be delivered: Mesos can only terminate a task/,
    );
    // KILL ends it at once, whatever the timeout.
    expect((await stop('signal=SIGKILL&t=600')).status).toBe(204);
    const state = await docker(
      'inspect',
      '-f',
      '{{.State.Status}} {{.State.ExitCode}}',
      'signalled',
    );
    expect(state.stdout).toBe('exited 137\n');
    const lines = await pastEvents(cli, {
      since,
      container: 'signalled',
      format: '{{.Action}} {{index .Actor.Attributes "signal"}}',
    });
    expect(lines).toContain('kill 9');
    expect(lines.indexOf('kill 9')).toBeLessThan(lines.findIndex((l) => l.startsWith('die')));
    expect((await docker('rm', 'signalled')).code).toBe(0);
  });

  it('says volumes and --privileged are not offered to tenants, and why (10)', async () => {
    for (const flags of [['-v', '/data:/data'], ['--privileged']]) {
      const run = await docker('run', '-d', ...flags, 'busybox');
      expect(run.code).toBe(125);
      expect(run.stderr).toMatch(/Shoal does not offer it to tenants: .*tenant isolation/);
      expect(run.stderr).not.toMatch(/no such setting/);
    }
  });

  it("keeps cluster internals out of a tenant's docker info, and shoal. labels reserved (11)", async () => {
    const info = await docker('info');
    expect(info.code).toBe(0);
    const framework = shoal.services.cluster.framework();
    expect(framework.frameworkId).toBeTruthy();
    expect(info.stdout).not.toContain(framework.frameworkId);
    expect(info.stdout).not.toContain(framework.master);
    expect(info.stdout).toMatch(/Mesos framework: subscribed/);
    // The embedded emulator stops with Shoal: its containers do not live through a restart (4).
    expect(info.stdout).toMatch(/Live Restore Enabled: false/);
    const label = await docker('run', '-d', '-l', 'shoal.tenant=acme', 'busybox');
    expect(label.code).toBe(125);
    expect(label.stderr).toMatch(/label "shoal\.tenant" is in Shoal's reserved namespace/);
  });

  it('refuses --memory-swappiness and another architecture by name, and takes -p 0:80 as any port (12)', async () => {
    const before = await names();
    const swappiness = await docker(
      'run',
      '-d',
      '--memory-swappiness',
      '0',
      'busybox',
      'sleep',
      '5',
    );
    expect(swappiness.code).toBe(125);
    expect(swappiness.stderr).toMatch(
      /HostConfig\.MemorySwappiness \(--memory-swappiness\) is not supported by Shoal/,
    );
    const arm = await docker('run', '-d', '--platform', 'linux/arm64', 'busybox', 'sleep', '5');
    expect(arm.code).toBe(125);
    expect(arm.stderr).toMatch(/platform "linux\/arm64" is not supported: each Mesos agent runs/);
    const pull = await docker('pull', '--platform', 'linux/arm64', 'redis');
    expect(pull.code).toBe(1);
    expect(pull.stderr).toMatch(/platform "linux\/arm64" is not supported/);
    expect((await docker('images', '-q', 'redis')).stdout).toBe('');
    expect(await names()).toEqual(before);
    const any = await docker('run', '-d', '--name', 'any-port', '-p', '0:80', 'nginx');
    expect(any.code).toBe(0);
    const port = await docker('port', 'any-port', '80');
    expect(port.stdout).toMatch(/:[1-9]\d*\n$/);
    expect((await docker('rm', '-f', 'any-port')).code).toBe(0);
  });
});
