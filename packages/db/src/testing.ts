import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadEnv } from '@shoal/config';
import { createDb, type Db } from './client';

export interface TestDatabaseOptions {
  /** The server to make the database on; DATABASE_URL when not given. */
  serverUrl?: string;
  /** Tests need few connections; a benchmark wants as many as a server has. */
  poolSize?: number;
}

/**
 * A fresh, migrated database on the PostgreSQL server (options.serverUrl, else DATABASE_URL),
 * dropped again by `close()`. Each test file gets its own, so files can run
 * in parallel and a failed run leaves nothing behind that a later one trips on.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<Db> {
  const serverUrl = options.serverUrl ?? loadEnv().DATABASE_URL;
  if (!serverUrl) {
    throw new Error(
      'DATABASE_URL must point at a PostgreSQL server for integration tests (npm test sets it).',
    );
  }
  const name = `shoal_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await createDb({ databaseUrl: url.toString(), poolSize: options.poolSize ?? 5 });
  return {
    ...db,
    async close() {
      await db.close();
      await withAdminClient(serverUrl, (c) =>
        c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}

async function withAdminClient<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * Until a statement of `db`'s database (the one given as `query`, or any) waits on a lock
 * another transaction holds. The bound is for a loaded machine, not the expected time.
 * Ask through a pool outside the transaction holding the lock: a transaction's view of
 * the sessions stays as it first read it.
 */
export async function untilWaitingOnALock(db: Pick<Db, 'sql'>, query?: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [waiting] = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'
         AND ($1::text IS NULL OR query = $1)`,
      [query ?? null],
    );
    if (waiting!.n > 0) return;
    if (Date.now() > deadline) throw new Error('no statement came to wait on the lock');
    await new Promise((r) => setTimeout(r, 10));
  }
}
