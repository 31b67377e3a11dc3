import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from './root';
import { createHarness, PASSWORD, type Caller } from './test-support/harness';
import { nextBesides, untilListening } from './test-support/live-events';

// Cross-tenant isolation over every procedure of the dashboard API. The table
// below has one entry per procedure path; a procedure added without an entry
// fails the first test, so none can ship unexamined. Tenant B's owner aims each
// procedure at tenant A's tenant, containers, tokens and users: what A has must
// look exactly like what does not exist, and nothing of A's may change.

type ProcedureType = 'query' | 'mutation' | 'subscription';

/** Tenant A's identifiers, or their stand-ins that exist nowhere. */
interface Ids {
  tenantId: string;
  slug: string;
  containerId: string;
  containerName: string;
  /** 12 characters, as `docker ps` shows an id. */
  containerPrefix: string;
  tokenId: string;
  userId: string;
  email: string;
}

interface World {
  /** Tenant A's things. */
  a: Ids;
  /** Tenant B, whose owner makes every call. */
  b: { slug: string; tenantId: string; email: string };
}

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

interface Case {
  type: ProcedureType;
  /**
   * NOT_FOUND: A's things are unknown to B, answered as for things that do not exist.
   * FORBIDDEN: cluster admins only; B's owner is refused whatever the input.
   * ANSWERS: takes no foreign id; whatever it answers holds nothing of A's.
   */
  expect: 'NOT_FOUND' | 'FORBIDDEN' | 'ANSWERS';
  /** One call per input, each aimed at A in its own way (undefined for no input). */
  inputs(w: World): unknown[];
  /** Further checks of an ANSWERS call's outcome. */
  check?(outcome: Outcome, w: World): void | Promise<void>;
  /** Ends B's session: called with a session of its own. */
  ownSession?: true;
}

const aSlug = (w: World) => ({ tenantSlug: w.a.slug });
const bSlug = (w: World) => ({ tenantSlug: w.b.slug });
/** A's container by id, name and id prefix: once in A's tenant, then in B's own. */
const containerRefs = (w: World, extra: Record<string, unknown> = {}) => [
  { ...aSlug(w), ref: w.a.containerId, ...extra },
  ...[w.a.containerId, w.a.containerName, w.a.containerPrefix].map((ref) => ({
    ...bSlug(w),
    ref,
    ...extra,
  })),
];
const resources = { image: 'nginx', cpus: 0.25, memoryMb: 64 };

