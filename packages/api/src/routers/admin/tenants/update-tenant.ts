import { z } from 'zod';
import { ZTenant } from '../../../schemas/tenant';
import { adminProcedure } from '../../../trpc';

export const ZUpdateTenantRequestSchema = z.object({
  tenantId: z.string().min(1),
  name: z.string().trim().min(1).max(100).optional(),
  mesosRole: z.string().trim().min(1).max(200).optional(),
  weight: z
    .number({ error: 'The weight must be a number' })
    .positive('The weight must be more than 0')
    .max(1000, 'The weight can be at most 1000')
    .optional(),
});
export const ZUpdateTenantResponseSchema = ZTenant;

export const updateTenantRoute = adminProcedure
  .input(ZUpdateTenantRequestSchema)
  .output(ZUpdateTenantResponseSchema)
  .mutation(({ ctx, input: { tenantId, ...settings } }) =>
    ctx.services.tenantAdmin.update(tenantId, settings, ctx.user.email),
  );
