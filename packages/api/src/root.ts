import { router } from './trpc';
import { adminRouter } from './routers/admin/router';
import { authRouter } from './routers/auth/router';
import { containersRouter } from './routers/containers/router';
import { membersRouter } from './routers/members/router';
import { offersRouter } from './routers/offers/router';
import { systemRouter } from './routers/system/router';
import { tenantsRouter } from './routers/tenants/router';
import { tokensRouter } from './routers/tokens/router';

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  tenants: tenantsRouter,
  containers: containersRouter,
  members: membersRouter,
  tokens: tokensRouter,
  offers: offersRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
