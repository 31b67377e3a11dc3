import { router } from '../../trpc';
import { adminAuditRouter } from './audit/router';
import { adminClusterRouter } from './cluster/router';
import { adminTenantsRouter } from './tenants/router';
import { adminUsersRouter } from './users/router';

export const adminRouter = router({
  tenants: adminTenantsRouter,
  users: adminUsersRouter,
  audit: adminAuditRouter,
  cluster: adminClusterRouter,
});
