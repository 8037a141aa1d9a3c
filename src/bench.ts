/**
 * `npm run bench`: throughput and latency of the main pages against a bare Fastify route on the
 * same machine (DESIGN §6). The servers run in child processes so the load generator does not
 * steal their CPU. Uses BENCH_DATABASE_URL (a PostgreSQL database it may fill with demo data),
 * else an embedded PGlite database in a temporary directory. Pages are requested as a browser
 * does (Accept-Encoding, Accept-Language). BENCH_SECONDS, BENCH_CONNECTIONS; BENCH_PAIRED=1
 * measures the bare route again before each scenario (for a machine shared with other work).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { count, eq, sql } from 'drizzle-orm';
import { loadConfig } from './config.js';
import { openDatabase } from './db/index.js';
import { committees, departments } from './modules/departments/schema.js';
import { generatePlan } from './modules/demo/generated.js';
import { benchSubmissions, COMMENTED_MEASURE, prepareParticipation } from './bench-participation.js';
import { benchExports, prepareExports } from './bench-exports.js';
import { loadDemo } from './modules/demo/load.js';
import { writePlanDocument } from './modules/plans/document.js';
import { contributions } from './modules/participation/schema.js';
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

/** What a browser sends: pages go out compressed (the fast lane keeps brotli and gzip ready). */
const BROWSER = { 'accept-encoding': 'gzip, deflate, br, zstd', 'accept-language': 'de-DE,de;q=0.9,en;q=0.8' };

interface Row {
  title: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  kb: number;
}

async function run(title: string, url: string, headers: Record<string, string> = {}, conns = connections): Promise<Row> {
  const result = await autocannon({ url, connections: conns, duration: seconds, headers });
  const row = {
    title,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    kb: result.requests.total ? result.throughput.total / result.requests.total / 1024 : 0,
  };
  console.log(
    `${title.padEnd(48)} ${String(row.rps).padStart(7)} req/s   p50 ${String(row.p50).padStart(4)} ms   p99 ${String(row.p99).padStart(4)} ms   ${row.kb.toFixed(1).padStart(6)} KB/resp   errors ${row.errors}`,
  );
  return row;
}

