import { z } from 'zod';
import { tenantProcedure, ZTenantSlug } from '../../trpc';
import { ZApiToken, ZTokenScope } from './schemas';

const DAY_MS = 24 * 60 * 60 * 1000;

export const ZIssueTokenRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  name: z.string().trim().min(1, 'Give the token a name').max(100),
  scope: ZTokenScope.default('READ_WRITE'),
  /** Omitted: the token never expires. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export const ZIssueTokenResponseSchema = z.object({
  token: ZApiToken,
  /** Shown once; only its hash is stored. */
  secret: z.string(),
});

export const issueTokenRoute = tenantProcedure('MEMBER')
  .input(ZIssueTokenRequestSchema)
  .output(ZIssueTokenResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.tokens.issue(
      {
        tenantId: ctx.tenant.id,
        name: input.name,
        scope: input.scope,
        expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * DAY_MS) : null,
        createdById: ctx.user.id,
      },
      ctx.user.email,
    ),
  );
