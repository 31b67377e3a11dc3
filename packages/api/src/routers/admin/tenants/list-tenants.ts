import { z } from 'zod';
import { ZTenant } from '../../../schemas/tenant';
import { adminProcedure } from '../../../trpc';

export const ZListTenantsRequestSchema = z.void();
export const ZListTenantsResponseSchema = z.array(
  z.object({
    tenant: ZTenant,
    members: z.number().int(),
    containers: z.number().int(),
    tokens: z.number().int(),
  }),
);

export const listTenantsRoute = adminProcedure
  .input(ZListTenantsRequestSchema)
  .output(ZListTenantsResponseSchema)
  .query(({ ctx }) => ctx.services.tenantAdmin.list());
