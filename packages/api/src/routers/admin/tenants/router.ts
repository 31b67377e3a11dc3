import { router } from '../../../trpc';
import { createTenantRoute } from './create-tenant';
import { listTenantsRoute } from './list-tenants';
import { setQuotaRoute } from './set-quota';
import { updateTenantRoute } from './update-tenant';

export const adminTenantsRouter = router({
  list: listTenantsRoute,
  create: createTenantRoute,
  setQuota: setQuotaRoute,
  update: updateTenantRoute,
});
