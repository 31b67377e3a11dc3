import { z } from 'zod';

/**
 * One quota amount, with messages in words. The bounds are far beyond any real cluster
 * (a million CPUs, a thousand TB) so that a slip of the keyboard (1e9) is caught.
 */
const quotaField = (what: string, max: number, unit: string) =>
  z
    .number({ error: `The ${what} must be a number` })
    .finite(`The ${what} must be a number`)
    .min(0, `The ${what} cannot be negative`)
    .max(max, `The ${what} can be at most ${max.toLocaleString('en')} ${unit}`)
    .nullable()
    .optional();
const MAX_CPUS = 1_000_000;
const MAX_MB = 1024 * 1024 * 1024;
const MAX_GPUS = 100_000;

/** Quota in Mesos units (cpus, MB, GPUs); null removes a guarantee or limit. */
export const ZQuota = z
  .object({
    quotaCpusGuarantee: quotaField('CPU guarantee', MAX_CPUS, 'CPUs'),
    quotaCpusLimit: quotaField('CPU limit', MAX_CPUS, 'CPUs'),
    quotaMemGuarantee: quotaField('memory guarantee', MAX_MB, 'MB'),
    quotaMemLimit: quotaField('memory limit', MAX_MB, 'MB'),
    quotaDiskGuarantee: quotaField('disk guarantee', MAX_MB, 'MB'),
    quotaDiskLimit: quotaField('disk limit', MAX_MB, 'MB'),
    quotaGpusGuarantee: quotaField('GPU guarantee', MAX_GPUS, 'GPUs'),
    quotaGpusLimit: quotaField('GPU limit', MAX_GPUS, 'GPUs'),
  })
  .superRefine((quota, ctx) => {
    for (const [resource, what] of [
      ['Cpus', 'CPU'],
      ['Mem', 'memory'],
      ['Disk', 'disk'],
      ['Gpus', 'GPU'],
    ] as const) {
      const guarantee = quota[`quota${resource}Guarantee`];
      const limit = quota[`quota${resource}Limit`];
      // A negative amount has its own message; comparing it too would blame the other one.
      if (guarantee != null && limit != null && limit >= 0 && guarantee > limit) {
        ctx.addIssue({
          code: 'custom',
          path: [`quota${resource}Guarantee`],
          message: `The ${what} guarantee (${guarantee}) is above the ${what} limit (${limit})`,
        });
      }
    }
  });

/** Which Mesos containerizer runs containers: Docker's, or the Mesos one (UCR). */
export const ZRuntime = z.enum(['docker', 'ucr'], { error: 'The runtime must be docker or ucr' });

export const ZTenant = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  mesosRole: z.string(),
  weight: z.number(),
  quotaCpusGuarantee: z.number().nullable(),
  quotaCpusLimit: z.number().nullable(),
  quotaMemGuarantee: z.number().nullable(),
  quotaMemLimit: z.number().nullable(),
  quotaDiskGuarantee: z.number().nullable(),
  quotaDiskLimit: z.number().nullable(),
  quotaGpusGuarantee: z.number().nullable(),
  quotaGpusLimit: z.number().nullable(),
  runtime: ZRuntime.nullable(),
  /** The Mesos CNI network its Docker networks map to; null means the cluster's. */
  cniNetwork: z.string().nullable(),
  createdAt: z.date(),
});

export const ZMembershipRole = z.enum(['OWNER', 'MEMBER', 'VIEWER']);
