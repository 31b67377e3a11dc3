import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCli, pastEvents, type DockerCli } from '@shoal/docker-api/testing';
import type { RunningShoal } from '../app';
import { eventually, startShoalForTest } from '../testing/shoal-under-test';

// The whole of Shoal in this process (PostgreSQL test database, Mesos
// emulator, framework, Docker API), driven by the real docker CLI and by
// dockerode as a tenant would drive them.

let shoal: RunningShoal;
let tenantId: string;
let token: string;
let cli: DockerCli;
let port: number;

beforeAll(async () => {
  shoal = await startShoalForTest();
  const { services } = shoal;
  const tenant = await services.tenants.create({ slug: 'e2e', name: 'End to end' }, 'test');
  tenantId = tenant.id;
  await services.tenants.setQuota(tenant.id, { quotaCpusLimit: 4, quotaMemLimit: 4096 }, 'test');
  ({ secret: token } = await services.tokens.issue({ tenantId: tenant.id, name: 'cli' }, 'test'));
  cli = dockerCli(shoal.dockerApi.url, token);
  port = Number(shoal.dockerApi.url.split(':').at(-1));
  await eventually(
    'the framework to subscribe',
    async () => services.cluster.framework().subscribed,
  );
});
afterAll(async () => {
  await shoal?.close();
  cli?.close();
});

const docker = (...args: string[]) => cli.run(...args);

