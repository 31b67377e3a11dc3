import { z } from 'zod';

const amount = z.number().finite().min(0);
const quotaField = amount.nullable().optional();

/** Quota in Mesos units (cpus, MB, GPUs); null removes a guarantee or limit. */
export const ZQuota = z
  .object({
    quotaCpusGuarantee: quotaField,
    quotaCpusLimit: quotaField,
    quotaMemGuarantee: quotaField,
    quotaMemLimit: quotaField,
    quotaDiskGuarantee: quotaField,
    quotaDiskLimit: quotaField,
    quotaGpusGuarantee: quotaField,
    quotaGpusLimit: quotaField,
  })
  .superRefine((quota, ctx) => {
    for (const resource of ['Cpus', 'Mem', 'Disk', 'Gpus'] as const) {
      const guarantee = quota[`quota${resource}Guarantee`];
      const limit = quota[`quota${resource}Limit`];
      if (guarantee != null && limit != null && guarantee > limit) {
        ctx.addIssue({
          code: 'custom',
          path: [`quota${resource}Guarantee`],
          message: `The ${resource.toLowerCase()} guarantee exceeds its limit`,
        });
      }
    }
  });

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
  createdAt: z.date(),
});

export const ZMembershipRole = z.enum(['OWNER', 'MEMBER', 'VIEWER']);
