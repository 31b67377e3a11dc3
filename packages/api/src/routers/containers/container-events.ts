import { z } from 'zod';
import { zAsyncIterable } from '../../schemas/async-iterable';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZContainerEventsRequestSchema = z.object({ tenantSlug: ZTenantSlug });
export const ZContainerEventsResponseSchema = zAsyncIterable(
  z.object({
    containerId: z.string(),
    name: z.string(),
    image: z.string(),
    action: z.string(),
    at: z.date(),
    attributes: z.record(z.string(), z.string()),
  }),
);

/** The tenant's container events as they happen; pages refetch what an event touches. */
export const containerEventsRoute = tenantProcedure('VIEWER')
  .input(ZContainerEventsRequestSchema)
  .output(ZContainerEventsResponseSchema)
  .subscription(async function* ({ ctx, signal }) {
    yield* ctx.services.events.subscribe(ctx.tenant.id, signal ?? new AbortController().signal);
  });
