import { z } from 'zod';
import { adminProcedure } from '../../../trpc';
import { ZHostname } from './schemas';

export const ZScheduleMaintenanceRequestSchema = z.object({
  hostname: ZHostname,
  durationSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400),
});
export const ZScheduleMaintenanceResponseSchema = z.void();

export const scheduleMaintenanceRoute = adminProcedure
  .input(ZScheduleMaintenanceRequestSchema)
  .output(ZScheduleMaintenanceResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.clusterAdmin.scheduleMaintenance(
      input.hostname,
      input.durationSeconds,
      ctx.user.email,
    ),
  );
