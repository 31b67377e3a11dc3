import { router } from '../../trpc';
import { getStatusRoute } from './get-status';

export const systemRouter = router({
  status: getStatusRoute,
});
