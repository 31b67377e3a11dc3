import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db, SqlRunner } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import { createServices } from '../services';
import { TokenService } from './token-service';

const SECRET = 'x'.repeat(32);

let db: Db;
let tenantId: string;
let audit: ReturnType<typeof createServices>['audit'];

beforeAll(async () => {
  db = await createTestDatabase();
  const services = createServices(db);
  audit = services.audit;
  tenantId = (await services.tenants.create({ slug: 'holder', name: 'Holder' }, 'test')).id;
  const row = (prefix: string, extra: { revokedAt?: Date; expiresAt?: Date } = {}) => ({
    tenantId,
    name: prefix,
    prefix,
    secretHash: createHash('sha256').update(SECRET).digest('hex'),
    ...extra,
  });
  await db.prisma.apiToken.createMany({
    data: [
      row('goodtoken1'),
      row('revoked001', { revokedAt: new Date() }),
      row('expired001', { expiresAt: new Date(Date.now() - 1000) }),
    ],
  });
});
afterAll(async () => {
  await db?.close();
});

/** A token service over the test database whose every look-up of a token is counted, by prefix. */
function countingTokens() {
  const lookups = new Map<string, number>();
  const sql: SqlRunner = {
    query: (text, values) => {
      if (text.includes('FROM "ApiToken"')) {
        const prefix = String(values?.[0]);
        lookups.set(prefix, (lookups.get(prefix) ?? 0) + 1);
      }
      return db.sql.query(text, values);
    },
  };
  return { service: new TokenService(db.prisma, sql, audit), lookups };
}

describe('TokenService.authenticate', () => {
  afterEach(() => vi.useRealTimers());

  it('refuses a repeated bad token again without another database look-up, and trusts a good one for two seconds', async () => {
    const { service, lookups } = countingTokens();
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
      expect(await service.authenticate(`shoal_goodtoken1_${SECRET}`)).toMatchObject({
        tenantId,
        scope: 'READ_WRITE',
      });
    }
    expect(Object.fromEntries(lookups)).toEqual({
      nosuchpref: 1,
      goodtoken1: 2,
      revoked001: 1,
      expired001: 1,
    });
    // Its use is stamped, for the tokens page.
    const stored = await db.prisma.apiToken.findUniqueOrThrow({ where: { prefix: 'goodtoken1' } });
    expect(Date.now() - stored.lastUsedAt!.getTime()).toBeLessThan(60_000);
  });

  it('answers requests that arrive together with one token from one look-up', async () => {
    const { service, lookups } = countingTokens();
    const good = `shoal_goodtoken1_${SECRET}`;
    const unknown = `shoal_nosuchpref_${SECRET}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => service.authenticate(i % 2 ? good : unknown)),
    );
    expect(answers.filter((a) => 'tenantId' in a && a.tenantId === tenantId)).toHaveLength(10);
    expect(answers.filter((a) => 'rejected' in a && a.rejected === 'unknown')).toHaveLength(10);
    expect(Object.fromEntries(lookups)).toEqual({ goodtoken1: 1, nosuchpref: 1 });
  });

  it('looks a good token up again once its two seconds of trust are over', async () => {
    // Only the clock is moved: the database's connections keep their own timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    const { service, lookups } = countingTokens();
    const token = `shoal_goodtoken1_${SECRET}`;
    await service.authenticate(token);
    vi.setSystemTime(Date.now() + 1_900);
    await service.authenticate(token);
    expect(lookups.get('goodtoken1')).toBe(1);
    vi.setSystemTime(Date.now() + 200);
    await service.authenticate(token);
    expect(lookups.get('goodtoken1')).toBe(2);
  });
});
