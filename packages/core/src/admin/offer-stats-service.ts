import type { PrismaClient } from '@shoal/db';

export interface OfferWindow {
  windowStart: Date;
  offers: number;
  cpus: { offered: number; accepted: number; declined: number };
  memoryMb: { offered: number; accepted: number; declined: number };
}

/**
 * The offers a tenant's role received, per window, as the framework records
 * them in OfferStat. It lives with the admin services because it reads
 * framework bookkeeping, but tenants see their own series.
 */
export class OfferStatsService {
  constructor(private readonly prisma: PrismaClient) {}

  async series(tenantId: string, since: Date): Promise<OfferWindow[]> {
    const rows = await this.prisma.offerStat.findMany({
      where: { tenantId, windowStart: { gte: since } },
      orderBy: { windowStart: 'asc' },
    });
    return rows.map((r) => ({
      windowStart: r.windowStart,
      offers: r.offers,
      cpus: { offered: r.offeredCpus, accepted: r.acceptedCpus, declined: r.declinedCpus },
      memoryMb: { offered: r.offeredMemMb, accepted: r.acceptedMemMb, declined: r.declinedMemMb },
    }));
  }
}
