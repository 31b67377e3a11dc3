import { z } from 'zod';
import { tenantProcedure, ZTenantSlug } from '../../trpc';
import { ZTerminalSize } from './open-terminal';

export const ZTerminalResizeRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  id: z.string().min(1).max(64),
  size: ZTerminalSize,
});

export const terminalResizeRoute = tenantProcedure('MEMBER')
  .input(ZTerminalResizeRequestSchema)
  .output(z.void())
  .mutation(({ ctx, input }) =>
    ctx.services.browserTerminals.resize(ctx.user, input.tenantSlug, input.id, input.size),
  );
