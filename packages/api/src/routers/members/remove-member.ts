import { z } from 'zod';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZRemoveMemberRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  userId: z.string().min(1),
});
export const ZRemoveMemberResponseSchema = z.void();

export const removeMemberRoute = tenantProcedure('OWNER')
  .input(ZRemoveMemberRequestSchema)
  .output(ZRemoveMemberResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.memberships.remove(ctx.tenant.id, input.userId, ctx.user.email),
  );
