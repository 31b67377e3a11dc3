import { router } from '../../../trpc';
import { createUserRoute } from './create-user';
import { listUsersRoute } from './list-users';
import { setAdminRoute } from './set-admin';
import { setDisabledRoute } from './set-disabled';

export const adminUsersRouter = router({
  list: listUsersRoute,
  create: createUserRoute,
  setAdmin: setAdminRoute,
  setDisabled: setDisabledRoute,
});
