import { z } from 'zod';
import { publicProcedure } from '../../trpc';

export const ZGetStatusRequestSchema = z.void();
export const ZGetStatusResponseSchema = z.object({
  version: z.string(),
  database: z.object({
    kind: z.enum(['postgresql', 'pglite']),
    ok: z.boolean(),
    latencyMs: z.number(),
    error: z.string().optional(),
  }),
  tenants: z.number().int(),
  containers: z.number().int(),
  emulatedCluster: z.boolean(),
});

export const getStatusRoute = publicProcedure
  .input(ZGetStatusRequestSchema)
  .output(ZGetStatusResponseSchema)
  .query(({ ctx }) => ctx.services.system.status(ctx.user));
