import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the module schemas and applied at start-up on both drivers
// (PGlite and PostgreSQL), so they must stay within PostgreSQL 15.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
});
