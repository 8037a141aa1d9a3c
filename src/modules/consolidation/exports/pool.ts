import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DocumentPool } from '../../plans/documents/pool.js';
import type { ReportFormatName, ReportModel } from './report.js';

const here = fileURLToPath(import.meta.url);
// render-worker.js next to pool.js in the build, .ts when run from the sources (tsx, vitest).
const workerFile = path.join(path.dirname(here), `render-worker${path.extname(here)}`);

/**
 * The render process for committee exports: the plan documents' pool with the report worker.
 * Big tables take seconds and a few hundred MB in the child; it is replaced once it has grown
 * past 300 MB, so memory goes back to the system between exports.
 */
export function reportPool(): DocumentPool<ReportFormatName, ReportModel> {
  return new DocumentPool<ReportFormatName, ReportModel>({ workerFile, maxQueue: 8, timeoutMs: 180_000, maxRssBytes: 300 * 1024 * 1024 });
}