describe('the docker CLI against Shoal', () => {
  const startedAt = Math.floor(Date.now() / 1000) - 1;

  it('shows the tenant in docker info', async () => {
    const info = await docker('info');
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/Server Version: shoal\//);
    expect(info.stdout).toMatch(/Tenant: e2e \(End to end\)/);
    expect(info.stdout).toMatch(/Mesos role: shoal-e2e/);
    expect(info.stdout).toMatch(/CPUs: 4/);
  });

  it('runs a server detached and shows it in ps and inspect', async () => {
    const run = await docker('run', '-d', '--name', 'web', '-p', '80', '-l', 'suite=e2e', 'nginx');
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^[0-9a-f]{64}\n$/) });
    const id = run.stdout.trim();
    const ps = await docker('ps', '--format', '{{.ID}} {{.Names}} {{.Status}}');
    expect(ps.stdout).toContain(`${id.slice(0, 12)} web Up`);
    // The CLI's templates read every resource setting Docker sends, set or not.
    const template = await docker(
      'inspect',
      '-f',
      '{{.HostConfig.CpuQuota}} {{.HostConfig.CpuPeriod}} {{.HostConfig.DnsSearch}} {{.HostConfig.ShmSize}}',
      'web',
    );
    expect(template).toMatchObject({ code: 0, stdout: '0 0 [] 67108864\n' });
    const inspected = await docker('inspect', id.slice(0, 12));
    const [view] = JSON.parse(inspected.stdout) as {
      Name: string;
      State: { Running: boolean };
      Config: { Tty: boolean };
    }[];
    expect(view).toMatchObject({ Name: '/web', State: { Running: true }, Config: { Tty: false } });
  });

  it('shows the cpus as they were asked, shares or a CFS quota, and gives the Mesos cpus they stand for', async () => {
    for (const args of [
      ['--name', 'shares', '--cpu-shares', '512'],
      ['--name', 'quota', '--cpu-period', '100000', '--cpu-quota', '150000'],
      ['--name', 'amount', '--cpus', '0.25'],
    ])
      expect(await docker('create', ...args, 'busybox', 'sleep', '60')).toMatchObject({ code: 0 });
    const shown = await docker(
      'inspect',
      '-f',
      '{{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.NanoCpus}}',
      'shares',
      'quota',
      'amount',
    );
    expect(shown).toMatchObject({
      code: 0,
      stdout: '512 0 0 0\n0 100000 150000 0\n0 0 0 250000000\n',
    });
    const cpus = await Promise.all(
      ['shares', 'quota', 'amount'].map(
        async (name) => (await shoal.services.containers.get(tenantId, name)).spec.cpus,
      ),
    );
    expect(cpus).toEqual([0.5, 1.5, 0.25]);
    expect(await docker('rm', 'shares', 'quota', 'amount')).toMatchObject({ code: 0 });
  });

  it("lists the tenant's running containers on the bridge network it joins", async () => {
    const members = async (network: string) =>
      (
        await docker(
          'network',
          'inspect',
          network,
          '-f',
          '{{range $id, $c := .Containers}}{{$c.Name}} {{end}}',
        )
      ).stdout.trim();
    expect((await members('bridge')).split(' ')).toContain('web');
    expect(await members('host')).toBe('');
  });

  it('keeps a stats stream of a stopped container open, as Docker does, until it is removed', async () => {
    expect((await docker('create', '--name', 'idle-stats', 'busybox', 'sleep', '600')).code).toBe(
      0,
    );
    const response = await fetch(
      `${shoal.dockerApi.url.replace('tcp:', 'http:')}/containers/idle-stats/stats?stream=1`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    const reader = response.body!.getReader();
    const frame = async () => {
      const { value, done } = await reader.read();
      return done ? undefined : (JSON.parse(Buffer.from(value).toString()) as { name: string });
    };
    expect(await frame()).toMatchObject({ name: '/idle-stats' });
    // Still open: it speaks again once the container runs.
    expect((await docker('start', 'idle-stats')).code).toBe(0);
    expect(await frame()).toMatchObject({ name: '/idle-stats' });
    expect((await docker('rm', '-f', 'idle-stats')).code).toBe(0);
    for (let next = await frame(); next; next = await frame());
  });

  it('runs in the foreground with --rm: prints the output and exits with the exit code', async () => {
    expect(await docker('run', '--rm', 'busybox', 'echo', 'hello from mesos')).toEqual({
      code: 0,
      stdout: 'hello from mesos\n',
      stderr: '',
    });
    expect((await docker('run', '--rm', 'busybox', 'sh', '-c', 'exit 3')).code).toBe(3);
    const left = await docker('ps', '-a', '--format', '{{.Image}}');
    expect(left.stdout).not.toContain('busybox');
  });

  it('follows logs with stdout and stderr kept apart, until the container exits', async () => {
    const run = await docker(
      'run',
      '-d',
      '--name',
      'talker',
      'busybox',
      'sh',
      '-c',
      'echo one; sleep 1; echo two >&2',
    );
    expect(run.code).toBe(0);
    expect(await docker('logs', '-f', 'talker')).toEqual({
      code: 0,
      stdout: 'one\n',
      stderr: 'two\n',
    });
  });

  it('shows the agent’s measured memory, network and block I/O in docker stats', async () => {
    const stats = await docker(
      'stats',
      '--no-stream',
      '--format',
      '{{.Name}}|{{.MemUsage}}|{{.NetIO}}|{{.BlockIO}}',
      'web',
    );
    expect(stats.code).toBe(0);
    const [name, mem, net, block] = stats.stdout.trim().split('|');
    expect(name).toBe('web');
    // The emulated agent reports a resident set of 30% of the 128 MiB default...
    expect(mem).toMatch(/^38\.\d+MiB \/ 128MiB$/);
    // ...and traffic that grows with the task's age, received and read faster than sent
    // and written: Docker's "in / out" columns must not be swapped or zero.
    const [rx, tx] = net!.split(' / ').map(bytesOf);
    const [read, written] = block!.split(' / ').map(bytesOf);
    expect(rx).toBeGreaterThan(tx!);
    expect(tx).toBeGreaterThan(0);
    expect(written).toBeGreaterThan(read!);
    expect(read).toBeGreaterThan(0);
  });

  it('refuses exec in a container of the docker runtime, naming the runtime and the way out', async () => {
    const exec = await docker('exec', 'web', 'ls');
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toMatch(
      /Error response from daemon: exec is not supported under the docker runtime \(the Mesos Docker containerizer\): .*--runtime ucr/,
    );
  });

  it('stops and removes', async () => {
    expect(await docker('stop', 'web')).toMatchObject({ code: 0, stdout: 'web\n' });
    expect(await docker('rm', 'web', 'talker')).toMatchObject({ code: 0, stdout: 'web\ntalker\n' });
    expect((await docker('ps', '-a', '--format', '{{.Names}}')).stdout).toBe('');
  });

  it('keeps --expose, --stop-signal and --stop-timeout, stops as they say, and takes --no-healthcheck', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const run = await docker(
      'run',
      '-d',
      '--name',
      'kept',
      '--expose',
      '7000',
      '--stop-signal',
      'SIGINT',
      '--stop-timeout',
      '3',
      '--no-healthcheck',
      'nginx',
    );
    expect(run).toMatchObject({ code: 0 });
    const inspected = await docker(
      'inspect',
      '-f',
      '{{json .Config.ExposedPorts}} {{.Config.StopSignal}} {{.Config.StopTimeout}}',
      'kept',
    );
    expect(inspected.stdout).toBe('{"7000/tcp":{}} SIGINT 3\n');
    expect((await docker('ps', '--filter', 'name=^kept$', '--format', '{{.Ports}}')).stdout).toBe(
      '7000/tcp\n',
    );
    expect(await docker('stop', 'kept')).toMatchObject({ code: 0 });
    const kills = await pastEvents(cli, {
      since,
      container: 'kept',
      format: '{{.Action}} {{.Actor.Attributes.signal}}',
      only: ['kill'],
    });
    expect(kills).toEqual(['kill 2']);
    // Since 0 is since the epoch: every event kept, as Docker reads it.
    const fromEpoch = await pastEvents(cli, {
      since: 0,
      container: 'kept',
      format: '{{.Action}}',
    });
    expect(fromEpoch).toEqual(
      await pastEvents(cli, { since, container: 'kept', format: '{{.Action}}' }),
    );
    expect(fromEpoch).toContain('kill');
    expect((await docker('rm', 'kept')).code).toBe(0);
    // What Mesos cannot do is refused at create, not at the stop.
    const hup = await docker('create', '--stop-signal', 'HUP', 'nginx');
    expect(hup).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Signal HUP cannot be delivered/),
    });
    const relative = await docker('create', '-w', 'relative', 'nginx');
    expect(relative.stderr).toMatch(
      /the working directory "relative" is invalid, it needs to be an absolute path/,
    );
  });

  it('takes ps, images, volume and prune filters scripts use, as Docker answers them', async () => {
    expect((await docker('run', '--name', 'ok0', 'busybox', 'true')).code).toBe(0);
    expect((await docker('run', '--name', 'ok3', 'busybox', 'sh', '-c', 'exit 3')).code).toBe(3);
    const names = async (...filters: string[]) =>
      (
        await docker('ps', '-a', ...filters.flatMap((f) => ['-f', f]), '--format', '{{.Names}}')
      ).stdout
        .split('\n')
        .filter((n) => n.startsWith('ok'))
        .sort();
    expect(await names('exited=0')).toEqual(['ok0']);
    expect(await names('exited=3')).toEqual(['ok3']);
    expect(await names('health=none', 'is-task=false')).toEqual(['ok0', 'ok3']);
    expect(await names('volume=data')).toEqual([]);
    expect(await names('publish=80')).toEqual([]);
    expect((await docker('images', '-q', '-f', 'dangling=true')).stdout).toBe('');
    expect(
      (await docker('images', '-f', 'dangling=false', '--format', '{{.Repository}}')).stdout,
    ).toMatch(/busybox/);
    // Named by the short id `docker images -q` prints, as Docker resolves it.
    const shortId = (await docker('images', '-q', 'busybox')).stdout.trim();
    const since = await docker('images', '-q', '-f', `since=${shortId}`);
    expect(since).toMatchObject({ code: 0, stderr: '' });
    expect(since.stdout).not.toContain(shortId);
    expect((await docker('volume', 'rm', '-f', 'nothing-here')).code).toBe(0);
    expect((await docker('volume', 'rm', 'nothing-here')).stderr).toMatch(/no such volume/);
    // Created just now: not older than an hour, so kept; older than a minute from now, so pruned.
    expect((await docker('container', 'prune', '-f', '--filter', 'until=1h')).stdout).not.toMatch(
      /ok0/,
    );
    expect(await names()).toEqual(['ok0', 'ok3']);
    const later = String(Math.ceil(Date.now() / 1000) + 60);
    await docker('container', 'prune', '-f', '--filter', `until=${later}`);
    expect(await names()).toEqual([]);
  });

  it('changes a restart policy with docker update --restart, and refuses resources by name', async () => {
    expect((await docker('create', '--name', 'upd', 'busybox', 'sh', '-c', 'exit 2')).code).toBe(0);
    expect(await docker('update', '--restart', 'on-failure:3', 'upd')).toMatchObject({
      code: 0,
      stdout: 'upd\n',
    });
    const policy = await docker(
      'inspect',
      '-f',
      '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}',
      'upd',
    );
    expect(policy.stdout).toBe('on-failure:3\n');
    const memory = await docker('update', '-m', '256m', 'upd');
    expect(memory.stderr).toMatch(
      /update of Memory is not supported: a Mesos task keeps the resources/,
    );
    expect((await docker('update', '--restart', 'sometimes', 'upd')).stderr).toMatch(
      /invalid restart policy|invalid restart/i,
    );
    expect((await docker('rm', 'upd')).code).toBe(0);
  });

  it('gives a container the hostname inspect shows, its short id unless it asked for one', async () => {
    expect((await docker('run', '--name', 'hn', 'busybox', 'hostname')).code).toBe(0);
    const shown = await docker('inspect', '-f', '{{.Config.Hostname}}', 'hn');
    expect((await docker('logs', 'hn')).stdout).toBe(shown.stdout);
    expect(shown.stdout).toMatch(/^[0-9a-f]{12}\n$/);
    expect((await docker('run', '--rm', '-h', 'named', 'busybox', 'hostname')).stdout).toBe(
      'named\n',
    );
    expect((await docker('rm', 'hn')).code).toBe(0);
  });

  it('shows the last line of an ended container even when it has no newline', async () => {
    expect((await docker('run', '--name', 'nonl', 'busybox', 'printf', 'one\\ntwo')).code).toBe(0);
    expect((await docker('logs', 'nonl')).stdout).toBe('one\ntwo');
    expect((await docker('logs', '--tail', '1', 'nonl')).stdout).toBe('two');
    expect((await docker('rm', 'nonl')).code).toBe(0);
  });

  it('lets an image go as soon as the container that used it is removed, as rm -f is at once', async () => {
    expect((await docker('pull', 'memcached:1.6')).code).toBe(0);
    expect((await docker('run', '-d', '--name', 'user', 'memcached:1.6')).code).toBe(0);
    expect((await docker('rmi', 'memcached:1.6')).stderr).toMatch(/use it; remove them first/);
    expect((await docker('rm', '-f', 'user')).code).toBe(0);
    // The removed container is kept a moment for readers still attached, unseen.
    const rmi = await docker('rmi', 'memcached:1.6');
    expect(rmi, rmi.stderr).toMatchObject({ code: 0 });
  });

  it('leaves -e NAME unset when the client has no NAME, and lists every tag of a repository', async () => {
    // The CLI sends a bare NAME when its own environment has none.
    const unset = await docker(
      'run',
      '--rm',
      '-e',
      'SHOAL_TEST_UNSET_VAR',
      'busybox',
      'printenv',
      'SHOAL_TEST_UNSET_VAR',
    );
    expect(unset).toMatchObject({ code: 1, stdout: '' });
    expect((await docker('pull', 'busybox:1.36')).code).toBe(0);
    const tags = await docker('images', 'busybox', '--format', '{{.Tag}}');
    expect(tags.stdout.split('\n')).toContain('1.36');
  });

  it('replays what happened with docker events --since, removed containers included', async () => {
    const events = await pastEvents(cli, {
      since: startedAt,
      container: 'web',
      format: '{{.Action}}',
    });
    // As Docker: a stop is a kill (SIGTERM) the container dies of.
    expect(events).toEqual(['create', 'start', 'kill', 'die', 'stop', 'destroy']);
  });

  it('names a --rm container by its own name in the events of its end', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    expect((await docker('run', '--rm', '--name', 'fleeting', 'busybox', 'true')).code).toBe(0);
    const lines = await pastEvents(cli, {
      since,
      container: 'fleeting',
      format: '{{.Action}} {{.Actor.Attributes.name}}',
    });
    expect(lines).toEqual(expect.arrayContaining(['die fleeting', 'destroy fleeting']));
    // Its die says how long it ran, as Docker's does.
    const died = await pastEvents(cli, {
      since,
      container: 'fleeting',
      format: '{{.Actor.Attributes.exitCode}} {{.Actor.Attributes.execDuration}}',
      only: ['die'],
    });
    expect(died).toEqual([expect.stringMatching(/^0 \d+$/)]);
  });

  it('dates log lines when they were written, for logs -t and --since', async () => {
    const run = await docker(
      'run',
      '-d',
      '--name',
      'clock',
      'busybox',
      'sh',
      '-c',
      'echo one; sleep 3; echo two >&2; sleep 3; echo three',
    );
    expect(run.code).toBe(0);
    const stampsOf = async () => {
      const stamped = await docker('logs', '-t', 'clock');
      const lines = `${stamped.stdout}${stamped.stderr}`.split('\n').filter(Boolean);
      return new Map(
        lines.map((l) => {
          const [time, text] = l.split(' ');
          return [text!, Date.parse(time!)];
        }),
      );
    };
    // Read while it runs: when each line was first seen. Dates come from what was seen of
    // the files while it ran (the leader's samples, or reads like these), so a line's date
    // is never later than the first read that showed it, however late `docker logs` asks.
    const firstSeenBy = new Map<string, number>();
    await eventually('clock to finish, each line read', async () => {
      const stamps = await stampsOf();
      const readBy = Date.now();
      for (const text of stamps.keys()) if (!firstSeenBy.has(text)) firstSeenBy.set(text, readBy);
      const state = await docker('inspect', '--format', '{{.State.Status}}', 'clock');
      return state.stdout.trim() === 'exited' && firstSeenBy.size === 3;
    });
    const at = Object.fromEntries(await stampsOf());
    expect(Object.keys(at).sort()).toEqual(['one', 'three', 'two']);
    for (const [text, readBy] of firstSeenBy) expect(at[text]).toBeLessThanOrEqual(readBy);
    expect(at.one!).toBeLessThan(at.two!);
    expect(at.two!).toBeLessThan(at.three!);

    // Bounds between the dates, whatever the gaps turned out to be on this machine.
    const between = (a: number, b: number) => ((a + b) / 2 / 1000).toFixed(3);
    const recent = await docker('logs', '--since', between(at.one!, at.two!), 'clock');
    expect(recent.stdout).toBe('three\n');
    expect(recent.stderr).toBe('two\n');
    const early = await docker('logs', '--until', between(at.two!, at.three!), 'clock');
    expect(early.stdout).toBe('one\n');
    expect(early.stderr).toBe('two\n');
    expect((await docker('rm', 'clock')).code).toBe(0);
  });

  it('keeps what every run of a container wrote, as Docker keeps its log across starts', async () => {
    const run = await docker('run', '--name', 'again', 'busybox', 'sh', '-c', 'echo ran; exit 1');
    expect(run).toMatchObject({ code: 1, stdout: 'ran\n' });
    const second = await docker('start', '-a', 'again');
    expect(second).toMatchObject({ code: 1, stdout: 'ran\n' });
    expect((await docker('logs', 'again')).stdout).toBe('ran\nran\n');
    expect((await docker('logs', '--tail', '1', 'again')).stdout).toBe('ran\n');
    expect((await docker('rm', 'again')).code).toBe(0);
  });

  it("replays every exit of a container its restart policy ran again, with each exit's code", async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const run = await docker(
      'run',
      '-d',
      '--name',
      'flaky',
      '--restart',
      'on-failure:2',
      'busybox',
      'sh',
      '-c',
      'exit 3',
    );
    expect(run.code).toBe(0);
    await eventually('flaky to give up', async () => {
      const state = await docker(
        'inspect',
        '--format',
        '{{.State.Status}} {{.RestartCount}}',
        'flaky',
      );
      return state.stdout.trim() === 'exited 2';
    });
    const events = await pastEvents(cli, {
      since,
      container: 'flaky',
      only: ['start', 'die'],
      format: '{{.Action}} {{.Actor.Attributes.exitCode}}',
    });
    expect(events).toEqual([
      'start <no value>',
      'die 3',
      'start <no value>',
      'die 3',
      'start <no value>',
      'die 3',
    ]);
    expect((await docker('rm', 'flaky')).code).toBe(0);
  });

  it('streams live events after replaying the past ones', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    expect((await docker('create', '--name', 'live', 'busybox', 'echo', 'hi')).code).toBe(0);
    const watcher = spawn(
      cli.binary,
      [
        'events',
        '--since',
        since,
        '--filter',
        'container=live',
        '--format',
        '{{.Action}} {{.Actor.Attributes.name}}',
      ],
      { env: cli.env },
    );
    try {
      // One reader of the output for the whole test: each wait only looks at what it read.
      let seen = '';
      const waits = new Set<() => void>();
      watcher.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        for (const check of waits) check();
      });
      const printed = (text: string) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (!seen.includes(text)) return;
            waits.delete(check);
            resolve();
          };
          waits.add(check);
          check();
        });
      // The server subscribes before it replays, so once the replayed create is out, nothing can be missed.
      await printed('create live');
      expect((await docker('start', '-a', 'live')).stdout).toBe('hi\n');
      expect((await docker('rm', 'live')).code).toBe(0);
      await printed('destroy live');
      expect(seen.split('\n').filter(Boolean)).toEqual([
        'create live',
        'start live',
        'die live',
        'destroy live',
      ]);
    } finally {
      watcher.kill();
    }
  });
});

