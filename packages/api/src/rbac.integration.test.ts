import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, codeOf, type Caller } from './test-support/harness';

let h: Awaited<ReturnType<typeof createHarness>>;
let admin: Caller;
let ownerA: Caller;
let memberA: Caller;
let viewerA: Caller;
let memberB: Caller;

beforeAll(async () => {
  h = await createHarness();
  await h.services.tenants.create({ slug: 'team-a', name: 'A' }, 'test');
  await h.services.tenants.create({ slug: 'team-b', name: 'B' }, 'test');
  admin = await h.userCaller('admin@example.com', {}, { isAdmin: true });
  ownerA = await h.userCaller('owner@a.example', { 'team-a': 'OWNER' });
  memberA = await h.userCaller('member@a.example', { 'team-a': 'MEMBER' });
  viewerA = await h.userCaller('viewer@a.example', { 'team-a': 'VIEWER' });
  memberB = await h.userCaller('member@b.example', { 'team-b': 'MEMBER' });
});
afterAll(async () => {
  await h?.close();
});

describe('tenant isolation', () => {
  it('lists only the tenants a user belongs to; admins see all', async () => {
    expect((await memberA.tenants.mine()).map((t) => t.tenant.slug)).toEqual(['team-a']);
    expect((await admin.tenants.mine()).map((t) => [t.tenant.slug, t.role])).toEqual([
      ['team-a', 'OWNER'],
      ['team-b', 'OWNER'],
    ]);
  });

  it('answers NOT_FOUND, never FORBIDDEN, for another tenant, exactly as for a missing one', async () => {
    const other = { tenantSlug: 'team-b' };
    expect(await codeOf(memberA.tenants.get(other))).toBe('NOT_FOUND');
    expect(await codeOf(memberA.tokens.list(other))).toBe('NOT_FOUND');
    expect(await codeOf(memberA.members.list(other))).toBe('NOT_FOUND');
    expect(await codeOf(memberA.offers.series(other))).toBe('NOT_FOUND');
    expect(await codeOf(memberA.tokens.issue({ ...other, name: 'sneaky' }))).toBe('NOT_FOUND');
    expect(await codeOf(memberA.tenants.get({ tenantSlug: 'no-such-team' }))).toBe('NOT_FOUND');
    expect(await h.db.prisma.apiToken.count({ where: { name: 'sneaky' } })).toBe(0);
  });

  it('lets an admin open any tenant as an owner', async () => {
    expect(await admin.tenants.get({ tenantSlug: 'team-b' })).toMatchObject({ role: 'OWNER' });
  });
});

describe('roles within a tenant', () => {
  const a = { tenantSlug: 'team-a' };

  it('lets a viewer read but not issue tokens or manage members', async () => {
    expect(await viewerA.tenants.get(a)).toMatchObject({ role: 'VIEWER' });
    expect(await viewerA.tokens.list(a)).toEqual([]);
    expect(await codeOf(viewerA.tokens.issue({ ...a, name: 'ci' }))).toBe('FORBIDDEN');
    expect(
      await codeOf(viewerA.members.add({ ...a, email: 'member@b.example', role: 'VIEWER' })),
    ).toBe('FORBIDDEN');
  });

  it('lets a member issue tokens but not manage members', async () => {
    await expect(memberA.tokens.issue({ ...a, name: 'ci' })).resolves.toHaveProperty('secret');
    expect(
      await codeOf(memberA.members.add({ ...a, email: 'member@b.example', role: 'VIEWER' })),
    ).toBe('FORBIDDEN');
  });

  it('lets an owner add, re-role and remove members, but never the last owner', async () => {
    await ownerA.members.add({ ...a, email: 'member@b.example', role: 'VIEWER' });
    const members = await ownerA.members.list(a);
    const added = members.find((m) => m.email === 'member@b.example')!;
    expect(added.role).toBe('VIEWER');
    // Adding them again with another role is refused, saying what they are; the role stays.
    const again = ownerA.members.add({ ...a, email: 'member@b.example', role: 'OWNER' });
    await expect(again).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(again).rejects.toThrow('member@b.example is already a member, as viewer');
    expect((await ownerA.members.list(a)).find((m) => m.email === 'member@b.example')!.role).toBe(
      'VIEWER',
    );
    await ownerA.members.setRole({ ...a, userId: added.userId, role: 'MEMBER' });
    await ownerA.members.remove({ ...a, userId: added.userId });
    expect(await codeOf(memberB.tenants.get(a))).toBe('NOT_FOUND');

    const owner = members.find((m) => m.role === 'OWNER')!;
    expect(await codeOf(ownerA.members.remove({ ...a, userId: owner.userId }))).toBe('CONFLICT');
    expect(
      await codeOf(ownerA.members.setRole({ ...a, userId: owner.userId, role: 'MEMBER' })),
    ).toBe('CONFLICT');
    expect(
      await codeOf(ownerA.members.add({ ...a, email: 'nobody@x.example', role: 'MEMBER' })),
    ).toBe('NOT_FOUND');
  });
});

