import { z } from 'zod';
import { publicProcedure, router } from '../trpc';

const ZSystemStatus = z.object({
  version: z.string(),
  database: z.object({
    kind: z.enum(['postgresql', 'pglite']),
    ok: z.boolean(),
    latencyMs: z.number(),
    error: z.string().optional(),
  }),
  tenants: z.number().int(),
  containers: z.number().int(),
});

export const systemRouter = router({
  status: publicProcedure.output(ZSystemStatus).query(({ ctx }) => ctx.services.system.status()),
});
