import { z } from 'zod';
import { adminProcedure } from '../../../trpc';
import { ZAgentId } from './schemas';

export const ZReactivateAgentRequestSchema = z.object({ agentId: ZAgentId });
export const ZReactivateAgentResponseSchema = z.void();

export const reactivateAgentRoute = adminProcedure
  .input(ZReactivateAgentRequestSchema)
  .output(ZReactivateAgentResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.clusterAdmin.reactivateAgent(input.agentId, ctx.user.email),
  );
