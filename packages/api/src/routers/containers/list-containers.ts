import { z } from 'zod';
import { ZContainerSummary } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZListContainersRequestSchema = z.object({ tenantSlug: ZTenantSlug });
/** Every container of the tenant, stopped ones included; the page filters and sorts them. */
export const ZListContainersResponseSchema = z.array(ZContainerSummary);

export const listContainersRoute = tenantProcedure('VIEWER')
  .input(ZListContainersRequestSchema)
  .output(ZListContainersResponseSchema)
  .query(({ ctx }) => ctx.services.containers.list(ctx.tenant.id, { all: true }));
