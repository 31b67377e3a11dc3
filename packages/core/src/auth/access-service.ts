import type { MembershipRole, PrismaClient, Tenant } from '@shoal/db';
import { ShoalError, notFound } from '../errors';

const RANK: Record<MembershipRole, number> = { VIEWER: 1, MEMBER: 2, OWNER: 3 };

export function roleAtLeast(role: MembershipRole, minimum: MembershipRole): boolean {
  return RANK[role] >= RANK[minimum];
}

export interface Principal {
  id: string;
  isAdmin: boolean;
}

export interface TenantAccess {
  tenant: Tenant;
  /** The user's own membership, if any. */
  membership: MembershipRole | null;
  /** What the user may do here: admins act as owners of every tenant. */
  role: MembershipRole;
}

export class AccessService {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * The tenant behind `slug` as `principal` may use it. A tenant the user is
   * not a member of is "not found", so its existence does not leak; a member
   * whose role is too low is refused.
   */
  async tenant(principal: Principal, slug: string, minimum: MembershipRole): Promise<TenantAccess> {
    const tenant = await this.prisma.tenant.findUnique({
      where: { slug },
      include: { memberships: { where: { userId: principal.id } } },
    });
    const membership = tenant?.memberships[0]?.role ?? null;
    if (!tenant || (!membership && !principal.isAdmin)) throw notFound(`No tenant "${slug}"`);
    const role = principal.isAdmin ? 'OWNER' : (membership as MembershipRole);
    if (!roleAtLeast(role, minimum)) {
      throw new ShoalError(
        'FORBIDDEN',
        `This needs the ${minimum.toLowerCase()} role in ${tenant.slug}; you are a ${role.toLowerCase()}`,
      );
    }
    const { memberships: _memberships, ...plain } = tenant;
    return { tenant: plain, membership, role };
  }

  /** The tenants a user can open: their memberships, or every tenant for an admin. */
  async tenants(principal: Principal): Promise<TenantAccess[]> {
    const tenants = await this.prisma.tenant.findMany({
      where: principal.isAdmin ? {} : { memberships: { some: { userId: principal.id } } },
      include: { memberships: { where: { userId: principal.id } } },
      orderBy: { slug: 'asc' },
    });
    return tenants.map(({ memberships, ...tenant }) => {
      const membership = memberships[0]?.role ?? null;
      const role: MembershipRole = principal.isAdmin ? 'OWNER' : (membership ?? 'VIEWER');
      return { tenant, membership, role };
    });
  }
}
