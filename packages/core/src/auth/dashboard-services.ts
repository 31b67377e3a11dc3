import type { PrismaClient, Sql } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { AuditLogService } from '../admin/audit-log-service';
import { ClusterAdminService } from '../admin/cluster-admin';
import { OfferStatsService } from '../admin/offer-stats-service';
import { TenantAdminService } from '../admin/tenant-admin-service';
import { UserAdminService } from '../admin/user-admin-service';
import type { TenantService } from '../tenants/tenant-service';
import type { UserService } from '../users/user-service';
import { AccessService } from './access-service';
import { MembershipService } from './membership-service';
import { SessionService } from './session-service';
import { SignInLimiter, type SignInLimits } from './sign-in-limiter';

/** The services behind the dashboard's sign-in, RBAC and admin pages. */
export interface DashboardServices {
  sessions: SessionService;
  access: AccessService;
  memberships: MembershipService;
  userAdmin: UserAdminService;
  tenantAdmin: TenantAdminService;
  auditLog: AuditLogService;
  offerStats: OfferStatsService;
  /** Mesos operator reads and actions, once the process holding the operator client attaches it. */
  clusterAdmin: ClusterAdminService;
}

export function createDashboardServices(
  prisma: PrismaClient,
  sql: Sql,
  audit: AuditService,
  // Shared with the rest of core, so what the server attaches to them (e.g. the Mesos policy sync) applies here too.
  shared: { tenants: TenantService; users: UserService },
  signInLimits?: SignInLimits,
): DashboardServices {
  return {
    sessions: new SessionService(prisma, audit, new SignInLimiter(signInLimits)),
    access: new AccessService(prisma),
    memberships: new MembershipService(prisma, audit),
    userAdmin: new UserAdminService(prisma, shared.users, audit),
    tenantAdmin: new TenantAdminService(prisma, audit, shared.tenants),
    auditLog: new AuditLogService(prisma),
    offerStats: new OfferStatsService(prisma, sql),
    clusterAdmin: new ClusterAdminService(audit),
  };
}
