import { z } from 'zod';
import { ZGetOfferSeriesResponseSchema } from '../../offers/get-offer-series';
import { adminProcedure } from '../../../trpc';

export const ZGetClusterOfferSeriesRequestSchema = z.object({
  /** How far back, in hours. */
  hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(6),
});
export const ZGetClusterOfferSeriesResponseSchema = ZGetOfferSeriesResponseSchema;

/** The offers every tenant's role received, added up per window, and what became of them. */
export const getClusterOfferSeriesRoute = adminProcedure
  .input(ZGetClusterOfferSeriesRequestSchema)
  .output(ZGetClusterOfferSeriesResponseSchema)
  .query(({ ctx, input }) =>
    ctx.services.offerStats.clusterSeries(new Date(Date.now() - input.hours * 3_600_000)),
  );
