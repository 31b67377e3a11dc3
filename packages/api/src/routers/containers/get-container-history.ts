import { z } from 'zod';
import { ZContainerRef } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZGetContainerHistoryRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  ref: ZContainerRef,
});
export const ZGetContainerHistoryResponseSchema = z.array(
  z.object({
    mesosTaskId: z.string(),
    state: z.string(),
    reason: z.string().nullable(),
    message: z.string().nullable(),
    at: z.date(),
  }),
);

export const getContainerHistoryRoute = tenantProcedure('VIEWER')
  .input(ZGetContainerHistoryRequestSchema)
  .output(ZGetContainerHistoryResponseSchema)
  .query(({ ctx, input }) => ctx.services.containers.history(ctx.tenant.id, input.ref));
