import { loadEnv } from '@shoal/config';
import type { ContainerView, Services } from '@shoal/core';
import { createTestDatabase } from '@shoal/db/testing';
import type { SimOptions } from '@shoal/mesos-sim';
import { startShoal, type RunningShoal } from '../app';
import { createLogger } from '../logger';

/**
 * The whole control plane in this process over a fresh PostgreSQL database
 * and an embedded Mesos emulator tuned to answer quickly.
 */
export async function startShoalForTest(
  options: { sim?: SimOptions; env?: Record<string, string> } = {},
): Promise<RunningShoal & { services: Services }> {
  const db = await createTestDatabase();
  const env = loadEnv({
    SHOAL_PORT: '0',
    SHOAL_SEED_DEMO: 'false',
    SHOAL_OFFER_HOLD_SECONDS: '1',
    SHOAL_REFUSE_SECONDS: '1',
    SHOAL_LOG_LEVEL: 'error',
    ...options.env,
  });
  try {
    const shoal = await startShoal(env, {
      db,
      logger: createLogger(env.SHOAL_LOG_LEVEL),
      sim: { agents: 3, heartbeatIntervalSeconds: 1, allocationIntervalMs: 50, statusUpdateRetryMs: 300, ...options.sim },
    });
    return {
      ...shoal,
      async close() {
        await shoal.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** Polls until `check` returns a value (not undefined/false); fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
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
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function containerIn(services: Services, tenantId: string, ref: string, states: ContainerView['state'][]) {
  return eventually(`${ref} to be ${states.join('/')}`, async () => {
    const c = await services.containers.get(tenantId, ref);
    return states.includes(c.state) ? c : undefined;
  });
}
