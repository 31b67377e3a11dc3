import type { Prisma, PrismaClient, Tenant } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { conflict, invalid, isUniqueViolation, notFound } from '../errors';
import { QUOTA_CLAIMS, shownAmount } from './quota-claims';

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
 * operator client; a change Mesos refuses is not stored.
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
  quota?: TenantQuota;
  /** Mesos role weight: the tenant's share of resources beyond its guarantee. */
  weight?: number;
}

const QUOTA_WORDS: Record<keyof TenantQuota, string> = {
  quotaCpusGuarantee: 'CPU guarantee',
  quotaCpusLimit: 'CPU limit',
  quotaMemGuarantee: 'memory guarantee',
  quotaMemLimit: 'memory limit',
  quotaDiskGuarantee: 'disk guarantee',
  quotaDiskLimit: 'disk limit',
  quotaGpusGuarantee: 'GPU guarantee',
  quotaGpusLimit: 'GPU limit',
};

/** Refuses negative or non-finite amounts, and a guarantee above its limit. */
export function checkQuota(quota: TenantQuota): void {
  for (const [key, value] of Object.entries(quota) as [keyof TenantQuota, number | null][]) {
    if (value === null || value === undefined) continue;
    if (!Number.isFinite(value)) throw invalid(`The ${QUOTA_WORDS[key]} must be a number`);
    if (value < 0) throw invalid(`The ${QUOTA_WORDS[key]} cannot be negative`);
  }
  for (const resource of ['Cpus', 'Mem', 'Disk', 'Gpus'] as const) {
    const guarantee = quota[`quota${resource}Guarantee`];
    const limit = quota[`quota${resource}Limit`];
    if (guarantee != null && limit != null && guarantee > limit) {
      throw invalid(
        `The ${QUOTA_WORDS[`quota${resource}Guarantee`]} (${guarantee}) is above the ${QUOTA_WORDS[`quota${resource}Limit`]} (${limit})`,
      );
    }
  }
}

export const isNestedRole = (role: string) => role.includes('/');

/** Why Mesos will not take quota for `role`, in words that say what to do instead. */
export const nestedRoleQuotaMessage = (role: string) =>
  `Mesos takes no quota on a nested role such as "${role}": use a top-level role (without "/") or leave the quota empty`;

/**
 * Mesos refuses quota on nested roles (UPDATE_QUOTA: "not supported yet"). Checked before
 * anything is sent or stored, so the refusal leaves nothing behind, whether or not this
 * process can reach Mesos at that moment.
 */
export function checkQuotaForRole(role: string, quota: Required<TenantQuota>): void {
  if (isNestedRole(role) && Object.values(quota).some((v) => v !== null)) {
    throw invalid(nestedRoleQuotaMessage(role));
  }
}

export function checkWeight(weight: number | undefined): void {
  if (weight !== undefined && !(weight > 0 && Number.isFinite(weight))) {
    throw invalid('A weight is a positive number');
  }
}

/** `quota`'s fields that are set (null included) over `base`. */
function applied(base: Required<TenantQuota>, quota: TenantQuota): Required<TenantQuota> {
  const next = { ...base };
  for (const [key, value] of Object.entries(quota) as [keyof TenantQuota, number | null][]) {
    if (value !== undefined) next[key] = value;
  }
  return next;
}

/**
 * Tenants and what Mesos holds for their roles. A change Mesos must accept is sent to
 * Mesos first, outside any database transaction (an answer may wait for a master
 * election), and stored only once Mesos took it; when storing fails after all, Mesos is
 * given back what the database holds, so the two agree.
 */
