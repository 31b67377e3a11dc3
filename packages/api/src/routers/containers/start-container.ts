import { z } from 'zod';
import { ZContainerRef, ZContainerView } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZStartContainerRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  ref: ZContainerRef,
});
export const ZStartContainerResponseSchema = ZContainerView;

export const startContainerRoute = tenantProcedure('MEMBER')
  .input(ZStartContainerRequestSchema)
  .output(ZStartContainerResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.containers.start(ctx.tenant.id, input.ref, ctx.user.email),
  );
