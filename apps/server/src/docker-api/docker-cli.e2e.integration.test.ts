import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCli, type DockerCli } from '@shoal/docker-api/testing';
import type { RunningShoal } from '../app';
import { eventually, startShoalForTest } from '../testing/shoal-under-test';

// The whole of Shoal in this process (PostgreSQL test database, Mesos
// emulator, framework, Docker API), driven by the real docker CLI and by
// dockerode as a tenant would drive them.

let shoal: RunningShoal;
let token: string;
let cli: DockerCli;
let port: number;

beforeAll(async () => {
  shoal = await startShoalForTest();
  const { services } = shoal;
  const tenant = await services.tenants.create({ slug: 'e2e', name: 'End to end' }, 'test');
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
    const inspected = await docker('inspect', id.slice(0, 12));
    const [view] = JSON.parse(inspected.stdout) as {
      Name: string;
      State: { Running: boolean };
      Config: { Tty: boolean };
    }[];
    expect(view).toMatchObject({ Name: '/web', State: { Running: true }, Config: { Tty: false } });
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

  it('says clearly that exec is not supported', async () => {
    const exec = await docker('exec', 'web', 'ls');
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toMatch(/Error response from daemon: exec is not supported: Mesos/);
  });

  it('stops and removes', async () => {
    expect(await docker('stop', 'web')).toMatchObject({ code: 0, stdout: 'web\n' });
    expect(await docker('rm', 'web', 'talker')).toMatchObject({ code: 0, stdout: 'web\ntalker\n' });
    expect((await docker('ps', '-a', '--format', '{{.Names}}')).stdout).toBe('');
  });

  it('replays what happened with docker events --since, removed containers included', async () => {
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const events = await docker(
      'events',
      '--since',
      String(startedAt),
      '--until',
      until,
      '--filter',
      'container=web',
      '--format',
      '{{.Action}}',
    );
    expect(events.code).toBe(0);
    expect(events.stdout.split('\n').filter(Boolean)).toEqual([
      'create',
      'start',
      'die',
      'stop',
      'destroy',
    ]);
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
    await eventually('clock to finish', async () => {
      const state = await docker('inspect', '--format', '{{.State.Status}}', 'clock');
      return state.stdout.trim() === 'exited';
    });
    const stamped = await docker('logs', '-t', 'clock');
    const lines = `${stamped.stdout}${stamped.stderr}`.split('\n').filter(Boolean);
    const at = Object.fromEntries(
      lines.map((l) => {
        const [time, text] = l.split(' ');
        return [text!, Date.parse(time!)];
      }),
    );
    expect(Object.keys(at).sort()).toEqual(['one', 'three', 'two']);
    // Written 3 s apart; each is dated within the test's 0.5 s sampling interval (plus the
    // emulator's timing), never at the moment docker logs read them.
    for (const [earlier, later] of [
      ['one', 'two'],
      ['two', 'three'],
    ] as const) {
      expect(at[later]! - at[earlier]!).toBeGreaterThan(1_500);
      expect(at[later]! - at[earlier]!).toBeLessThan(5_500);
    }

    const since = ((at.two! - 1_000) / 1000).toFixed(3);
    const recent = await docker('logs', '--since', since, 'clock');
    expect(recent.stdout).toBe('three\n');
    expect(recent.stderr).toBe('two\n');
    expect((await docker('rm', 'clock')).code).toBe(0);
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
    const events = await docker(
      'events',
      '--since',
      since,
      '--until',
      String(Math.floor(Date.now() / 1000) + 1),
      '--filter',
      'container=flaky',
      '--filter',
      'event=start',
      '--filter',
      'event=die',
      '--format',
      '{{.Action}} {{.Actor.Attributes.exitCode}}',
    );
    expect(events.stdout.split('\n').filter(Boolean)).toEqual([
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
      let seen = '';
      const printed = (text: string) =>
        new Promise<void>((resolve) => {
          const check = () => seen.includes(text) && resolve();
          watcher.stdout.on('data', (chunk: Buffer) => {
            seen += chunk.toString();
            check();
          });
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
