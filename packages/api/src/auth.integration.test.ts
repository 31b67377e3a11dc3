import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServices, ShoalError } from '@shoal/core';
import { createHarness, codeOf, PASSWORD } from './test-support/harness';

let h: Awaited<ReturnType<typeof createHarness>>;

beforeAll(async () => {
  h = await createHarness();
  await h.services.users.create({ email: 'ada@example.com', password: PASSWORD });
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Failure budgets refill with time: a test that counts failures holds the clock still, so
 * that a loaded machine taking seconds over them does not refill a budget mid-count.
 */
function holdClock(): void {
  vi.useFakeTimers({ toFake: ['Date'] });
}

describe('sign-in', () => {
  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const cookies: string[] = [];
    const anonymous = await h.caller(undefined, {}, cookies);
    const wrong = anonymous.auth.signIn({ email: 'ada@example.com', password: 'nope' });
    await expect(wrong).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Wrong email or password',
    });
    const unknown = anonymous.auth.signIn({ email: 'nobody@example.com', password: 'nope' });
    await expect(unknown).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Wrong email or password',
    });
    expect(cookies).toEqual([]);
  });

  it('slows a password guesser: after 10 failures an account refuses even the right password for a while', async () => {
    holdClock();
    await h.services.users.create({ email: 'grace@example.com', password: PASSWORD });
    const anonymous = await h.caller();
    for (let i = 0; i < 10; i++) {
      const guess = anonymous.auth.signIn({ email: 'grace@example.com', password: `guess-${i}` });
      await expect(guess).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    const right = anonymous.auth.signIn({ email: 'Grace@example.com', password: PASSWORD });
    await expect(right).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: expect.stringMatching(
        /^Too many failed sign-ins for this account; try again in \d+ seconds$/,
      ),
    });
    // Unknown emails are limited the same way, so the limit does not tell which accounts exist.
    for (let i = 0; i < 10; i++)
      await anonymous.auth.signIn({ email: 'ghost@example.com', password: 'x' }).catch(() => {});
    expect(await codeOf(anonymous.auth.signIn({ email: 'ghost@example.com', password: 'x' }))).toBe(
      'TOO_MANY_REQUESTS',
    );
    // Other accounts are not locked out by one under attack.
    expect(
      await anonymous.auth.signIn({ email: 'ada@example.com', password: PASSWORD }),
    ).toMatchObject({
      email: 'ada@example.com',
    });
  });

  it('sets an HttpOnly, SameSite=Lax cookie, Secure only over https, and stores only its hash', async () => {
    const cookies: string[] = [];
    const overHttp = await h.caller(undefined, {}, cookies);
    await overHttp.auth.signIn({ email: 'ADA@example.com ', password: PASSWORD });
    const cookie = cookies[0]!;
    expect(cookie).toMatch(
      /^shoal_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/,
    );
    const token = cookie.split(';')[0]!.split('=')[1]!;
    const sessions = await h.db.prisma.session.findMany();
    expect(JSON.stringify(sessions)).not.toContain(token);

    const overHttps = await h.caller(undefined, { 'x-forwarded-proto': 'https' }, cookies);
    await overHttps.auth.signIn({ email: 'ada@example.com', password: PASSWORD });
    expect(cookies[1]).toMatch(/; Secure$/);
  });

  it('resolves the session, and signing out ends it and clears the cookie', async () => {
    const token = await h.signIn('ada@example.com');
    const cookies: string[] = [];
    const signedIn = await h.caller(token, {}, cookies);
    expect(await signedIn.auth.me()).toMatchObject({ email: 'ada@example.com', isAdmin: false });
    await signedIn.auth.signOut();
    expect(cookies[0]).toMatch(/^shoal_session=; Path=\/; Max-Age=0;/);
    expect(await (await h.caller(token)).auth.me()).toBeNull();
    expect(await codeOf((await h.caller(token)).tenants.mine())).toBe('UNAUTHORIZED');
  });

  it('ends idle sessions and sessions past their absolute lifetime', async () => {
    const idle = await h.signIn('ada@example.com');
    const old = await h.signIn('ada@example.com');
    await h.db.prisma.session.update({
      where: { tokenHash: hashOf(idle) },
      data: { lastSeenAt: new Date(Date.now() - 13 * 3600_000) },
    });
    await h.db.prisma.session.update({
      where: { tokenHash: hashOf(old) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await (await h.caller(idle)).auth.me()).toBeNull();
    expect(await (await h.caller(old)).auth.me()).toBeNull();
    expect(
      await h.db.prisma.session.count({
        where: { tokenHash: { in: [hashOf(idle), hashOf(old)] } },
      }),
    ).toBe(0);
  });

  it('refuses a disabled user, and disabling ends their sessions', async () => {
    const user = await h.services.users.create({ email: 'gone@example.com', password: PASSWORD });
    const token = await h.signIn('gone@example.com');
    await h.db.prisma.user.create({
      data: { email: 'root@example.com', passwordHash: 'x', isAdmin: true },
    });
    await h.services.userAdmin.setDisabled(user.id, true, 'test');
    expect(await (await h.caller(token)).auth.me()).toBeNull();
    expect(await codeOf(h.signIn('gone@example.com'))).toBe('UNAUTHORIZED');
  });
});

