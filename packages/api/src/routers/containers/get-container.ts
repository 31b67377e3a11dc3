import { z } from 'zod';
import { ZContainerRef, ZContainerView } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZGetContainerRequestSchema = z.object({ tenantSlug: ZTenantSlug, ref: ZContainerRef });
export const ZGetContainerResponseSchema = ZContainerView;

export const getContainerRoute = tenantProcedure('VIEWER')
  .input(ZGetContainerRequestSchema)
  .output(ZGetContainerResponseSchema)
  .query(({ ctx, input }) => ctx.services.containers.get(ctx.tenant.id, input.ref));
