import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Caller } from './test-support/harness';

let h: Awaited<ReturnType<typeof createHarness>>;
let viewer: Caller;
let admin: Caller;

beforeAll(async () => {
  h = await createHarness();
  const tenant = await h.services.tenants.create({ slug: 'team-a', name: 'A' }, 'test');
  const other = await h.services.tenants.create({ slug: 'team-b', name: 'B' }, 'test');
  viewer = await h.userCaller('viewer@a.example', { 'team-a': 'VIEWER' });
  admin = await h.userCaller('ops@example.test', {}, { isAdmin: true });
  const now = Date.now();
  await h.db.prisma.offerStat.createMany({
    data: [
      { tenantId: tenant.id, windowStart: new Date(now - 3 * 3600_000), offers: 9, offeredCpus: 9 },
      {
        tenantId: tenant.id,
        windowStart: new Date(now - 60_000),
        offers: 2,
        offeredCpus: 4,
        acceptedCpus: 1,
        declinedCpus: 3,
        offeredMemMb: 2048,
        acceptedMemMb: 256,
        declinedMemMb: 1792,
        offeredRevocableCpus: 8,
        acceptedRevocableCpus: 2,
        declinedRevocableCpus: 6,
        offeredRevocableMemMb: 4096,
        acceptedRevocableMemMb: 512,
        declinedRevocableMemMb: 3584,
      },
      { tenantId: tenant.id, windowStart: new Date(now - 2 * 24 * 3600_000), offers: 1 },
      {
        tenantId: other.id,
        windowStart: new Date(now - 60_000),
        offers: 3,
        offeredCpus: 6,
        acceptedCpus: 2,
        declinedCpus: 4,
        offeredRevocableCpus: 1,
        declinedRevocableCpus: 1,
      },
    ],
  });
});
afterAll(async () => {
  await h?.close();
});

it('returns offered, accepted and declined amounts per window within the range, oldest first, revocable ones apart', async () => {
  const lastHour = await viewer.offers.series({ tenantSlug: 'team-a', hours: 1 });
  expect(lastHour).toEqual([
    {
      windowStart: expect.any(Date),
      offers: 2,
      cpus: { offered: 4, accepted: 1, declined: 3 },
      memoryMb: { offered: 2048, accepted: 256, declined: 1792 },
      revocableCpus: { offered: 8, accepted: 2, declined: 6 },
      revocableMemoryMb: { offered: 4096, accepted: 512, declined: 3584 },
    },
  ]);
  const lastDay = await viewer.offers.series({ tenantSlug: 'team-a' });
  expect(lastDay.map((w) => w.offers)).toEqual([9, 2]);
});

it('adds up every tenant’s windows for the cluster page, which only admins read', async () => {
  expect(await admin.admin.cluster.offerSeries({ hours: 1 })).toEqual([
    {
      windowStart: expect.any(Date),
      offers: 5,
      cpus: { offered: 10, accepted: 3, declined: 7 },
      memoryMb: { offered: 2048, accepted: 256, declined: 1792 },
      revocableCpus: { offered: 9, accepted: 2, declined: 7 },
      revocableMemoryMb: { offered: 4096, accepted: 512, declined: 3584 },
    },
  ]);
  expect((await admin.admin.cluster.offerSeries({ hours: 24 })).map((w) => w.offers)).toEqual([
    9, 5,
  ]);
  await expect(viewer.admin.cluster.offerSeries({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
});