const CASES: Record<string, Case> = {
  'system.status': {
    type: 'query',
    expect: 'ANSWERS',
    inputs: () => [undefined],
    // Counts over the whole cluster would show B that A exists and what it runs.
    check: (outcome) =>
      expect(outcome).toMatchObject({ ok: true, value: { tenants: 1, containers: 0 } }),
  },
  'auth.me': {
    type: 'query',
    expect: 'ANSWERS',
    inputs: () => [undefined],
    check: (outcome, w) => expect(outcome).toMatchObject({ ok: true, value: { email: w.b.email } }),
  },
  'auth.signIn': {
    type: 'mutation',
    expect: 'ANSWERS',
    // A's account with a wrong password must read as an unknown account (see the ghost check).
    inputs: (w) => [{ email: w.a.email, password: 'not the password' }],
    check: (outcome) => expect(outcome).toMatchObject({ ok: false, code: 'UNAUTHORIZED' }),
  },
  'auth.signOut': {
    type: 'mutation',
    expect: 'ANSWERS',
    inputs: () => [undefined],
    ownSession: true,
    check: (outcome) => expect(outcome).toEqual({ ok: true, value: undefined }),
  },
  'auth.changePassword': {
    type: 'mutation',
    expect: 'ANSWERS',
    inputs: () => [{ currentPassword: 'not the password', newPassword: 'a new password 123' }],
    check: (outcome) => expect(outcome).toMatchObject({ ok: false }),
  },
  'tenants.mine': {
    type: 'query',
    expect: 'ANSWERS',
    inputs: () => [undefined],
    check: (outcome, w) => {
      expect(outcome.ok).toBe(true);
      const mine = (outcome as { value: { tenant: { slug: string } }[] }).value;
      expect(mine.map((t) => t.tenant.slug)).toEqual([w.b.slug]);
    },
  },
  'tenants.get': { type: 'query', expect: 'NOT_FOUND', inputs: (w) => [aSlug(w)] },
  'containers.list': { type: 'query', expect: 'NOT_FOUND', inputs: (w) => [aSlug(w)] },
  'containers.get': { type: 'query', expect: 'NOT_FOUND', inputs: (w) => containerRefs(w) },
  'containers.history': { type: 'query', expect: 'NOT_FOUND', inputs: (w) => containerRefs(w) },
  'containers.usage': { type: 'query', expect: 'NOT_FOUND', inputs: (w) => [aSlug(w)] },
  'containers.stats': { type: 'query', expect: 'NOT_FOUND', inputs: (w) => containerRefs(w) },
  'containers.launch': {
    type: 'mutation',
    expect: 'NOT_FOUND',
    inputs: (w) => [{ ...aSlug(w), ...resources, name: 'intruder' }],
  },
  'containers.start': { type: 'mutation', expect: 'NOT_FOUND', inputs: (w) => containerRefs(w) },
  'containers.stop': { type: 'mutation', expect: 'NOT_FOUND', inputs: (w) => containerRefs(w) },
  'containers.restart': { type: 'mutation', expect: 'NOT_FOUND', inputs: (w) => containerRefs(w) },
  'containers.remove': {
    type: 'mutation',
    expect: 'NOT_FOUND',
    inputs: (w) => containerRefs(w, { force: true }),
  },
  'containers.actOnEach': {
    type: 'mutation',
    expect: 'ANSWERS',
    inputs: (w) => [
      { ...aSlug(w), action: 'stop', refs: [w.a.containerId] },
      ...(['stop', 'restart', 'remove'] as const).map((action) => ({
        ...bSlug(w),
        action,
        refs: [w.a.containerId, w.a.containerName, w.a.containerPrefix],
      })),
    ],
    // In A's tenant: no such tenant. In B's own: each of A's containers is no such container.
    check: (outcome) => {
      if (!outcome.ok) return expect(outcome).toMatchObject({ code: 'NOT_FOUND' });
      const { results } = outcome.value as {
        results: { ref: string; ok: boolean; message: string }[];
      };
      expect(results).toHaveLength(3);
      for (const r of results)
        expect(r).toEqual({ ref: r.ref, ok: false, message: `No such container: ${r.ref}` });
    },
  },
  'containers.events': { type: 'subscription', expect: 'NOT_FOUND', inputs: (w) => [aSlug(w)] },
  'containers.changes': {
    type: 'subscription',
    expect: 'NOT_FOUND',
    inputs: (w) => [{ ...aSlug(w), lastEventId: new Date().toISOString() }],
  },
  'containers.logs': {
    type: 'subscription',
    expect: 'NOT_FOUND',
    inputs: (w) => containerRefs(w, { follow: true, tail: 10 }),
  },
  'containers.terminal': {
    type: 'subscription',
    expect: 'NOT_FOUND',
    inputs: (w) => containerRefs(w, { size: { rows: 24, columns: 80 } }),
  },
  // A terminal's id is its opener's alone (see terminal.integration.test.ts); here, in A's
  // tenant B has none to name, and in its own tenant none of these ids is B's.
  'containers.terminalInput': {
    type: 'mutation',
    expect: 'NOT_FOUND',
    inputs: (w) => [
      { ...aSlug(w), id: w.a.containerId, text: 'echo hi' },
      { ...bSlug(w), id: w.a.containerId, text: 'echo hi' },
    ],
  },
  'containers.terminalResize': {
    type: 'mutation',
    expect: 'NOT_FOUND',
    inputs: (w) => [
      { ...aSlug(w), id: w.a.containerId, size: { rows: 24, columns: 80 } },
      { ...bSlug(w), id: w.a.containerId, size: { rows: 24, columns: 80 } },
    ],
  },
  'members.list': { type: 'query', expect: 'NOT_FOUND', inputs: (w) => [aSlug(w)] },
  'members.add': {
    type: 'mutation',
    // Accounts are global and owners add them by email; only A's tenant is off limits.
    expect: 'NOT_FOUND',
    inputs: (w) => [{ ...aSlug(w), email: w.b.email, role: 'OWNER' }],
  },
  'members.setRole': {
    type: 'mutation',
    expect: 'NOT_FOUND',
    inputs: (w) => [
      { ...aSlug(w), userId: w.a.userId, role: 'VIEWER' },
      { ...bSlug(w), userId: w.a.userId, role: 'VIEWER' },
    ],
  },
  'members.remove': {
    type: 'mutation',
    expect: 'NOT_FOUND',
    inputs: (w) => [
      { ...aSlug(w), userId: w.a.userId },
      { ...bSlug(w), userId: w.a.userId },
    ],
  },
  'tokens.list': { type: 'query', expect: 'NOT_FOUND', inputs: (w) => [aSlug(w)] },
  'tokens.issue': {
    type: 'mutation',
    expect: 'NOT_FOUND',
    inputs: (w) => [{ ...aSlug(w), name: 'intruder' }],
  },
  'tokens.revoke': {
    type: 'mutation',
    expect: 'NOT_FOUND',
    inputs: (w) => [
      { ...aSlug(w), tokenId: w.a.tokenId },
      { ...bSlug(w), tokenId: w.a.tokenId },
    ],
  },
  'offers.series': {
    type: 'query',
    expect: 'NOT_FOUND',
    inputs: (w) => [{ ...aSlug(w), hours: 48 }],
  },
  'admin.tenants.list': { type: 'query', expect: 'FORBIDDEN', inputs: () => [undefined] },
  'admin.tenants.create': {
    type: 'mutation',
    expect: 'FORBIDDEN',
    inputs: () => [{ slug: 'intruder', name: 'Intruder' }],
  },
  'admin.tenants.setQuota': {
    type: 'mutation',
    expect: 'FORBIDDEN',
    inputs: (w) => [{ tenantId: w.a.tenantId, quota: { quotaCpusLimit: 0.1 } }],
  },
  'admin.tenants.update': {
    type: 'mutation',
    expect: 'FORBIDDEN',
    inputs: (w) => [{ tenantId: w.a.tenantId, name: 'Taken over', weight: 0.1 }],
  },
  'admin.users.list': { type: 'query', expect: 'FORBIDDEN', inputs: () => [undefined] },
  'admin.users.create': {
    type: 'mutation',
    expect: 'FORBIDDEN',
    inputs: () => [{ email: 'intruder@beta.example' }],
  },
  'admin.users.setAdmin': {
    type: 'mutation',
    expect: 'FORBIDDEN',
    inputs: (w) => [{ userId: w.a.userId, isAdmin: true }],
  },
  'admin.users.setDisabled': {
    type: 'mutation',
    expect: 'FORBIDDEN',
    inputs: (w) => [{ userId: w.a.userId, disabled: true }],
  },
  'admin.audit.list': {
    type: 'query',
    expect: 'FORBIDDEN',
    inputs: (w) => [{ tenantId: w.a.tenantId }, {}],
  },
  'admin.audit.actions': { type: 'query', expect: 'FORBIDDEN', inputs: () => [undefined] },
  'admin.cluster.overview': { type: 'query', expect: 'FORBIDDEN', inputs: () => [undefined] },
  'admin.cluster.offerSeries': { type: 'query', expect: 'FORBIDDEN', inputs: () => [{}] },
  'admin.cluster.drainAgent': {
    type: 'mutation',
    expect: 'FORBIDDEN',
    inputs: () => [{ agentId: 'agent-1' }],
  },
  'admin.cluster.reactivateAgent': {
    type: 'mutation',
    expect: 'FORBIDDEN',
    inputs: () => [{ agentId: 'agent-1' }],
  },
  'admin.cluster.scheduleMaintenance': {
    type: 'mutation',
    expect: 'FORBIDDEN',
    inputs: () => [{ hostname: 'agent-1', durationSeconds: 600 }],
  },
  'admin.cluster.endMaintenance': {
    type: 'mutation',
    expect: 'FORBIDDEN',
    inputs: () => [{ hostname: 'agent-1' }],
  },
};

