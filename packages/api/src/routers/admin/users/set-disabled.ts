import { z } from 'zod';
import { adminProcedure } from '../../../trpc';

export const ZSetDisabledRequestSchema = z.object({
  userId: z.string().min(1),
  disabled: z.boolean(),
});
export const ZSetDisabledResponseSchema = z.void();

export const setDisabledRoute = adminProcedure
  .input(ZSetDisabledRequestSchema)
  .output(ZSetDisabledResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.userAdmin.setDisabled(input.userId, input.disabled, ctx.user.email),
  );
