import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JobResult } from '../../plans/documents/worker.js';
import { renderReportDocx } from './docx.js';
import type { ReportFormatName, ReportModel } from './report.js';
import { renderReportCsv, renderReportXlsx } from './tables.js';
import { mergePdfs } from './pdf-merge.js';
import { type ReportPart, ReportPdfRenderer } from './typst.js';

/**
 * The child process that renders committee exports (started by the DocumentPool in pool.ts), so
 * the server's event loop keeps answering while a 10,000-row table is laid out. One job at a time.
 */
export type RenderFormat = ReportFormatName | 'pdf-part' | 'pdf-merge';
/** What a job carries: the model (for a PDF part with its place), or the parts to join. */
export type RenderInput = ReportModel | ReportPart | { parts: string[] };

export interface ReportJob {
  id: number;
  format: RenderFormat;
  model: RenderInput;
}

async function renderJob(format: RenderFormat, input: RenderInput, pdf: ReportPdfRenderer): Promise<{ bytes: Uint8Array; uaRefused: string | null }> {
  // A part is written to a temporary file and only its name goes back: the parts of a 4,000-page
  // PDF need not travel to the server and back to be joined.
  if (format === 'pdf-part') {
    const part = pdf.renderPart(input as ReportPart);
    const file = path.join(os.tmpdir(), `mitsprache-report-${process.pid}-${randomUUID()}.pdf`);
    fs.writeFileSync(file, part.pdf);
    return { bytes: Buffer.from(JSON.stringify({ file, pages: part.pages }), 'utf8'), uaRefused: part.uaRefused };
  }
  if (format === 'pdf-merge') {
    const files = (input as { parts: string[] }).parts;
    try {
      return { bytes: mergePdfs(files.map((f) => fs.readFileSync(f))), uaRefused: null };
    } finally {
      for (const f of files) fs.rmSync(f, { force: true });
    }
  }
  return renderReport(format, input as ReportModel, pdf);
}

export async function renderReport(format: ReportFormatName, model: ReportModel, pdf = new ReportPdfRenderer()): Promise<{ bytes: Uint8Array; uaRefused: string | null }> {
  switch (format) {
    case 'pdf': {
      const result = pdf.render(model);
      return { bytes: result.pdf, uaRefused: result.uaRefused };
    }
    case 'docx':
      return { bytes: await renderReportDocx(model), uaRefused: null };
    case 'xlsx':
      return { bytes: await renderReportXlsx(model), uaRefused: null };
    case 'csv':
      return { bytes: renderReportCsv(model), uaRefused: null };
  }
}

/** Peak resident memory of this process so far (bytes). */
function peakRss(): number {
  return Math.max(process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
}

const send = process.send?.bind(process);
if (send) {
  const pdf = new ReportPdfRenderer();
  process.on('message', async (job: ReportJob) => {
    const started = performance.now();
    let message: JobResult;
    try {
      const { bytes, uaRefused } = await renderJob(job.format, job.model, pdf);
      message = { id: job.id, ok: true, bytes, uaRefused, ms: performance.now() - started, rss: peakRss() };
    } catch (error) {
      message = { id: job.id, ok: false, error: error instanceof Error ? error.message.slice(0, 2000) : String(error).slice(0, 2000), rss: peakRss() };
    }
    send(message);
  });
  // The server went away: nothing to work for.
  process.on('disconnect', () => process.exit(0));
}
