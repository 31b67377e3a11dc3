import { z } from 'zod';
import { adminProcedure } from '../../../trpc';
import { ZHostname } from './schemas';

export const ZEndMaintenanceRequestSchema = z.object({ hostname: ZHostname });
export const ZEndMaintenanceResponseSchema = z.void();

export const endMaintenanceRoute = adminProcedure
  .input(ZEndMaintenanceRequestSchema)
  .output(ZEndMaintenanceResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.clusterAdmin.endMaintenance(input.hostname, ctx.user.email),
  );
