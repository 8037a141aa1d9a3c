import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DocumentPool } from '../../plans/documents/pool.js';
import type { RenderFormat, RenderInput } from './render-worker.js';

const here = fileURLToPath(import.meta.url);
// render-worker.js next to pool.js in the build, .ts when run from the sources (tsx, vitest).
const workerFile = path.join(path.dirname(here), `render-worker${path.extname(here)}`);

/**
 * The render process for committee exports: the plan documents' pool with the report worker.
 * Big tables take seconds and a few hundred MB in the child; it is replaced once it has grown
 * past 250 MB, so memory goes back to the system between exports and between the parts of a long
 * PDF (which the ReportWorker sends one by one, then to be joined).
 */
export type ReportPool = DocumentPool<RenderFormat, RenderInput>;

export function reportPool(): ReportPool {
  return new DocumentPool<RenderFormat, RenderInput>({ workerFile, maxQueue: 8, timeoutMs: 180_000, maxRssBytes: 250 * 1024 * 1024 });
}
