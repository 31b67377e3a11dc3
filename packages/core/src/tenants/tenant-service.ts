import type { PrismaClient, Tenant } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { conflict, invalid, isUniqueViolation, notFound } from '../errors';

const SLUG = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

/**
 * The default Mesos role of a tenant. It is top-level on purpose: Mesos
 * refuses quota on nested roles, and quota is the point of a tenant.
 */
export function defaultRoleFor(slug: string): string {
  return `shoal-${slug}`;
}

/** Mesos role-name rules (src/common/roles.cpp), so a bad name fails here, not at subscribe. */
export function validateRoleName(role: string): string | undefined {
  if (role === '*') return 'the "*" role cannot belong to a tenant';
  if (role.startsWith('/') || role.endsWith('/')) return 'a role may not start or end with "/"';
  if (role.includes('//')) return 'a role may not contain "//"';
  for (const part of role.split('/')) {
    if (part === '.' || part === '..' || part === '*')
      return `"${part}" is not a valid role component`;
    if (part.startsWith('-')) return 'a role component may not start with "-"';
    if (/[\s\p{Cc}]/u.test(part)) return 'a role may not contain whitespace or control characters';
  }
  return undefined;
}

export type TenantQuota = Partial<
  Pick<
    Tenant,
    | 'quotaCpusGuarantee'
    | 'quotaCpusLimit'
    | 'quotaMemGuarantee'
    | 'quotaMemLimit'
    | 'quotaDiskGuarantee'
    | 'quotaDiskLimit'
    | 'quotaGpusGuarantee'
    | 'quotaGpusLimit'
  >
>;

/**
 * Pushes a role's quota and weight to Mesos. Set by the server when it has an
 * operator client; a refusal by Mesos rolls the change back.
 */
export interface MesosPolicySync {
  pushQuota(role: string, quota: Required<TenantQuota>): Promise<void>;
  pushWeight(role: string, weight: number): Promise<void>;
}

export const NO_QUOTA: Required<TenantQuota> = {
  quotaCpusGuarantee: null,
  quotaCpusLimit: null,
  quotaMemGuarantee: null,
  quotaMemLimit: null,
  quotaDiskGuarantee: null,
  quotaDiskLimit: null,
  quotaGpusGuarantee: null,
  quotaGpusLimit: null,
};

export function quotaOf(tenant: Required<TenantQuota>): Required<TenantQuota> {
  return {
    quotaCpusGuarantee: tenant.quotaCpusGuarantee,
    quotaCpusLimit: tenant.quotaCpusLimit,
    quotaMemGuarantee: tenant.quotaMemGuarantee,
    quotaMemLimit: tenant.quotaMemLimit,
    quotaDiskGuarantee: tenant.quotaDiskGuarantee,
    quotaDiskLimit: tenant.quotaDiskLimit,
    quotaGpusGuarantee: tenant.quotaGpusGuarantee,
    quotaGpusLimit: tenant.quotaGpusLimit,
  };
}

export interface CreateTenantInput {
  slug: string;
  name: string;
  mesosRole?: string;
}

export class TenantService {
  mesosPolicy: MesosPolicySync | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditService,
  ) {}

  async create(input: CreateTenantInput, actor: string): Promise<Tenant> {
    if (!SLUG.test(input.slug)) {
      throw invalid(
        'A tenant slug is 3-40 characters: lower-case letters, digits and "-", starting with a letter',
      );
    }
    const mesosRole = input.mesosRole ?? defaultRoleFor(input.slug);
    const roleProblem = validateRoleName(mesosRole);
    if (roleProblem) throw invalid(`Invalid Mesos role "${mesosRole}": ${roleProblem}`);
    try {
      return await this.prisma.$transaction(async (tx) => {
        const tenant = await tx.tenant.create({
          data: { slug: input.slug, name: input.name.trim() || input.slug, mesosRole },
        });
        await this.audit.record(
          {
            tenantId: tenant.id,
            actor,
            action: 'tenant.create',
            target: tenant.slug,
            detail: { mesosRole },
          },
          tx,
        );
        return tenant;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict(`A tenant with slug "${input.slug}" or role "${mesosRole}" already exists`);
      }
      throw error;
    }
  }

  async setQuota(tenantId: string, quota: TenantQuota, actor: string): Promise<Tenant> {
    for (const [key, value] of Object.entries(quota)) {
      if (value !== null && value !== undefined && (!Number.isFinite(value) || value < 0)) {
        throw invalid(`${key} must be a non-negative number`);
      }
    }
    for (const resource of ['Cpus', 'Mem', 'Disk', 'Gpus'] as const) {
      const guarantee = quota[`quota${resource}Guarantee`];
      const limit = quota[`quota${resource}Limit`];
      if (guarantee != null && limit != null && guarantee > limit) {
        throw invalid(
          `The ${resource.toLowerCase()} guarantee (${guarantee}) exceeds its limit (${limit})`,
        );
      }
    }
    return this.prisma.$transaction(async (tx) => {
      const tenant = await tx.tenant.update({ where: { id: tenantId }, data: quota });
      // Inside the transaction: if Mesos refuses, nothing is stored either.
      await this.mesosPolicy?.pushQuota(tenant.mesosRole, quotaOf(tenant));
      await this.audit.record(
        { tenantId, actor, action: 'tenant.quota', target: tenant.slug, detail: { ...quota } },
        tx,
      );
      return tenant;
    });
  }

  list(): Promise<Tenant[]> {
    return this.prisma.tenant.findMany({ orderBy: { slug: 'asc' } });
  }

  async getBySlug(slug: string): Promise<Tenant> {
    const tenant = await this.prisma.tenant.findUnique({ where: { slug } });
    if (!tenant) throw notFound(`No tenant "${slug}"`);
    return tenant;
  }
}
