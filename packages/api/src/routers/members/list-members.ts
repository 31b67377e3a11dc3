import { z } from 'zod';
import { ZMembershipRole } from '../../schemas/tenant';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZListMembersRequestSchema = z.object({ tenantSlug: ZTenantSlug });
export const ZListMembersResponseSchema = z.array(
  z.object({
    userId: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: ZMembershipRole,
    disabled: z.boolean(),
    since: z.date(),
  }),
);

export const listMembersRoute = tenantProcedure('VIEWER')
  .input(ZListMembersRequestSchema)
  .output(ZListMembersResponseSchema)
  .query(({ ctx }) => ctx.services.memberships.list(ctx.tenant.id));
