export { createDb, dbOptionsFrom, SERVER_POOL_SIZE, type Db, type DbOptions } from './client';
export { Sql, type Connection, type SqlReader, type SqlRunner, type Row } from './sql';
export { migrateDatabase, MigrationError, type MigrateResult } from './migrate';
export { DataDirError } from './data-dir';
export * from './generated/prisma/client';