describe('docker exec under the ucr runtime (nested container sessions on the agent)', () => {
  let ucr: DockerCli;
  let webId: string;
  let ucrToken: string;

  beforeAll(async () => {
    const { services } = shoal;
    const team = await services.tenants.create({ slug: 'ucr-team', name: 'UCR team' }, 'test');
    // The tenant's admin picks the runtime; its containers need no flag.
    await services.tenantAdmin.update(team.id, { runtime: 'ucr' }, 'test');
    const { secret } = await services.tokens.issue({ tenantId: team.id, name: 'cli' }, 'test');
    ucrToken = secret;
    ucr = dockerCli(shoal.dockerApi.url, secret);
    const run = await ucr.run(
      'run',
      '-d',
      '--name',
      'web',
      '-e',
      'GREETING=hello',
      'alpine',
      'sleep',
      'infinity',
    );
    expect(run.code).toBe(0);
    webId = run.stdout.trim();
  });
  afterAll(() => ucr?.close());

  it('runs the container under the Mesos containerizer the tenant’s admin chose', async () => {
    const inspected = await ucr.run(
      'inspect',
      '--format',
      '{{.HostConfig.Runtime}} {{.State.Status}}',
      'web',
    );
    expect(inspected.stdout).toBe('ucr running\n');
  });

  it('ends an exec whose container is removed under it as killed (137), its stream whole', async () => {
    const run = await ucr.run('run', '-d', '--name', 'doomed', 'alpine', 'sleep', 'infinity');
    expect(run.code).toBe(0);
    const base = shoal.dockerApi.url.replace('tcp:', 'http:');
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${ucrToken}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const created = await call('POST', '/containers/doomed/exec', {
      Cmd: ['sh', '-c', 'echo begun; sleep 600; echo never'],
      AttachStdout: true,
      AttachStderr: true,
    });
    const { Id } = (await created.json()) as { Id: string };
    const started = await call('POST', `/exec/${Id}/start`, { Detach: false, Tty: false });
    const reader = started.body!.getReader();
    let seen = '';
    while (!seen.includes('begun')) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += Buffer.from(value).toString('latin1');
    }
    expect(seen).toContain('begun');
    expect((await call('DELETE', '/containers/doomed?force=1')).status).toBe(204);
    // The stream ends, rather than being cut, and never says the rest.
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      seen += Buffer.from(chunk.value).toString('latin1');
    expect(seen).not.toContain('never');
    const exec = (await (await call('GET', `/exec/${Id}/json`)).json()) as {
      Running: boolean;
      ExitCode: number | null;
    };
    expect(exec).toMatchObject({ Running: false, ExitCode: 137 });
  });

  it('docker exec web echo hi prints hi', async () => {
    expect(await ucr.run('exec', 'web', 'echo', 'hi')).toEqual({
      code: 0,
      stdout: 'hi\n',
      stderr: '',
    });
  });

  it('keeps stdout and stderr apart, in the environment and sandbox of the container', async () => {
    const exec = await ucr.run(
      'exec',
      '-e',
      'EXTRA=1',
      'web',
      'sh',
      '-c',
      'echo "$GREETING $EXTRA"; echo oops >&2; ls',
    );
    expect(exec).toEqual({ code: 0, stdout: 'hello 1\nstderr\nstdout\n', stderr: 'oops\n' });
  });

  it('docker exec -i web cat echoes piped stdin', async () => {
    expect(await ucr.runWithInput('a\nb\n', 'exec', '-i', 'web', 'cat')).toEqual({
      code: 0,
      stdout: 'a\nb\n',
      stderr: '',
    });
    // Without -i the process reads an empty input, as from /dev/null.
    expect(await ucr.runWithInput('ignored\n', 'exec', 'web', 'cat')).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it("docker exec web sh -c 'exit 7' exits 7", async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    expect((await ucr.run('exec', 'web', 'sh', '-c', 'exit 7')).code).toBe(7);
    expect((await ucr.run('exec', 'web', 'no-such-tool')).code).toBe(127);
    // docker events tells of each process, as Docker's does; `event=exec_start` alone
    // takes the actions that carry the command after it. The last are these two's (the
    // replay starts a second back, where other tests' processes may be).
    const execs = (only: string[]) =>
      pastEvents(ucr, {
        since,
        container: 'web',
        format: '{{.Action}} {{.Actor.Attributes.exitCode}}',
        only,
      });
    expect((await execs(['exec_start'])).slice(-2)).toEqual([
      'exec_start: sh -c exit 7 <no value>',
      'exec_start: no-such-tool <no value>',
    ]);
    expect((await execs(['exec_create', 'exec_die'])).slice(-4)).toEqual([
      'exec_create: sh -c exit 7 <no value>',
      'exec_die 7',
      'exec_create: no-such-tool <no value>',
      'exec_die 127',
    ]);
  });

  it('docker exec -it works under a pseudo-terminal: prompt, echo, window size and exit code', async () => {
    const pty = underPty(ucr, 'stty rows 40 cols 120; exec docker exec -it web sh');
    try {
      await pty.until('/mnt/mesos/sandbox # ');
      pty.type('stty size; tty\r');
      await pty.until('40 120\r\n/dev/pts/0\r\n');
      pty.type('exit 3\r');
      expect(await pty.exited).toBe(3);
    } finally {
      pty.kill();
    }
  });

  it('another tenant’s exec is "No such container", by name and by id', async () => {
    for (const ref of ['web', webId, webId.slice(0, 12)]) {
      const exec = await docker('exec', ref, 'echo', 'hi');
      expect(exec.code, ref).not.toBe(0);
      // CLI 28 prints the daemon's answer; Debian's CLI 20.10 words the 404 itself.
      expect(exec.stderr, ref).toMatch(
        new RegExp(`^Error( response from daemon)?: No such container: ${ref}$`, 'm'),
      );
      expect(exec.stdout).toBe('');
    }
  });

  it('refuses a container of the docker runtime with the runtime named', async () => {
    expect(
      (await ucr.run('run', '-d', '--runtime', 'docker', '--name', 'plain', 'nginx')).code,
    ).toBe(0);
    const exec = await ucr.run('exec', 'plain', 'ls');
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toMatch(/exec is not supported under the docker runtime/);
    expect((await ucr.run('rm', '-f', 'plain')).code).toBe(0);
  });

  it('docker run -it: the terminal through the agent, its first prompt, resized, exit code', async () => {
    const pty = underPty(ucr, 'stty rows 30 cols 100; exec docker run -it --rm alpine sh');
    try {
      // The prompt was written before the CLI's attachment reached the agent: replayed.
      await pty.until('/mnt/mesos/sandbox # ');
      pty.type('echo hello\r');
      await pty.until('echo hello\r\nhello\r\n');
      // The CLI resizes the container's terminal after the start (POST /containers/{id}/resize).
      pty.type('stty size\r');
      await pty.until('30 100\r\n');
      pty.type('exit 3\r');
      expect(await pty.exited).toBe(3);
    } finally {
      pty.kill();
    }
    // --rm: gone once the CLI has its exit code; only the tenant's web is left.
    expect((await ucr.run('ps', '-a', '--format', '{{.Names}}')).stdout).toBe('web\n');
  });

  it('docker run -it: the terminal has the client’s size from the first instant', async () => {
    const pty = underPty(ucr, 'stty rows 29 cols 101; exec docker run -it --rm alpine stty size');
    try {
      // Asked at once, before any resize after the start could have reached it.
      await pty.until('29 101\r\n');
      expect(await pty.exited).toBe(0);
    } finally {
      pty.kill();
    }
    // And inspect shows the size a create from a terminal asked for.
    const create = underPty(
      ucr,
      'stty rows 33 cols 99; exec docker create -it --name sized alpine',
    );
    try {
      expect(await create.exited).toBe(0);
    } finally {
      create.kill();
    }
    const shown = await ucr.run('inspect', '--format', '{{json .HostConfig.ConsoleSize}}', 'sized');
    expect(shown.stdout.trim()).toBe('[33,99]');
    expect((await ucr.run('rm', 'sized')).code).toBe(0);
  });

  it('docker run prints the output of a command that ends at once, with -t or without', async () => {
    // The task ends before Shoal hears it started, its terminal with it: the output comes
    // from the log then.
    for (let i = 0; i < 3; i++) {
      expect(await ucr.run('run', '-t', '--rm', 'alpine', 'echo', 'tty')).toEqual({
        code: 0,
        stdout: 'tty\r\n',
        stderr: '',
      });
    }
    expect(await ucr.run('run', '--rm', 'alpine', 'echo', 'no tty')).toEqual({
      code: 0,
      stdout: 'no tty\n',
      stderr: '',
    });
    expect((await ucr.run('ps', '-a', '--format', '{{.Names}}')).stdout).toBe('web\n');
  });

  it('docker attach types at a running container’s terminal, which keeps its exit code', async () => {
    expect((await ucr.run('run', '-dit', '--name', 'term', 'alpine', 'sh')).code).toBe(0);
    const pty = underPty(ucr, 'exec docker attach term');
    try {
      // Docker shows nothing from before the attachment; what is typed is echoed.
      pty.type('echo attached\r');
      await pty.until('attached\r\n/mnt/mesos/sandbox # ');
      pty.type('exit 4\r');
      expect(await pty.exited).toBe(4);
    } finally {
      pty.kill();
    }
    const state = await ucr.run(
      'inspect',
      '--format',
      '{{.State.Status}} {{.State.ExitCode}}',
      'term',
    );
    expect(state.stdout).toBe('exited 4\n');
    expect((await ucr.run('rm', 'term')).code).toBe(0);
  });

  it('docker run -i without -t: the command runs beside the task as a nested session, fed the pipe', async () => {
    expect(await ucr.runWithInput('a\nb\n', 'run', '-i', '--rm', 'alpine', 'cat')).toEqual({
      code: 0,
      stdout: 'a\nb\n',
      stderr: '',
    });
    // --rm: gone once the CLI has its exit code; only the tenant's web is left.
    expect((await ucr.run('ps', '-a', '--format', '{{.Names}}')).stdout).toBe('web\n');
  });

  it("docker run -i exits with the command's exit code, which the container keeps", async () => {
    const run = await ucr.runWithInput(
      '',
      'run',
      '-i',
      '--name',
      'piped',
      'alpine',
      'sh',
      '-c',
      'echo out; echo err >&2; exit 3',
    );
    expect(run).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    const state = await ucr.run(
      'inspect',
      '--format',
      '{{.State.Status}} {{.State.ExitCode}} {{.Config.OpenStdin}} {{.Config.StdinOnce}}',
      'piped',
    );
    expect(state.stdout).toBe('exited 3 true true\n');
    expect((await ucr.run('rm', 'piped')).code).toBe(0);
  });

  it('an SDK that attaches without taking over the connection gives the command an empty input', async () => {
    const client = new Docker({
      host: '127.0.0.1',
      port,
      headers: { Authorization: `Bearer ${ucrToken}` },
    });
    const container = await client.createContainer({
      Image: 'alpine',
      Cmd: ['sh', '-c', 'cat; echo read all'],
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
    });
    const stream = await container.attach({ stream: true, stdin: true, stdout: true });
    const out: Buffer[] = [];
    client.modem.demuxStream(stream, collect(out), collect([]));
    const ended = new Promise((resolve) => stream.on('end', resolve));
    const waited = container.wait({ condition: 'next-exit' });
    await container.start();
    expect(await waited).toMatchObject({ StatusCode: 0 });
    await ended;
    expect(Buffer.concat(out).toString()).toBe('read all\n');
    await container.remove();
  });

  it('refuses -di under ucr (no client to give the input), and -i under the docker runtime, naming each', async () => {
    const detached = await ucr.run('run', '-di', 'alpine', 'cat');
    expect(detached.code).toBe(125);
    expect(detached.stderr).toMatch(
      /-i \(--interactive\) without -t is supported under the ucr runtime .* only for a client attached from the start/,
    );
    const docker = await ucr.runWithInput(
      'a\n',
      'run',
      '-i',
      '--rm',
      '--runtime',
      'docker',
      'alpine',
      'cat',
    );
    expect(docker.code).toBe(125);
    expect(docker.stderr).toMatch(/-i \(--interactive\) is not supported under the docker runtime/);
  });

  it('refuses docker exec in a stopped container, as Docker does', async () => {
    expect((await ucr.run('stop', 'web')).code).toBe(0);
    const exec = await ucr.run('exec', 'web', 'echo', 'hi');
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toBe(`Error response from daemon: container ${webId} is not running\n`);
  });
});

