import { z } from 'zod';
import { ZEmail } from '../../../schemas/user';
import { adminProcedure } from '../../../trpc';

export const ZCreateUserRequestSchema = z.object({
  email: ZEmail,
  name: z.string().trim().max(100).optional(),
  isAdmin: z.boolean().default(false),
});
export const ZCreateUserResponseSchema = z.object({
  userId: z.string(),
  email: z.string(),
  /** Shown once to the admin; the user must replace it at first sign-in. */
  oneTimePassword: z.string(),
});

export const createUserRoute = adminProcedure
  .input(ZCreateUserRequestSchema)
  .output(ZCreateUserResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.userAdmin.create(input, ctx.user.email));
