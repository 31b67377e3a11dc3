// Offline migration tooling (the Prisma CLI would download a native engine).
//   migrate.ts deploy        apply pending migrations to DATABASE_URL, or to embedded PGlite
//   migrate.ts new <name>    write prisma/migrations/<timestamp>_<name>/migration.sql with the
//                            SQL that takes the existing migrations to prisma/schema.prisma
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadEnv } from '@shoal/config';
import { createDb, dbOptionsFrom } from '../src/client';
import { defaultMigrationsDir, readMigrations } from '../src/migrations';
import { diffMigrationsToSchema } from './schema-diff';

const schemaPath = path.resolve(defaultMigrationsDir, '..', 'schema.prisma');

async function deploy(): Promise<void> {
  const env = loadEnv();
  const db = await createDb(dbOptionsFrom(env));
  console.log(
    `Migrations applied to ${db.kind === 'pglite' ? `PGlite in ${env.SHOAL_DATA_DIR}` : 'PostgreSQL'}.`,
  );
  await db.close();
}

async function create(name: string | undefined): Promise<void> {
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error('Usage: npm run db:new-migration -- <name> (lower-case letters, digits, _)');
  }
  const sql = await diffMigrationsToSchema(readMigrations(), readFileSync(schemaPath, 'utf8'));
  if (sql.trim() === '' || /^-- This is an empty migration\.?\s*$/.test(sql.trim())) {
    console.log('The schema matches the migrations; nothing to write.');
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(defaultMigrationsDir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'migration.sql'), sql);
  writeFileSync(
    path.join(defaultMigrationsDir, 'migration_lock.toml'),
    '# Written by Shoal\'s migration tooling; keep it under version control.\nprovider = "postgresql"\n',
  );
  console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
}

const [command, arg] = process.argv.slice(2);
const run = command === 'deploy' ? deploy() : command === 'new' ? create(arg) : undefined;
if (!run) {
  console.error('Usage: migrate.ts deploy | new <name>');
  process.exit(2);
}
run.catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