// Typed as the nested router record, but at run time a flat record keyed by dotted path.
const PROCEDURES = appRouter._def.procedures as unknown as Record<
  string,
  { _def: { type: ProcedureType } }
>;

let h: Awaited<ReturnType<typeof createHarness>>;
let world: World;
/** Tenant A's identifiers swapped for ones that exist nowhere, longest first. */
let ghosts: [real: string, ghost: string][];
/** Every string that would give A away if B saw it. */
let markers: string[];
let callerB: Caller;
let before: Snapshot;

const IMAGE = 'registry.alpha.example/alpha/secret-web:7';

beforeAll(async () => {
  h = await createHarness();
  const { services, db } = h;
  const tenantA = await services.tenants.create(
    { slug: 'tenant-alpha', name: 'Alpha Secret Team' },
    'test',
  );
  const tenantB = await services.tenants.create({ slug: 'tenant-beta', name: 'Beta' }, 'test');
  await h.userCaller('owner@alpha.example', { 'tenant-alpha': 'OWNER' });
  await h.userCaller('member@alpha.example', { 'tenant-alpha': 'MEMBER' });
  callerB = await h.userCaller('owner@beta.example', { 'tenant-beta': 'OWNER' });
  const memberA = await db.prisma.user.findUniqueOrThrow({
    where: { email: 'member@alpha.example' },
  });

  const web = await services.containers.create(
    tenantA.id,
    {
      name: 'alpha-web',
      image: IMAGE,
      labels: { 'alpha.secret': 'sapphire' },
      env: ['ALPHA_PASSWORD=hunter2'],
    },
    'owner@alpha.example',
  );
  // Running on an agent, as far as the database knows, with a state history.
  await db.prisma.container.update({
    where: { id: web.id },
    data: { state: 'RUNNING', desiredState: 'RUNNING', startedAt: new Date() },
  });
  const task = await db.prisma.task.create({
    data: {
      containerId: web.id,
      mesosTaskId: 'alpha-web.task-1',
      agentId: 'agent-alpha-1',
      hostname: 'agent-alpha-1.example',
      state: 'TASK_RUNNING',
    },
  });
  await db.prisma.taskUpdate.createMany({
    data: [
      { taskId: task.id, state: 'TASK_STARTING' },
      { taskId: task.id, state: 'TASK_RUNNING' },
    ],
  });
  await services.containers.create(tenantA.id, { name: 'alpha-batch', image: IMAGE }, 'test');
  const token = await services.tokens.issue({ tenantId: tenantA.id, name: 'alpha-ci' }, 'test');
  await db.prisma.offerStat.create({
    data: { tenantId: tenantA.id, windowStart: new Date(Date.now() - 60_000), offers: 3 },
  });

  world = {
    a: {
      tenantId: tenantA.id,
      slug: tenantA.slug,
      containerId: web.id,
      containerName: web.name,
      containerPrefix: web.id.slice(0, 12),
      tokenId: token.token.id,
      userId: memberA.id,
      email: memberA.email,
    },
    b: { slug: tenantB.slug, tenantId: tenantB.id, email: 'owner@beta.example' },
  };
  const ghostId = randomBytes(32).toString('hex');
  const ghost: Ids = {
    tenantId: 'cghosttenant0000000000000',
    slug: 'tenant-ghost',
    containerId: ghostId,
    containerName: 'ghost-web',
    containerPrefix: ghostId.slice(0, 12),
    tokenId: 'cghosttoken00000000000000',
    userId: 'cghostuser000000000000000',
    email: 'nobody@ghost.example',
  };
  ghosts = (Object.keys(ghost) as (keyof Ids)[])
    .map((key): [string, string] => [world.a[key], ghost[key]])
    .sort(([x], [y]) => y.length - x.length);
  markers = [
    ...Object.values(world.a),
    tenantA.name,
    tenantA.mesosRole,
    'alpha-batch',
    IMAGE,
    'alpha.secret',
    'sapphire',
    'hunter2',
    'alpha-web.task-1',
    'agent-alpha-1',
    token.token.prefix,
    'alpha-ci',
    'owner@alpha.example',
  ];
  before = await snapshotOfA();
});
afterAll(async () => {
  await h?.close();
});

