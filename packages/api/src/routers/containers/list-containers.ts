import { z } from 'zod';
import { ZContainerSummary } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZListContainersRequestSchema = z.object({ tenantSlug: ZTenantSlug });

/**
 * Every container of the tenant, stopped ones included; the page filters and sorts them.
 * `asOf` is when they were read: `containers.changes` patches the list from there.
 */
export const ZListContainersResponseSchema = z.object({
  asOf: z.date(),
  containers: z.array(ZContainerSummary),
});

export const listContainersRoute = tenantProcedure('VIEWER')
  .input(ZListContainersRequestSchema)
  .output(ZListContainersResponseSchema)
  .query(async ({ ctx }) => {
    const asOf = new Date();
    return { asOf, containers: await ctx.services.containers.list(ctx.tenant.id, { all: true }) };
  });
