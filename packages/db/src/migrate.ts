import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { defaultMigrationsDir, readMigrations } from './migrations';

// The same bookkeeping table and lock id as `prisma migrate deploy`, so a
// database migrated by Shoal can later be managed by the native Prisma CLI and
// the other way round.
const MIGRATION_LOCK_ID = 72707369;

export class MigrationError extends Error {
  readonly code = 'SHOAL_MIGRATION_FAILED';
  constructor(
    message: string,
    readonly migration?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

interface ServerVersion {
  /** As PostgreSQL reports it, e.g. "15.4 (Debian 15.4-1)". */
  version: string;
  /** e.g. 150004 */
  number: string;
}

const SERVER_VERSION = `SELECT current_setting('server_version') AS version,
                               current_setting('server_version_num') AS number`;

/**
 * Why Shoal cannot run on this server, or undefined: its connections set plan_cache_mode,
 * which PostgreSQL 12 brought, and an older server refuses them at the first connection
 * with a message that does not say so.
 */
export function unsupportedServer(server: ServerVersion): string | undefined {
  if (Number(server.number) >= 120000) return undefined;
  return `Shoal needs PostgreSQL 12 or later; the database server runs PostgreSQL ${server.version}`;
}

export interface MigrateResult {
  applied: string[];
}

/**
 * Applies every migration folder not yet recorded, each in its own transaction,
 * so a failing migration leaves the database as it was before that migration.
 * Concurrent callers (several server instances starting together) serialise
 * on an advisory lock.
 */
export async function migrateDatabase(
  url: string,
  migrationsDir: string = defaultMigrationsDir,
): Promise<MigrateResult> {
  const migrations = readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (cause) {
    throw new MigrationError(
      `Cannot connect to the database: ${(cause as Error).message}`,
      undefined,
      {
        cause,
      },
    );
  }
  const applied: string[] = [];
  try {
    const [server] = (await client.query<ServerVersion>(SERVER_VERSION)).rows;
    const unsupported = unsupportedServer(server!);
    if (unsupported) throw new MigrationError(unsupported);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const done = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations"
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const recorded = new Map(done.rows.map((r) => [r.migration_name, r.checksum]));
    for (const migration of migrations) {
      const checksum = recorded.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new MigrationError(
            `Migration ${migration.name} was changed after it was applied (checksum differs); add a new migration instead`,
            migration.name,
          );
        }
        continue;
      }
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query('COMMIT');
      } catch (cause) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationError(
          `Migration ${migration.name} failed: ${(cause as Error).message}`,
          migration.name,
          { cause },
        );
      }
      applied.push(migration.name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
  return { applied };
}
