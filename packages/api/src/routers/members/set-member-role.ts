import { z } from 'zod';
import { ZMembershipRole } from '../../schemas/tenant';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZSetMemberRoleRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  userId: z.string().min(1),
  role: ZMembershipRole,
});
export const ZSetMemberRoleResponseSchema = z.void();

export const setMemberRoleRoute = tenantProcedure('OWNER')
  .input(ZSetMemberRoleRequestSchema)
  .output(ZSetMemberRoleResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.memberships.setRole(ctx.tenant.id, input.userId, input.role, ctx.user.email),
  );