type Snapshot = Awaited<ReturnType<typeof snapshotOfA>>;

/** Everything stored about tenant A, its members included. */
async function snapshotOfA() {
  const { prisma } = h.db;
  const tenantId = world.a.tenantId;
  return {
    tenant: await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } }),
    containers: await prisma.container.findMany({
      where: { tenantId },
      include: { tasks: true },
      orderBy: { id: 'asc' },
    }),
    taskHistory: await prisma.taskUpdate.findMany({
      where: {
        taskId: {
          in: (await prisma.task.findMany({ where: { container: { tenantId } } })).map((t) => t.id),
        },
      },
      orderBy: { id: 'asc' },
    }),
    tokens: await prisma.apiToken.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
    members: await prisma.membership.findMany({
      where: { tenantId },
      include: { user: true },
      orderBy: { userId: 'asc' },
    }),
    // Compared apart: the checks sign A's owner in, which adds sessions.
    sessions: (
      await prisma.session.findMany({
        where: { user: { memberships: { some: { tenantId } } } },
        select: { id: true },
      })
    ).map((s) => s.id),
    offers: await prisma.offerStat.findMany({ where: { tenantId } }),
    audit: await prisma.auditEvent.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
  };
}

function replaceAll(text: string, pairs: [string, string][]): string {
  return pairs.reduce((out, [from, to]) => out.split(from).join(to), text);
}

