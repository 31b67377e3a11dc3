import { z } from 'zod';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

const ZAmounts = z.object({ offered: z.number(), accepted: z.number(), declined: z.number() });

export const ZGetOfferSeriesRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  /** How far back, in hours. */
  hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
});
export const ZGetOfferSeriesResponseSchema = z.array(
  z.object({
    windowStart: z.date(),
    offers: z.number().int(),
    /** Firm resources. */
    cpus: ZAmounts,
    memoryMb: ZAmounts,
    /** Revocable (oversubscribed) resources, counted apart. */
    revocableCpus: ZAmounts,
    revocableMemoryMb: ZAmounts,
  }),
);

export const getOfferSeriesRoute = tenantProcedure('VIEWER')
  .input(ZGetOfferSeriesRequestSchema)
  .output(ZGetOfferSeriesResponseSchema)
  .query(({ ctx, input }) =>
    ctx.services.offerStats.series(ctx.tenant.id, new Date(Date.now() - input.hours * 3_600_000)),
  );
