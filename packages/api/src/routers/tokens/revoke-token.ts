import { z } from 'zod';
import { tenantProcedure, ZTenantSlug } from '../../trpc';
import { ZApiToken } from './schemas';

export const ZRevokeTokenRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  tokenId: z.string().min(1),
});
export const ZRevokeTokenResponseSchema = ZApiToken;

export const revokeTokenRoute = tenantProcedure('MEMBER')
  .input(ZRevokeTokenRequestSchema)
  .output(ZRevokeTokenResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.tokens.revoke(ctx.tenant.id, input.tokenId, ctx.user.email),
  );