describe('password guessing', () => {
  beforeEach(holdClock);

  /** The domain error code a call fails with, or 'resolved'. */
  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: unknown) => (e instanceof ShoalError ? e.code : `unexpected: ${String(e)}`),
    );

  it('a wrong password every 10 s, from anywhere, never keeps the owner out', async () => {
    const { sessions, users } = createServices(h.db);
    await users.create({ email: 'trickle@example.com', password: PASSWORD });
    for (let i = 0; i < 60; i++) {
      const guess = sessions.signIn('trickle@example.com', `guess-${i}`, '203.0.113.9');
      expect(await outcome(guess)).toBe('UNAUTHENTICATED');
      vi.setSystemTime(Date.now() + 10_000);
    }
    expect(await outcome(sessions.signIn('trickle@example.com', PASSWORD, '198.51.100.7'))).toBe(
      'resolved',
    );
    // Even from the guesser's own address (a shared NAT, say).
    expect(await outcome(sessions.signIn('trickle@example.com', PASSWORD, '203.0.113.9'))).toBe(
      'resolved',
    );
  });

  it('a flood of guesses from many addresses locks them out, not the owner at a familiar address', async () => {
    const { sessions, users } = createServices(h.db);
    await users.create({ email: 'flood@example.com', password: PASSWORD });
    await sessions.signIn('flood@example.com', PASSWORD, '198.51.100.20');
    const outcomes = [];
    for (let i = 0; i < 40; i++)
      outcomes.push(
        await outcome(sessions.signIn('flood@example.com', `guess-${i}`, `203.0.113.${i}`)),
      );
    expect(outcomes.slice(0, 30).every((o) => o === 'UNAUTHENTICATED')).toBe(true);
    expect(outcomes.slice(30).every((o) => o === 'RATE_LIMITED')).toBe(true);
    await expect(sessions.signIn('flood@example.com', PASSWORD, '203.0.113.99')).rejects.toThrow(
      /^Too many failed sign-ins for this account; try again in \d+ seconds$/,
    );
    expect(await outcome(sessions.signIn('flood@example.com', PASSWORD, '198.51.100.20'))).toBe(
      'resolved',
    );
  });

  it('an address trying unknown emails waits, while other addresses sign in', async () => {
    const { sessions, users } = createServices(h.db);
    await users.create({ email: 'bystander@example.com', password: PASSWORD });
    const outcomes = [];
    for (let i = 0; i < 35; i++)
      outcomes.push(await outcome(sessions.signIn(`nobody-${i}@example.com`, 'x', '203.0.113.50')));
    expect(outcomes.slice(0, 30).every((o) => o === 'UNAUTHENTICATED')).toBe(true);
    expect(outcomes.slice(30).every((o) => o === 'RATE_LIMITED')).toBe(true);
    await expect(sessions.signIn('someone@example.com', 'x', '203.0.113.50')).rejects.toThrow(
      /^Too many failed sign-ins from your address; try again in \d+ seconds$/,
    );
    expect(await outcome(sessions.signIn('bystander@example.com', PASSWORD, '198.51.100.30'))).toBe(
      'resolved',
    );
  });

  it('limits wrong current passwords on a password change like failed sign-ins', async () => {
    await h.services.users.create({ email: 'changer@example.com', password: PASSWORD });
    const from = { 'x-forwarded-for': '203.0.113.77' };
    const token = await h.signIn('changer@example.com');
    const stolen = await h.caller(token, from);
    const change = (currentPassword: string) =>
      codeOf(stolen.auth.changePassword({ currentPassword, newPassword: 'a new long password' }));
    for (let i = 0; i < 10; i++) expect(await change(`guess-${i}`)).toBe('BAD_REQUEST');
    expect(await change(PASSWORD)).toBe('TOO_MANY_REQUESTS');
  });

  it('refuses a common or guessable new password and says why', async () => {
    await h.services.users.create({ email: 'weak@example.com', password: PASSWORD });
    const caller = await h.caller(await h.signIn('weak@example.com'));
    for (const newPassword of ['password1234', 'qwertyuiop12', 'weak@example.com1']) {
      await expect(
        caller.auth.changePassword({ currentPassword: PASSWORD, newPassword }),
      ).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/^Choose a harder password\. /),
      });
    }
    await caller.auth.changePassword({
      currentPassword: PASSWORD,
      newPassword: 'otter quartz lantern',
    });
  });
});

