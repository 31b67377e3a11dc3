import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import superjson from 'superjson';
import { afterAll, beforeAll, expect, it, onTestFinished, vi } from 'vitest';
import { createContextFactory } from './context';
import { trustedProxyList } from './http/client-address';
import { appRouter } from './root';
import { MAX_LIVE_VIEWS_PER_USER } from './trpc';
import { createHarness, PASSWORD } from './test-support/harness';

// The wire as the dashboard's proxy sees it: cookies, CSRF refusals and error shapes.

let h: Awaited<ReturnType<typeof createHarness>>;
let server: http.Server;
let base: string;

beforeAll(async () => {
  h = await createHarness();
  await h.services.users.create({ email: 'ada@example.com', password: PASSWORD });
  const handler = createHTTPHandler({
    router: appRouter,
    createContext: createContextFactory(h.services),
    basePath: '/trpc/',
  });
  server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
});

const dashboardHeaders = { 'content-type': 'application/json', 'x-shoal-csrf': '1' };
const body = (input: unknown) => JSON.stringify(superjson.serialize(input));

it('sets the session cookie on the HTTP response and accepts it back', async () => {
  const res = await fetch(`${base}/auth.signIn`, {
    method: 'POST',
    headers: dashboardHeaders,
    body: body({ email: 'ada@example.com', password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie()[0]!;
  expect(cookie).toContain('HttpOnly');
  const me = await fetch(`${base}/auth.me`, { headers: { cookie: cookie.split(';')[0]! } });
  const { result } = (await me.json()) as { result: { data: { json: { email: string } } } };
  expect(result.data.json.email).toBe('ada@example.com');
});

it('refuses a cross-site form post before running the procedure', async () => {
  const res = await fetch(`${base}/auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
    body: body({ email: 'ada@example.com', password: PASSWORD }),
  });
  expect(res.status).toBe(403);
  expect(res.headers.getSetCookie()).toEqual([]);
});

it('answers errors with a code and message, never a stack trace', async () => {
  const res = await fetch(`${base}/auth.signIn`, {
    method: 'POST',
    headers: dashboardHeaders,
    body: body({ email: 'not-an-email', password: '' }),
  });
  expect(res.status).toBe(400);
  const text = await res.text();
  expect(text).not.toMatch(/stack|\.ts:\d+/);
  const { error } = JSON.parse(text) as { error: { json: { message: string; data: unknown } } };
  expect(error.json.message).toBe('Enter an email address');
  expect(error.json.data).toMatchObject({
    code: 'BAD_REQUEST',
    issues: [
      { path: 'email', message: 'Enter an email address' },
      { path: 'password', message: 'Enter your password' },
    ],
  });

  const wrong = await fetch(`${base}/auth.signIn`, {
    method: 'POST',
    headers: dashboardHeaders,
    body: body({ email: 'ada@example.com', password: 'nope' }),
  });
  expect(wrong.status).toBe(401);
  const { error: unauthenticated } = (await wrong.json()) as { error: { json: { data: unknown } } };
  expect(unauthenticated.json.data).toMatchObject({
    code: 'UNAUTHORIZED',
    shoalCode: 'UNAUTHENTICATED',
  });
});

it('gives a domain error raised while a subscription streams its own code, not a server fault', async () => {
  const tenant = await h.services.tenants.create({ slug: 'streams', name: 'Streams' }, 'test');
  const user = await h.services.users.create({ email: 'sam@example.com', password: PASSWORD });
  await h.services.users.addMembership(user.id, tenant.id, 'MEMBER');
  const container = await h.services.containers.create(
    tenant.id,
    { name: 'web', image: 'nginx' },
    'test',
  );
  // A task on an agent, and no framework in this process to read its sandbox through.
  await h.db.prisma.task.create({
    data: {
      containerId: container.id,
      mesosTaskId: 'task-1',
      agentId: 'agent-1',
      state: 'TASK_RUNNING',
    },
  });
  const token = await h.signIn('sam@example.com');
  const input = encodeURIComponent(
    JSON.stringify(superjson.serialize({ tenantSlug: 'streams', ref: 'web' })),
  );
  const res = await fetch(`${base}/containers.logs?input=${input}`, {
    headers: { cookie: `shoal_session=${token}`, accept: 'text/event-stream' },
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  const errorEvent = /event: serialized-error\ndata: (.*)\n/.exec(text);
  expect(errorEvent, text).not.toBeNull();
  const shape = superjson.deserialize<{
    message: string;
    data: { code: string; httpStatus: number; shoalCode: string };
  }>(JSON.parse(errorEvent![1]!));
  expect(shape.message).toBe(
    'Logs are not available: this server has no connection to the Mesos agents',
  );
  expect(shape.data).toMatchObject({
    code: 'SERVICE_UNAVAILABLE',
    httpStatus: 503,
    shoalCode: 'UNAVAILABLE',
  });
  expect(text).not.toMatch(/failed to answer|stack|\.ts:\d+/);
});

it('counts failed sign-ins per client address as a trusted proxy forwards it, and only then', async () => {
  // The budgets refill with time: held still, a slow machine cannot refill one mid-count.
  vi.useFakeTimers({ toFake: ['Date'] });
  onTestFinished(() => {
    vi.useRealTimers();
  });
  const signIn = (url: string, email: string, password: string, forwardedFor: string) =>
    fetch(`${url}/auth.signIn`, {
      method: 'POST',
      headers: { ...dashboardHeaders, 'x-forwarded-for': forwardedFor },
      body: body({ email, password }),
    }).then((r) => r.status);
  await h.services.users.create({ email: 'proxied@example.com', password: PASSWORD });
  for (let i = 0; i < 10; i++)
    expect(await signIn(base, 'proxied@example.com', `guess-${i}`, '203.0.113.1')).toBe(401);
  expect(await signIn(base, 'proxied@example.com', PASSWORD, '203.0.113.1')).toBe(429);
  // The dashboard on this host is a trusted proxy: another browser is another address.
  expect(await signIn(base, 'proxied@example.com', PASSWORD, '198.51.100.2')).toBe(200);

  // A peer that is not a trusted proxy cannot pick its address with the header.
  const untrusting = http.createServer(
    createHTTPHandler({
      router: appRouter,
      createContext: createContextFactory(h.services, undefined, {
        trustedProxies: trustedProxyList(['10.0.0.0/8']),
      }),
      basePath: '/trpc/',
    }),
  );
  await new Promise<void>((resolve) => untrusting.listen(0, '127.0.0.1', resolve));
  const direct = `http://127.0.0.1:${(untrusting.address() as AddressInfo).port}/trpc`;
  try {
    await h.services.users.create({ email: 'direct@example.com', password: PASSWORD });
    for (let i = 0; i < 10; i++)
      expect(await signIn(direct, 'direct@example.com', `guess-${i}`, `203.0.113.${i}`)).toBe(401);
    expect(await signIn(direct, 'direct@example.com', PASSWORD, '198.51.100.3')).toBe(429);
  } finally {
    untrusting.closeAllConnections();
    await new Promise((resolve) => untrusting.close(resolve));
  }
});

it('treats a malformed session cookie as signed out, on every call', async () => {
  for (const cookie of ['shoal_session=%E0%A4%A', 'shoal_session=%', 'shoal_session=%ZZ']) {
    const me = await fetch(`${base}/auth.me`, { headers: { cookie } });
    expect(me.status, cookie).toBe(200);
    const { result } = (await me.json()) as { result: { data: { json: unknown } } };
    expect(result.data.json).toBeNull();
    const mine = await fetch(`${base}/tenants.mine`, { headers: { cookie } });
    expect(mine.status, cookie).toBe(401);
  }
});

it('refuses NUL bytes and unpaired surrogates in any input with 400, storing nothing', async () => {
  const tenant = await h.services.tenants.create({ slug: 'inputs', name: 'Inputs' }, 'test');
  const admin = await h.services.users.create({
    email: 'root@inputs.test',
    password: PASSWORD,
    isAdmin: true,
  });
  await h.services.users.addMembership(admin.id, tenant.id, 'OWNER');
  const cookie = `shoal_session=${await h.signIn('root@inputs.test')}`;
  const call = async (procedure: string, input: unknown, kind: 'query' | 'mutation') => {
    const encoded = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
    const res =
      kind === 'query'
        ? await fetch(`${base}/${procedure}?input=${encoded}`, { headers: { cookie } })
        : await fetch(`${base}/${procedure}`, {
            method: 'POST',
            headers: { ...dashboardHeaders, cookie },
            body: body(input),
          });
    return { status: res.status, text: await res.text() };
  };
  const counts = async () =>
    [
      await h.db.prisma.apiToken.count(),
      await h.db.prisma.tenant.count(),
      await h.db.prisma.user.count(),
      await h.db.prisma.container.count(),
    ].join();
  const before = await counts();
  for (const text of ['a\u0000b', '\ud800', 'x\udc00y']) {
    const cases: [string, unknown, 'query' | 'mutation'][] = [
      ['auth.signIn', { email: `ada${text}@example.com`, password: PASSWORD }, 'mutation'],
      ['auth.signIn', { email: 'ada@example.com', password: `pw${text}` }, 'mutation'],
      ['tokens.issue', { tenantSlug: 'inputs', name: `ci${text}` }, 'mutation'],
      ['tokens.list', { tenantSlug: `inputs${text}` }, 'query'],
      ['containers.get', { tenantSlug: 'inputs', ref: `web${text}` }, 'query'],
      [
        'containers.launch',
        { tenantSlug: 'inputs', image: 'nginx', cpus: 0.1, memoryMb: 32, env: [`A=${text}`] },
        'mutation',
      ],
      [
        'containers.launch',
        {
          tenantSlug: 'inputs',
          image: 'nginx',
          cpus: 0.1,
          memoryMb: 32,
          labels: { [`k${text}`]: 'v' },
        },
        'mutation',
      ],
      [
        'members.add',
        { tenantSlug: 'inputs', email: `bob${text}@x.test`, role: 'VIEWER' },
        'mutation',
      ],
      ['admin.tenants.create', { slug: 'other', name: `Other${text}` }, 'mutation'],
      ['admin.users.create', { email: 'new@inputs.test', name: `New${text}` }, 'mutation'],
      ['admin.audit.list', { actor: `root${text}` }, 'query'],
    ];
    for (const [procedure, input, kind] of cases) {
      const { status, text: answer } = await call(procedure, input, kind);
      expect(status, `${procedure} ${JSON.stringify(input)} → ${answer.slice(0, 300)}`).toBe(400);
      expect(answer).toMatch(/NUL character or an unpaired UTF-16 surrogate/);
    }
  }
  expect(await counts()).toBe(before);
});

it('refuses input that holds itself or nests past any form with 400, and serves on', async () => {
  // superjson's references rebuild `a` as the input itself: walking it once never ended.
  const cyclic = { json: { a: {} }, meta: { referentialEqualities: [['a']], v: 1 } };
  const query = await fetch(
    `${base}/system.status?input=${encodeURIComponent(JSON.stringify(cyclic))}`,
  );
  expect(query.status).toBe(400);
  expect(await query.text()).toContain('holds the value it is part of');
  const signIn = await fetch(`${base}/auth.signIn`, {
    method: 'POST',
    headers: dashboardHeaders,
    body: JSON.stringify({
      json: { email: 'ada@example.com', password: PASSWORD, extra: {} },
      meta: { referentialEqualities: [['extra']], v: 1 },
    }),
  });
  expect(signIn.status).toBe(400);

  const deep = `${'['.repeat(10_000)}"x"${']'.repeat(10_000)}`;
  const nested = await fetch(`${base}/auth.signIn`, {
    method: 'POST',
    headers: dashboardHeaders,
    body: `{"json":{"email":"ada@example.com","password":"${PASSWORD}","extra":${deep}}}`,
  });
  expect(nested.status).toBe(400);
  expect(await nested.text()).toContain('nests deeper than 100 levels');

  // Annotations superjson would apply path by path, each walking a Set: refused unread.
  const paths = Array.from({ length: 5_000 }, () => 's.999');
  const annotated = await fetch(`${base}/auth.signIn`, {
    method: 'POST',
    headers: dashboardHeaders,
    body: JSON.stringify({
      json: { email: 'ada@example.com', password: PASSWORD, s: [...Array(1_000).keys()] },
      meta: { values: { s: ['set'] }, referentialEqualities: { 's.999': paths }, v: 1 },
    }),
  });
  expect(annotated.status).toBe(400);
  expect(await annotated.text()).toContain('annotations name more than 100 paths');
  const deepMeta = `${'{"a":'.repeat(20_000)}"x"${'}'.repeat(20_000)}`;
  const nestedMeta = await fetch(`${base}/auth.signIn`, {
    method: 'POST',
    headers: dashboardHeaders,
    body: `{"json":{"email":"ada@example.com","password":"x"},"meta":{"values":${deepMeta}}}`,
  });
  expect(nestedMeta.status).toBe(400);
  expect(await nestedMeta.text()).not.toMatch(/call stack/);

  expect((await fetch(`${base}/system.status`)).status).toBe(200);
});

it('holds a user to a bound of live views open at once, and frees one as it closes', async () => {
  const tenant = await h.services.tenants.create({ slug: 'watcher', name: 'Watcher' }, 'test');
  const user = await h.services.users.create({ email: 'wat@example.com', password: PASSWORD });
  await h.services.users.addMembership(user.id, tenant.id, 'VIEWER');
  const token = await h.signIn('wat@example.com');
  const input = encodeURIComponent(JSON.stringify(superjson.serialize({ tenantSlug: 'watcher' })));
  const open = () => {
    const controller = new AbortController();
    const response = fetch(`${base}/containers.events?input=${input}`, {
      headers: { cookie: `shoal_session=${token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    return { response, close: () => controller.abort() };
  };
  /** The first event of a stream: its connection's, or the refusal. */
  const firstEvent = async (stream: ReturnType<typeof open>) => {
    const reader = (await stream.response).body!.getReader();
    const { value } = await reader.read();
    return Buffer.from(value).toString();
  };
  const views = Array.from({ length: MAX_LIVE_VIEWS_PER_USER }, open);
  for (const view of views) expect(await firstEvent(view)).not.toMatch(/serialized-error/);
  const refused = open();
  expect(await firstEvent(refused)).toMatch(/live views open; close some pages first/);
  refused.close();
  views[0]!.close();
  // Freed once the server sees it gone.
  await vi.waitFor(
    async () => {
      const again = open();
      const first = await firstEvent(again);
      again.close();
      expect(first).not.toMatch(/serialized-error/);
    },
    { timeout: 30_000, interval: 100 },
  );
  for (const view of views) view.close();
});