/** The docker CLI under a pseudo-terminal (util-linux `script`), typed at as a person would. */
function underPty(cli: DockerCli, command: string) {
  const child = spawn('script', ['-qec', command.replace(/\bdocker\b/, cli.binary), '/dev/null'], {
    env: { ...cli.env, TERM: 'xterm' },
  });
  let screen = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    exited,
    type: (text: string) => child.stdin.write(text),
    kill: () => child.kill(),
    until: (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!screen.includes(text)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        // A bound for a broken test only; the wait ends as soon as the text is on screen.
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`"${text}" never came; the screen was ${JSON.stringify(screen)}`));
        }, 30_000);
        waiters.add(check);
        check();
      }),
  };
}

/** A Writable that keeps what demuxStream gives it. */
const collect = (chunks: Buffer[]) =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });

describe('dockerode against Shoal', () => {
  let client: Docker;
  beforeAll(() => {
    client = new Docker({ host: '127.0.0.1', port, headers: { Authorization: `Bearer ${token}` } });
  });

  it('creates, attaches, starts, waits, reads logs and removes', async () => {
    const container = await client.createContainer({
      name: 'sdk',
      Image: 'busybox',
      Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 2'],
      Labels: { via: 'dockerode' },
    });
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    client.modem.demuxStream(stream, collect(out), collect(err));
    const ended = new Promise((resolve) => stream.on('end', resolve));
    // Sent before start: not-running (the default) would answer at once for a created container.
    const waited = container.wait({ condition: 'next-exit' });
    await container.start();
    expect(await waited).toMatchObject({ StatusCode: 2 });
    await ended;
    expect(Buffer.concat(out).toString()).toBe('out\n');
    expect(Buffer.concat(err).toString()).toBe('err\n');

    const listed = await client.listContainers({
      all: true,
      filters: { label: ['via=dockerode'] },
    });
    expect(listed.map((c) => c.Names[0])).toEqual(['/sdk']);
    expect((await container.inspect()).State).toMatchObject({ Status: 'exited', ExitCode: 2 });

    const logs = await container.logs({ stdout: true, stderr: true, follow: false });
    const logOut: Buffer[] = [];
    const logErr: Buffer[] = [];
    const logStream = Readable.from([logs]);
    client.modem.demuxStream(logStream, collect(logOut), collect(logErr));
    await new Promise((resolve) => logStream.on('end', resolve));
    expect([Buffer.concat(logOut).toString(), Buffer.concat(logErr).toString()]).toEqual([
      'out\n',
      'err\n',
    ]);

    await expect(container.exec({ Cmd: ['ls'] })).rejects.toMatchObject({ statusCode: 501 });
    await container.remove();
    await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('follows logs and watches events, live and replayed, as an SDK user would', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const live = (await client.getEvents({
      filters: { container: ['sdk-follow'] },
    })) as unknown as Readable;
    const seen: string[] = [];
    const died = new Promise<void>((resolve) =>
      live.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          const action = (JSON.parse(line) as { Action: string }).Action;
          seen.push(action);
          if (action === 'die') resolve();
        }
      }),
    );
    const container = await client.createContainer({
      name: 'sdk-follow',
      Image: 'busybox',
      Cmd: ['sh', '-c', 'echo a; sleep 1; echo b'],
    });
    await container.start();
    const following = (await container.logs({
      follow: true,
      stdout: true,
      stderr: true,
    })) as unknown as Readable;
    const out: Buffer[] = [];
    client.modem.demuxStream(following, collect(out), collect([]));
    await new Promise((resolve) => following.on('end', resolve));
    expect(Buffer.concat(out).toString()).toBe('a\nb\n');
    await died;
    live.destroy();
    expect(seen).toEqual(['create', 'start', 'die']);

    const replayed = (await client.getEvents({
      since,
      until: Math.floor(Date.now() / 1000) + 1,
      filters: { container: ['sdk-follow'] },
    })) as unknown as Readable;
    let text = '';
    for await (const chunk of replayed) text += String(chunk);
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { Action: string }).Action),
    ).toEqual(['create', 'start', 'die']);
    await container.remove();
  });

  it('runs a server, stops it and reads info, as an SDK user would', async () => {
    const server = await client.createContainer({
      Image: 'nginx',
      HostConfig: { Memory: 64 * 1024 * 1024 },
    });
    await server.start();
    expect((await server.inspect()).State.Running).toBe(true);
    const info = (await client.info()) as {
      ContainersRunning: number;
      Shoal: { tenant: { slug: string } };
    };
    expect(info).toMatchObject({ ContainersRunning: 1, Shoal: { tenant: { slug: 'e2e' } } });
    await server.stop({ t: 1 });
    expect((await server.inspect()).State).toMatchObject({ Running: false, ExitCode: 143 });
    await server.remove();
  });
});

