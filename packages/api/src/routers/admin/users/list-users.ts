import { z } from 'zod';
import { ZMembershipRole } from '../../../schemas/tenant';
import { adminProcedure } from '../../../trpc';

export const ZListUsersRequestSchema = z.void();
export const ZListUsersResponseSchema = z.array(
  z.object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    isAdmin: z.boolean(),
    disabled: z.boolean(),
    mustChangePassword: z.boolean(),
    createdAt: z.date(),
    memberships: z.array(z.object({ tenantSlug: z.string(), role: ZMembershipRole })),
  }),
);

export const listUsersRoute = adminProcedure
  .input(ZListUsersRequestSchema)
  .output(ZListUsersResponseSchema)
  .query(({ ctx }) => ctx.services.userAdmin.list());
