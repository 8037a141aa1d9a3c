import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PlanExport } from './model.js';
import type { Job, JobResult } from './worker.js';

const here = fileURLToPath(import.meta.url);
// worker.js next to pool.js in the build; worker.ts next to pool.ts when run from the sources
// (tsx in development, vitest in tests), where the child loads tsx to run it.
const planWorkerFile = path.join(path.dirname(here), `worker${path.extname(here)}`);

function execArgv(workerFile: string): string[] {
  if (!workerFile.endsWith('.ts')) return [];
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

export class BusyError extends Error {}

export interface Rendered {
  bytes: Buffer;
  uaRefused: string | null;
  ms: number;
  /** The child's resident memory after the job (bytes). */
  rss: number;
}

interface Pending<F, M> {
  job: { id: number; format: F; model: M };
  resolve(result: Rendered): void;
  reject(error: Error): void;
}

export interface PoolOptions {
  /** Jobs waiting beyond the running one; more are refused (BusyError → 503). */
  maxQueue?: number;
  timeoutMs?: number;
  /** The child is replaced after a job that left it bigger than this. */
  maxRssBytes?: number;
  /**
   * The child's module (another kind of document, e.g. the committee exports); it answers each
   * `{ id, format, model }` with a JobResult. Default: the plan documents' worker.
   */
  workerFile?: string;
  /**
   * A second process started ahead and kept idle, so replacing a grown one costs no start-up
   * (the parts of a long report, each in a fresh process).
   */
  spare?: boolean;
  /** Niceness of the children (0–19): the server's event loop goes first when cores are short. */
  nice?: number;
}

/**
 * One child process for documents, started on first use. Jobs wait in a bounded queue and run one
 * at a time (the machine has few cores, and a request for a document can wait a second; the
 * event loop cannot). A job that hangs past the time limit, or a child that dies, fails that job;
 * the next job starts a fresh child, as does a child grown past `maxRssBytes`.
 */
export class DocumentPool<F extends string = Job['format'], M = PlanExport> {
  private child: ChildProcess | null = null;
  private spareChild: ChildProcess | null = null;
  private readonly queue: Pending<F, M>[] = [];
  private current: Pending<F, M> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private closed = false;
  private readonly maxQueue: number;
  private readonly timeoutMs: number;
  private readonly maxRssBytes: number;
  private readonly workerFile: string;
  /** Keep a spare process ready (may be switched on and off; `dropSpare` ends the spare). */
  spare: boolean;
  private readonly nice: number;
  /** Children started so far (tests and logs). */
  started = 0;

  constructor(options: PoolOptions = {}) {
    this.maxQueue = options.maxQueue ?? 16;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxRssBytes = options.maxRssBytes ?? 350 * 1024 * 1024;
    this.workerFile = options.workerFile ?? planWorkerFile;
    this.spare = options.spare ?? false;
    this.nice = options.nice ?? 0;
  }

  /** The running child's process id, if one is running (the benchmark reads its memory). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  render(format: F, model: M): Promise<Rendered> {
    if (this.closed) return Promise.reject(new Error('document pool closed'));
    if (this.queue.length >= this.maxQueue) return Promise.reject(new BusyError('too many documents waiting'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, format, model }, resolve, reject });
      this.pump();
    });
  }

  /** Starts the child ahead of a job (it loads its modules while the caller prepares the job). */
  warm(): void {
    if (this.closed || this.child) return;
    this.child = this.takeSpare() ?? this.start();
    if (!this.current) {
      this.child.unref();
      this.child.channel?.unref();
    }
  }

  /** The spare process, if one is ready, and a new spare started behind it. */
  private takeSpare(): ChildProcess | null {
    const spare = this.spareChild;
    this.spareChild = null;
    if (this.spare && !this.closed) {
      this.spareChild = this.start();
      this.spareChild.unref();
      this.spareChild.channel?.unref();
    }
    return spare;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('document pool closed'));
    this.current?.reject(new Error('document pool closed'));
    this.current = null;
    if (this.timer) clearTimeout(this.timer);
    this.stop();
    this.dropSpare();
  }

  /** Ends the spare process, if one is waiting. */
  dropSpare(): void {
    const spare = this.spareChild;
    this.spareChild = null;
    if (spare && spare.exitCode === null) spare.kill();
  }

  private start(): ChildProcess {
    const child = fork(this.workerFile, [], {
      execArgv: execArgv(this.workerFile),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.started++;
    if (this.nice > 0 && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, this.nice);
      } catch {
        // not allowed here: the child runs at the server's priority
      }
    }
    child.on('message', (result: JobResult) => this.finish(child, result));
    child.on('error', (error) => this.fail(child, error));
    child.on('exit', (code, signal) => {
      if (child === this.spareChild) this.spareChild = null;
      this.fail(child, new Error(`document process exited (${signal ?? code})`));
    });
    return child;
  }

  private stop(): void {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) child.kill();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) {
      // Idle: the child must not keep the server's process alive.
      this.child?.unref();
      this.child?.channel?.unref();
      return;
    }
    this.current = next;
    this.child ??= this.takeSpare() ?? this.start();
    this.child.ref();
    this.child.channel?.ref();
    const child = this.child;
    this.timer = setTimeout(() => {
      this.fail(child, new Error(`document took longer than ${this.timeoutMs} ms`));
      child.kill('SIGKILL');
    }, this.timeoutMs);
    child.send(next.job);
    // The child has its copy: the model (big for a long report) need not stay in this process.
    next.job = { id: next.job.id, format: next.job.format, model: undefined as M };
  }

  private finish(child: ChildProcess, result: JobResult): void {
    const current = this.current;
    if (child !== this.child || !current || current.job.id !== result.id) return;
    if (this.timer) clearTimeout(this.timer);
    this.current = null;
    // Grown too big (the compiler's memory is not given back): a fresh process for the next job.
    // Not while it holds what the next job needs (it answered `keep`).
    if (result.rss > this.maxRssBytes && !(result.ok && result.keep)) this.stop();
    if (result.ok) current.resolve({ bytes: Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength), uaRefused: result.uaRefused, ms: result.ms, rss: result.rss });
    else current.reject(new Error(result.error));
    this.pump();
  }

  private fail(child: ChildProcess, error: Error): void {
    if (child !== this.child) return;
    this.child = null;
    if (this.timer) clearTimeout(this.timer);
    const current = this.current;
    this.current = null;
    current?.reject(error);
    this.pump();
  }
}
