import { z } from 'zod';
import { tenantProcedure, ZTenantSlug } from '../../trpc';
import { ZApiToken } from './schemas';

export const ZListTokensRequestSchema = z.object({ tenantSlug: ZTenantSlug });
export const ZListTokensResponseSchema = z.array(ZApiToken);

export const listTokensRoute = tenantProcedure('VIEWER')
  .input(ZListTokensRequestSchema)
  .output(ZListTokensResponseSchema)
  .query(({ ctx }) => ctx.services.tokens.list(ctx.tenant.id));
