import { router } from '../../../trpc';
import { drainAgentRoute } from './drain-agent';
import { endMaintenanceRoute } from './end-maintenance';
import { getClusterOverviewRoute } from './get-cluster-overview';
import { getClusterOfferSeriesRoute } from './get-offer-series';
import { reactivateAgentRoute } from './reactivate-agent';
import { scheduleMaintenanceRoute } from './schedule-maintenance';

export const adminClusterRouter = router({
  overview: getClusterOverviewRoute,
  offerSeries: getClusterOfferSeriesRoute,
  drainAgent: drainAgentRoute,
  reactivateAgent: reactivateAgentRoute,
  scheduleMaintenance: scheduleMaintenanceRoute,
  endMaintenance: endMaintenanceRoute,
});
