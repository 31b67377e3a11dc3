import { loadEnv } from '@shoal/config';
import type { ContainerView, Services } from '@shoal/core';
import type { Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import type { SimCluster, SimOptions } from '@shoal/mesos-sim';
import { startShoal, type RunningShoal } from '../app';
import { createLogger, type Logger } from '../logger';

/** Shoal's settings for tests: any free ports, no demo data, short waits, quiet logs. */
export const TEST_ENV: Record<string, string> = {
  SHOAL_HOST: '127.0.0.1',
  SHOAL_PORT: '0',
  SHOAL_DOCKER_PORT: '0',
  SHOAL_METRICS_PORT: '0',
  SHOAL_SEED_DEMO: 'false',
  SHOAL_OFFER_HOLD_SECONDS: '1',
  SHOAL_REFUSE_SECONDS: '1',
  SHOAL_LOG_LEVEL: 'error',
  SHOAL_UNREACHABLE_REPLACE_SECONDS: '1',
  SHOAL_START_WAIT_SECONDS: '5',
  SHOAL_LOG_SAMPLE_SECONDS: '0.5',
};

/**
 * The whole control plane in this process over a fresh PostgreSQL database
 * and an embedded Mesos emulator tuned to answer quickly.
 */
export async function startShoalForTest(
  options: {
    sim?: SimOptions;
    env?: Record<string, string>;
    db?: Db;
    masters?: string[];
    logger?: Logger;
  } = {},
): Promise<RunningShoal & { services: Services }> {
  const ownDb = !options.db;
  const db = options.db ?? (await createTestDatabase());
  const env = loadEnv({
    ...TEST_ENV,
    ...(options.masters ? { MESOS_MASTER: options.masters.join(',') } : {}),
    ...options.env,
  });
  try {
    const shoal = await startShoal(env, {
      db,
      logger: options.logger ?? createLogger(env.SHOAL_LOG_LEVEL),
      sim: { agents: 3, ...FAST_SIM, ...options.sim },
    });
    return {
      ...shoal,
      async close() {
        await shoal.close();
        if (ownDb) await db.close();
      },
    };
  } catch (error) {
    if (ownDb) await db.close();
    throw error;
  }
}

/** Polls until `check` returns a value (not undefined/false); fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `timed out waiting for ${what}${last === undefined ? '' : `: ${last instanceof Error ? last.message : JSON.stringify(last)}`}`,
  );
}

export async function containerIn(
  services: Services,
  tenantId: string,
  ref: string,
  states: ContainerView['state'][],
) {
  return eventually(`${ref} to be ${states.join('/')}`, async () => {
    const c = await services.containers.get(tenantId, ref);
    return states.includes(c.state) ? c : undefined;
  });
}

/** A Mesos emulator of its own, for tests that restart or replace Shoal instances around it. */
export const FAST_SIM: SimOptions = {
  heartbeatIntervalSeconds: 1,
  allocationIntervalMs: 50,
  statusUpdateRetryMs: 300,
};

const LIVE_TASK_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_UNREACHABLE',
];

/** Live Mesos tasks of Shoal's framework, per container (task ids start with shoal.<id12>.). */
export function liveTasksByContainer(sim: SimCluster): Map<string, string[]> {
  const byContainer = new Map<string, string[]>();
  for (const t of sim.state.tasks()) {
    if (!LIVE_TASK_STATES.includes(t.state)) continue;
    const key = t.id.split('.')[1]!;
    byContainer.set(key, [...(byContainer.get(key) ?? []), t.id]);
  }
  return byContainer;
}
