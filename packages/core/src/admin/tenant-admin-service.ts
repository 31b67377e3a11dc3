import type { ContainerRuntime, PrismaClient, Tenant } from '@shoal/db';
import { CNI_NETWORK_NAME, TENANT_PLACEHOLDER } from '../networks/cni';
import type { AuditService } from '../audit/audit-service';
import { conflict, invalid, isUniqueViolation, notFound } from '../errors';
import {
  checkQuotaForRole,
  checkWeight,
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
  /** The runtime of the tenant's new containers; null goes back to the cluster's default. */
  runtime?: ContainerRuntime | null;
  /**
   * The Mesos CNI network the tenant's Docker networks map to (`{tenant}` for its slug);
   * null goes back to the cluster's (SHOAL_TENANT_CNI_NETWORK).
   */
  cniNetwork?: string | null;
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
  create(
    input: CreateTenantInput & { quota?: TenantQuota; weight?: number },
    actor: string,
  ): Promise<Tenant> {
    return this.tenants.create(input, actor);
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

  /**
   * Renames, reweighs or moves a tenant to another role. What Mesos must hold changes
   * there first, outside the transaction; if storing fails after all, Mesos gets back what
   * the database holds.
   */
  async update(tenantId: string, settings: TenantSettings, actor: string): Promise<Tenant> {
    checkWeight(settings.weight);
    checkCniNetwork(settings.cniNetwork);
    if (settings.mesosRole !== undefined) {
      const problem = validateRoleName(settings.mesosRole);
      if (problem) throw invalid(`Invalid Mesos role "${settings.mesosRole}": ${problem}`);
    }
    const before = await this.prisma.tenant.findUnique({ where: { id: tenantId } });
    if (!before) throw notFound('No such tenant');
    const role = settings.mesosRole ?? before.mesosRole;
    const weight = settings.weight ?? before.weight;
    const moves = role !== before.mesosRole;
    const taken = () => conflict(`Role "${role}" belongs to another tenant`);
    if (moves) {
      checkQuotaForRole(role, quotaOf(before));
      await this.refuseMoveWithLiveContainers(this.prisma, before);
      if ((await this.prisma.tenant.count({ where: { mesosRole: role } })) > 0) throw taken();
    }
    const policy = this.tenants.mesosPolicy;
    const pushes = Boolean(policy) && (moves || weight !== before.weight);
    try {
      if (policy && moves) {
        await policy.pushQuota(role, quotaOf(before));
        await policy.pushQuota(before.mesosRole, NO_QUOTA);
      }
      if (policy && pushes) await policy.pushWeight(role, weight);
      return await this.prisma.$transaction(async (tx) => {
        if (moves) await this.refuseMoveWithLiveContainers(tx, before);
        // Only over what Mesos was sent a change from: a change made meanwhile wins.
        const { count } = await tx.tenant.updateMany({
          where: {
            id: tenantId,
            mesosRole: before.mesosRole,
            weight: before.weight,
            ...quotaOf(before),
          },
          data: {
            name: settings.name?.trim() || undefined,
            mesosRole: role,
            weight,
            // Only for containers created from now on: each keeps the runtime it was made with.
            ...(settings.runtime !== undefined ? { runtime: settings.runtime } : {}),
            // Taken by containers created or connected from now on; running ones keep theirs.
            ...(settings.cniNetwork !== undefined ? { cniNetwork: settings.cniNetwork } : {}),
          },
        });
        if (count === 0) {
          throw conflict(
            `The role, weight or quota of ${before.slug} changed meanwhile; try again`,
          );
        }
        await this.audit.record(
          {
            tenantId,
            actor,
            action: 'tenant.update',
            target: before.slug,
            detail: { ...settings },
          },
          tx,
        );
        return tx.tenant.findUniqueOrThrow({ where: { id: tenantId } });
      });
    } catch (error) {
      if (pushes) {
        await this.tenants.restorePolicy(before.mesosRole);
        if (moves) await this.tenants.restorePolicy(role);
      }
      if (isUniqueViolation(error)) throw taken();
      throw error;
    }
  }

  /** Tasks keep the role they were launched with; moving a tenant under them would orphan them. */
  private async refuseMoveWithLiveContainers(
    db: Pick<PrismaClient, 'container'>,
    tenant: Tenant,
  ): Promise<void> {
    const live = await db.container.count({
      where: { tenantId: tenant.id, state: { in: [...LIVE_STATES] } },
    });
    if (live > 0) {
      throw conflict(
        `Stop the ${live} live container(s) of ${tenant.slug} before moving it to another role`,
      );
    }
  }
}

function checkCniNetwork(name: string | null | undefined): void {
  if (name === undefined || name === null) return;
  if (!CNI_NETWORK_NAME.test(name.replaceAll(TENANT_PLACEHOLDER, 'x')))
    throw invalid(
      `Invalid CNI network "${name}": a CNI network name is [A-Za-z0-9][A-Za-z0-9_.-]*, with ${TENANT_PLACEHOLDER} for the tenant's slug`,
    );
}
