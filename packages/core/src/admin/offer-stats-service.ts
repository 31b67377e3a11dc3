import type { OfferStat, PrismaClient, Sql } from '@shoal/db';
import type { OfferRoundStats } from '@shoal/scheduler';

interface Amounts {
  offered: number;
  accepted: number;
  declined: number;
}

export interface OfferWindow {
  windowStart: Date;
  offers: number;
  /** Firm resources. */
  cpus: Amounts;
  memoryMb: Amounts;
  /** Revocable (oversubscribed) resources, which agents may take back at any time. */
  revocableCpus: Amounts;
  revocableMemoryMb: Amounts;
}

/** OfferStat's figures, each with what it adds up from a round of offers. */
const FIGURES = {
  offeredCpus: (r) => r.offered.cpus,
  offeredMemMb: (r) => r.offered.memMb,
  acceptedCpus: (r) => r.accepted.cpus,
  acceptedMemMb: (r) => r.accepted.memMb,
  declinedCpus: (r) => r.declined.cpus,
  declinedMemMb: (r) => r.declined.memMb,
  offeredRevocableCpus: (r) => r.revocable.offered.cpus,
  offeredRevocableMemMb: (r) => r.revocable.offered.memMb,
  acceptedRevocableCpus: (r) => r.revocable.accepted.cpus,
  acceptedRevocableMemMb: (r) => r.revocable.accepted.memMb,
  declinedRevocableCpus: (r) => r.revocable.declined.cpus,
  declinedRevocableMemMb: (r) => r.revocable.declined.memMb,
} satisfies Partial<Record<keyof OfferStat, (round: OfferRoundStats) => number>>;

type Figure = keyof typeof FIGURES;
type Figures = Record<Figure, number>;
const FIGURE_NAMES = Object.keys(FIGURES) as Figure[];

function windowOf(windowStart: Date, offers: number, f: Figures): OfferWindow {
  return {
    windowStart,
    offers,
    cpus: { offered: f.offeredCpus, accepted: f.acceptedCpus, declined: f.declinedCpus },
    memoryMb: { offered: f.offeredMemMb, accepted: f.acceptedMemMb, declined: f.declinedMemMb },
    revocableCpus: {
      offered: f.offeredRevocableCpus,
      accepted: f.acceptedRevocableCpus,
      declined: f.declinedRevocableCpus,
    },
    revocableMemoryMb: {
      offered: f.offeredRevocableMemMb,
      accepted: f.acceptedRevocableMemMb,
      declined: f.declinedRevocableMemMb,
    },
  };
}

/** One round of offers for a role, as the framework reports it. */
export type OfferRound = OfferRoundStats;

/** Offer statistics are kept per tenant and minute. */
export const OFFER_WINDOW_MS = 60_000;

/** How often the leader writes what it has counted (and at least once a window). */
const FLUSH_MS = 5_000;

interface Counted {
  role: string;
  windowStart: Date;
  offers: number;
  figures: Figures;
}

/**
 * The offers a tenant's role received, per window, as the framework records
 * them in OfferStat. It lives with the admin services because it reads
 * framework bookkeeping, but tenants see their own series.
 */
export class OfferStatsService {
  /** Counts per role and window not yet written. */
  private readonly pending = new Map<string, Counted>();
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
      const figures = Object.fromEntries(FIGURE_NAMES.map((f) => [f, 0])) as Figures;
      counted = { role: round.role, windowStart, offers: 0, figures };
      this.pending.set(key, counted);
    }
    counted.offers += round.offers;
    for (const f of FIGURE_NAMES) counted.figures[f] += FIGURES[f](round);
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
    // The figures' names are this module's own, never input.
    const columns = FIGURE_NAMES.map((f) => `"${f}"`).join(', ');
    const arrays = FIGURE_NAMES.map((_, i) => `$${i + 4}::float8[]`).join(', ');
    const added = FIGURE_NAMES.map((f) => `"${f}" = "OfferStat"."${f}" + EXCLUDED."${f}"`);
    // Roles without a tenant (another framework's, or a tenant just deleted) are dropped.
    await this.sql.query(
      `INSERT INTO "OfferStat" (id, "tenantId", "windowStart", offers, ${columns})
       SELECT md5(random()::text || clock_timestamp()::text), t.id, c.window_start, c.offers,
              ${FIGURE_NAMES.map((f) => `c."${f}"`).join(', ')}
       FROM unnest($1::text[], $2::timestamp[], $3::int[], ${arrays})
         AS c(role, window_start, offers, ${columns})
       JOIN "Tenant" t ON t."mesosRole" = c.role
       ON CONFLICT ("tenantId", "windowStart") DO UPDATE SET
         offers = "OfferStat".offers + EXCLUDED.offers, ${added.join(', ')}`,
      [
        rows.map((r) => r.role),
        rows.map((r) => r.windowStart.toISOString()),
        rows.map((r) => r.offers),
        ...FIGURE_NAMES.map((f) => rows.map((r) => r.figures[f])),
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
        offeredMemMb: true,
        acceptedCpus: true,
        acceptedMemMb: true,
        declinedCpus: true,
        declinedMemMb: true,
        offeredRevocableCpus: true,
        offeredRevocableMemMb: true,
        acceptedRevocableCpus: true,
        acceptedRevocableMemMb: true,
        declinedRevocableCpus: true,
        declinedRevocableMemMb: true,
      } satisfies Record<Figure | 'offers', true>,
    });
    return rows.map(({ windowStart, _sum: sum }) => {
      const figures = Object.fromEntries(FIGURE_NAMES.map((f) => [f, sum[f] ?? 0])) as Figures;
      return windowOf(windowStart, sum.offers ?? 0, figures);
    });
  }

  async series(tenantId: string, since: Date): Promise<OfferWindow[]> {
    await this.flush();
    const rows = await this.prisma.offerStat.findMany({
      where: { tenantId, windowStart: { gte: since } },
      orderBy: { windowStart: 'asc' },
    });
    return rows.map((r) => windowOf(r.windowStart, r.offers, r));
  }
}
