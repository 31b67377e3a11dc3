import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningShoal } from '../app';
import { eventually, startShoalForTest } from '../testing/shoal-under-test';

// Random requests from a fixed seed, so a failure can be replayed.
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

let shoal: RunningShoal;
let base: string;
let token: string;
let tenantId: string;

beforeAll(async () => {
  shoal = await startShoalForTest();
  const tenant = await shoal.services.tenants.create({ slug: 'fuzz', name: 'Fuzz' }, 'test');
  tenantId = tenant.id;
  token = (await shoal.services.tokens.issue({ tenantId, name: 'fuzz' }, 'test')).secret;
  base = shoal.dockerApi.url.replace('tcp://', 'http://');
  await eventually(
    'the framework to subscribe',
    async () => shoal.services.cluster.framework().subscribed,
  );
});
afterAll(async () => {
  await shoal?.close();
});

describe('the Docker API under garbage', () => {
  it('answers every malformed request with a 4xx JSON error and stores nothing partial', async () => {
    const random = prng(20261125);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const junk = (): unknown =>
      pick([
        () => null,
        () => -1,
        () => 1e308,
        () => 'x'.repeat(Math.floor(random() * 300)),
        () => '\u0000\u202e☃',
        () => [],
        () => [1, 'a', null],
        () => ({ nested: { deeper: [{}] } }),
        () => true,
        () => '../../etc/passwd',
        () => 'a\u0000b',
        () => '\ud800x',
        () => ({ ['k\udc00']: 'v' }),
      ])();
    const fields = [
      'Image',
      'Cmd',
      'Env',
      'Labels',
      'HostConfig',
      'ExposedPorts',
      'Tty',
      'Entrypoint',
      'WorkingDir',
      'User',
      'Hostname',
      'StopSignal',
      'Healthcheck',
    ];
    const hostFields = [
      'Memory',
      'NanoCpus',
      'CpuShares',
      'RestartPolicy',
      'PortBindings',
      'AutoRemove',
      'NetworkMode',
      'Privileged',
      'Binds',
    ];
    const body = () => {
      const kind = random();
      if (kind < 0.15) return pick(['{', 'null', '[]', '"text"', '{"Image": }', '\u0000']);
      const b: Record<string, unknown> = {};
      for (const f of fields) if (random() < 0.4) b[f] = junk();
      if (random() < 0.5)
        b.HostConfig = Object.fromEntries(
          hostFields.filter(() => random() < 0.4).map((f) => [f, junk()]),
        );
      if (random() < 0.3) b.Image = 'nginx';
      return JSON.stringify(b);
    };
    // An unpaired surrogate has no percent-encoding; a NUL byte stands in for it there.
    const encoded = (value: unknown) => {
      try {
        return encodeURIComponent(String(value));
      } catch {
        return '%00';
      }
    };
    const ref = () => encoded(pick(['nope', '', '%', 'a'.repeat(200), '../x', '0', 'web', junk()]));
    const q = () => encoded(junk());

    let created = 0;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const [method, path, sendBody] = pick([
        ['POST', `/containers/create?name=${q()}`, true],
        ['POST', '/v1.44/containers/create', true],
        ['GET', `/containers/json?all=${q()}&filters=${q()}&limit=${q()}`, false],
        ['GET', `/containers/${ref()}/json`, false],
        ['POST', `/containers/${ref()}/start`, false],
        ['POST', `/containers/${ref()}/stop?t=${q()}`, false],
        ['POST', `/containers/${ref()}/kill?signal=${q()}`, false],
        ['DELETE', `/containers/${ref()}?force=${q()}`, false],
        ['GET', `/containers/${ref()}/logs?stdout=1&tail=${q()}&since=${q()}`, false],
        ['GET', `/v${q()}/info`, false],
        ['POST', `/images/create?fromImage=${q()}&tag=${q()}`, false],
        ['GET', `/images/json?filters=${q()}`, false],
      ] as const);
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(sendBody ? { body: body() } : {}),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status, `${method} ${path} → ${text.slice(0, 200)}`).toBeLessThan(500);
      if (response.status >= 400) {
        const parsed = JSON.parse(text) as { message?: unknown };
        expect(typeof parsed.message, `${method} ${path}`).toBe('string');
        expect(String(parsed.message)).not.toMatch(/\n\s+at /);
      }
      if (response.status === 201 && path.includes('/containers/create')) created++;
    }
    // Rows exist exactly for the creates that succeeded, each whole.
    const rows = await shoal.db.prisma.container.findMany({ where: { tenantId } });
    expect(rows.filter((r) => r.state !== 'REMOVING').length).toBeLessThanOrEqual(created);
    for (const row of rows) expect(row.image.length).toBeGreaterThan(0);
    expect(statuses.size).toBeGreaterThan(2);
  }, 120_000);

  it('refuses NUL bytes and unpaired surrogates in names, labels, env, refs and filters with 400, storing nothing', async () => {
    const send = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, text: await response.text() };
    };
    const bad = ['a\u0000b', '\ud800', 'x\udc00y', '\udbff\udbff'];
    const filters = (value: string) => encodeURIComponent(`{"label":[${JSON.stringify(value)}]}`);
    const before = await shoal.db.prisma.container.count({ where: { tenantId } });
    const cases: [string, string, unknown?][] = [];
    for (const text of bad) {
      cases.push(
        ['POST', '/containers/create', { Image: `nginx${text}` }],
        ['POST', '/containers/create', { Image: 'nginx', Labels: { [`k${text}`]: 'v' } }],
        ['POST', '/containers/create', { Image: 'nginx', Labels: { k: text } }],
        ['POST', '/containers/create', { Image: 'nginx', Env: [`A=${text}`] }],
        ['POST', '/containers/create', { Image: 'nginx', Cmd: ['echo', text] }],
        ['POST', '/containers/create', { Image: 'nginx', WorkingDir: `/${text}` }],
        ['POST', '/containers/create', { Image: 'nginx', HostConfig: { NetworkMode: text } }],
        ['GET', `/containers/json?all=1&filters=${filters(text)}`],
        ['GET', `/events?since=1&until=2&filters=${filters(text)}`],
        ['GET', `/images/json?filters=${filters(text)}`],
      );
    }
    for (const encoded of ['a%00b', '%00']) {
      cases.push(
        ['POST', `/containers/create?name=${encoded}`, { Image: 'nginx' }],
        ['GET', `/containers/${encoded}/json`],
        ['POST', `/containers/${encoded}/start`],
        ['POST', `/containers/${encoded}/stop`],
        ['POST', `/containers/${encoded}/wait`],
        ['DELETE', `/containers/${encoded}`],
        ['GET', `/containers/${encoded}/logs?stdout=1`],
        ['POST', `/containers/${encoded}/rename?name=x`],
        ['POST', `/containers/x/rename?name=${encoded}`],
        ['POST', `/images/create?fromImage=${encoded}`],
        ['GET', `/images/${encoded}/json`],
      );
    }
    for (const [method, path, body] of cases) {
      const { status, text } = await send(method, path, body);
      expect(status, `${method} ${path} ${JSON.stringify(body)} → ${text.slice(0, 200)}`).toBe(400);
      expect(JSON.parse(text)).toMatchObject({ message: expect.any(String) });
    }
    expect(await shoal.db.prisma.container.count({ where: { tenantId } })).toBe(before);
  });

  it('refuses an oversized body with 413 and a JSON message', async () => {
    const response = await fetch(`${base}/containers/create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Image: 'nginx', Env: ['A='.padEnd(3 * 1024 * 1024, 'x')] }),
    });
    expect(response.status).toBe(413);
    expect(typeof ((await response.json()) as { message: unknown }).message).toBe('string');
  });
});

describe('the Docker API at the edges of its input', () => {
  const call = (method: string, path: string, body?: string) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    });

  it('refuses a body nested thousands deep with 400, storing nothing', async () => {
    const before = await shoal.db.prisma.container.count({ where: { tenantId } });
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    for (const body of [
      `{"Image":"alpine","Foo":${deep}}`,
      `{"Image":"alpine","HostConfig":{"Foo":${deep}}}`,
    ]) {
      const response = await call('POST', '/containers/create', body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(
        /^invalid request body: .*Foo(\.0)+ nests deeper than 100 levels$/,
      );
    }
    expect(await shoal.db.prisma.container.count({ where: { tenantId } })).toBe(before);
  });

  it("holds a create to the dashboard form's bounds, storing nothing", async () => {
    const before = await shoal.db.prisma.container.count({ where: { tenantId } });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['name', { Image: 'alpine' }, /longer than 128 characters/],
      ['image', { Image: `a${'b'.repeat(600)}` }, /longer than 512 characters/],
      ['label', { Image: 'alpine', Labels: { big: 'x'.repeat(5000) } }, /longer than 4096/],
      ['hostname', { Image: 'alpine', Hostname: 'h'.repeat(300) }, /longer than 64/],
      [
        'memory',
        { Image: 'alpine', HostConfig: { Memory: 1 } },
        /^Minimum memory limit allowed is 4MB$/,
      ],
      ['cpus', { Image: 'alpine', HostConfig: { NanoCpus: 1 } }, /cpus .* below the least/],
      [
        'port',
        {
          Image: 'alpine',
          ExposedPorts: { '80/tcp': {}, '81/tcp': {} },
          HostConfig: {
            PortBindings: { '80/tcp': [{ HostPort: '31501' }], '81/tcp': [{ HostPort: '31501' }] },
          },
        },
        /host port 31501\/tcp is published twice/,
      ],
      [
        'labels',
        {
          Image: 'alpine',
          Labels: Object.fromEntries(
            Array.from({ length: 20 }, (_, i) => [`l${i}`, 'x'.repeat(4000)]),
          ),
        },
        /labels hold 80\d+ characters in all, more than 65536/,
      ],
      [
        'env',
        { Image: 'alpine', Env: [`A=${'x'.repeat(140_000)}`] },
        /environment: .* longer than 131072/,
      ],
      [
        'env-total',
        { Image: 'alpine', Env: ['A', 'B', 'C'].map((k) => `${k}=${'x'.repeat(100_000)}`) },
        /environment holds 300006 characters in all, more than 262144/,
      ],
      [
        'cmd',
        { Image: 'alpine', Entrypoint: ['sh'], Cmd: ['-c', 'x'.repeat(140_000)] },
        /command: .* longer than 131072/,
      ],
      ['user', { Image: 'alpine', User: 'u'.repeat(300) }, /user .* longer than 256/],
      [
        'workdir',
        { Image: 'alpine', WorkingDir: `/${'w'.repeat(5000)}` },
        /working directory .* longer than 4096/,
      ],
      [
        'ports',
        {
          Image: 'alpine',
          HostConfig: {
            PortBindings: Object.fromEntries(
              Array.from({ length: 1100 }, (_, i) => [`${i + 1}/tcp`, [{ HostPort: '' }]]),
            ),
          },
        },
        /1100 ports published or exposed, more than 1024/,
      ],
      [
        'exposed',
        { Image: 'alpine', ExposedPorts: { '70000/tcp': {} } },
        /invalid port "70000\/tcp"/,
      ],
      [
        'retries',
        {
          Image: 'alpine',
          HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 1e308 } },
        },
        /maximum retry count must be a whole number/,
      ],
      [
        'gpus',
        {
          Image: 'alpine',
          HostConfig: { DeviceRequests: [{ Count: 1.5, Capabilities: [['gpu']] }] },
        },
        /gpus must be a whole number/,
      ],
      [
        'networks',
        {
          Image: 'alpine',
          HostConfig: { NetworkMode: 'n0' },
          NetworkingConfig: {
            EndpointsConfig: Object.fromEntries(
              Array.from({ length: 40 }, (_, i) => [`n${i}`, {}]),
            ),
          },
        },
        /joins at most 32 networks/,
      ],
    ];
    for (const [what, body, message] of cases) {
      const name = what === 'name' ? 'n'.repeat(129) : `bounded-${what}`;
      const response = await call('POST', `/containers/create?name=${name}`, JSON.stringify(body));
      expect(response.status, what).toBe(400);
      const answer = (await response.json()) as { message: string };
      expect(answer.message, what).toMatch(message);
      // A refusal quotes at most a line of what it refuses.
      expect(answer.message.length, what).toBeLessThan(400);
    }
    expect(await shoal.db.prisma.container.count({ where: { tenantId } })).toBe(before);
    // A rename is held to the same bound as a create.
    expect(
      (await call('POST', '/containers/create?name=renamed', '{"Image":"alpine"}')).status,
    ).toBe(201);
    const rename = await call('POST', `/containers/renamed/rename?name=${'r'.repeat(129)}`);
    expect(rename.status).toBe(400);
    expect(((await rename.json()) as { message: string }).message).toMatch(/longer than 128/);
    // A stop timeout past what a timer holds: refused, where it fired at once.
    const stop = await call('POST', '/containers/renamed/stop?t=99999999999');
    expect(stop.status).toBe(400);
    expect(((await stop.json()) as { message: string }).message).toMatch(
      /longer than Shoal waits for a stop/,
    );
    // Docker's "wait for ever": a Mesos kill always has a grace period.
    const negative = await call('POST', '/containers/renamed/restart?t=-1');
    expect(negative.status).toBe(400);
    expect(((await negative.json()) as { message: string }).message).toMatch(/negative/);
    expect((await call('DELETE', '/containers/renamed')).status).toBe(204);
  });

  it('holds networks, aliases and execs to the same bounds, storing nothing', async () => {
    const message = async (response: Response) => {
      expect(response.status).toBe(400);
      const text = ((await response.json()) as { message: string }).message;
      expect(text.length).toBeLessThan(400);
      return text;
    };
    const networksBefore = await shoal.db.prisma.network.count({ where: { tenantId } });
    expect(
      await message(
        await call('POST', '/networks/create', JSON.stringify({ Name: 'n'.repeat(5000) })),
      ),
    ).toMatch(/invalid network name: longer than 128/);
    const labels = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`l${i}`, 'x'.repeat(4000)]),
    );
    expect(
      await message(
        await call('POST', '/networks/create', JSON.stringify({ Name: 'big', Labels: labels })),
      ),
    ).toMatch(/labels hold .* more than 65536/);
    expect(await shoal.db.prisma.network.count({ where: { tenantId } })).toBe(networksBefore);

    expect((await call('POST', '/networks/create', '{"Name":"bounds-net"}')).status).toBe(201);
    expect(
      (await call('POST', '/containers/create?name=bounds', '{"Image":"alpine"}')).status,
    ).toBe(201);
    const connect = (aliases: string[]) =>
      call(
        'POST',
        '/networks/bounds-net/connect',
        JSON.stringify({ Container: 'bounds', EndpointConfig: { Aliases: aliases } }),
      );
    expect(await message(await connect(Array.from({ length: 70 }, (_, i) => `a${i}`)))).toMatch(
      /70 aliases on network bounds-net, more than 64/,
    );
    expect(await message(await connect(['a'.repeat(50_000)]))).toMatch(/invalid alias "a+…"/);
    const exec = await call(
      'POST',
      '/containers/bounds/exec',
      JSON.stringify({ Cmd: ['sh', '-c', 'x'.repeat(140_000)] }),
    );
    expect(await message(exec)).toMatch(/command: .* longer than 131072/);
    expect((await call('DELETE', '/containers/bounds')).status).toBe(204);
    expect((await call('DELETE', '/networks/bounds-net')).status).toBe(204);
  });

  it('refuses times past any date with 400 before a stream begins', async () => {
    for (const path of ['/events?since=1e300', '/events?until=-1e300']) {
      const response = await call('GET', path);
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(
        /past any date a clock can show/,
      );
    }
  });
});

describe('requests racing on one container', () => {
  const call = (method: string, path: string) =>
    fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

  it('answers whichever loses a race with a removal 404, never a fault or a cut answer', async () => {
    for (let round = 0; round < 10; round++) {
      const created = await fetch(`${base}/containers/create?name=racer-${round}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"Image":"alpine"}',
      });
      const { Id } = (await created.json()) as { Id: string };
      const answers = await Promise.all(
        [
          call('POST', `/containers/${Id}/wait`),
          call('DELETE', `/containers/${Id}`),
          call('DELETE', `/containers/${Id}?force=1`),
          call('POST', `/containers/${Id}/rename?name=raced-${round}`),
          call('POST', `/containers/${Id}/stop`),
        ].map(async (pending) => {
          const response = await pending;
          // A body cut short rejects here: a wait answered 200 and then closed did.
          return { status: response.status, body: await response.text() };
        }),
      );
      for (const { status, body } of answers) {
        expect([200, 204, 304, 404], body).toContain(status);
        if (status === 404)
          expect(JSON.parse(body)).toEqual({
            message: expect.stringMatching(/^No such container/),
          });
      }
      const [wait] = answers;
      if (wait!.status === 200)
        expect(JSON.parse(wait!.body)).toMatchObject({ StatusCode: expect.any(Number) });
      expect((await call('GET', `/containers/${Id}/json`)).status).toBe(404);
    }
  });
});

