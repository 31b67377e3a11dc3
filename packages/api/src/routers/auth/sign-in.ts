import { z } from 'zod';
import { SESSION_MAX_MS } from '@shoal/core';
import { sessionCookie } from '../../http/cookies';
import { ZEmail, ZSessionUser } from '../../schemas/user';
import { publicProcedure } from '../../trpc';

export const ZSignInRequestSchema = z.object({
  email: ZEmail,
  password: z.string().min(1, 'Enter your password').max(1024),
});
export const ZSignInResponseSchema = ZSessionUser;

export const signInRoute = publicProcedure
  .input(ZSignInRequestSchema)
  .output(ZSignInResponseSchema)
  .mutation(async ({ ctx, input }) => {
    const { token, user } = await ctx.services.sessions.signIn(
      input.email,
      input.password,
      ctx.clientAddress,
    );
    ctx.setCookie(sessionCookie(token, SESSION_MAX_MS, ctx.secure));
    return user;
  });
