import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PlanExport } from './model.js';
import type { Job, JobResult } from './worker.js';

const here = fileURLToPath(import.meta.url);
// worker.js next to pool.js in the build; worker.ts next to pool.ts when run from the sources
// (tsx in development, vitest in tests), where the worker registers tsx itself before loading it.
const workerFile = path.join(path.dirname(here), `worker${path.extname(here)}`);

function tsxLoader(): string | null {
  if (!workerFile.endsWith('.ts')) return null;
  const api = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(api.replace(/\.cjs$/, '.mjs')).href;
}

const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.file);
})().catch((error) => { console.error(error); process.exit(1); });
`;

export class BusyError extends Error {}

export interface Rendered {
  bytes: Buffer;
  uaRefused: string | null;
  ms: number;
}

interface Pending {
  job: Job;
  resolve(result: Rendered): void;
  reject(error: Error): void;
}

/**
 * One worker thread for documents, started on first use. Jobs wait in a bounded queue and run one
 * at a time (the machine has few cores, and a request for a document can wait a second; the
 * event loop cannot). A job that hangs past the time limit, or a worker that dies, fails the
 * job; the next job starts a fresh worker.
 */
export class DocumentPool {
  private worker: Worker | null = null;
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly maxQueue = 16,
    private readonly timeoutMs = 60_000,
  ) {}

  render(format: Job['format'], model: PlanExport): Promise<Rendered> {
    if (this.closed) return Promise.reject(new Error('document pool closed'));
    if (this.queue.length >= this.maxQueue) return Promise.reject(new BusyError('too many documents waiting'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, format, model }, resolve, reject });
      this.pump();
    });
  }

  get waiting(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('document pool closed'));
    this.current?.reject(new Error('document pool closed'));
    this.current = null;
    if (this.timer) clearTimeout(this.timer);
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(BOOT, { eval: true, workerData: { file: pathToFileURL(workerFile).href, tsx: tsxLoader() } });
    worker.on('message', (result: JobResult) => this.finish(result));
    worker.on('error', (error) => this.fail(worker, error));
    worker.on('exit', (code) => this.fail(worker, new Error(`document worker exited with code ${code}`)));
    return worker;
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) {
      // Idle: the worker must not keep the process alive.
      this.worker?.unref();
      return;
    }
    this.current = next;
    this.worker ??= this.start();
    this.worker.ref();
    this.timer = setTimeout(() => {
      const worker = this.worker;
      if (worker) this.fail(worker, new Error(`document took longer than ${this.timeoutMs} ms`));
      void worker?.terminate();
    }, this.timeoutMs);
    this.worker.postMessage(next.job);
  }

  private finish(result: JobResult): void {
    const current = this.current;
    if (!current || current.job.id !== result.id) return;
    if (this.timer) clearTimeout(this.timer);
    this.current = null;
    if (result.ok) current.resolve({ bytes: Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength), uaRefused: result.uaRefused, ms: result.ms });
    else current.reject(new Error(result.error));
    this.pump();
  }

  private fail(worker: Worker, error: Error): void {
    if (worker !== this.worker) return;
    this.worker = null;
    if (this.timer) clearTimeout(this.timer);
    const current = this.current;
    this.current = null;
    current?.reject(error);
    this.pump();
  }
}
