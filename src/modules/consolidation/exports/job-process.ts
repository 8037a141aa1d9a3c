import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { configOrExit } from '../../../boot.js';
import { openPostgres } from '../../../db/index.js';
import { reportPool } from './pool.js';
import type { ReportWorker } from './worker.js';

/**
 * The committee-export worker in a process of its own, started by the server when the database
 * is a PostgreSQL server. Why: building the model of a 10,000-row table and storing a 50 MB
 * file take a hundred MB for some seconds; in the web server that memory stays with the process
 * (V8 and malloc give back slowly), here it goes when the process is done with it, and a model
 * that fails cannot take the pages down. The render processes are its children. With the
 * embedded PGlite, which only the process that opened it can use, the worker runs in the server.
 *
 * The server tells it through IPC when a job was queued ('nudge'); it also polls, as the server
 * would. Jobs stay claimed in the database (FOR UPDATE SKIP LOCKED), so a process that dies
 * leaves nothing half-done that a later one does not take over.
 */

const here = fileURLToPath(import.meta.url);
// job-process.js next to worker.js in the build, .ts when run from the sources (tsx).
const entry = path.join(path.dirname(here), `job-process${path.extname(here)}`);

/** Started again this long after it went away unasked. */
const RESTART_MS = 5000;

export class ReportJobProcess {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restart: NodeJS.Timeout | null = null;

  constructor(private readonly log: FastifyBaseLogger) {}

  /** Starts the process and sends the worker's nudges to it. */
  start(worker: ReportWorker): void {
    worker.forwardNudges(() => this.child?.send('nudge'));
    this.spawn();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private spawn(): void {
    // The same runtime flags (tsx's loader when run from the sources), the same environment.
    const child = fork(entry, [], { stdio: 'inherit', execArgv: process.execArgv });
    this.child = child;
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.stopping) return;
      this.log.warn({ code, signal }, 'report worker process exited, starting it again');
      this.restart = setTimeout(() => this.spawn(), RESTART_MS);
      this.restart.unref();
    });
  }

  /** Lets a job in progress finish (as the in-process worker would), then ends the process. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restart) clearTimeout(this.restart);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

/** The process itself: the worker with its render pool and a connection pool of its own. */
async function main(): Promise<void> {
  const config = configOrExit();
  const log = pino({ level: config.logLevel, base: { worker: 'reports' } }) as unknown as FastifyBaseLogger;
  if (!config.databaseUrl) throw new Error('the report worker process needs DATABASE_URL');
  // One job at a time: two connections (the job, its progress updates) are enough.
  const database = await openPostgres(config.databaseUrl, { max: 2 });
  const pool = reportPool();
  // The catalogue lives in app.ts: the same texts as the server's.
  const { catalogue } = await import('../../../app.js');
  const { ReportWorker } = await import('./worker.js');
  const worker = new ReportWorker(database.db, pool, (locale) => catalogue.translator(locale), { log, pollMs: config.reportPollMs });
  worker.start();
  process.on('message', (message) => {
    if (message === 'nudge') worker.nudge();
  });
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await worker.stop();
    await pool.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void close());
  // The server went away: nothing to work for.
  process.on('disconnect', () => void close());
  log.info('report worker process started');
}

if (process.send && process.argv[1] === here) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
