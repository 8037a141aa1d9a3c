import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import postgres from 'postgres';
import { openPglite, openPostgres } from '../../src/db/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplateDir: string;
    postgresTemplate: { adminUrl: string; name: string } | null;
  }
}

const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * Migrates once, then every test file copies the result: a PGlite data directory copied is ready
 * in ~0.3 s (fresh in-memory PGlite takes 2–3 s), a PostgreSQL database created from a template
 * in a few milliseconds.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tmp = path.join(root, '.tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const templateDir = path.join(tmp, `pglite-template-${process.pid}`);
  fs.rmSync(templateDir, { recursive: true, force: true });
  const pglite = await openPglite(templateDir);
  await pglite.migrate();
  await pglite.close();
  project.provide('pgliteTemplateDir', templateDir);

  const url = process.env.TEST_DATABASE_URL;
  let admin: postgres.Sql | null = null;
  let name = '';
  if (url) {
    name = `mitsprache_template_${process.pid}`;
    admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name}`);
    await admin.unsafe(`create database ${name}`);
    const templateUrl = new URL(url);
    templateUrl.pathname = `/${name}`;
    const pg = await openPostgres(templateUrl.toString(), { max: 1 });
    await pg.migrate();
    await pg.close();
    project.provide('postgresTemplate', { adminUrl: url, name });
  } else {
    project.provide('postgresTemplate', null);
  }

  return async () => {
    fs.rmSync(templateDir, { recursive: true, force: true });
    if (admin) {
      const leftovers = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`mitsprache_t${process.pid}_%`} or datname = ${name}`;
      for (const row of leftovers) await admin.unsafe(`drop database if exists ${row.datname} with (force)`);
      await admin.end();
    }
  };
}
