/**
 * `npm run bench`: throughput and latency of the main pages against a bare Fastify route on the
 * same machine (DESIGN §6). The servers run in child processes so the load generator does not
 * steal their CPU. Uses BENCH_DATABASE_URL (a PostgreSQL database it may fill with demo data),
 * else an embedded PGlite database in a temporary directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { eq } from 'drizzle-orm';
import { loadConfig } from './config.js';
import { openDatabase } from './db/index.js';
import { committees, departments } from './modules/departments/schema.js';
import { generatePlan } from './modules/demo/generated.js';
import { loadDemo } from './modules/demo/load.js';
import { writePlanDocument } from './modules/plans/document.js';
import { consultations, planVersions } from './modules/plans/schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

async function run(title: string, url: string, headers: Record<string, string> = {}) {
  const result = await autocannon({ url, connections, duration: seconds, headers });
  const row = {
    title,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
  console.log(`${title.padEnd(44)} ${String(row.rps).padStart(7)} req/s   p50 ${String(row.p50).padStart(4)} ms   p99 ${String(row.p99).padStart(4)} ms   errors ${row.errors}`);
  return row;
}

async function signIn(base: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${base}/signin`);
  const cookies = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const html = await page.text();
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? '';
  const res = await fetch(`${base}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  const session = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return `${cookies}; ${session}`;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mitsprache-bench-'));
const databaseUrl = process.env.BENCH_DATABASE_URL ?? '';
const BENCH_SLUG = 'bench-11x6x5';

/** The demo, plus a published plan of 11 fields × 6 goals × 5 measures. */
async function prepare(): Promise<void> {
  const database = await openDatabase(loadConfig({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir }));
  await database.migrate();
  await loadDemo(database.db);
  const [existing] = await database.db.select().from(consultations).where(eq(consultations.slug, BENCH_SLUG));
  if (!existing) {
    const departmentSlugs = (await database.db.select({ slug: departments.slug }).from(departments)).map((d) => d.slug);
    const committeeSlugs = (await database.db.select({ slug: committees.slug }).from(committees)).map((c) => c.slug);
    await database.db.transaction(async (tx) => {
      const [c] = await tx
        .insert(consultations)
        .values({ slug: BENCH_SLUG, title: 'Lasttest-Plan (11 × 6 × 5)', summary: 'Beispielplan für Benchmarks.', status: 'published' })
        .returning({ id: consultations.id });
      const [v] = await tx.insert(planVersions).values({ consultationId: c!.id, label: 'Entwurf 1', position: 0 }).returning({ id: planVersions.id });
      await writePlanDocument(tx, v!.id, generatePlan(11, 6, 5, departmentSlugs, committeeSlugs));
      await tx.update(planVersions).set({ status: 'published', publishedAt: new Date() }).where(eq(planVersions.id, v!.id));
    });
  }
  await database.close();
}
const children: ChildProcess[] = [];
try {
  await prepare();
  const hello = await start(
    ['-e', "const f=require('fastify')();f.get('/',async()=>({hello:'world'}));f.listen({port:3901,host:'127.0.0.1'}).then(()=>console.log('ready'))"],
    {},
    /ready/,
  );
  children.push(hello);
  const app = await start(
    [path.join(root, 'dist', 'server.js')],
    {
      NODE_ENV: 'production',
      PORT: '3902',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      DEMO_DATA: 'never',
      MAIL_WORKER: 'false',
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT_MAX: '100000',
    },
    /running at/,
  );
  children.push(app);
  const base = 'http://127.0.0.1:3902';
  console.log(`Database: ${databaseUrl ? 'PostgreSQL (BENCH_DATABASE_URL)' : 'embedded PGlite'}; ${connections} connections, ${seconds} s each\n`);
  const cookie = await signIn(base, 'teilnehmerin@example.org', 'Demo-Passwort-2026');
  const bare = await run('bare Fastify route (reference)', 'http://127.0.0.1:3901/');
  const rows = [
    await run('GET /healthz', `${base}/healthz`),
    await run('GET / (start page, anonymous)', `${base}/`),
    await run('GET consultation page (anonymous)', `${base}/consultations/aktionsplan-integration-2022-2026`),
    await run('GET plan view 11×6×5 (anonymous)', `${base}/consultations/${BENCH_SLUG}/plan`),
    await run('GET plan view 11×6×5 (signed in)', `${base}/consultations/${BENCH_SLUG}/plan`, { cookie }),
    await run('GET measure page (anonymous)', `${base}/consultations/${BENCH_SLUG}/measures/m-5-3-2`),
    await run('GET measure page (signed in)', `${base}/consultations/${BENCH_SLUG}/measures/m-5-3-2`, { cookie }),
  ];
  console.log('\nShare of the bare route’s throughput:');
  for (const row of rows) console.log(`  ${row.title.padEnd(42)} ${((row.rps / bare.rps) * 100).toFixed(1)} %`);
  const rss = fs.readFileSync(`/proc/${app.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
  if (rss) console.log(`\nServer RSS after the run: ${Math.round(Number(rss) / 1024)} MB`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
