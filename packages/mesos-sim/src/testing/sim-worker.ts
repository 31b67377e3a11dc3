import { parentPort, workerData } from 'node:worker_threads';
import { startSimCluster } from '../cluster';
import type { SimOptions } from '../options';

/**
 * Runs a cluster in a worker thread, so that a test's clients and the emulator each get a
 * core. The parent gets `{ masterUrls, agentGatewayUrl }` and ends it with 'close'.
 */
const sim = await startSimCluster(workerData as SimOptions);
parentPort?.on('message', (message: unknown) => {
  if (message === 'close') void sim.close().then(() => parentPort?.close());
});
parentPort?.postMessage({ masterUrls: sim.masterUrls, agentGatewayUrl: sim.agentGatewayUrl });
