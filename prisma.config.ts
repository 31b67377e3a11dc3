import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI (generate, and a production `prisma migrate deploy`).
// Shoal itself connects through driver adapters in packages/db.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
