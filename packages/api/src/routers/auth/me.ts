import { z } from 'zod';
import { ZSessionUser } from '../../schemas/user';
import { publicProcedure } from '../../trpc';

export const ZMeRequestSchema = z.void();
/** Null when signed out, so pages can send the visitor to the sign-in form. */
export const ZMeResponseSchema = ZSessionUser.nullable();

export const meRoute = publicProcedure
  .input(ZMeRequestSchema)
  .output(ZMeResponseSchema)
  .query(({ ctx }) => ctx.user);
