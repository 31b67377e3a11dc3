import { z } from 'zod';
import { ZContainerRef, ZContainerView } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZStopContainerRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  ref: ZContainerRef,
});
export const ZStopContainerResponseSchema = ZContainerView;

export const stopContainerRoute = tenantProcedure('MEMBER')
  .input(ZStopContainerRequestSchema)
  .output(ZStopContainerResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.containers.stop(ctx.tenant.id, input.ref, {}, ctx.user.email),
  );
