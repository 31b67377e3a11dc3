import type { PrismaClient, Sql } from '@shoal/db';
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

/** How often the leader writes what it has counted (and at least once a window). */
const FLUSH_MS = 5_000;

interface Counted {
  offers: number;
  offeredCpus: number;
  offeredMemMb: number;
  acceptedCpus: number;
  acceptedMemMb: number;
  declinedCpus: number;
  declinedMemMb: number;
}

export class OfferStatsService {
  /** Counts per role and window not yet written. */
  private readonly pending = new Map<string, { role: string; windowStart: Date } & Counted>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /**
   * Adds one round of offers (as the framework handled it) to its role's current window.
   * Rounds come many times a second on a busy cluster: they are added up here and
   * written every few seconds, one statement for every role.
   */
  record(round: OfferRound, at = new Date()): void {
    const windowStart = new Date(Math.floor(at.getTime() / OFFER_WINDOW_MS) * OFFER_WINDOW_MS);
    const key = `${round.role}\n${windowStart.getTime()}`;
    let counted = this.pending.get(key);
    if (!counted) {
      counted = {
        role: round.role,
        windowStart,
        offers: 0,
        offeredCpus: 0,
        offeredMemMb: 0,
        acceptedCpus: 0,
        acceptedMemMb: 0,
        declinedCpus: 0,
        declinedMemMb: 0,
      };
      this.pending.set(key, counted);
    }
    counted.offers += round.offers;
    counted.offeredCpus += round.offered.cpus;
    counted.offeredMemMb += round.offered.memMb;
    counted.acceptedCpus += round.accepted.cpus;
    counted.acceptedMemMb += round.accepted.memMb;
    counted.declinedCpus += round.declined.cpus;
    counted.declinedMemMb += round.declined.memMb;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, FLUSH_MS).unref();
  }

  /** Writes what has been counted; readers call it so a series holds the latest rounds. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write()).catch(this.onError);
    return this.writing;
  }

  private async write(): Promise<void> {
    const rows = [...this.pending.values()];
    this.pending.clear();
    if (rows.length === 0) return;
    const column = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
    // Roles without a tenant (another framework's, or a tenant just deleted) are dropped.
    await this.sql.query(
      `INSERT INTO "OfferStat" (id, "tenantId", "windowStart", offers, "offeredCpus", "offeredMemMb",
                               "acceptedCpus", "acceptedMemMb", "declinedCpus", "declinedMemMb")
       SELECT md5(random()::text || clock_timestamp()::text), t.id, c.window_start, c.offers,
              c.offered_cpus, c.offered_mem, c.accepted_cpus, c.accepted_mem,
              c.declined_cpus, c.declined_mem
       FROM unnest($1::text[], $2::timestamp[], $3::int[], $4::float8[], $5::float8[],
                   $6::float8[], $7::float8[], $8::float8[], $9::float8[])
         AS c(role, window_start, offers, offered_cpus, offered_mem, accepted_cpus, accepted_mem,
              declined_cpus, declined_mem)
       JOIN "Tenant" t ON t."mesosRole" = c.role
       ON CONFLICT ("tenantId", "windowStart") DO UPDATE SET
         offers = "OfferStat".offers + EXCLUDED.offers,
         "offeredCpus" = "OfferStat"."offeredCpus" + EXCLUDED."offeredCpus",
         "offeredMemMb" = "OfferStat"."offeredMemMb" + EXCLUDED."offeredMemMb",
         "acceptedCpus" = "OfferStat"."acceptedCpus" + EXCLUDED."acceptedCpus",
         "acceptedMemMb" = "OfferStat"."acceptedMemMb" + EXCLUDED."acceptedMemMb",
         "declinedCpus" = "OfferStat"."declinedCpus" + EXCLUDED."declinedCpus",
         "declinedMemMb" = "OfferStat"."declinedMemMb" + EXCLUDED."declinedMemMb"`,
      [
        column((r) => r.role),
        column((r) => r.windowStart.toISOString()),
        column((r) => r.offers),
        column((r) => r.offeredCpus),
        column((r) => r.offeredMemMb),
        column((r) => r.acceptedCpus),
        column((r) => r.acceptedMemMb),
        column((r) => r.declinedCpus),
        column((r) => r.declinedMemMb),
      ],
    );
  }

  /** Every tenant's offers added up per window: what the whole framework was offered. */
  async clusterSeries(since: Date): Promise<OfferWindow[]> {
    await this.flush();
    const rows = await this.prisma.offerStat.groupBy({
      by: ['windowStart'],
      where: { windowStart: { gte: since } },
      orderBy: { windowStart: 'asc' },
      _sum: {
        offers: true,
        offeredCpus: true,
        acceptedCpus: true,
        declinedCpus: true,
        offeredMemMb: true,
        acceptedMemMb: true,
        declinedMemMb: true,
      },
    });
    return rows.map(({ windowStart, _sum: s }) => ({
      windowStart,
      offers: s.offers ?? 0,
      cpus: {
        offered: s.offeredCpus ?? 0,
        accepted: s.acceptedCpus ?? 0,
        declined: s.declinedCpus ?? 0,
      },
      memoryMb: {
        offered: s.offeredMemMb ?? 0,
        accepted: s.acceptedMemMb ?? 0,
        declined: s.declinedMemMb ?? 0,
      },
    }));
  }

  async series(tenantId: string, since: Date): Promise<OfferWindow[]> {
    await this.flush();
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
