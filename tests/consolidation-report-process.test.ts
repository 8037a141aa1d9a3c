import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBrowser, modes, pageOpener, signInThroughForm, useBrowser } from './helpers/browser.js';
import { createTestDatabase, drivers, type TestDatabase } from './helpers/db.js';
import { demo } from './helpers/participation.js';
import { freePort } from './helpers/smtp.js';

// The real server (src/server.ts, as `npm start` runs it) on both databases: on a PostgreSQL
// server it builds committee exports in a process of its own (exports/job-process.ts), nudged
// when one is requested; with the embedded PGlite, which only the server can open, in itself.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ORGANISER = { email: 'beteiligung@example.org', password: 'Demo-Passwort-2026' };
// The workers look for queued exports this rarely here, so an export done sooner was nudged.
const POLL_MS = 600_000;

const childrenOf = (pid: number) =>
  fs
    .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
const cmdline = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};
const workerProcesses = (pid: number) => childrenOf(pid).filter((child) => cmdline(child).includes('job-process'));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, fn: () => T | null | undefined | false, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeBrowser('committee exports from the real server', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let test: TestDatabase | null = null;
    let dataDir = '';
    let server: ChildProcess;
    let baseUrl = '';
    let output = '';

    beforeAll(async () => {
      const env: Record<string, string> = {};
      if (driver === 'postgres') {
        test = await createTestDatabase('postgres', { open: false });
        env.DATABASE_URL = test.location.databaseUrl ?? '';
        dataDir = test.location.dataDir;
      } else {
        dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-process-'));
        env.DATABASE_URL = '';
      }
      const port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;
      // The demo as `npm start` loads it, with its consolidation round and organiser account.
      server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'server.ts')], {
        cwd: root,
        env: { ...process.env, ...env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', BASE_URL: baseUrl, DEMO_DATA: 'always', MAIL_WORKER: 'false', LOG_LEVEL: 'warn', REPORT_POLL_MS: String(POLL_MS) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
      };
      server.stdout?.on('data', collect);
      server.stderr?.on('data', collect);
      await until('the server', () => /running at/.test(output) || server.exitCode !== null).then(() => {
        if (!/running at/.test(output)) throw new Error(`the server did not start:\n${output.slice(0, 2000)}`);
      });
    }, 120_000);

    afterAll(async () => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      if (test) await test.drop();
      else fs.rmSync(dataDir, { recursive: true, force: true });
    });

    describe.each(driver === drivers[0] ? modes : modes.filter((m) => m.js))('$label', ({ js }) => {
      const open = pageOpener(browser, () => baseUrl, js);

      it('builds a requested export where the database allows and hands it out', async () => {
        const serverPid = server.pid as number;
        // PostgreSQL: one worker process beside the pages; PGlite: none, the server builds.
        if (driver === 'postgres') await until('the worker process', () => workerProcesses(serverPid).length === 1);
        else expect(workerProcesses(serverPid)).toEqual([]);

        const page = await signInThroughForm(open, ORGANISER.email, ORGANISER.password, { acceptDownloads: true });
        // The demo's own four exports, queued at start, are made first: the worker is idle then,
        // and only a nudge makes it look again before its next poll.
        const statuses = page.locator('td[data-label="Status"]');
        for (let i = 0; ; i++) {
          await page.goto(`/organiser/consultations/${demo.slug}/reports`);
          const all = await statuses.allInnerTexts();
          if (all.length >= 4 && all.every((s) => s.trim() === 'fertig')) break;
          if (i > 120) throw new Error(`the demo's exports are not done: ${all.join(', ')}`);
          await page.waitForTimeout(500);
        }
        await page.getByLabel('CSV').check();
        await page.getByLabel('Als Entwurf exportieren').check();
        const requested = Date.now();
        await page.getByRole('button', { name: 'Export starten' }).click();
        await page.waitForURL(/\/organiser\/reports\/\d+$/);
        const done = page.getByText('Der Export ist fertig.');
        if (js) await done.waitFor({ timeout: 60_000 });
        else {
          for (let i = 0; i < 120 && !(await done.isVisible()); i++) {
            await page.waitForTimeout(500);
            await page.getByRole('link', { name: 'Stand neu laden' }).click();
          }
          await done.waitFor();
        }
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Herunterladen' }).click()]);
        const csv = fs.readFileSync((await download.path()) as string, 'utf8');
        // The demo's answered contributions, anonymised.
        expect(csv).toContain('Privatperson');
        expect(csv).toContain('Я відвідую мовне кафе');
        expect(csv).not.toContain('@example.org');
        // The request woke the worker (in its process through IPC on PostgreSQL): its own look
        // for work would come after minutes.
        expect(Date.now() - requested).toBeLessThan(POLL_MS / 10);
        if (driver === 'postgres') expect(workerProcesses(serverPid)).toHaveLength(1);
      }, 120_000);
    });

    it('ends its worker process with the server', async () => {
      const serverPid = server.pid as number;
      const workers = workerProcesses(serverPid);
      expect(workers).toHaveLength(driver === 'postgres' ? 1 : 0);
      server.kill('SIGTERM');
      await until('the server to exit', () => server.exitCode !== null || server.signalCode !== null);
      for (const pid of workers) await until('the worker process to exit', () => !alive(pid));
      expect(server.exitCode).toBe(0);
    }, 60_000);
  });
});