export class TenantService {
  mesosPolicy: MesosPolicySync | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditService,
  ) {}

  /**
   * A tenant with its quota and weight, all or nothing: when Mesos refuses the quota or
   * the weight, no tenant is stored and its role reaches no framework.
   */
  async create(input: CreateTenantInput, actor: string): Promise<Tenant> {
    if (!SLUG.test(input.slug)) {
      throw invalid(
        'A tenant slug is 3-40 characters: lower-case letters, digits and "-", starting with a letter',
      );
    }
    const mesosRole = input.mesosRole ?? defaultRoleFor(input.slug);
    const roleProblem = validateRoleName(mesosRole);
    if (roleProblem) throw invalid(`Invalid Mesos role "${mesosRole}": ${roleProblem}`);
    const quota = applied(NO_QUOTA, input.quota ?? {});
    checkQuota(quota);
    checkQuotaForRole(mesosRole, quota);
    checkWeight(input.weight);
    const weight = input.weight ?? 1;
    const taken = () =>
      conflict(`A tenant with slug "${input.slug}" or role "${mesosRole}" already exists`);
    // Before Mesos hears of the role: another tenant's quota there must not be overwritten.
    const existing = await this.prisma.tenant.count({
      where: { OR: [{ slug: input.slug }, { mesosRole }] },
    });
    if (existing > 0) throw taken();
    const hasQuota = Object.values(quota).some((v) => v !== null);
    const policy = this.mesosPolicy;
    if (policy && hasQuota) await policy.pushQuota(mesosRole, quota);
    try {
      if (policy && weight !== 1) await policy.pushWeight(mesosRole, weight);
      return await this.prisma.$transaction(async (tx) => {
        const tenant = await tx.tenant.create({
          data: {
            slug: input.slug,
            name: input.name.trim() || input.slug,
            mesosRole,
            weight,
            ...quota,
          },
        });
        const record = (action: string, detail: Prisma.InputJsonValue) =>
          this.audit.record(
            { tenantId: tenant.id, actor, action, target: tenant.slug, detail },
            tx,
          );
        await record('tenant.create', { mesosRole });
        if (hasQuota) await record('tenant.quota', { ...input.quota });
        if (weight !== 1) await record('tenant.update', { weight });
        return tenant;
      });
    } catch (error) {
      if (hasQuota || weight !== 1) await this.restorePolicy(mesosRole);
      if (isUniqueViolation(error)) throw taken();
      throw error;
    }
  }

  async setQuota(tenantId: string, quota: TenantQuota, actor: string): Promise<Tenant> {
    checkQuota(quota);
    const before = await this.prisma.tenant.findUnique({ where: { id: tenantId } });
    if (!before) throw notFound('No such tenant');
    const next = applied(quotaOf(before), quota);
    checkQuota(next);
    checkQuotaForRole(before.mesosRole, next);
    await this.refuseLimitsBelowClaims(before, next);
    // If Mesos refuses, or cannot be reached, nothing is stored.
    await this.mesosPolicy?.pushQuota(before.mesosRole, next);
    try {
      return await this.prisma.$transaction(async (tx) => {
        // Only over what Mesos was sent a change from: a change made meanwhile wins.
        const { count } = await tx.tenant.updateMany({
          where: { id: tenantId, mesosRole: before.mesosRole, ...quotaOf(before) },
          data: quota,
        });
        if (count === 0) {
          throw conflict(`The quota or role of ${before.slug} changed meanwhile; try again`);
        }
        await this.audit.record(
          { tenantId, actor, action: 'tenant.quota', target: before.slug, detail: { ...quota } },
          tx,
        );
        return tx.tenant.findUniqueOrThrow({ where: { id: tenantId } });
      });
    } catch (error) {
      await this.restorePolicy(before.mesosRole);
      throw error;
    }
  }

  /**
   * Mesos refuses a limit below what the role's tasks hold at that moment; a container
   * meant to run holds its claim between runs too (waiting to restart, or queued), and
   * under a lower limit it could never run again. Refused alike, with the figures.
   */
  private async refuseLimitsBelowClaims(tenant: Tenant, next: TenantQuota): Promise<void> {
    const claims = await this.prisma.tenantUsage.findUnique({ where: { tenantId: tenant.id } });
    if (!claims) return;
    const over = QUOTA_CLAIMS.map(
      ([what, claim, limitKey, unit]) => [what, claims[claim], next[limitKey], unit] as const,
    ).filter(([, claimed, limit]) => limit != null && claimed > limit + 1e-9);
    if (over.length === 0) return;
    const said = over.map(
      ([what, claimed, limit, unit]) =>
        `${what} ${shownAmount(claimed)}${unit} against a limit of ${shownAmount(limit ?? 0)}${unit}`,
    );
    throw invalid(
      `The containers of ${tenant.slug} meant to run (running, restarting or waiting for resources) claim more than the limit asked for: ${said.join(', ')}; stop some of them first, or ask for at least what they claim`,
    );
  }

  /**
   * Gives Mesos back what the database holds for `role` (none when no tenant has it),
   * after a change Mesos took was not stored. Best effort: a leader that takes over
   * pushes every stored policy again.
   */
  async restorePolicy(role: string): Promise<void> {
    const policy = this.mesosPolicy;
    if (!policy) return;
    try {
      const owner = await this.prisma.tenant.findUnique({ where: { mesosRole: role } });
      await policy.pushQuota(role, owner ? quotaOf(owner) : NO_QUOTA);
      await policy.pushWeight(role, owner?.weight ?? 1);
    } catch {
      // Mesos or the database is away; the next leader's push settles it.
    }
  }

  list(): Promise<Tenant[]> {
    return this.prisma.tenant.findMany({ orderBy: { slug: 'asc' } });
  }

  /** The tenant a token or session belongs to; undefined when it was deleted meanwhile. */
  findById(id: string): Promise<Tenant | null> {
    return this.prisma.tenant.findUnique({ where: { id } });
  }

  async getBySlug(slug: string): Promise<Tenant> {
    const tenant = await this.prisma.tenant.findUnique({ where: { slug } });
    if (!tenant) throw notFound(`No tenant "${slug}"`);
    return tenant;
  }
}
