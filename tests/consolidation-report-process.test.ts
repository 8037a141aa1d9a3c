import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committeeReportPieces, committeeReports } from '../src/modules/consolidation/schema.js';
import { loadDemo } from '../src/modules/demo/load.js';
import { consultations } from '../src/modules/plans/schema.js';
import { createTestDatabase, drivers, type TestDatabase } from './helpers/db.js';
import { demo } from './helpers/participation.js';

// On a PostgreSQL server the real server (src/server.ts) builds committee exports in a process
// of its own (exports/job-process.ts). With PGlite there is no such process: only the server can
// open the embedded database, so the worker runs inside it (the other export tests).
const postgres = drivers.includes('postgres');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, fn: () => Promise<T | null | undefined> | T | null | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!postgres)('committee exports in a process of their own [postgres]', () => {
  let test: TestDatabase;
  let server: ChildProcess;
  let output = '';

  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    // With the demo's consolidation round (45 contributions, answered).
    await loadDemo(test.database.db, { live: true });
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'server.ts')], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: test.location.databaseUrl ?? '', DATA_DIR: test.location.dataDir, PORT: String(port), HOST: '127.0.0.1', BASE_URL: `http://127.0.0.1:${port}`, DEMO_DATA: 'never', MAIL_WORKER: 'false', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    server.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await until('the server', () => /running at/.test(output)).catch((error: Error) => {
      throw new Error(`${error.message}:\n${output.slice(0, 2000)}`);
    });
  }, 60_000);

  afterAll(async () => {
    if (server.exitCode === null) server.kill('SIGKILL');
    await test.drop();
  });

  it('builds a queued export there, and the process ends with the server', async () => {
    const serverPid = server.pid as number;
    const worker = await until('the worker process', () => childrenOf(serverPid).find((pid) => cmdline(pid).includes('job-process')));
    const [consultation] = await test.database.db.select({ id: consultations.id }).from(consultations).where(eq(consultations.slug, demo.slug));
    const [job] = await test.database.db
      .insert(committeeReports)
      .values({ consultationId: consultation!.id, scope: 'consultation', format: 'csv', variant: 'anonymised', draft: true })
      .returning({ id: committeeReports.id });
    // Nobody nudged it: the process finds the job by itself, as the server's worker would.
    const done = await until('the export', async () => {
      const [row] = await test.database.db.select().from(committeeReports).where(eq(committeeReports.id, job!.id));
      return row?.status === 'done' || row?.status === 'failed' ? row : null;
    });
    expect(done.status, done.error ?? '').toBe('done');
    expect(done.size).toBeGreaterThan(1000);
    const pieces = await test.database.db.select({ bytes: committeeReportPieces.bytes }).from(committeeReportPieces).where(eq(committeeReportPieces.reportId, job!.id));
    const file = Buffer.concat(pieces.map((p) => Buffer.from(p.bytes)));
    expect(file.length).toBe(done.size);
    expect(file.toString('utf8')).toContain('Privatperson');
    // Its render processes are its own; the server has no other child.
    expect(childrenOf(serverPid)).toEqual([worker]);

    server.kill('SIGTERM');
    await until('the server to exit', () => server.exitCode !== null || server.signalCode !== null);
    await until('the worker process to exit', () => !alive(worker));
  }, 60_000);
});

describe.skipIf(postgres)('committee exports in a process of their own', () => {
  it.skip('needs PostgreSQL (TEST_DATABASE_URL): with PGlite the worker runs in the server', () => {});
});
