import { router } from '../../trpc';
import { issueTokenRoute } from './issue-token';
import { listTokensRoute } from './list-tokens';
import { revokeTokenRoute } from './revoke-token';

export const tokensRouter = router({
  list: listTokensRoute,
  issue: issueTokenRoute,
  revoke: revokeTokenRoute,
});
