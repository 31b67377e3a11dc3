import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BrowserTerminals,
  MAX_TERMINALS_PER_USER,
  type PlacedTerminalEvent,
  type TerminalEvent,
  type TerminalUser,
} from '@shoal/core';
import type { RunningShoal } from './app';
import { eventually, startShoalForTest } from './testing/shoal-under-test';

// The dashboard's terminal against the emulated agents: the shell a member opens is a
// nested container session with a terminal, typed at and resized through its id.

let shoal: RunningShoal;
let member: TerminalUser;
let colleague: TerminalUser;

beforeAll(async () => {
  shoal = await startShoalForTest();
  const { services } = shoal;
  const tenant = await services.tenants.create({ slug: 'shells', name: 'Shells' }, 'test');
  await services.tenantAdmin.update(tenant.id, { runtime: 'ucr' }, 'test');
  const user = await services.users.create({ email: 'dev@shells.test', password: 'x'.repeat(16) });
  await services.users.addMembership(user.id, tenant.id, 'MEMBER');
  member = { id: user.id, isAdmin: false, email: user.email };
  const other = await services.users.create({ email: 'ops@shells.test', password: 'y'.repeat(16) });
  await services.users.addMembership(other.id, tenant.id, 'MEMBER');
  colleague = { id: other.id, isAdmin: false, email: other.email };
  await eventually(
    'the framework to subscribe',
    async () => services.cluster.framework().subscribed,
  );
  await services.containers.create(
    tenant.id,
    { name: 'box', image: 'alpine', cmd: ['sleep', 'infinity'] },
    'test',
  );
  await services.containers.start(tenant.id, 'box', 'test');
  await eventually('box to run', async () => {
    const c = await services.containers.get(tenant.id, 'box');
    return c.state === 'running' && c.task?.agentId ? c : undefined;
  });
});
afterAll(async () => {
  await shoal?.close();
});

/** Reads a terminal's events, collecting its screen, until `until` is on it. */
function screenOf(events: AsyncIterable<PlacedTerminalEvent>) {
  const iterator = events[Symbol.asyncIterator]();
  let screen = '';
  let id: string | undefined;
  let exit: number | null | undefined;
  let position = '';
  const until = async (text: string) => {
    while (!screen.includes(text)) {
      const next = await iterator.next();
      if (next.done) throw new Error(`the stream ended before "${text}"; screen: ${screen}`);
      const { event } = next.value;
      position = next.value.position;
      if (event.kind === 'opened') id = event.id;
      else if (event.kind === 'output') screen += Buffer.from(event.data, 'base64').toString();
      else exit = event.code;
    }
  };
  return {
    until,
    id: () => id,
    exit: () => exit,
    screen: () => screen,
    position: () => position,
    iterator,
  };
}

it('opens sh in the running container, types at it, resizes it and hears its exit', async () => {
  const terminals = shoal.services.browserTerminals;
  const left = new AbortController();
  const events = await terminals.start(
    member,
    'shells',
    'box',
    { rows: 24, columns: 80 },
    left.signal,
  );
  const screen = screenOf(events);
  await screen.until('/mnt/mesos/sandbox # ');
  const id = screen.id()!;
  await terminals.write(member, 'shells', id, 'echo hi\r');
  await screen.until('echo hi\r\nhi\r\n');
  await terminals.resize(member, 'shells', id, { rows: 30, columns: 100 });
  await terminals.write(member, 'shells', id, 'stty size\r');
  await screen.until('30 100\r\n');
  // Another member of the tenant cannot type at it: the id is its opener's only.
  await expect(terminals.write(colleague, 'shells', id, 'ls\r')).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
  await terminals.write(member, 'shells', id, 'exit 5\r');
  // The shell echoes `exit 5`, ends, and the stream says how, then ends.
  const rest: TerminalEvent[] = [];
  for (let next = await screen.iterator.next(); !next.done; next = await screen.iterator.next())
    rest.push(next.value.event);
  expect(rest.at(-1)).toEqual({ kind: 'exited', code: 5 });
  expect(rest.filter((e) => e.kind === 'exited')).toHaveLength(1);
  // An ended terminal takes no more input.
  await expect(terminals.write(member, 'shells', id, 'ls\r')).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
});

it('resumes a shell whose stream broke where it left off, and ends one nobody comes back for', async () => {
  const { services } = shoal;
  // A grace short enough to see it end; the dashboard's own is longer.
  const terminals = new BrowserTerminals(services.access, services.execs, 1_000);
  const first = new AbortController();
  const before = screenOf(
    await terminals.start(member, 'shells', 'box', { rows: 24, columns: 80 }, first.signal),
  );
  await before.until('/mnt/mesos/sandbox # ');
  const id = before.id()!;
  // The connection breaks; what is typed meanwhile still reaches the shell.
  first.abort();
  while (!(await before.iterator.next()).done);
  await terminals.write(member, 'shells', id, 'echo while away\r');
  const after = screenOf(
    await terminals.resume(member, 'shells', before.position(), new AbortController().signal),
  );
  // Its output is replayed, with no new shell: the same id types at it.
  await after.until('while away\r\n');
  expect(after.id()).toBeUndefined();
  await terminals.write(member, 'shells', id, 'echo back\r');
  await after.until('back\r\n');
  // Nobody else resumes it.
  await expect(
    terminals.resume(colleague, 'shells', after.position(), new AbortController().signal),
  ).rejects.toMatchObject({ code: 'NOT_FOUND' });

  // A shell left with no stream ends after the grace: it is no longer found.
  const left = new AbortController();
  const lone = screenOf(
    await terminals.start(member, 'shells', 'box', { rows: 24, columns: 80 }, left.signal),
  );
  await lone.until('/mnt/mesos/sandbox # ');
  left.abort();
  while (!(await lone.iterator.next()).done);
  await eventually('the unattended shell to end', () =>
    terminals.write(member, 'shells', lone.id()!, 'ls\r').then(
      () => undefined,
      (error: { code?: string }) => error.code === 'NOT_FOUND',
    ),
  );
  await expect(
    terminals.resume(member, 'shells', lone.position(), new AbortController().signal),
  ).rejects.toMatchObject({ code: 'NOT_FOUND' });
});

it('lets a user open another terminal once the page of an earlier one left, however quickly', async () => {
  const terminals = shoal.services.browserTerminals;
  const open = async () => {
    const left = new AbortController();
    const screen = screenOf(
      await terminals.start(member, 'shells', 'box', { rows: 24, columns: 80 }, left.signal),
    );
    await screen.until('/mnt/mesos/sandbox # ');
    return { screen, left };
  };
  // As many as a user may hold, all read.
  const held = [];
  for (let i = 0; i < MAX_TERMINALS_PER_USER; i++) held.push(await open());
  await expect(open()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  // One page leaves: its shell waits for it, but a new terminal takes its place.
  const gone = held.shift()!;
  gone.left.abort();
  while (!(await gone.screen.iterator.next()).done);
  held.push(await open());
  await expect(terminals.write(member, 'shells', gone.screen.id()!, 'ls\r')).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
  for (const { screen, left } of held) {
    left.abort();
    while (!(await screen.iterator.next()).done);
  }
});
