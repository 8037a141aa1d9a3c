import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/index.js';
import { userRoles, users } from '../src/modules/accounts/schema.js';
import { Client } from './helpers/app.js';
import { createTestDatabase, drivers } from './helpers/db.js';

const root = path.resolve(import.meta.dirname, '..');

function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli.ts'), ...args], {
    cwd: root,
    // Vite sets BASE_URL='/' in the test process; the CLI must not inherit it.
    env: { ...process.env, BASE_URL: 'http://localhost:3000', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe.each(drivers)('npm run cli -- admin:create [%s]', (driver) => {
  it('creates an administrator who sets a password through the printed link and can administer', async () => {
    const testDb = await createTestDatabase(driver, { open: false });
    try {
      const env: Record<string, string> = { DATA_DIR: testDb.location.dataDir, BASE_URL: 'http://localhost:3000' };
      if (testDb.location.databaseUrl) env.DATABASE_URL = testDb.location.databaseUrl;
      const run = cli(['admin:create', 'Chefin@Example.org'], env);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('chefin@example.org is an administrator');
      const link = /http:\/\/localhost:3000(\/password\/reset\?token=[\w-]+)/.exec(run.stdout)?.[1];
      expect(link).toBeDefined();

      // Running it again for the same address keeps one account and prints a fresh link.
      const again = cli(['admin:create', 'chefin@example.org'], env);
      expect(again.status).toBe(0);

      const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
      const database = await openDatabase(config);
      try {
        const rows = await database.db.select().from(users).where(eq(users.email, 'chefin@example.org'));
        expect(rows).toHaveLength(1);
        const roles = await database.db.select().from(userRoles).where(eq(userRoles.userId, rows[0]!.id));
        expect(roles.map((r) => r.role)).toEqual(['admin']);

        const app = await buildApp({ config, database, logger: false });
        const client = new Client(app);
        expect((await client.get(link!)).statusCode).toBe(200);
        const set = await client.post('/password/reset', { token: link!.split('token=')[1]!, password: 'ein sicheres Passwort' });
        expect(set.statusCode).toBe(303);
        expect((await client.get('/admin/users')).statusCode).toBe(200);
        await app.close();
      } finally {
        await database.close();
      }
    } finally {
      await testDb.drop();
    }
  });

  it('rejects a missing or invalid address with a usage hint', async () => {
    const testDb = await createTestDatabase(driver, { open: false });
    try {
      const env: Record<string, string> = { DATA_DIR: testDb.location.dataDir };
      if (testDb.location.databaseUrl) env.DATABASE_URL = testDb.location.databaseUrl;
      const run = cli(['admin:create', 'not-an-address'], env);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('valid e-mail address');
    } finally {
      await testDb.drop();
    }
  });
});

describe.each(drivers)('npm run cli -- export [%s]', (driver) => {
  it('writes the Abwägungstabelle of the demo and prints path, size and SHA-512; refuses unknown options', async () => {
    const testDb = await createTestDatabase(driver, { open: false });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-export-'));
    try {
      const env: Record<string, string> = { DATA_DIR: testDb.location.dataDir };
      if (testDb.location.databaseUrl) env.DATABASE_URL = testDb.location.databaseUrl;
      expect(cli(['demo:load'], env).status).toBe(0);
      const out = path.join(dir, 'jha.csv');
      const run = cli(['export', 'aktionsplan-integration-2022-2026', '--format', 'csv', '--committee', 'jugendhilfeausschuss', '--draft', '--out', out], env);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const bytes = fs.readFileSync(out);
      expect(run.stdout).toContain(out);
      expect(run.stdout).toContain(`${bytes.length} bytes`);
      expect(run.stdout).toContain(`SHA-512 ${createHash('sha512').update(bytes).digest('hex')}`);
      const text = bytes.toString('utf8');
      expect(text.startsWith('\uFEFFStand,Nr.,Eingang')).toBe(true);
      expect(text).toContain('Entwurf,');
      expect(text).not.toMatch(/@example\.org/);
      const wrong = cli(['export', 'aktionsplan-integration-2022-2026', '--format', 'odt'], env);
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toContain('--format must be docx, pdf, xlsx or csv');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await testDb.drop();
    }
  }, 120_000);
});

describe('cli configuration errors', () => {
  it('stops with one line naming the variable', () => {
    const run = cli(['migrate'], { PORT: 'nope' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('Configuration error: PORT must be a whole number between 0 and 65535 (got "nope")');
  });
});
