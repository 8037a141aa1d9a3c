import type { JobResult } from '../../plans/documents/worker.js';
import { renderReportDocx } from './docx.js';
import type { ReportFormatName, ReportModel } from './report.js';
import { renderReportCsv, renderReportXlsx } from './tables.js';
import { ReportPdfRenderer } from './typst.js';

/**
 * The child process that renders committee exports (started by the DocumentPool in pool.ts), so
 * the server's event loop keeps answering while a 10,000-row table is laid out. One job at a time.
 */
export interface ReportJob {
  id: number;
  format: ReportFormatName;
  model: ReportModel;
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
      const { bytes, uaRefused } = await renderReport(job.format, job.model, pdf);
      message = { id: job.id, ok: true, bytes, uaRefused, ms: performance.now() - started, rss: peakRss() };
    } catch (error) {
      message = { id: job.id, ok: false, error: error instanceof Error ? error.message.slice(0, 2000) : String(error).slice(0, 2000), rss: peakRss() };
    }
    send(message);
  });
  // The server went away: nothing to work for.
  process.on('disconnect', () => process.exit(0));
}
