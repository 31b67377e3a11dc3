import { z } from 'zod';
import { ZMembershipRole } from '../../schemas/tenant';
import { ZEmail } from '../../schemas/user';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZAddMemberRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  email: ZEmail,
  role: ZMembershipRole,
});
export const ZAddMemberResponseSchema = z.void();

export const addMemberRoute = tenantProcedure('OWNER')
  .input(ZAddMemberRequestSchema)
  .output(ZAddMemberResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.memberships.add(ctx.tenant.id, input.email, input.role, ctx.user.email),
  );
