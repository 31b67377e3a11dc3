import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness } from './test-support/harness';

// The dashboard's live list: it reads the list once, then applies changes as patches.

let h: Awaited<ReturnType<typeof createHarness>>;
let tenantA: string;
let tenantB: string;
const a = { tenantSlug: 'team-a' };
const nginx = { image: 'nginx', cpus: 0.1, memoryMb: 32 };

beforeAll(async () => {
  h = await createHarness();
  tenantA = (await h.services.tenants.create({ slug: 'team-a', name: 'A' }, 'test')).id;
  tenantB = (await h.services.tenants.create({ slug: 'team-b', name: 'B' }, 'test')).id;
  await h.userCaller('viewer@a.example', { 'team-a': 'VIEWER' });
  await h.userCaller('viewer@b.example', { 'team-b': 'VIEWER' });
});
afterAll(async () => {
  await h?.close();
});

type Change = [
  id: string,
  data: { containers: { id: string; name: string }[]; removed: string[]; reset: boolean },
];

async function open(email: string, slug: string, lastEventId: string) {
  const stop = new AbortController();
  const caller = await h.caller(await h.signIn(email), {}, [], stop.signal);
  const stream = (await caller.containers.changes({ tenantSlug: slug, lastEventId }))[
    Symbol.asyncIterator
  ]();
  return {
    next: async () => (await stream.next()).value as unknown as Change,
    close: () => stop.abort(),
  };
}

/** The next change that names a container, skipping empty ones. */
async function nextWith(stream: { next: () => Promise<Change> }): Promise<Change> {
  for (;;) {
    const change = await stream.next();
    if (change[1].containers.length > 0 || change[1].removed.length > 0) return change;
  }
}

it('patches a list with the rows that changed, never the whole list, and only the tenant’s own', async () => {
  const viewer = await h.caller(await h.signIn('viewer@a.example'));
  for (let i = 0; i < 20; i++)
    await h.services.containers.create(tenantA, { ...nginx, name: `old-${i}` }, 'test');
  const list = await viewer.containers.list(a);
  expect(list.containers).toHaveLength(20);

  const streamA = await open('viewer@a.example', 'team-a', list.asOf.toISOString());
  const streamB = await open('viewer@b.example', 'team-b', new Date().toISOString());
  // The first change comes at once with the cursor to resume from; it may repeat rows that
  // changed just before the list was read (a patch with a row as it is does no harm).
  const [, first] = await streamA.next();
  expect(first).toMatchObject({ removed: [], reset: false });
  await streamB.next();

  const created = await h.services.containers.create(tenantA, { ...nginx, name: 'new' }, 'test');
  await h.services.containers.create(tenantB, { ...nginx, name: 'other' }, 'test');
  const [, change] = await nextWith(streamA);
  expect(change.containers.map((c) => c.name)).toEqual(['new']);

  await h.services.containers.remove(tenantA, created.id, { force: true }, 'test');
  const [, removal] = await nextWith(streamA);
  expect(removal).toMatchObject({ containers: [], removed: [created.id] });

  const [, ofB] = await nextWith(streamB);
  expect(ofB.containers.map((c) => c.name)).toEqual(['other']);
  streamA.close();
  streamB.close();
});

it('drops a running container removed by force once its task is killed, as a fresh read does', async () => {
  const doomed = await h.services.containers.create(tenantA, { ...nginx, name: 'doomed' }, 'test');
  // Running on an agent, as far as the database knows.
  await h.db.prisma.container.update({
    where: { id: doomed.id },
    data: { state: 'RUNNING', desiredState: 'RUNNING', startedAt: new Date() },
  });
  await h.db.prisma.task.create({
    data: { containerId: doomed.id, mesosTaskId: 'doomed.1', agentId: 'a1', state: 'TASK_RUNNING' },
  });
  const stream = await open('viewer@a.example', 'team-a', new Date().toISOString());
  await stream.next();

  await h.services.containers.remove(tenantA, doomed.id, { force: true }, 'test');
  await h.services.taskStore.recordStatuses([
    { task_id: { value: 'doomed.1' }, agent_id: { value: 'a1' }, state: 'TASK_KILLED' },
  ]);
  const [, change] = await nextWith(stream);
  expect(change).toMatchObject({ containers: [], removed: [doomed.id] });
  const viewer = await h.caller(await h.signIn('viewer@a.example'));
  expect((await viewer.containers.list(a)).containers.map((c) => c.id)).not.toContain(doomed.id);
  stream.close();
});

it('resumes from the last change after a reconnect, with what happened in between', async () => {
  const stream = await open('viewer@a.example', 'team-a', new Date().toISOString());
  const [cursor] = await stream.next();
  stream.close();

  // While the tab is away: one container comes, another goes.
  const missed = await h.services.containers.create(tenantA, { ...nginx, name: 'missed' }, 'test');
  const gone = (await h.services.containers.list(tenantA, { all: true })).find(
    (c) => c.name === 'old-0',
  )!;
  await h.services.containers.remove(tenantA, gone.id, { force: true }, 'test');

  const resumed = await open('viewer@a.example', 'team-a', cursor);
  const [, replay] = await resumed.next();
  expect(replay.containers.map((c) => c.id)).toContain(missed.id);
  expect(replay.removed).toContain(gone.id);
  expect(replay.reset).toBe(false);
  resumed.close();
});

it('refuses a start that is not a time', async () => {
  const viewer = await h.caller(await h.signIn('viewer@a.example'));
  await expect(viewer.containers.changes({ ...a, lastEventId: 'yesterday' })).rejects.toMatchObject(
    { code: 'BAD_REQUEST' },
  );
});
