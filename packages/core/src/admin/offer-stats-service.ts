import type { PrismaClient } from '@shoal/db';
import type { OfferRoundStats } from '@shoal/scheduler';

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
/** One round of offers for a role, as the framework reports it. */
export type OfferRound = OfferRoundStats;

/** Offer statistics are kept per tenant and minute. */
export const OFFER_WINDOW_MS = 60_000;

export class OfferStatsService {
  private readonly tenantOfRole = new Map<string, string | null>();

  constructor(private readonly prisma: PrismaClient) {}

  /** Adds one round of offers (as the framework handled it) to the tenant's current window. */
  async record(round: OfferRound, at = new Date()): Promise<void> {
    let tenantId = this.tenantOfRole.get(round.role);
    if (tenantId === undefined) {
      tenantId =
        (
          await this.prisma.tenant.findUnique({
            where: { mesosRole: round.role },
            select: { id: true },
          })
        )?.id ?? null;
      // Roles are rarely re-assigned; a short memory keeps this off the hot path.
      this.tenantOfRole.set(round.role, tenantId);
      setTimeout(() => this.tenantOfRole.delete(round.role), OFFER_WINDOW_MS).unref();
    }
    if (!tenantId) return;
    const windowStart = new Date(Math.floor(at.getTime() / OFFER_WINDOW_MS) * OFFER_WINDOW_MS);
    const amounts = {
      offers: round.offers,
      offeredCpus: round.offered.cpus,
      offeredMemMb: round.offered.memMb,
      acceptedCpus: round.accepted.cpus,
      acceptedMemMb: round.accepted.memMb,
      declinedCpus: round.declined.cpus,
      declinedMemMb: round.declined.memMb,
    };
    await this.prisma.offerStat.upsert({
      where: { tenantId_windowStart: { tenantId, windowStart } },
      create: { tenantId, windowStart, ...amounts },
      update: Object.fromEntries(Object.entries(amounts).map(([k, v]) => [k, { increment: v }])),
    });
  }

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
