import { defineConfig } from 'prisma/config';

// The Prisma CLI is used here only to generate the client; migrations are applied by
// `casetrail migrate`. The URL matters only to CLI commands that connect.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/casetrail' },
});
