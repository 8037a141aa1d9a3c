import { renderDocx } from './docx.js';
import type { PlanExport } from './model.js';
import { PdfRenderer } from './typst.js';

/**
 * The child process that builds documents, so the server keeps answering meanwhile: the Typst
 * compile of a big plan takes half a second, and `docx` serialises its XML synchronously (about
 * as long). A process rather than a worker thread because the Typst compiler (typst.ts 0.7) keeps
 * some 15 MB of native memory per compile of an 11 × 6 × 5 plan that no cache eviction returns;
 * the pool replaces the process when it has grown, and the operating system takes it all back.
 * One job at a time; the pool sends the next when this one is answered.
 */
export interface Job {
  id: number;
  format: 'docx' | 'pdf';
  model: PlanExport;
}
export type JobResult =
  | {
      id: number;
      ok: true;
      bytes: Uint8Array;
      uaRefused: string | null;
      ms: number;
      rss: number;
      /** The process holds what the next job needs (a laid-out part of a report): not replaced. */
      keep?: boolean;
    }
  | { id: number; ok: false; error: string; rss: number };

const send = process.send?.bind(process);
if (!send) throw new Error('documents/worker runs only as a child process of the document pool');
const pdf = new PdfRenderer();

process.on('message', async (job: Job) => {
  const started = performance.now();
  let message: JobResult;
  try {
    let bytes: Uint8Array;
    let uaRefused: string | null = null;
    if (job.format === 'pdf') {
      const result = pdf.render(job.model);
      bytes = result.pdf;
      uaRefused = result.uaRefused;
    } else {
      bytes = await renderDocx(job.model);
    }
    message = { id: job.id, ok: true, bytes, uaRefused, ms: performance.now() - started, rss: process.memoryUsage().rss };
  } catch (error) {
    message = { id: job.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error), rss: process.memoryUsage().rss };
  }
  send(message);
});

// The pool went away (the server stopped or crashed): nothing to work for.
process.on('disconnect', () => process.exit(0));
