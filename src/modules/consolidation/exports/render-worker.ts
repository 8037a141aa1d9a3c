import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JobResult } from '../../plans/documents/worker.js';
import type { ReportFormatName, ReportModel } from './report.js';
import { PdfJoiner } from './pdf-merge.js';
import type { StampLabels } from './pdf-stamp.js';
import { type ReportPart, ReportPdfRenderer } from './typst.js';

/**
 * The child process that renders committee exports (started by the DocumentPool in pool.ts), so
 * the server's event loop keeps answering while a 10,000-row table is laid out. One job at a time.
 */
export type RenderFormat = ReportFormatName | 'pdf-part' | 'pdf-join' | 'pdf-join-end';
/**
 * What a job carries: the model (for a PDF part with its place), or one part to join on to the
 * file this process is joining ('pdf-join', in order, the first starting the file with the
 * words for the page numbers; 'pdf-join-end' finishes it).
 */
export type RenderInput = ReportModel | ReportPart | { part: string; first: boolean; numbers: StampLabels } | Record<string, never>;

export interface ReportJob {
  id: number;
  format: RenderFormat;
  model: RenderInput;
}

/** What the render process answers: the file it wrote (and, for a PDF part, its pages). */
export interface Written {
  file: string;
  pages: number;
  /** 'pdf-join': the bytes of the joined file written so far, which no later part changes. */
  final?: number;
  /** The process holds state for the next job (a laid-out part): the pool must keep it. */
  keep?: boolean;
}

/** The file this process is joining a long PDF's parts into ('pdf-join'). */
let joiner: PdfJoiner | null = null;

function tempFile(): string {
  return path.join(os.tmpdir(), `mitsprache-report-${process.pid}-${randomUUID()}`);
}

/**
 * Renders a job into a temporary file and answers with its name: the bytes of a 60 MB PDF never
 * travel to the server in one piece (it copies the file into the database in chunks). The parts
 * of a long PDF are files too, joined by a last job.
 */
async function renderJob(format: RenderFormat, input: RenderInput, pdf: ReportPdfRenderer): Promise<{ written: Written; uaRefused: string | null }> {
  const file = tempFile();
  if (format === 'pdf-part') {
    const part = pdf.renderPart(input as ReportPart);
    fs.writeFileSync(file, part.pdf);
    return { written: { file, pages: part.pages }, uaRefused: part.uaRefused };
  }
  if (format === 'pdf-join') {
    const { part, first, numbers } = input as { part: string; first: boolean; numbers: StampLabels };
    if (first) {
      joiner?.close();
      if (joiner) fs.rmSync(joiner.file, { force: true });
      joiner = new PdfJoiner(tempFile(), numbers);
    }
    if (!joiner) throw new Error('no PDF being joined');
    try {
      joiner.add(fs.readFileSync(part));
    } catch (error) {
      joiner.close();
      fs.rmSync(joiner.file, { force: true });
      joiner = null;
      throw error;
    } finally {
      fs.rmSync(part, { force: true });
    }
    return { written: { file: joiner.file, pages: 0, final: joiner.written, keep: true }, uaRefused: null };
  }
  if (format === 'pdf-join-end') {
    const done = joiner;
    joiner = null;
    if (!done) throw new Error('no PDF being joined');
    try {
      done.end();
    } catch (error) {
      done.close();
      fs.rmSync(done.file, { force: true });
      throw error;
    }
    return { written: { file: done.file, pages: 0 }, uaRefused: null };
  }
  const { bytes, uaRefused } = await renderReport(format, input as ReportModel, pdf);
  fs.writeFileSync(file, bytes);
  return { written: { file, pages: 0 }, uaRefused };
}

export async function renderReport(format: ReportFormatName, model: ReportModel, pdf = new ReportPdfRenderer()): Promise<{ bytes: Uint8Array; uaRefused: string | null }> {
  switch (format) {
    case 'pdf': {
      const result = pdf.render(model);
      return { bytes: result.pdf, uaRefused: result.uaRefused };
    }
    // Loaded when first needed: exceljs alone takes half a second to load, and the process that
    // renders the parts of a long PDF (a fresh one for each part) needs neither.
    case 'docx':
      return { bytes: await (await import('./docx.js')).renderReportDocx(model), uaRefused: null };
    case 'xlsx':
      return { bytes: await (await import('./tables.js')).renderReportXlsx(model), uaRefused: null };
    case 'csv':
      return { bytes: (await import('./tables.js')).renderReportCsv(model), uaRefused: null };
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
      const { written, uaRefused } = await renderJob(job.format, job.model, pdf);
      message = { id: job.id, ok: true, bytes: Buffer.from(JSON.stringify(written), 'utf8'), uaRefused, ms: performance.now() - started, rss: peakRss(), keep: written.keep };
    } catch (error) {
      message = { id: job.id, ok: false, error: error instanceof Error ? error.message.slice(0, 2000) : String(error).slice(0, 2000), rss: peakRss() };
    }
    send(message);
  });
  // The server went away: nothing to work for.
  process.on('disconnect', () => process.exit(0));
}
