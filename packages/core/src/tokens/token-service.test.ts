import { createHash } from 'node:crypto';
import type { ApiToken, PrismaClient } from '@shoal/db';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditService } from '../audit/audit-service';
import { TokenService } from './token-service';

const SECRET = 'S3cret'.padEnd(32, 'x');
const row = (prefix: string, extra: Partial<ApiToken> = {}): ApiToken => ({
  id: `id-${prefix}`,
  tenantId: 'tenant-1',
  name: prefix,
  prefix,
  secretHash: createHash('sha256').update(SECRET).digest('hex'),
  scope: 'READ_WRITE',
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: new Date(),
  createdAt: new Date(),
  createdById: null,
  ...extra,
});

/** The token table as a map; every look-up by prefix is counted. */
function tokensOver(rows: ApiToken[]) {
  const lookups = new Map<string, number>();
  const prisma = {
    apiToken: {
      findUnique: async ({ where: { prefix } }: { where: { prefix: string } }) => {
        lookups.set(prefix, (lookups.get(prefix) ?? 0) + 1);
        return rows.find((r) => r.prefix === prefix) ?? null;
      },
    },
  };
  const service = new TokenService(prisma as unknown as PrismaClient, {} as AuditService);
  return { service, lookups };
}

describe('TokenService.authenticate', () => {
  afterEach(() => vi.useRealTimers());

  it('refuses a repeated bad token again without another database look-up, and trusts a good one for two seconds', async () => {
    const { service, lookups } = tokensOver([
      row('goodtoken1'),
      row('revoked001', { revokedAt: new Date() }),
      row('expired001', { expiresAt: new Date(Date.now() - 1000) }),
    ]);
    const wrongSecret = `shoal_goodtoken1_${'y'.repeat(32)}`;
    for (let i = 0; i < 3; i++) {
      expect(await service.authenticate(`shoal_nosuchpref_${SECRET}`)).toEqual({
        rejected: 'unknown',
      });
      expect(await service.authenticate(wrongSecret)).toEqual({ rejected: 'unknown' });
      expect(await service.authenticate(`shoal_revoked001_${SECRET}`)).toEqual({
        rejected: 'revoked',
      });
      expect(await service.authenticate(`shoal_expired001_${SECRET}`)).toEqual({
        rejected: 'expired',
      });
      expect(await service.authenticate('shoal_short_nope')).toEqual({ rejected: 'malformed' });
    }
    // A refused token with a good token's prefix does not keep the good token out.
    for (let i = 0; i < 2; i++) {
      expect(await service.authenticate(`shoal_goodtoken1_${SECRET}`)).toEqual({
        tokenId: 'id-goodtoken1',
        tenantId: 'tenant-1',
        scope: 'READ_WRITE',
      });
    }
    expect(Object.fromEntries(lookups)).toEqual({
      nosuchpref: 1,
      goodtoken1: 2,
      revoked001: 1,
      expired001: 1,
    });
  });

  it('answers requests that arrive together with one token from one look-up', async () => {
    const { service, lookups } = tokensOver([row('goodtoken1')]);
    const good = `shoal_goodtoken1_${SECRET}`;
    const unknown = `shoal_nosuchpref_${SECRET}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => service.authenticate(i % 2 ? good : unknown)),
    );
    expect(answers.filter((a) => 'tenantId' in a && a.tenantId === 'tenant-1')).toHaveLength(10);
    expect(answers.filter((a) => 'rejected' in a && a.rejected === 'unknown')).toHaveLength(10);
    expect(Object.fromEntries(lookups)).toEqual({ goodtoken1: 1, nosuchpref: 1 });
  });

  it('looks a good token up again once its two seconds of trust are over', async () => {
    vi.useFakeTimers();
    const { service, lookups } = tokensOver([row('goodtoken1')]);
    const token = `shoal_goodtoken1_${SECRET}`;
    await service.authenticate(token);
    await vi.advanceTimersByTimeAsync(1_900);
    await service.authenticate(token);
    expect(lookups.get('goodtoken1')).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    await service.authenticate(token);
    expect(lookups.get('goodtoken1')).toBe(2);
  });
});
