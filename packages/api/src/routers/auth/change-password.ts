import { z } from 'zod';
import { sessionProcedure } from '../../trpc';

export const ZChangePasswordRequestSchema = z.object({
  currentPassword: z.string().min(1, 'Enter your current password').max(1024),
  newPassword: z.string().min(10, 'A password needs at least 10 characters').max(1024),
});
export const ZChangePasswordResponseSchema = z.void();

export const changePasswordRoute = sessionProcedure
  .input(ZChangePasswordRequestSchema)
  .output(ZChangePasswordResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.sessions.changePassword(
      ctx.user,
      input.currentPassword,
      input.newPassword,
      ctx.clientAddress,
    ),
  );
