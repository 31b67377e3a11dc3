import { z } from 'zod';
import { ZMembershipRole, ZTenant } from '../../schemas/tenant';
import { authedProcedure } from '../../trpc';

export const ZListMyTenantsRequestSchema = z.void();
export const ZListMyTenantsResponseSchema = z.array(
  z.object({ tenant: ZTenant, membership: ZMembershipRole.nullable(), role: ZMembershipRole }),
);

export const listMyTenantsRoute = authedProcedure
  .input(ZListMyTenantsRequestSchema)
  .output(ZListMyTenantsResponseSchema)
  .query(({ ctx }) => ctx.services.access.tenants(ctx.user));
