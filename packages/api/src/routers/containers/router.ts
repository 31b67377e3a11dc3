import { router } from '../../trpc';
import { actOnContainersRoute } from './act-on-containers';
import { containerChangesRoute } from './container-changes';
import { containerEventsRoute } from './container-events';
import { containerLogsRoute } from './container-logs';
import { getContainerRoute } from './get-container';
import { getContainerHistoryRoute } from './get-container-history';
import { getContainerStatsRoute } from './get-container-stats';
import { getUsageRoute } from './get-usage';
import { launchContainerRoute } from './launch-container';
import { listContainersRoute } from './list-containers';
import { removeContainerRoute } from './remove-container';
import { restartContainerRoute } from './restart-container';
import { startContainerRoute } from './start-container';
import { stopContainerRoute } from './stop-container';
import { openTerminalRoute } from './open-terminal';
import { terminalInputRoute } from './terminal-input';
import { terminalResizeRoute } from './terminal-resize';

export const containersRouter = router({
  list: listContainersRoute,
  get: getContainerRoute,
  history: getContainerHistoryRoute,
  usage: getUsageRoute,
  stats: getContainerStatsRoute,
  launch: launchContainerRoute,
  start: startContainerRoute,
  stop: stopContainerRoute,
  restart: restartContainerRoute,
  remove: removeContainerRoute,
  actOnEach: actOnContainersRoute,
  events: containerEventsRoute,
  changes: containerChangesRoute,
  logs: containerLogsRoute,
  terminal: openTerminalRoute,
  terminalInput: terminalInputRoute,
  terminalResize: terminalResizeRoute,
});