/** The same input with every one of A's identifiers swapped for a ghost's. */
const ghostly = (input: unknown): unknown =>
  input === undefined ? undefined : JSON.parse(replaceAll(JSON.stringify(input), ghosts));

/** A failure as the dashboard receives it over HTTP. */
function errorOutcome(error: unknown): Outcome {
  if (error instanceof TRPCError) return { ok: false, code: error.code, message: error.message };
  // Only a subscription that fails while streaming throws anything else here; tRPC's
  // HTTP handler sends that as a server fault whatever the error says.
  return { ok: false, code: 'INTERNAL_SERVER_ERROR', message: String(error) };
}

/** What a subscription sends in its first moments, or how it fails. */
async function drain(iterable: AsyncIterable<unknown>, stop: AbortController): Promise<Outcome> {
  const items: unknown[] = [];
  const iterator = iterable[Symbol.asyncIterator]();
  const deadline = Date.now() + 300;
  try {
    for (;;) {
      const timer = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now())),
      );
      const next = await Promise.race([iterator.next(), timer]);
      if (next === 'timeout' || next.done) break;
      items.push(next.value);
    }
    return { ok: true, value: items };
  } catch (error) {
    return errorOutcome(error);
  } finally {
    stop.abort();
    await iterator.return?.();
  }
}

/**
 * Calls `path` as B's owner (or A's, to show an input is right), on B's
 * everyday session unless it needs one of its own: to end it, or to end a
 * subscription with it.
 */
async function call(
  path: string,
  type: ProcedureType,
  input: unknown,
  as: { tenant: 'A' | 'B'; ownSession?: boolean },
): Promise<Outcome> {
  const stop = new AbortController();
  const caller =
    as.tenant === 'B' && !as.ownSession && type !== 'subscription'
      ? callerB
      : await h.caller(
          await h.signIn(as.tenant === 'A' ? 'owner@alpha.example' : world.b.email, PASSWORD),
          {},
          [],
          stop.signal,
        );
  let target: unknown = caller;
  for (const key of path.split('.')) target = (target as Record<string, unknown>)[key];
  const procedure = target as (input: unknown) => Promise<unknown>;
  try {
    const value = await procedure(input);
    if (type === 'subscription') return await drain(value as AsyncIterable<unknown>, stop);
    return { ok: true, value };
  } catch (error) {
    return errorOutcome(error);
  }
}

/** A's identifiers in `outcome` that B did not send itself. */
function leaks(outcome: Outcome, input: unknown): string[] {
  const sent = JSON.stringify(input) ?? '';
  const seen = outcome.ok ? (JSON.stringify(outcome.value) ?? '') : outcome.message;
  return markers.filter((m) => !sent.includes(m) && seen.includes(m));
}

