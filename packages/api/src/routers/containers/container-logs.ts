import { z } from 'zod';
import { zAsyncIterable } from '../../schemas/async-iterable';
import { ZContainerRef } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZContainerLogsRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  ref: ZContainerRef,
  /** The last N lines first. */
  tail: z.number().int().min(1).max(10_000).default(500),
  /** Keep the stream open and send lines as the task writes them. */
  follow: z.boolean().default(true),
});
export const ZContainerLogsResponseSchema = zAsyncIterable(
  z.object({ stream: z.enum(['stdout', 'stderr']), text: z.string(), at: z.date() }),
);

export const containerLogsRoute = tenantProcedure('VIEWER')
  .input(ZContainerLogsRequestSchema)
  .output(ZContainerLogsResponseSchema)
  .subscription(async ({ ctx, input, signal }) => {
    // Looked up before the stream starts, so "No such container" is a plain
    // NOT_FOUND answer rather than an error event in an opened stream.
    const container = await ctx.services.containers.get(ctx.tenant.id, input.ref);
    return ctx.services.containers.logs(
      ctx.tenant.id,
      container.id,
      { stdout: true, stderr: true, follow: input.follow, tail: input.tail, allRuns: true },
      signal,
    );
  });
