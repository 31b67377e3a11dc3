import { z } from 'zod';
import { SPEC_LIMITS } from '@shoal/core';
import { ZContainerView, ZPortBinding, ZRestartPolicy } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZLaunchContainerRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  /** Omitted: a generated name, as Docker does. */
  name: z
    .string()
    .trim()
    .regex(
      /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/,
      'Letters, digits, "_", "." and "-", starting with a letter or digit',
    )
    .max(SPEC_LIMITS.nameLength)
    .optional(),
  image: z.string().trim().min(1, 'An image is required').max(SPEC_LIMITS.imageLength),
  cmd: z.array(z.string()).max(256).optional(),
  env: z
    .array(z.string().regex(/^[^=\s][^=]*=/, 'Write variables as KEY=value'))
    .max(256)
    .default([]),
  ports: z.array(ZPortBinding).max(64).default([]),
  cpus: z
    .number()
    .min(SPEC_LIMITS.minCpus, `CPUs must be at least ${SPEC_LIMITS.minCpus}`)
    .max(256),
  memoryMb: z
    .number()
    .int()
    .min(SPEC_LIMITS.minMemoryMb, `Memory must be at least ${SPEC_LIMITS.minMemoryMb} MB`)
    .max(4 * 1024 * 1024),
  restartPolicy: ZRestartPolicy.default({ name: 'no' }),
  labels: z
    .record(
      z.string().min(1).max(SPEC_LIMITS.labelKeyLength),
      z.string().max(SPEC_LIMITS.labelValueLength),
    )
    .default({}),
  bestEffort: z.boolean().default(false),
});
export const ZLaunchContainerResponseSchema = ZContainerView;

/** `docker run -d`: create, then start. */
export const launchContainerRoute = tenantProcedure('MEMBER')
  .input(ZLaunchContainerRequestSchema)
  .output(ZLaunchContainerResponseSchema)
  .mutation(async ({ ctx, input: { tenantSlug: _slug, ...spec } }) => {
    const containers = ctx.services.containers;
    const created = await containers.create(ctx.tenant.id, spec, ctx.user.email);
    try {
      return await containers.start(ctx.tenant.id, created.id, ctx.user.email);
    } catch (error) {
      // A refused start (over quota, say) leaves nothing behind, so the form can simply be sent again.
      await containers
        .remove(ctx.tenant.id, created.id, { force: true }, ctx.user.email)
        .catch(() => undefined);
      throw error;
    }
  });
