import { router } from '../../trpc';
import { containerChangesRoute } from './container-changes';
import { containerEventsRoute } from './container-events';
import { containerLogsRoute } from './container-logs';
import { getContainerRoute } from './get-container';
import { getContainerHistoryRoute } from './get-container-history';
import { getUsageRoute } from './get-usage';
import { launchContainerRoute } from './launch-container';
import { listContainersRoute } from './list-containers';
import { removeContainerRoute } from './remove-container';
import { restartContainerRoute } from './restart-container';
import { startContainerRoute } from './start-container';
import { stopContainerRoute } from './stop-container';

export const containersRouter = router({
  list: listContainersRoute,
  get: getContainerRoute,
  history: getContainerHistoryRoute,
  usage: getUsageRoute,
  launch: launchContainerRoute,
  start: startContainerRoute,
  stop: stopContainerRoute,
  restart: restartContainerRoute,
  remove: removeContainerRoute,
  events: containerEventsRoute,
  changes: containerChangesRoute,
  logs: containerLogsRoute,
});
