export { createDb, type Db, type DbOptions } from './client';
export { migrateDatabase, MigrationError, type MigrateResult } from './migrate';
export * from './generated/prisma/client';