describe('one-time passwords', () => {
  it('allow nothing but a password change, which ends the other sessions', async () => {
    await h.services.users.create({
      email: 'new@example.com',
      password: 'one-time-secret',
      mustChangePassword: true,
    });
    const first = await h.signIn('new@example.com', 'one-time-secret');
    const other = await h.signIn('new@example.com', 'one-time-secret');
    const caller = await h.caller(first);
    expect(await caller.auth.me()).toMatchObject({ mustChangePassword: true });
    await expect(caller.tenants.mine()).rejects.toMatchObject({ code: 'FORBIDDEN' });

    expect(
      await codeOf(
        caller.auth.changePassword({
          currentPassword: 'wrong',
          newPassword: 'a new long password',
        }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        caller.auth.changePassword({ currentPassword: 'one-time-secret', newPassword: 'short' }),
      ),
    ).toBe('BAD_REQUEST');
    await caller.auth.changePassword({
      currentPassword: 'one-time-secret',
      newPassword: 'a new long password',
    });

    const after = await h.caller(first);
    expect(await after.auth.me()).toMatchObject({ mustChangePassword: false });
    expect(await after.tenants.mine()).toEqual([]);
    expect(await (await h.caller(other)).auth.me()).toBeNull();
    await h.signIn('new@example.com', 'a new long password');
  });
});

describe('cross-site requests', () => {
  it('refuses mutations without the dashboard header, with a foreign Origin or a non-JSON body', async () => {
    const login = { email: 'ada@example.com', password: PASSWORD };
    const noHeader = await h.caller(undefined, { 'x-shoal-csrf': undefined });
    await expect(noHeader.auth.signIn(login)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const foreign = await h.caller(undefined, { origin: 'https://evil.example' });
    await expect(foreign.auth.signIn(login)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const form = await h.caller(undefined, { 'content-type': 'text/plain' });
    await expect(form.auth.signIn(login)).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const sameOrigin = await h.caller(undefined, { origin: 'http://dashboard.test' });
    await expect(sameOrigin.auth.signIn(login)).resolves.toMatchObject({
      email: 'ada@example.com',
    });
    const proxied = await h.caller(undefined, {
      origin: 'https://shoal.example',
      'x-forwarded-host': 'shoal.example',
    });
    await expect(proxied.auth.signIn(login)).resolves.toMatchObject({ email: 'ada@example.com' });
  });

  it('lets queries through without the header, since they change nothing', async () => {
    const token = await h.signIn('ada@example.com');
    const plain = await h.caller(token, { 'x-shoal-csrf': undefined, 'content-type': undefined });
    expect(await plain.auth.me()).toMatchObject({ email: 'ada@example.com' });
  });
});

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
