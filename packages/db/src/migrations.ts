import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MigrationFile {
  /** Folder name, e.g. `20261125104500_init`; sorts in the order to apply. */
  name: string;
  sql: string;
  /** sha256 of the file, as Prisma records it in `_prisma_migrations.checksum`. */
  checksum: string;
}

/**
 * The repository's prisma/migrations, found above this module: from the package's source, and
 * from the server's compiled bundle, which sits at another depth.
 */
export const defaultMigrationsDir = findAbove(
  path.dirname(fileURLToPath(import.meta.url)),
  path.join('prisma', 'migrations'),
);

function findAbove(from: string, relative: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.join(from, relative);
  }
}

export function readMigrations(dir: string = defaultMigrationsDir): MigrationFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}
