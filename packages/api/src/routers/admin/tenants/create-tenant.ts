import { z } from 'zod';
import { isNestedRole, nestedRoleQuotaMessage } from '@shoal/core';
import { ZQuota, ZTenant } from '../../../schemas/tenant';
import { adminProcedure } from '../../../trpc';

const ZCreateTenantFields = z.object({
  slug: z
    .string()
    .trim()
    .regex(
      /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/,
      '3-40 lower-case letters, digits and "-", starting with a letter',
    ),
  name: z.string().trim().min(1, 'Give the tenant a name').max(100),
  /** Omitted: the default role for the slug. */
  mesosRole: z.string().trim().min(1).max(200).optional(),
  weight: z
    .number({ error: 'The weight must be a number' })
    .positive('The weight must be more than 0')
    .max(1000, 'The weight can be at most 1000')
    .optional(),
  quota: ZQuota.optional(),
});

/** The form hears of a quota on a nested role at the role's field, before anything is stored. */
export const ZCreateTenantRequestSchema = ZCreateTenantFields.superRefine((input, ctx) => {
  const role = input.mesosRole;
  if (role && isNestedRole(role) && Object.values(input.quota ?? {}).some((v) => v != null)) {
    ctx.addIssue({ code: 'custom', path: ['mesosRole'], message: nestedRoleQuotaMessage(role) });
  }
});
export const ZCreateTenantResponseSchema = ZTenant;

export const createTenantRoute = adminProcedure
  .input(ZCreateTenantRequestSchema)
  .output(ZCreateTenantResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.tenantAdmin.create(input, ctx.user.email));