describe('docker events --since over a long journal', () => {
  it("finds one container's events among more than a replay holds, and the newest first", async () => {
    const at = (ms: number) => new Date(Date.parse('2026-01-02T00:00:00Z') + ms);
    // Ten thousand and more events of other containers, then three of this one.
    await shoal.db.prisma.containerEventEntry.createMany({
      data: Array.from({ length: 10_050 }, (_, i) => ({
        tenantId,
        containerId: `other${i}`.padEnd(64, '0'),
        name: `other-${i}`,
        image: 'alpine',
        action: 'create',
        attributes: {},
        at: at(i),
      })),
    });
    await shoal.db.prisma.containerEventEntry.createMany({
      data: ['create', 'start', 'die'].map((action, i) => ({
        tenantId,
        containerId: 'needle'.padEnd(64, '0'),
        name: 'needle',
        image: 'alpine',
        action,
        attributes: {},
        at: at(20_000 + i),
      })),
    });
    const events = async (filters: Record<string, string[]>) => {
      const since = Math.floor(at(0).getTime() / 1000);
      const until = Math.ceil(at(30_000).getTime() / 1000);
      const query = `since=${since}&until=${until}&filters=${encodeURIComponent(JSON.stringify(filters))}`;
      const response = await fetch(`${base}/events?${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return (await response.text())
        .split('\n')
        .filter(Boolean)
        .map(
          (line) => JSON.parse(line) as { Action: string; Actor: { Attributes: { name: string } } },
        );
    };
    const needle = await events({ container: ['needle'] });
    expect(needle.map((e) => e.Action)).toEqual(['create', 'start', 'die']);
    // Unfiltered, the replay is cut to its newest events, which hold the last ones.
    const all = await events({});
    expect(all.at(-1)?.Actor.Attributes.name).toBe('needle');
    await shoal.db.prisma.containerEventEntry.deleteMany({
      where: { tenantId, image: 'alpine', at: { lt: at(30_000) } },
    });
  });
});

describe("a tenant's pulled images", () => {
  it('are held to a thousand, a pull of one more refused until some are removed', async () => {
    const pull = (name: string) =>
      fetch(`${base}/images/create?fromImage=${encodeURIComponent(name)}&tag=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    const before = await shoal.db.prisma.pulledImage.count({ where: { tenantId } });
    await shoal.db.prisma.pulledImage.createMany({
      data: Array.from({ length: 1_000 - before }, (_, i) => ({
        tenantId,
        reference: `filler/image-${i}:1`,
      })),
    });
    const refused = await pull('one-more');
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /1000 images pulled, as many as Shoal records/,
    );
    // One already pulled may be pulled again.
    expect((await pull('filler/image-0')).status).toBe(200);
    await shoal.db.prisma.pulledImage.deleteMany({
      where: { tenantId, reference: { startsWith: 'filler/' } },
    });
    expect((await pull('one-more')).status).toBe(200);
  });
});