describe('tenant isolation of the dashboard API', () => {
  it('has a case for every procedure, and none for a procedure that is gone', () => {
    expect(Object.keys(PROCEDURES).length).toBeGreaterThan(0);
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(PROCEDURES).sort());
  });

  it.each(Object.keys(PROCEDURES).sort())('%s shows tenant B nothing of tenant A', async (path) => {
    const entry = CASES[path];
    if (!entry) throw new Error(`no isolation case for the procedure ${path}: add one to CASES`);
    expect(PROCEDURES[path]!._def.type, `${path} is a ${entry.type}`).toBe(entry.type);
    const inputs = entry.inputs(world);
    expect(inputs.length).toBeGreaterThan(0);
    for (const input of inputs) {
      const what = `${path}(${JSON.stringify(input)})`;
      const outcome = await call(path, entry.type, input, {
        tenant: 'B',
        ownSession: entry.ownSession ?? false,
      });
      expect(leaks(outcome, input), `${what} gives A away`).toEqual([]);
      if (entry.expect === 'ANSWERS') {
        await entry.check?.(outcome, world);
      } else {
        expect(outcome, what).toMatchObject({ ok: false, code: entry.expect });
      }
      // Whatever B learns about A's things, it learns the same about things that do not exist.
      if (!outcome.ok) {
        const ghost = await call(path, entry.type, ghostly(input), {
          tenant: 'B',
          ownSession: true,
        });
        expect(ghost.ok, `${what}, for nothing`).toBe(false);
        if (!ghost.ok) {
          expect(
            { code: outcome.code, message: outcome.message },
            `${what} differs from the answer for a thing that does not exist`,
          ).toEqual({ code: ghost.code, message: replaceAll(ghost.message, reverse(ghosts)) });
        }
      }
      // The refusal is isolation at work, not a wrong input: A itself reads the same things.
      if (entry.expect === 'NOT_FOUND' && entry.type !== 'mutation') {
        const own = await call(
          path,
          entry.type,
          { ...(input as object), ...aSlug(world) },
          {
            tenant: 'A',
          },
        );
        expect(own, `${what} as tenant A`).not.toMatchObject({ ok: false, code: 'NOT_FOUND' });
      }
    }
  });

  it("streams B none of A's container events while A works", async () => {
    const stop = new AbortController();
    const caller = await h.caller(await h.signIn(world.b.email), {}, [], stop.signal);
    const events = (await caller.containers.events(bSlug(world)))[Symbol.asyncIterator]();
    const createInB = (name: string) =>
      h.services.containers.create(world.b.tenantId, { name, image: IMAGE }, 'test');
    await untilListening(events, (n) => createInB(`b-probe-${n}`));
    const created = await h.services.containers.create(
      world.a.tenantId,
      { name: 'alpha-live', image: IMAGE },
      'test',
    );
    await h.services.containers.remove(world.a.tenantId, created.id, {}, 'test');
    // Events reach a subscriber in order: had A's leaked, they would come before B's own.
    await createInB('b-after-a');
    const next = await nextBesides(events, (e) => e.name.startsWith('b-probe-'));
    expect(next).toMatchObject({ name: 'b-after-a', action: 'create' });
    stop.abort();
    await events.return?.();
  });

  it("left everything of A's as it was", async () => {
    const after = await snapshotOfA();
    // The previous test's own container comes and goes in A's audit log.
    const stable = ({ sessions: _sessions, ...s }: Snapshot) => ({
      ...s,
      audit: s.audit.filter((e) => e.target !== 'alpha-live'),
    });
    expect(stable(after)).toEqual(stable(before));
    expect(after.sessions).toEqual(expect.arrayContaining(before.sessions));
    expect((await h.services.containers.get(world.a.tenantId, 'alpha-web')).state).toBe('running');
  });
});

const reverse = (pairs: [string, string][]): [string, string][] =>
  pairs
    .map(([real, ghost]): [string, string] => [ghost, real])
    .sort(([x], [y]) => y.length - x.length);
