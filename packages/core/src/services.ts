import type { Db } from '@shoal/db';
import { AuditService } from './audit/audit-service';
import { createDashboardServices, type DashboardServices } from './auth/dashboard-services';
import { SystemService } from './system/status';
import { TenantService } from './tenants/tenant-service';
import { TokenService } from './tokens/token-service';
import { UserService } from './users/user-service';

/** Every domain service, built once per process over one database. */
export interface Services extends DashboardServices {
  audit: AuditService;
  system: SystemService;
  tenants: TenantService;
  tokens: TokenService;
  users: UserService;
}

export function createServices(db: Db): Services {
  const audit = new AuditService(db.prisma);
  return {
    audit,
    system: new SystemService(db.prisma, db.kind),
    tenants: new TenantService(db.prisma, audit),
    tokens: new TokenService(db.prisma, audit),
    users: new UserService(db.prisma),
    ...createDashboardServices(db.prisma, audit),
  };
}
