import { z } from 'zod';
import { clearedSessionCookie } from '../../http/cookies';
import { sessionProcedure } from '../../trpc';

export const ZSignOutRequestSchema = z.void();
export const ZSignOutResponseSchema = z.void();

export const signOutRoute = sessionProcedure
  .input(ZSignOutRequestSchema)
  .output(ZSignOutResponseSchema)
  .mutation(async ({ ctx }) => {
    await ctx.services.sessions.signOut(ctx.sessionToken);
    ctx.setCookie(clearedSessionCookie(ctx.secure));
  });
