import type { ContainerRuntime, PrismaClient, Tenant } from '@shoal/db';
import { CNI_NETWORK_NAME, TENANT_PLACEHOLDER } from '../networks/cni';
import type { AuditService } from '../audit/audit-service';
import { TERMINAL_STATES } from '../containers/lifecycle';
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
/** How many of the containers that hold a move up its refusal names; the count says the rest. */
const NAMED_BLOCKERS = 5;

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
        if (moves) await this.refuseMoveWithLiveContainers(tx, before, true);
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

  /**
   * Tasks keep the role they were launched with; moving a tenant under them would orphan
   * them. What Mesos holds for the role is what blocks: containers meant to run (queued or
   * waiting to restart) and those with a task not ended. One only created, or exited, has
   * no task: its next start reads the tenant's role afresh and launches under the new one.
   * Within the move's transaction the tenant's containers are locked first, so a start
   * either lands before the check and is seen, or waits and reads the new role.
   */
  private async refuseMoveWithLiveContainers(
    db: Pick<PrismaClient, 'container' | '$queryRaw'>,
    tenant: Tenant,
    lock = false,
  ): Promise<void> {
    if (lock) {
      // The tenant before its containers, in the order a deletion of the tenant takes them.
      await db.$queryRaw`SELECT id FROM "Tenant" WHERE id = ${tenant.id} FOR UPDATE`;
      await db.$queryRaw`SELECT id FROM "Container" WHERE "tenantId" = ${tenant.id}
        ORDER BY id FOR UPDATE`;
    }
    const live = await db.container.findMany({
      where: {
        tenantId: tenant.id,
        OR: [
          { desiredState: 'RUNNING' },
          { state: { in: ['RUNNING', 'RESTARTING'] } },
          { tasks: { some: { state: { notIn: [...TERMINAL_STATES] } } } },
        ],
      },
      select: { name: true },
      orderBy: { name: 'asc' },
    });
    if (live.length > 0) {
      const named = live.slice(0, NAMED_BLOCKERS).map((c) => c.name);
      const more = live.length - named.length;
      throw conflict(
        `Stop the ${live.length} running container(s) of ${tenant.slug} before moving it to another role: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
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
