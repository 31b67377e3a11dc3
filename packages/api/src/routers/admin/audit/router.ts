import { router } from '../../../trpc';
import { listAuditActionsRoute } from './list-audit-actions';
import { listAuditEventsRoute } from './list-audit-events';

export const adminAuditRouter = router({
  list: listAuditEventsRoute,
  actions: listAuditActionsRoute,
});
