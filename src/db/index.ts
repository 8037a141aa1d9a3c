import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';

/**
 * Both drivers expose the same drizzle query builder; the app is typed against one of them and
 * never relies on driver-specific result shapes (see DESIGN §7: prefer the query builder).
 */
export type Db = PostgresJsDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  driver: 'pglite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;
  ping(): Promise<void>;
  /** Subscribes to NOTIFY on a channel; resolves once listening. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** `drizzle/` at the project root, from both `src/db` (tsx) and `dist/db` (build). */
export const migrationsFolder = path.resolve(here, '..', '..', 'drizzle');

export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Database> {
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // Keep timestamps as JS Dates in the session's time zone-independent form.
    connection: { application_name: 'mitsprache' },
  });
  const db = drizzlePostgres(client, { schema });
  return {
    db,
    driver: 'postgres',
    migrate: () => migratePostgres(db, { migrationsFolder }),
    close: () => client.end({ timeout: 5 }),
    ping: async () => {
      await client`select 1`;
    },
    // postgres.js keeps one extra connection for LISTEN and re-subscribes after reconnects.
    listen: async (channel, onPayload) => {
      await client.listen(channel, onPayload);
    },
  };
}

/** Embedded PostgreSQL (WASM). `dataDir` null keeps it in memory. */
export async function openPglite(dataDir: string | null): Promise<Database> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  // PGlite's default buffer pool costs ~140 MB of resident memory; an embedded single-process
  // database does well with a smaller one.
  // Extensions must be loaded here for the migration's CREATE EXTENSION to find them.
  const client = await PGlite.create(dataDir ?? undefined, { postgresqlconf: 'shared_buffers=32MB', extensions: { pg_trgm } });
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    close: () => client.close(),
    ping: async () => {
      await client.query('select 1');
    },
    listen: async (channel, onPayload) => {
      await client.listen(channel, onPayload);
    },
  };
}

export async function openDatabase(config: { databaseUrl: string | null; dataDir: string }): Promise<Database> {
  return config.databaseUrl
    ? openPostgres(config.databaseUrl)
    : openPglite(path.join(config.dataDir, 'pglite'));
}
