import { z } from 'zod';
import { adminProcedure } from '../../../trpc';
import { ZResources } from './schemas';

export const ZGetClusterOverviewRequestSchema = z.void();
export const ZGetClusterOverviewResponseSchema = z.object({
  /** Shoal's own framework, as this process sees it. */
  framework: z.object({
    subscribed: z.boolean(),
    frameworkId: z.string().nullable(),
    master: z.string().nullable(),
    roles: z.array(z.string()),
    suppressedRoles: z.array(z.string()),
    problem: z.string().nullable(),
    emulated: z.boolean(),
  }),
  /** Whether a Mesos operator client is attached for the rest. */
  connected: z.boolean(),
  agents: z.array(
    z.object({
      id: z.string(),
      hostname: z.string(),
      attributes: z.record(z.string(), z.string()),
      total: ZResources,
      used: ZResources,
      active: z.boolean(),
      drainState: z.enum(['DRAINING', 'DRAINED']).nullable(),
      maintenance: z.enum(['SCHEDULED', 'DOWN']).nullable(),
    }),
  ),
  frameworks: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      roles: z.array(z.string()),
      active: z.boolean(),
      tasks: z.number().int(),
      isShoal: z.boolean(),
    }),
  ),
  roles: z.array(
    z.object({
      name: z.string(),
      weight: z.number(),
      allocated: ZResources,
      quota: z.object({
        guarantee: ZResources.partial().nullable(),
        limit: ZResources.partial().nullable(),
      }),
    }),
  ),
});

export const getClusterOverviewRoute = adminProcedure
  .input(ZGetClusterOverviewRequestSchema)
  .output(ZGetClusterOverviewResponseSchema)
  .query(async ({ ctx }) => ({
    ...(await ctx.services.clusterAdmin.overview()),
    framework: ctx.services.cluster.framework(),
  }));
