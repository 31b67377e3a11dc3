import type { ShoalEnv } from '@shoal/config';
import { createServices, seedFirstStart, type FirstStartResult } from '@shoal/core';
import { createDb, type Db } from '@shoal/db';
import { startControlPlane, type ListeningServer } from './http/control-plane';

export interface RunningShoal {
  db: Db;
  controlPlane: ListeningServer;
  /** What first start created (secrets included), when this start was the first. */
  seeded: FirstStartResult | undefined;
  close(): Promise<void>;
}

/** Boots every part of Shoal in this process; `close()` stops them in reverse order. */
export async function startShoal(env: ShoalEnv): Promise<RunningShoal> {
  const db = await createDb({ databaseUrl: env.DATABASE_URL, dataDir: env.SHOAL_DATA_DIR });
  const services = createServices(db);
  let controlPlane: ListeningServer;
  let seeded: FirstStartResult | undefined;
  try {
    seeded = await seedFirstStart(services, { demo: env.seedDemo });
    controlPlane = await startControlPlane(services, env.SHOAL_HOST, env.SHOAL_PORT);
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    db,
    controlPlane,
    seeded,
    async close() {
      await controlPlane.close();
      await db.close();
    },
  };
}
