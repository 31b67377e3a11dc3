export { createDb, type Db, type DbOptions } from './client';
export { migrateDatabase, MigrationError, type MigrateResult } from './migrate';
export { PrismaClient, Prisma } from './generated/prisma/client';
export * from './generated/prisma/enums';
export type * from './generated/prisma/models';
