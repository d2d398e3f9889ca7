// Prisma CLI configuration (Prisma 7 keeps the datasource URL out of schema.prisma).
// The service applies prisma/migrations itself (src/db/migrate.ts); this file lets
// `prisma migrate status|deploy` read the same migrations wherever Prisma's engines run.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/persona',
  },
});
