import { z } from 'zod';
import { actOnEach, BULK_ACTIONS } from '@shoal/core';
import { ZContainerRef } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZActOnContainersRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  /** remove kills running containers first (the page asks before sending it). */
  action: z.enum(BULK_ACTIONS),
  refs: z
    .array(ZContainerRef)
    .min(1, 'Select at least one container')
    .max(1_000, 'Select at most 1,000 containers at a time'),
});
export const ZActOnContainersResponseSchema = z.object({
  /** One per container asked for, in the order asked. */
  results: z.array(z.object({ ref: z.string(), ok: z.boolean(), message: z.string().nullable() })),
});

/** Stop, restart or remove the containers selected on the list, each with its own outcome. */
export const actOnContainersRoute = tenantProcedure('MEMBER')
  .input(ZActOnContainersRequestSchema)
  .output(ZActOnContainersResponseSchema)
  .mutation(async ({ ctx, input }) => ({
    results: await actOnEach(
      ctx.services.containers,
      ctx.tenant.id,
      input.action,
      input.refs,
      ctx.user.email,
    ),
  }));
