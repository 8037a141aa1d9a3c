import { parentPort } from 'node:worker_threads';
import { renderDocx } from './docx.js';
import type { PlanExport } from './model.js';
import { PdfRenderer } from './typst.js';

/**
 * The worker thread that builds documents, so the server keeps answering meanwhile: the Typst
 * compile of a big plan takes half a second or more, and `docx` serialises its XML synchronously
 * (as long again). One job at a time; the pool in pool.ts sends the next when this one is done.
 */
export interface Job {
  id: number;
  format: 'docx' | 'pdf';
  model: PlanExport;
}
export type JobResult =
  | { id: number; ok: true; bytes: Uint8Array; uaRefused: string | null; ms: number }
  | { id: number; ok: false; error: string };

const port = parentPort;
if (!port) throw new Error('documents/worker.ts runs only as a worker thread');
const pdf = new PdfRenderer();

port.on('message', async (job: Job) => {
  const started = performance.now();
  try {
    let bytes: Uint8Array;
    let uaRefused: string | null = null;
    if (job.format === 'pdf') {
      const result = pdf.render(job.model);
      bytes = result.pdf;
      uaRefused = result.uaRefused;
    } else {
      const buffer = await renderDocx(job.model);
      bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    }
    // A copy of its own, so the memory can be handed over rather than copied again.
    const owned = bytes.slice();
    const message: JobResult = { id: job.id, ok: true, bytes: owned, uaRefused, ms: performance.now() - started };
    port.postMessage(message, [owned.buffer]);
  } catch (error) {
    const message: JobResult = { id: job.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    port.postMessage(message);
  }
});
