import { z } from 'zod';
import { ZContainerRef } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZRemoveContainerRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  ref: ZContainerRef,
  /** Kill it first if it is still running. */
  force: z.boolean().default(false),
});
export const ZRemoveContainerResponseSchema = z.void();

export const removeContainerRoute = tenantProcedure('MEMBER')
  .input(ZRemoveContainerRequestSchema)
  .output(ZRemoveContainerResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.containers.remove(
      ctx.tenant.id,
      input.ref,
      { force: input.force },
      ctx.user.email,
    ),
  );
