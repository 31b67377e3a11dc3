import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createHarness, type Caller } from './test-support/harness';

// Who may open a container's terminal, and what the others are told. The shell itself
// (a nested container session on the task's agent) is exercised in the browser suite.

let h: Awaited<ReturnType<typeof createHarness>>;
let memberA: Caller;
let viewerA: Caller;
let memberB: Caller;
let containerOfA: string;
const size = { rows: 24, columns: 80 };
const a = { tenantSlug: 'team-a' };

beforeAll(async () => {
  h = await createHarness();
  const tenantA = await h.services.tenants.create({ slug: 'team-a', name: 'A' }, 'test');
  await h.services.tenants.create({ slug: 'team-b', name: 'B' }, 'test');
  memberA = await h.userCaller('member@a.example', { 'team-a': 'MEMBER' });
  viewerA = await h.userCaller('viewer@a.example', { 'team-a': 'VIEWER' });
  memberB = await h.userCaller('member@b.example', { 'team-b': 'MEMBER' });
  containerOfA = (
    await h.services.containers.create(
      tenantA.id,
      { name: 'shell', image: 'alpine', runtime: 'ucr', cmd: ['sleep', 'infinity'] },
      'test',
    )
  ).id;
  await h.services.containers.create(tenantA.id, { name: 'plain', image: 'nginx' }, 'test');
});
afterAll(async () => {
  await h?.close();
});

/** The error a call fails with, as code and message. */
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: 'resolved', message: '' }),
    (error: { code?: string; message: string }) => ({ code: error.code, message: error.message }),
  );

describe('the dashboard terminal', () => {
  it('refuses a viewer, through the API and in the service itself', async () => {
    expect(await codeOf(viewerA.containers.terminal({ ...a, ref: 'shell', size }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await codeOf(viewerA.containers.terminalInput({ ...a, id: 'x', text: 'echo hi\r' })),
    ).toBe('FORBIDDEN');
    expect(await codeOf(viewerA.containers.terminalResize({ ...a, id: 'x', size }))).toBe(
      'FORBIDDEN',
    );
    const viewer = await h.db.prisma.user.findUnique({ where: { email: 'viewer@a.example' } });
    const direct = await refusal(
      h.services.browserTerminals.start(
        { id: viewer!.id, isAdmin: false, email: 'viewer@a.example' },
        'team-a',
        'shell',
        size,
        new AbortController().signal,
      ),
    );
    expect(direct).toEqual({
      code: 'FORBIDDEN',
      message: 'This needs the member role in team-a; you are a viewer',
    });
  });

  it('does not find another tenant’s container, by its tenant or by its id', async () => {
    expect(await codeOf(memberB.containers.terminal({ ...a, ref: 'shell', size }))).toBe(
      'NOT_FOUND',
    );
    const byId = await refusal(
      memberB.containers.terminal({ tenantSlug: 'team-b', ref: containerOfA, size }),
    );
    expect(byId).toEqual({ code: 'NOT_FOUND', message: `No such container: ${containerOfA}` });
  });

  it('tells a member why a container has no terminal: its runtime, or not running', async () => {
    const plain = await refusal(memberA.containers.terminal({ ...a, ref: 'plain', size }));
    expect(plain.code).toBe('NOT_IMPLEMENTED');
    expect(plain.message).toMatch(/^exec is not supported under the docker runtime/);
    const stopped = await refusal(memberA.containers.terminal({ ...a, ref: 'shell', size }));
    expect(stopped).toEqual({
      code: 'CONFLICT',
      message: `container ${containerOfA} is not running`,
    });
  });

  it('knows no terminal by an id its user did not open', async () => {
    expect(
      await codeOf(memberA.containers.terminalInput({ ...a, id: 'not-mine', text: 'ls\r' })),
    ).toBe('NOT_FOUND');
  });
});
