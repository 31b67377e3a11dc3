import { z } from 'zod';
import { ZQuota, ZTenant } from '../../../schemas/tenant';
import { adminProcedure } from '../../../trpc';

export const ZSetQuotaRequestSchema = z.object({ tenantId: z.string().min(1), quota: ZQuota });
export const ZSetQuotaResponseSchema = ZTenant;

export const setQuotaRoute = adminProcedure
  .input(ZSetQuotaRequestSchema)
  .output(ZSetQuotaResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.tenants.setQuota(input.tenantId, input.quota, ctx.user.email),
  );
