import { z } from 'zod';
import { adminProcedure } from '../../../trpc';

export const ZListAuditEventsRequestSchema = z.object({
  tenantId: z.string().min(1).optional(),
  actor: z.string().trim().max(200).optional(),
  action: z.string().trim().max(100).optional(),
  since: z.date().optional(),
  until: z.date().optional(),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export const ZListAuditEventsResponseSchema = z.object({
  events: z.array(
    z.object({
      id: z.string(),
      at: z.date(),
      tenantSlug: z.string().nullable(),
      actor: z.string(),
      action: z.string(),
      target: z.string().nullable(),
      detail: z.unknown(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const listAuditEventsRoute = adminProcedure
  .input(ZListAuditEventsRequestSchema)
  .output(ZListAuditEventsResponseSchema)
  .query(({ ctx, input }) => ctx.services.auditLog.list(input));
