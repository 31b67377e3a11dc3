import { z } from 'zod';
import { ZMembershipRole, ZTenant } from '../../schemas/tenant';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZGetTenantRequestSchema = z.object({ tenantSlug: ZTenantSlug });
export const ZGetTenantResponseSchema = z.object({
  tenant: ZTenant,
  /** What the caller may do here; the pages hide what it does not allow. */
  role: ZMembershipRole,
});

export const getTenantRoute = tenantProcedure('VIEWER')
  .input(ZGetTenantRequestSchema)
  .output(ZGetTenantResponseSchema)
  .query(({ ctx }) => ({ tenant: ctx.tenant, role: ctx.tenantRole }));