describe('placement constraints over the Docker API', () => {
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${shoal.dockerApi.url.replace('tcp://', 'http://')}/v1.50${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const create = (constraints: string) =>
    api('POST', '/containers/create?name=picky', {
      Image: 'nginx',
      Labels: { 'shoal.constraints': constraints },
    });

  it('refuses a LIKE pattern RE2 cannot run with 400 naming the pattern, and creates nothing', async () => {
    for (const [pattern, why] of [
      ['(r)\\1', /invalid escape sequence/],
      ['r(?=1)', /invalid or unsupported Perl syntax/],
      ['r[0-9', /missing closing \]/],
    ] as const) {
      const res = await create(`rack:LIKE:${pattern}`);
      expect(res.status, pattern).toBe(400);
      const body = (await res.json()) as { message: string };
      expect(body.message).toContain(
        `Placement constraint "rack:LIKE:${pattern}": the pattern "${pattern}" is not a valid regular expression (`,
      );
      expect(body.message).toMatch(why);
    }
    expect((await api('GET', '/containers/picky/json')).status).toBe(404);

    expect((await create('rack:LIKE:(a+)+$')).status).toBe(201);
    expect((await api('DELETE', '/containers/picky')).status).toBe(204);
  });
});

/** Bytes from the CLI's human units (kB, MB: powers of 1000; B). */
function bytesOf(text: string): number {
  const match = /^([\d.]+)([kMG]?B)$/.exec(text.trim());
  if (!match) throw new Error(`not a size: ${text}`);
  const unit = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[match[2] as 'B' | 'kB' | 'MB' | 'GB'];
  return Number(match[1]) * unit;
}
