import { z } from 'zod';
import { adminProcedure } from '../../../trpc';

export const ZSetAdminRequestSchema = z.object({ userId: z.string().min(1), isAdmin: z.boolean() });
export const ZSetAdminResponseSchema = z.void();

export const setAdminRoute = adminProcedure
  .input(ZSetAdminRequestSchema)
  .output(ZSetAdminResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.userAdmin.setAdmin(input.userId, input.isAdmin, ctx.user.email),
  );
