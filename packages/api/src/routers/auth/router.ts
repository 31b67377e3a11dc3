import { router } from '../../trpc';
import { changePasswordRoute } from './change-password';
import { meRoute } from './me';
import { signInRoute } from './sign-in';
import { signOutRoute } from './sign-out';

export const authRouter = router({
  me: meRoute,
  signIn: signInRoute,
  signOut: signOutRoute,
  changePassword: changePasswordRoute,
});
