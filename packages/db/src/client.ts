import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import type { ShoalEnv } from '@shoal/config';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client';
import { EMBEDDED_MAX_CONNECTIONS, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';
import { migrateDatabase } from './migrate';
import { Sql } from './sql';

const TRANSACTION_MAX_WAIT_MS = 60_000;

/** Connections Shoal opens to a PostgreSQL server, unless told otherwise. */
export const SERVER_POOL_SIZE = 10;

export interface DbOptions {
  /** PostgreSQL URL; when absent an embedded PGlite database is used. */
  databaseUrl?: string | undefined;
  /** Where embedded PGlite keeps its files; `null` keeps them in memory. */
  dataDir?: string | null;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** Connections to a PostgreSQL server (default SERVER_POOL_SIZE); PGlite takes one. */
  poolSize?: number;
  /**
   * Prepare the hot path's statements on PostgreSQL (default true; never on PGlite). Off
   * behind a pooler that cannot keep them per connection or refuses connection options.
   */
  prepare?: boolean;
}

export interface Db {
  prisma: PrismaClient;
  /**
   * SQL over the connections Prisma uses, for the hot path's batched statements (one for
   * many containers), where a Prisma call per statement would cost more than the statement.
   */
  sql: Sql;
  kind: 'postgresql' | 'pglite';
  /** The URL the client is connected to (for raw pg connections, e.g. advisory locks). */
  url: string;
  close(): Promise<void>;
}

/** What the environment says of the database: where it is, and whether to prepare statements. */
export function dbOptionsFrom(
  env: Pick<ShoalEnv, 'DATABASE_URL' | 'SHOAL_DATA_DIR' | 'SHOAL_DB_PREPARE'>,
): DbOptions {
  return {
    databaseUrl: env.DATABASE_URL,
    dataDir: env.SHOAL_DATA_DIR,
    prepare: env.SHOAL_DB_PREPARE,
  };
}

/** The one way Shoal obtains a database client. */
export async function createDb(options: DbOptions = {}): Promise<Db> {
  let url = options.databaseUrl;
  let embedded: EmbeddedPostgres | undefined;
  if (!url) {
    const dataDir =
      options.dataDir === null ? undefined : path.resolve(options.dataDir ?? '.data', 'pglite');
    embedded = await startEmbeddedPostgres(dataDir);
    url = embedded.url;
  }
  const stopEmbedded = embedded?.close;
  const kind = embedded ? 'pglite' : 'postgresql';
  try {
    if (options.migrate ?? true) await migrateDatabase(url);
    embedded?.makePrivate();
  } catch (error) {
    await stopEmbedded?.();
    throw error;
  }
  const poolSize =
    kind === 'pglite' ? EMBEDDED_MAX_CONNECTIONS : (options.poolSize ?? SERVER_POOL_SIZE);
  const prepared = kind === 'postgresql' && (options.prepare ?? true);
  const pool = new pg.Pool({
    connectionString: prepared ? withCustomPlans(url) : url,
    max: poolSize,
  });
  // A connection that breaks while idle (the server restarted) is dropped by the pool;
  // without a listener the error would end the process.
  pool.on('error', () => undefined);
  // The same for one that breaks while checked out between two statements of a
  // transaction: the pool only listens on idle ones. The statement waiting on it fails,
  // and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool),
    // A busy pool makes a transaction wait for a connection rather than fail after
    // Prisma's default 2 s: being busy must not turn into errors.
    transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS },
  });
  return {
    prisma,
    sql: new Sql(pool, { prepared }),
    kind,
    url,
    async close() {
      await prisma.$disconnect();
      await pool.end();
      await stopEmbedded?.();
    },
  };
}

/**
 * The URL with `plan_cache_mode = force_custom_plan` added to the options its connections
 * start with. Prepared statements (see Sql) are then still planned for their values at
 * every run: a plan kept from when the tables were small would go on scanning them whole
 * after they grew, until the next ANALYZE. What preparing saves is the parsing.
 */
function withCustomPlans(url: string): string {
  const parsed = new URL(url);
  const given = parsed.searchParams.get('options');
  parsed.searchParams.set(
    'options',
    [given, '-c plan_cache_mode=force_custom_plan'].filter(Boolean).join(' '),
  );
  return parsed.toString();
}
