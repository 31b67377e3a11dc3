import { type FrameworkInfo, OperatorClient } from '@shoal/mesos';
import { afterEach, beforeEach } from 'vitest';
import { type SimCluster, type SimOptions, startSimCluster } from '../index';
import { type DriverOptions, FrameworkDriver } from './framework';

/**
 * Fast defaults for tests: short allocation rounds and retries. Heartbeats stay at a
 * second: a client presumes a master dead after five missed ones, and a loaded
 * machine can stall a test process for longer than five short beats.
 */
export const FAST: SimOptions = {
  heartbeatIntervalSeconds: 1,
  allocationIntervalMs: 20,
  statusUpdateRetryMs: 50,
};

export interface SimFixture {
  readonly sim: SimCluster;
  framework(info: FrameworkInfo, options?: DriverOptions): Promise<FrameworkDriver>;
  operator(): OperatorClient;
}

/** A fresh cluster per test, with every client it handed out closed afterwards. */
export function useSim(options: SimOptions = {}): SimFixture {
  let sim: SimCluster | undefined;
  const closers: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    sim = await startSimCluster({ ...FAST, ...options });
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close().catch(() => {})));
    await sim?.close();
  });
  return {
    get sim() {
      if (!sim) throw new Error('no cluster outside a test');
      return sim;
    },
    async framework(info, driverOptions) {
      const driver = await FrameworkDriver.subscribe(this.sim.masterUrls, info, driverOptions);
      closers.push(() => driver.close());
      return driver;
    },
    operator() {
      const client = new OperatorClient({
        masters: this.sim.masterUrls,
        backoff: { initialMs: 10, maxMs: 100 },
      });
      closers.push(() => client.close());
      return client;
    },
  };
}
