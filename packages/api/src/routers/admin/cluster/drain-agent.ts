import { z } from 'zod';
import { adminProcedure } from '../../../trpc';
import { ZAgentId } from './schemas';

export const ZDrainAgentRequestSchema = z.object({
  agentId: ZAgentId,
  maxGracePeriodSeconds: z.number().int().min(0).max(86_400).optional(),
});
export const ZDrainAgentResponseSchema = z.void();

export const drainAgentRoute = adminProcedure
  .input(ZDrainAgentRequestSchema)
  .output(ZDrainAgentResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.clusterAdmin.drainAgent(
      input.agentId,
      input.maxGracePeriodSeconds,
      ctx.user.email,
    ),
  );