async function signIn(base: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${base}/signin`);
  const cookies = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const html = await page.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
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
  await prepareParticipation(database.db, BENCH_SLUG);
  await prepareModerationQueue(database.db);
  await prepareExports(database.db);
  // Rows loaded in bulk have no planner statistics until autovacuum's analyze comes round (within
  // a minute on a live database); without them PostgreSQL misjudges the queue's search.
  await database.db.execute(sql`analyze`);
  await database.close();
}

/** Words the queue's search scenario looks for, and texts in the languages moderators see. */
const QUEUE_TEXTS: Array<[string, string]> = [
  ['de', 'Wir brauchen mehr Sprachkurse am Abend, auch für Eltern mit kleinen Kindern.'],
  ['de', 'Die Wohnungssuche ist für Geflüchtete fast aussichtslos. Bitte mehr Beratung.'],
  ['ar', 'نحتاج إلى مزيد من المترجمين في المدارس والمكاتب العامة.'],
  ['uk', 'Більше курсів німецької мови для дорослих, будь ласка.'],
  ['en', 'Please publish the forms in simple language as well.'],
  ['tr', 'Okullarda daha fazla tercüman olmalı.'],
];

/** 10,000 contributions waiting in the bench consultation (once), one insert per 1,000 rows. */
async function prepareModerationQueue(db: Awaited<ReturnType<typeof openDatabase>>['db']): Promise<void> {
  const [c] = await db.select({ id: consultations.id }).from(consultations).where(eq(consultations.slug, BENCH_SLUG));
  if (!c) return;
  const [existing] = await db.select({ n: count() }).from(contributions).where(eq(contributions.consultationId, c.id));
  if ((existing?.n ?? 0) >= 10_000) return;
  const now = Date.now();
  for (let batch = 0; batch < 10; batch++) {
    await db.insert(contributions).values(
      Array.from({ length: 1000 }, (_, j) => {
        const i = batch * 1000 + j;
        const [language, text] = QUEUE_TEXTS[i % QUEUE_TEXTS.length] as [string, string];
        const f = (i % 11) + 1;
        const g = (i % 6) + 1;
        const target = i % 7 === 0 ? { targetKind: 'consultation' as const, targetKey: null } : i % 3 === 0 ? { targetKind: 'goal' as const, targetKey: `g-${f}-${g}` } : { targetKind: 'measure' as const, targetKey: `m-${f}-${g}-${(i % 5) + 1}` };
        return {
          consultationId: c.id,
          kind: 'comment' as const,
          ...target,
          body: `${text} (${i})`,
          language,
          pageLocale: 'de',
          status: 'pending' as const,
          guestEmail: `gast${i % 500}@example.org`,
          // Spread over the last 14 days, so the age filter has something to tell apart.
          createdAt: new Date(now - ((i * 7919) % (14 * 86_400)) * 1000),
        };
      }),
    );
  }
}
/**
 * One measured request. `base` is filled in with the app's address; `signedIn` sends the session
 * cookie of a demo participant. Add scenarios here.
 */
interface Scenario {
  title: string;
  path: string;
  signedIn?: boolean;
  /** Signed in as the demo moderator instead of the participant. */
  moderator?: boolean;
  /** Overrides BENCH_CONNECTIONS: server time per request shows best at low concurrency. */
  connections?: number;
  headers?: Record<string, string>;
}

const MEASURE = `/consultations/${BENCH_SLUG}/measures/${COMMENTED_MEASURE}`;
const PLAN = `/consultations/${BENCH_SLUG}/plan`;

const scenarios: Scenario[] = [
  { title: 'GET /healthz', path: '/healthz' },
  { title: 'GET / (start page, anonymous)', path: '/', headers: BROWSER },
  { title: 'GET consultation page (anonymous)', path: '/consultations/aktionsplan-integration-2022-2026', headers: BROWSER },
  { title: 'GET measure page, 500 comments (anonymous)', path: MEASURE, headers: BROWSER },
  { title: 'GET plan view 11×6×5 (anonymous)', path: PLAN, headers: BROWSER },
  { title: 'GET plan view 11×6×5 (anonymous, uncompressed)', path: PLAN },
  { title: 'GET measure page, 500 comments (signed in)', path: MEASURE, signedIn: true, headers: BROWSER },
  { title: 'GET plan view 11×6×5 (signed in)', path: PLAN, signedIn: true, headers: BROWSER },
];

/**
 * The moderation queue with 10,000 waiting (prepareModerationQueue): one request at a time (the
 * server time of a request) and ten at once (a team of moderators). Measured last: a page this
 * heavy leaves work behind that would slow whatever came next.
 */
const queueScenarios: Scenario[] = [
  ...([1, 10] as const).flatMap((c) => [
    { title: `moderation queue, 10,000 waiting (moderator${c ? `, ${c} conn` : ''})`, path: '/moderation', moderator: true, headers: BROWSER, connections: c },
    { title: `moderation queue, search (moderator${c ? `, ${c} conn` : ''})`, path: '/moderation?q=Sprachkurse', moderator: true, headers: BROWSER, connections: c },
    { title: `moderation queue, two filters (moderator${c ? `, ${c} conn` : ''})`, path: '/moderation?language=ar&age=3', moderator: true, headers: BROWSER, connections: c },
  ]),
];

/** The bytes as sent (fetch would decompress them). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

/** A bare Fastify route answering with fixed bytes and headers: the ceiling for a page that size. */
function bareServer(port: number, file?: string): Promise<ChildProcess> {
  const script = file
    ? `const fs=require('fs');const {body,headers}=JSON.parse(fs.readFileSync(${JSON.stringify(file)},'utf8'));const buf=Buffer.from(body,'base64');` +
      `const f=require('fastify')();f.get('/',(q,r)=>{r.headers(headers).send(buf)});f.listen({port:${port},host:'127.0.0.1'}).then(()=>console.log('ready'))`
    : `const f=require('fastify')();f.get('/',async()=>({hello:'world'}));f.listen({port:${port},host:'127.0.0.1'}).then(()=>console.log('ready'))`;
  return start(['-e', script], {}, /ready/);
}

const children: ChildProcess[] = [];
try {
  await prepare();
  children.push(await bareServer(3901));
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
      // The submission run comes from one address: the per-address and per-mail limits would
      // (rightly) stop it after a few.
      CONTRIBUTIONS_PER_ADDRESS_PER_HOUR: '0',
      CONTRIBUTIONS_PER_EMAIL_PER_HOUR: '0',
    },
    /running at/,
  );
  children.push(app);
  const base = 'http://127.0.0.1:3902';
  // The plan view's brotli bytes and headers, served by a bare route: what the machine can do
  // for a response of that size without any of the app.
  const planPage = await rawGet(`${base}${PLAN}`, { 'accept-encoding': 'br' });
  const planFile = path.join(dataDir, 'plan-br.json');
  const planHeaders = Object.fromEntries(
    Object.entries(planPage.headers).filter(([name]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(name)),
  );
  fs.writeFileSync(planFile, JSON.stringify({ body: planPage.body.toString('base64'), headers: planHeaders }));
  children.push(await bareServer(3903, planFile));

  console.log(`Database: ${databaseUrl ? 'PostgreSQL (BENCH_DATABASE_URL)' : 'embedded PGlite'}; ${connections} connections, ${seconds} s each\n`);
  const cookie = await signIn(base, 'teilnehmerin@example.org', 'Demo-Passwort-2026');
  const moderatorCookie = await signIn(base, 'moderation@example.org', 'Demo-Passwort-2026');
  // On a machine shared with other work the load changes during a run: with BENCH_PAIRED=1 the
  // bare route is measured again right before each scenario and each ratio uses that neighbour.
  const paired = process.env.BENCH_PAIRED === '1';
  const reference = () => run('bare Fastify route (reference)', 'http://127.0.0.1:3901/');
  const bare = await reference();
  const rows: Array<Row & { ratio: number }> = [];
  const measure = async (title: string, url: string, headers: Record<string, string>, conns?: number) => {
    const ref = paired ? await reference() : bare;
    const row = await run(title, url, headers, conns);
    rows.push({ ...row, ratio: row.rps / ref.rps });
  };
  const measureAll = async (list: Scenario[]) => {
    for (const scenario of list) {
      const session: Record<string, string> = scenario.moderator ? { cookie: moderatorCookie } : scenario.signedIn ? { cookie } : {};
      await measure(scenario.title, `${base}${scenario.path}`, { ...scenario.headers, ...session }, scenario.connections);
    }
  };
  await measureAll(scenarios);
  await measure('bare route sending the plan view’s brotli bytes', 'http://127.0.0.1:3903/', BROWSER);
  await measureAll(queueScenarios);
  console.log(`\nShare of the bare route’s throughput${paired ? ' (each against the reference measured just before it)' : ''}:`);
  for (const row of rows) console.log(`  ${row.title.padEnd(48)} ${(row.ratio * 100).toFixed(1).padStart(5)} %   p99 ${row.p99} ms`);
  const counter = await openDatabase(loadConfig({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir }));
  try {
    const submissions = await benchSubmissions(counter.db, base, BENCH_SLUG, connections, seconds);
    const { accepted, lost, stored, mails, errors } = submissions;
    console.log(
      `\n${submissions.title}: ${submissions.rps} req/s   p50 ${submissions.p50} ms   p99 ${submissions.p99} ms   errors ${errors}\n` +
        `  accepted (303) ${accepted}, of them missing in the database ${lost}; rows stored ${stored}, outbox rows ${mails}` +
        `  → ${lost === 0 && mails === stored ? 'none lost' : 'SOMETHING LOST'}`,
    );
  } finally {
    await counter.close();
  }
  await benchExports({ base, serverPid: app.pid as number, measurePath: MEASURE, headers: BROWSER });
  const rss = fs.readFileSync(`/proc/${app.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
  if (rss) console.log(`\nServer RSS after the run: ${Math.round(Number(rss) / 1024)} MB`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
