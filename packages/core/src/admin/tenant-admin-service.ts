import type { PrismaClient, Tenant } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { conflict, invalid, isUniqueViolation, notFound } from '../errors';
import {
  NO_QUOTA,
  quotaOf,
  validateRoleName,
  type CreateTenantInput,
  type TenantQuota,
  type TenantService,
} from '../tenants/tenant-service';

export interface TenantOverview {
  tenant: Tenant;
  members: number;
  containers: number;
  tokens: number;
}

export interface TenantSettings {
  name?: string;
  mesosRole?: string;
  /** Mesos role weight: the tenant's share of resources beyond its guarantee. */
  weight?: number;
}

const LIVE_STATES = ['CREATED', 'RESTARTING', 'RUNNING', 'REMOVING', 'PAUSED'] as const;

/** What cluster admins change on tenants beyond creation and quota (TenantService). */
export class TenantAdminService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditService,
    private readonly tenants: TenantService,
  ) {}

  /** Creates a tenant with its quota and weight in one step, as the admin form submits it. */
  async create(
    input: CreateTenantInput & { quota?: TenantQuota; weight?: number },
    actor: string,
  ): Promise<Tenant> {
    let tenant = await this.tenants.create(input, actor);
    if (input.quota && Object.values(input.quota).some((v) => v != null)) {
      tenant = await this.tenants.setQuota(tenant.id, input.quota, actor);
    }
    if (input.weight !== undefined && input.weight !== tenant.weight) {
      tenant = await this.update(tenant.id, { weight: input.weight }, actor);
    }
    return tenant;
  }

  async list(): Promise<TenantOverview[]> {
    const tenants = await this.prisma.tenant.findMany({
      orderBy: { slug: 'asc' },
      include: {
        _count: {
          select: {
            memberships: true,
            tokens: { where: { revokedAt: null } },
            containers: { where: { state: { in: [...LIVE_STATES] } } },
          },
        },
      },
    });
    return tenants.map(({ _count, ...tenant }) => ({
      tenant,
      members: _count.memberships,
      containers: _count.containers,
      tokens: _count.tokens,
    }));
  }

  async update(tenantId: string, settings: TenantSettings, actor: string): Promise<Tenant> {
    if (
      settings.weight !== undefined &&
      !(settings.weight > 0 && Number.isFinite(settings.weight))
    ) {
      throw invalid('A weight is a positive number');
    }
    if (settings.mesosRole !== undefined) {
      const problem = validateRoleName(settings.mesosRole);
      if (problem) throw invalid(`Invalid Mesos role "${settings.mesosRole}": ${problem}`);
    }
    try {
      return await this.prisma.$transaction(async (tx) => {
        const before = await tx.tenant.findUnique({ where: { id: tenantId } });
        if (!before) throw notFound('No such tenant');
        if (settings.mesosRole !== undefined && settings.mesosRole !== before.mesosRole) {
          // Tasks keep the role they were launched with; moving a tenant under them would orphan them.
          const live = await tx.container.count({
            where: { tenantId, state: { in: [...LIVE_STATES] } },
          });
          if (live > 0) {
            throw conflict(
              `Stop the ${live} live container(s) of ${before.slug} before moving it to another role`,
            );
          }
        }
        const tenant = await tx.tenant.update({
          where: { id: tenantId },
          data: {
            name: settings.name?.trim() || undefined,
            mesosRole: settings.mesosRole,
            weight: settings.weight,
          },
        });
        // Inside the transaction: if Mesos refuses, the change is not stored either.
        const policy = this.tenants.mesosPolicy;
        if (policy && tenant.mesosRole !== before.mesosRole) {
          await policy.pushQuota(tenant.mesosRole, quotaOf(tenant));
          await policy.pushQuota(before.mesosRole, quotaOf({ ...before, ...NO_QUOTA }));
        }
        if (policy && (tenant.weight !== before.weight || tenant.mesosRole !== before.mesosRole)) {
          await policy.pushWeight(tenant.mesosRole, tenant.weight);
        }
        await this.audit.record(
          {
            tenantId,
            actor,
            action: 'tenant.update',
            target: tenant.slug,
            detail: { ...settings },
          },
          tx,
        );
        return tenant;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw conflict(`Role "${settings.mesosRole}" belongs to another tenant`);
      throw error;
    }
  }
}
