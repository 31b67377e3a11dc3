// Kept out of support.ts: the tenants' client process and the benchmarks without a
// database import support.ts, and would bundle the database client for nothing.
import { SERVER_POOL_SIZE, type Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';

/**
 * A fresh database on the PostgreSQL server at `serverUrl` (DATABASE_URL when not given),
 * dropped by its close(), with as many connections as `shoal serve` opens unless told
 * otherwise: the test helper's default is fewer.
 */
export function benchDatabase(serverUrl?: string, poolSize = SERVER_POOL_SIZE): Promise<Db> {
  return createTestDatabase({ ...(serverUrl ? { serverUrl } : {}), poolSize });
}
