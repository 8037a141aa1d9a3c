import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, openPglite, openPostgres } from '../../src/db/index.js';

export type Driver = 'pglite' | 'postgres';

/** PGlite always; a PostgreSQL server as well when TEST_DATABASE_URL is set. */
export const drivers: Driver[] = inject('postgresTemplate') ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase {
  database: Database;
  /** Connection URL (postgres) or data directory (pglite), for processes started by a test. */
  location: { databaseUrl: string | null; dataDir: string };
  drop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '..', '..');
const suffix = () => `${process.pid}_${crypto.randomBytes(4).toString('hex')}`;

/**
 * A fresh, migrated database of its own. Only opened for PGlite when `open` is true; not migrated
 * when `empty` is true (for a test that migrates it step by step).
 */
export async function createTestDatabase(driver: Driver, { open = true, empty = false } = {}): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const dataDir = path.join(root, '.tmp', `data-${suffix()}`);
    if (!empty) fs.cpSync(inject('pgliteTemplateDir'), path.join(dataDir, 'pglite'), { recursive: true });
    const database = open ? await openPglite(path.join(dataDir, 'pglite')) : (null as unknown as Database);
    return {
      database,
      location: { databaseUrl: null, dataDir },
      async drop() {
        if (open) await database.close().catch(() => {});
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const template = inject('postgresTemplate');
  if (!template) throw new Error('TEST_DATABASE_URL is not set');
  const name = `mitsprache_t${suffix()}`;
  const admin = postgres(template.adminUrl, { max: 1, onnotice: () => {} });
  // CREATE DATABASE … TEMPLATE fails while anyone else is connected to the template; retry.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(empty ? `create database ${name}` : `create database ${name} template ${template.name}`);
      break;
    } catch (error) {
      if (attempt > 20) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const url = new URL(template.adminUrl);
  url.pathname = `/${name}`;
  const dataDir = path.join(root, '.tmp', `data-${name}`);
  const database = await openPostgres(url.toString(), { max: 5 });
  return {
    database,
    location: { databaseUrl: url.toString(), dataDir },
    async drop() {
      await database.close().catch(() => {});
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
