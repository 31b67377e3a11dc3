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
   * many containers), where a Prisma call per statement would cost more than the statement;
   * and over a few connections of its own for the reads whose plans are kept (Sql.read).
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
  const pool = quietPool(prepared ? withPlanCacheMode(url, 'force_custom_plan') : url, poolSize);
  // Without named statements there are no plans to keep: reads share the pool.
  const readPool = prepared
    ? quietPool(withPlanCacheMode(url, 'force_generic_plan'), readPoolSize(poolSize))
    : undefined;
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool),
    // A busy pool makes a transaction wait for a connection rather than fail after
    // Prisma's default 2 s: being busy must not turn into errors.
    transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS },
  });
  return {
    prisma,
    sql: new Sql(pool, { prepared, ...(readPool ? { readPool } : {}) }),
    kind,
    url,
    async close() {
      await prisma.$disconnect();
      await pool.end();
      await readPool?.end();
      await stopEmbedded?.();
    },
  };
}

function quietPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  // A connection that breaks while idle (the server restarted) is dropped by the pool;
  // without a listener the error would end the process.
  pool.on('error', () => undefined);
  // The same for one that breaks while checked out between two statements of a
  // transaction: the pool only listens on idle ones. The statement waiting on it fails,
  // and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * Connections for Sql.read beside the pool: a few, as each read is short and the lookups
 * of many requests share one.
 */
function readPoolSize(poolSize: number): number {
  return Math.max(1, Math.ceil(poolSize / 4));
}

/**
 * The URL with `plan_cache_mode` added to the options its connections start with. On the
 * pool, `force_custom_plan`: prepared statements (see Sql) are still planned for their
 * values at every run, as the batches' statements over arrays of hundreds of rows are
 * planned far worse for no values in particular; what preparing saves is the parsing. On
 * the connections for Sql.read, `force_generic_plan`: each statement is planned once.
 */
function withPlanCacheMode(url: string, mode: 'force_custom_plan' | 'force_generic_plan'): string {
  const parsed = new URL(url);
  const given = parsed.searchParams.get('options');
  parsed.searchParams.set(
    'options',
    [given, `-c plan_cache_mode=${mode}`].filter(Boolean).join(' '),
  );
  return parsed.toString();
}
