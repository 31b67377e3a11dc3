import { z } from 'zod';
import { ZRuntime, ZTenant } from '../../../schemas/tenant';
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
  /** The runtime of the tenant's new containers; null means the cluster's default. */
  runtime: ZRuntime.nullable().optional(),
  /** The Mesos CNI network the tenant's Docker networks map to; null means the cluster's. */
  cniNetwork: z.string().trim().min(1).max(200).nullable().optional(),
});
export const ZUpdateTenantResponseSchema = ZTenant;

export const updateTenantRoute = adminProcedure
  .input(ZUpdateTenantRequestSchema)
  .output(ZUpdateTenantResponseSchema)
  .mutation(({ ctx, input: { tenantId, ...settings } }) =>
    ctx.services.tenantAdmin.update(tenantId, settings, ctx.user.email),
  );
