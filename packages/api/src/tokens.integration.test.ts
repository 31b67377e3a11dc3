import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, codeOf, type Caller } from './test-support/harness';

let h: Awaited<ReturnType<typeof createHarness>>;
let memberA: Caller;
let memberB: Caller;
const a = { tenantSlug: 'team-a' };

beforeAll(async () => {
  h = await createHarness();
  await h.services.tenants.create({ slug: 'team-a', name: 'A' }, 'test');
  await h.services.tenants.create({ slug: 'team-b', name: 'B' }, 'test');
  memberA = await h.userCaller('member@a.example', { 'team-a': 'MEMBER' });
  memberB = await h.userCaller('member@b.example', { 'team-b': 'MEMBER' });
});
afterAll(async () => {
  await h?.close();
});

it('shows the secret once, lists tokens without it, and stops it working when revoked', async () => {
  const { token, secret } = await memberA.tokens.issue({ ...a, name: 'laptop', expiresInDays: 30 });
  expect(secret).toMatch(new RegExp(`^shoal_${token.prefix}_[A-Za-z0-9]{32}$`));
  expect(token.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);

  const listed = await memberA.tokens.list(a);
  expect(listed).toHaveLength(1);
  expect(JSON.stringify(listed)).not.toContain(secret.split('_')[2]);
  expect(Object.keys(listed[0]!)).not.toContain('secretHash');

  const tenant = await h.services.tenants.getBySlug('team-a');
  expect(await h.services.tokens.authenticate(secret)).toMatchObject({ tenantId: tenant.id });

  const revoked = await memberA.tokens.revoke({ ...a, tokenId: token.id });
  expect(revoked.revokedAt).toBeInstanceOf(Date);
  expect(await h.services.tokens.authenticate(secret)).toEqual({ rejected: 'revoked' });
});

it('treats a token of another tenant as not found, through either tenant', async () => {
  const { token, secret } = await memberA.tokens.issue({ ...a, name: 'ci' });
  expect(await codeOf(memberB.tokens.revoke({ tenantSlug: 'team-b', tokenId: token.id }))).toBe(
    'NOT_FOUND',
  );
  expect(await codeOf(memberB.tokens.revoke({ ...a, tokenId: token.id }))).toBe('NOT_FOUND');
  expect(await memberB.tokens.list({ tenantSlug: 'team-b' })).toEqual([]);
  expect(await h.services.tokens.authenticate(secret)).toHaveProperty('tenantId');
});

it('validates names with a message meant for the form', async () => {
  await expect(memberA.tokens.issue({ ...a, name: '  ' })).rejects.toMatchObject({
    code: 'BAD_REQUEST',
  });
});
