import { z } from 'zod';
import { tenantProcedure, ZTenantSlug } from '../../trpc';
import { ZContainerState } from '../../schemas/container';

const ZQuotaLine = z.object({
  guarantee: z.number().nullable(),
  limit: z.number().nullable(),
  used: z.number(),
});

export const ZGetUsageRequestSchema = z.object({ tenantSlug: ZTenantSlug });
export const ZGetUsageResponseSchema = z.object({
  quota: z.object({ cpus: ZQuotaLine, memoryMb: ZQuotaLine, diskMb: ZQuotaLine, gpus: ZQuotaLine }),
  bestEffort: z.object({ cpus: z.number(), memoryMb: z.number() }),
  containersByState: z.record(ZContainerState, z.number().int()),
});

export const getUsageRoute = tenantProcedure('VIEWER')
  .input(ZGetUsageRequestSchema)
  .output(ZGetUsageResponseSchema)
  .query(({ ctx }) => ctx.services.containers.usage(ctx.tenant.id));
