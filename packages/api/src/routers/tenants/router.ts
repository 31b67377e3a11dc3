import { router } from '../../trpc';
import { getTenantRoute } from './get-tenant';
import { listMyTenantsRoute } from './list-my-tenants';

export const tenantsRouter = router({
  mine: listMyTenantsRoute,
  get: getTenantRoute,
});