describe('admin procedures', () => {
  it('refuse signed-out callers and non-admins', async () => {
    const anonymous = await h.caller();
    expect(await codeOf(anonymous.admin.tenants.list())).toBe('UNAUTHORIZED');
    expect(await codeOf(ownerA.admin.tenants.list())).toBe('FORBIDDEN');
    expect(await codeOf(ownerA.admin.users.create({ email: 'x@example.com' }))).toBe('FORBIDDEN');
    expect(await codeOf(memberA.admin.audit.list({}))).toBe('FORBIDDEN');
    expect(await codeOf(memberA.admin.cluster.overview())).toBe('FORBIDDEN');
  });

  it('create a tenant with quota and weight in one step, refusing a guarantee above its limit', async () => {
    const tenant = await admin.admin.tenants.create({
      slug: 'team-c',
      name: 'C',
      weight: 2,
      quota: { quotaCpusGuarantee: 1, quotaCpusLimit: 4, quotaMemLimit: 4096 },
    });
    expect(tenant).toMatchObject({ mesosRole: 'shoal-team-c', weight: 2, quotaCpusLimit: 4 });
    await expect(
      admin.admin.tenants.create({
        slug: 'team-d',
        name: 'D',
        quota: { quotaCpusGuarantee: 8, quotaCpusLimit: 2 },
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // Out-of-range amounts are refused in words that name the field and the bound.
    for (const [quota, message] of [
      [{ quotaCpusLimit: 1e9 }, 'The CPU limit can be at most 1,000,000 CPUs'],
      [{ quotaCpusGuarantee: -1 }, 'The CPU guarantee cannot be negative'],
      [{ quotaMemLimit: 2e12 }, 'The memory limit can be at most 1,073,741,824 MB'],
    ] as const) {
      await expect(
        admin.admin.tenants.create({ slug: 'team-e', name: 'E', quota }),
      ).rejects.toThrow(message);
    }
    await expect(
      admin.admin.tenants.create({ slug: 'team-e', name: 'E', weight: 5000 }),
    ).rejects.toThrow('The weight can be at most 1000');
    expect(await codeOf(admin.admin.tenants.create({ slug: 'team-c', name: 'again' }))).toBe(
      'CONFLICT',
    );
    // Mesos takes no quota on a nested role: a tenant with one stays off them.
    await expect(
      admin.admin.tenants.update({ tenantId: tenant.id, mesosRole: 'eng/c', weight: 3 }),
    ).rejects.toThrow('Mesos takes no quota on a nested role such as "eng/c"');
    const updated = await admin.admin.tenants.update({
      tenantId: tenant.id,
      mesosRole: 'eng-c',
      weight: 3,
    });
    expect(updated).toMatchObject({ mesosRole: 'eng-c', weight: 3, runtime: null });
    // The runtime of the tenant's new containers: set, refused when unknown, back to default.
    expect(await admin.admin.tenants.update({ tenantId: tenant.id, runtime: 'ucr' })).toMatchObject(
      { runtime: 'ucr', weight: 3 },
    );
    await expect(
      admin.admin.tenants.update({ tenantId: tenant.id, runtime: 'kata' as 'ucr' }),
    ).rejects.toThrow('The runtime must be docker or ucr');
    expect(await admin.admin.tenants.update({ tenantId: tenant.id, runtime: null })).toMatchObject({
      runtime: null,
    });
  });

  it('refuse a new tenant’s quota on a nested role at the role’s field, storing nothing', async () => {
    const refused = admin.admin.tenants.create({
      slug: 'team-n',
      name: 'N',
      mesosRole: 'eng/n',
      quota: { quotaCpusLimit: 2 },
    });
    await expect(refused).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // The issue the dashboard shows under the role's field (errorFormatter sends its path).
    const error = (await refused.catch((e: unknown) => e)) as { cause?: { issues?: unknown } };
    expect(error.cause?.issues).toMatchObject([
      {
        path: ['mesosRole'],
        message: expect.stringMatching(/^Mesos takes no quota on a nested role such as "eng\/n"/),
      },
    ]);
    expect(await h.db.prisma.tenant.count({ where: { slug: 'team-n' } })).toBe(0);
  });

  it('create users with a one-time password and never leave the cluster without an admin', async () => {
    const created = await admin.admin.users.create({ email: 'Fresh@Example.com' });
    expect(created.email).toBe('fresh@example.com');
    await expect(h.signIn('fresh@example.com', created.oneTimePassword)).resolves.toBeTruthy();
    await admin.admin.users.setAdmin({ userId: created.userId, isAdmin: true });
    await admin.admin.users.setDisabled({ userId: created.userId, disabled: true });
    const me = (await admin.auth.me())!;
    expect(await codeOf(admin.admin.users.setAdmin({ userId: me.id, isAdmin: false }))).toBe(
      'CONFLICT',
    );
    const users = await admin.admin.users.list();
    expect(users.find((u) => u.email === 'fresh@example.com')).toMatchObject({
      isAdmin: true,
      disabled: true,
      mustChangePassword: true,
    });
  });

  it('read the audit log with filters', async () => {
    const page = await admin.admin.audit.list({ action: 'member.' });
    expect(page.events.map((e) => e.action).sort()).toEqual([
      'member.add',
      'member.remove',
      'member.role',
    ]);
    expect(
      page.events.every((e) => e.tenantSlug === 'team-a' && e.actor === 'owner@a.example'),
    ).toBe(true);
    const first = await admin.admin.audit.list({ limit: 2 });
    const second = await admin.admin.audit.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.events[0]!.at.getTime()).toBeLessThanOrEqual(first.events[1]!.at.getTime());
    expect(await admin.admin.audit.actions()).toContain('tenant.create');
  });

  it('report the cluster operator as not connected until one is attached', async () => {
    expect(await admin.admin.cluster.overview()).toMatchObject({ connected: false, agents: [] });
    expect(await codeOf(admin.admin.cluster.drainAgent({ agentId: 'a1' }))).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });
});
