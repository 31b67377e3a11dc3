import { z } from 'zod';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZTerminalInputRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  id: z.string().min(1).max(64),
  /** What was typed; the page sends it in order, one call at a time. */
  text: z
    .string()
    .min(1)
    .max(64 * 1024),
});

export const terminalInputRoute = tenantProcedure('MEMBER')
  .input(ZTerminalInputRequestSchema)
  .output(z.void())
  .mutation(({ ctx, input }) =>
    ctx.services.browserTerminals.write(ctx.user, input.tenantSlug, input.id, input.text),
  );
