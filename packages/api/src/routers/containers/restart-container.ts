import { z } from 'zod';
import { ZContainerRef, ZContainerView } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZRestartContainerRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  ref: ZContainerRef,
});
export const ZRestartContainerResponseSchema = ZContainerView;

export const restartContainerRoute = tenantProcedure('MEMBER')
  .input(ZRestartContainerRequestSchema)
  .output(ZRestartContainerResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.containers.restart(ctx.tenant.id, input.ref, {}, ctx.user.email),
  );
