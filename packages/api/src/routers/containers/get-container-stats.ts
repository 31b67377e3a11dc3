import { z } from 'zod';
import { ZContainerRef } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZGetContainerStatsRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  ref: ZContainerRef,
});

/**
 * One reading of the container's task as its agent measures it (`/monitor/statistics`).
 * The counters only grow while the task runs: a page that reads them every few seconds
 * turns two readings into rates (CPU, network) by their `at`.
 */
export const ZGetContainerStatsResponseSchema = z.object({
  /** Null when nothing is measured: the container is not running, or its agent has no figures yet. */
  sample: z
    .object({
      at: z.date(),
      cpuUserSeconds: z.number(),
      cpuSystemSeconds: z.number(),
      cpusLimit: z.number(),
      memRssBytes: z.number(),
      memLimitBytes: z.number(),
      /** Absent where the agent does not measure the network (no network/port_mapping isolator). */
      network: z.object({ rxBytes: z.number(), txBytes: z.number() }).optional(),
    })
    .nullable(),
});

export const getContainerStatsRoute = tenantProcedure('VIEWER')
  .input(ZGetContainerStatsRequestSchema)
  .output(ZGetContainerStatsResponseSchema)
  .query(async ({ ctx, input }) => ({
    sample: (await ctx.services.containers.measure(ctx.tenant.id, input.ref)) ?? null,
  }));
