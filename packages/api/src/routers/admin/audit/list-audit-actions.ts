import { z } from 'zod';
import { adminProcedure } from '../../../trpc';

export const ZListAuditActionsRequestSchema = z.void();
export const ZListAuditActionsResponseSchema = z.array(z.string());

export const listAuditActionsRoute = adminProcedure
  .input(ZListAuditActionsRequestSchema)
  .output(ZListAuditActionsResponseSchema)
  .query(({ ctx }) => ctx.services.auditLog.actions());
