import { router } from '../../../trpc';
import { drainAgentRoute } from './drain-agent';
import { endMaintenanceRoute } from './end-maintenance';
import { getClusterOverviewRoute } from './get-cluster-overview';
import { reactivateAgentRoute } from './reactivate-agent';
import { scheduleMaintenanceRoute } from './schedule-maintenance';

export const adminClusterRouter = router({
  overview: getClusterOverviewRoute,
  drainAgent: drainAgentRoute,
  reactivateAgent: reactivateAgentRoute,
  scheduleMaintenance: scheduleMaintenanceRoute,
  endMaintenance: endMaintenanceRoute,
});
