import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, codeOf, type Caller } from './test-support/harness';
import { nextBesides, untilListening } from './test-support/live-events';

let h: Awaited<ReturnType<typeof createHarness>>;
let memberA: Caller;
let viewerA: Caller;
let memberB: Caller;
let containerOfA: string;
const a = { tenantSlug: 'team-a' };
const nginx = { image: 'nginx', cpus: 0.5, memoryMb: 256 };

beforeAll(async () => {
  h = await createHarness();
  const tenantA = await h.services.tenants.create({ slug: 'team-a', name: 'A' }, 'test');
  await h.services.tenants.setQuota(tenantA.id, { quotaCpusLimit: 1, quotaMemLimit: 1024 }, 'test');
  await h.services.tenants.create({ slug: 'team-b', name: 'B' }, 'test');
  memberA = await h.userCaller('member@a.example', { 'team-a': 'MEMBER' });
  viewerA = await h.userCaller('viewer@a.example', { 'team-a': 'VIEWER' });
  memberB = await h.userCaller('member@b.example', { 'team-b': 'MEMBER' });
  containerOfA = (await h.services.containers.create(tenantA.id, { ...nginx, name: 'web' }, 'test'))
    .id;
});
afterAll(async () => {
  await h?.close();
});

it('lets a viewer read containers but not launch or stop them', async () => {
  expect((await viewerA.containers.list(a)).containers.map((c) => c.name)).toEqual(['web']);
  expect(await viewerA.containers.get({ ...a, ref: 'web' })).toMatchObject({
    image: 'nginx',
    state: 'created',
  });
  expect(await codeOf(viewerA.containers.launch({ ...a, ...nginx }))).toBe('FORBIDDEN');
  expect(await codeOf(viewerA.containers.stop({ ...a, ref: 'web' }))).toBe('FORBIDDEN');
  expect(await codeOf(viewerA.containers.remove({ ...a, ref: 'web' }))).toBe('FORBIDDEN');
  expect(await h.db.prisma.container.count()).toBe(1);
});

it('never shows one tenant the containers of another', async () => {
  const b = { tenantSlug: 'team-b' };
  expect((await memberB.containers.list(b)).containers).toEqual([]);
  expect(await codeOf(memberB.containers.get({ ...b, ref: containerOfA }))).toBe('NOT_FOUND');
  expect(await codeOf(memberB.containers.get({ ...b, ref: 'web' }))).toBe('NOT_FOUND');
  expect(await codeOf(memberB.containers.list(a))).toBe('NOT_FOUND');
  expect(await codeOf(memberB.containers.remove({ ...b, ref: containerOfA, force: true }))).toBe(
    'NOT_FOUND',
  );
  expect(await codeOf(memberB.containers.history({ ...a, ref: containerOfA }))).toBe('NOT_FOUND');
});

it('refuses a launch over quota with a clear message and leaves no container behind', async () => {
  const launch = memberA.containers.launch({
    ...a,
    name: 'big',
    image: 'nginx',
    cpus: 2,
    memoryMb: 256,
  });
  await expect(launch).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
  await expect(launch).rejects.toThrow(/quota/i);
  expect((await memberA.containers.list(a)).containers.map((c) => c.name)).toEqual(['web']);
});

it('validates the launch form with messages per field', async () => {
  const bad = memberA.containers.launch({
    ...a,
    image: '',
    cpus: 0,
    memoryMb: 1,
    env: ['NOEQUALS'],
  });
  await expect(bad).rejects.toMatchObject({ code: 'BAD_REQUEST' });
});

it('measures a container only while it runs', async () => {
  // Created, never started: its agent has nothing to report (isolation.integration.test.ts
  // checks that another tenant gets NOT_FOUND).
  expect(await viewerA.containers.stats({ ...a, ref: 'web' })).toEqual({ sample: null });
});

it('reports usage against the quota', async () => {
  const usage = await viewerA.containers.usage(a);
  expect(usage.quota.cpus).toMatchObject({ limit: 1 });
  expect(usage.containersByState.created).toBe(1);
});

it('streams each tenant only its own container events', async () => {
  const stop = new AbortController();
  const [callerA, callerB] = await Promise.all(
    ['member@a.example', 'member@b.example'].map(async (email) =>
      h.caller(await h.signIn(email), {}, [], stop.signal),
    ),
  );
  const eventsA = (await callerA!.containers.events(a))[Symbol.asyncIterator]();
  const eventsB = (await callerB!.containers.events({ tenantSlug: 'team-b' }))[
    Symbol.asyncIterator
  ]();
  const [tenantA, tenantB] = await Promise.all(
    ['team-a', 'team-b'].map((slug) => h.services.tenants.getBySlug(slug)),
  );
  const createIn = (tenantId: string, name: string) =>
    h.services.containers.create(tenantId, { ...nginx, name }, 'test');
  const isProbe = (e: { name: string }) => e.name.startsWith('probe-');
  await untilListening(eventsA, (n) => createIn(tenantA!.id, `probe-${n}`));
  await untilListening(eventsB, (n) => createIn(tenantB!.id, `probe-${n}`));
  await createIn(tenantA!.id, 'second');
  expect(await nextBesides(eventsA, isProbe)).toMatchObject({ name: 'second', action: 'create' });
  // B hears its own next container; had A's 'second' reached it, that would have come first.
  await createIn(tenantB!.id, 'b-after-a');
  expect(await nextBesides(eventsB, isProbe)).toMatchObject({ name: 'b-after-a' });
  stop.abort();
});

it('acts on each selected container for a member, reports each outcome, and refuses a viewer', async () => {
  const tenant = await h.services.tenants.getBySlug('team-a');
  for (const name of ['batch-1', 'batch-2'])
    await h.services.containers.create(tenant.id, { ...nginx, name }, 'test');
  const removals = { tenantId: tenant.id, action: 'container.remove', actor: 'member@a.example' };
  const removedBefore = await h.db.prisma.auditEvent.count({ where: removals });
  expect(
    await codeOf(viewerA.containers.actOnEach({ ...a, action: 'remove', refs: ['batch-1'] })),
  ).toBe('FORBIDDEN');

  const { results } = await memberA.containers.actOnEach({
    ...a,
    action: 'remove',
    refs: ['batch-1', 'ghost', 'batch-2', 'batch-1'],
  });
  expect(results).toEqual([
    { ref: 'batch-1', ok: true, message: null },
    { ref: 'ghost', ok: false, message: 'No such container: ghost' },
    { ref: 'batch-2', ok: true, message: null },
  ]);
  const names = (await memberA.containers.list(a)).containers.map((c) => c.name);
  expect(names).not.toContain('batch-1');
  expect(names).not.toContain('batch-2');
  // Each removal is audited under the member who asked, as a single one would be.
  expect(await h.db.prisma.auditEvent.count({ where: removals })).toBe(removedBefore + 2);
});
