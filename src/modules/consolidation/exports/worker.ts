import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, asc, eq, lt, or } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Translate } from '../../../core/i18n.js';
import { Poller } from '../../../core/poller.js';
import type { Db } from '../../../db/index.js';
import { consultations } from '../../plans/schema.js';
import { committeeReports } from '../schema.js';
import { syncResponses } from '../service.js';
import { buildReportModel, reportFileName, resolveScope, type Scope } from './model.js';
import type { Rendered } from '../../plans/documents/pool.js';
import type { ReportPool } from './pool.js';
import type { Written } from './render-worker.js';
import { MEDIA_TYPES, type ReportBlock, type ReportModel } from './report.js';
import { ReportFileStore } from './store.js';
import { writeReportCsv } from './tables.js';
import { PART_ROWS, pageLabels, splitParts } from './typst.js';

function writtenOf(bytes: Uint8Array): Written {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as Written;
}

/** How long a claim holds before another instance may take the job over (renewed per batch). */
const CLAIM_MS = 2 * 60_000;
export const MAX_ATTEMPTS = 3;

// An error message may quote what it choked on; addresses never go into the table or the log.
function redact(message: string): string {
  return message.replace(/[^\s<>"']+@[^\s<>"']+/g, '[address]').slice(0, 500);
}

export interface ReportWorkerOptions {
  pollMs?: number;
  log?: FastifyBaseLogger;
  /** The file goes into the database in pieces of this size (tests make it small). */
  writeChunkBytes?: number;
  /** Rows per part of a long PDF (tests make it small). */
  partRows?: number;
}

/**
 * Builds queued committee exports: claims one row at a time with FOR UPDATE SKIP LOCKED (so
 * several instances share the work; PGlite waits instead of skipping, which is fine), reads the
 * model in batches while updating the row's progress, renders in the child process, stores the
 * bytes with their SHA-512. A failure is retried up to three attempts; a claim whose time ran
 * out (the instance died) is taken over.
 */
export class ReportWorker {
  private readonly poller: Poller;
  /** Peak resident memory the render process reported (bytes), for the benchmark. */
  childRssPeak = 0;

  constructor(
    private readonly db: Db,
    private readonly pool: ReportPool,
    private readonly translator: (locale: 'de' | 'en') => Translate | Promise<Translate>,
    private readonly options: ReportWorkerOptions = {},
  ) {
    this.poller = new Poller(() => this.runAll(), options.pollMs ?? 3000, (err) => options.log?.error({ err: { message: redact(err.message) } }, 'report worker failed'));
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Where nudges go when the exports are built in a process of their own (job-process.ts). */
  private forward: (() => void) | null = null;

  /** A job was queued: look now rather than at the next poll. */
  nudge(): void {
    if (this.forward) this.forward();
    else this.poller.nudge();
  }

  /** From now on the jobs are built elsewhere: nudges go to `send` instead. */
  forwardNudges(send: () => void): void {
    this.forward = send;
  }

  private async runAll(): Promise<void> {
    while (!this.poller.stopped && (await this.runOnce()) !== null) {
      // next job
    }
  }

  private async build(job: typeof committeeReports.$inferSelect, scope: Scope, t: Translate, store: ReportFileStore) {
    // The render process starts while the model is read (the CSV needs none).
    if (job.format !== 'csv') this.pool.warm();
    const request = { consultationId: job.consultationId, scope, variant: job.variant, draft: job.draft, locale: job.locale };
    let model: ReportModel | null = await buildReportModel(this.db, request, t, async (done, total) => {
      await this.db
        .update(committeeReports)
        .set({ progress: done, total, lockedUntil: new Date(Date.now() + CLAIM_MS) })
        .where(eq(committeeReports.id, job.id));
    });
    const built = performance.now();
    const rowCount = model.rowCount;
    const rendering =
      job.format === 'pdf'
        ? this.renderPdf({ ...model, blocks: [] }, splitParts(model.blocks, this.options.partRows ?? PART_ROWS, model.labels.continued), () => buildReportModel(this.db, request, t), store)
        : job.format === 'csv'
          ? this.writeCsv(model)
          : this.pool.render(job.format, model);
    // Not held here while the file is made: the render process has its copy (a PDF's parts and
    // the CSV writer keep what they still need).
    model = null;
    const rendered: Rendered & { stored?: number } = await rendering;
    return { rendered, rowCount, built };
  }

  /** The CSV written here, without a render process (see writeReportCsv). */
  private async writeCsv(model: ReportModel) {
    const started = performance.now();
    const file = path.join(os.tmpdir(), `mitsprache-report-${process.pid}-${randomUUID()}`);
    try {
      await writeReportCsv(model, file);
    } catch (error) {
      await fs.rm(file, { force: true });
      throw error;
    }
    const written: Written = { file, pages: 0 };
    return { bytes: Buffer.from(JSON.stringify(written), 'utf8'), uaRefused: null, ms: performance.now() - started, rss: 0 };
  }

  /**
   * A long PDF (the model without its blocks, and the blocks in parts) part by part in two
   * render processes at once (each part in a fresh process, as a compiler that laid out one part
   * keeps its memory); a third process joins the finished parts in order while the later ones
   * are compiled, and numbers the pages at the end; in one piece if that fails. What the joiner
   * has written goes into the store meanwhile (it never changes), so storing a 60 MB file does
   * not wait until the end; `stored` says how far.
   */
  private async renderPdf(model: ReportModel, parts: ReportBlock[][], rebuild: () => Promise<ReportModel>, store: ReportFileStore): Promise<Rendered & { stored?: number }> {
    if (parts.length === 1) return this.pool.render('pdf', { ...model, blocks: parts[0] as ReportBlock[] });
    {
      // `model` without its rows: they are only in `parts`, each part let go once its render
      // process has it; the fallback to one piece reads the model again.
      const started = performance.now();
      const numbers = pageLabels(model);
      const files: string[] = [];
      let uaRefused: string | null = null;
      let rss = 0;
      let next = 0;
      let joined = 0;
      let stored = 0;
      let joining: Promise<void> = Promise.resolve();
      let failed: Error | null = null;
      const lanes = this.pool.lanes;
      const lane = async (pool: (typeof lanes)[number]) => {
        while (next < parts.length && !failed) {
          const i = next++;
          const blocks = parts[i] as ReportBlock[];
          const rows = blocks.reduce((n, b) => n + b.rows.length, 0);
          const rendering = pool.render('pdf-part', { ...model, blocks, part: { single: false, first: i === 0 } });
          parts[i] = [];
          const part = await rendering;
          const written = writtenOf(part.bytes);
          files[i] = written.file;
          // Finished parts go on to be joined in order while the later ones are compiled.
          while (files[joined] !== undefined && !failed) {
            const k = joined++;
            const file = files[k] as string;
            joining = joining
              .then(() => this.pool.joining.render('pdf-join', { part: file, first: k === 0, numbers }))
              .then(async (j) => {
                rss = Math.max(rss, j.rss);
                const { file: into, final = 0 } = writtenOf(j.bytes);
                await store.appendFile(into, stored, final);
                stored = final;
              });
            joining.catch(() => {});
          }
          uaRefused ??= part.uaRefused;
          rss = Math.max(rss, part.rss);
          this.options.log?.debug({ part: i, rows, pages: written.pages, ms: Math.round(part.ms), rss: part.rss, atMs: Math.round(performance.now() - started) }, 'PDF part rendered');
        }
      };
      try {
        for (const pool of lanes) pool.spare = true;
        lanes[1].warm();
        // Both lanes to the end before going on (the other one may still be writing a part).
        await Promise.allSettled(
          lanes.map((pool) =>
            lane(pool).catch((error: Error) => {
              failed ??= error;
            }),
          ),
        );
        await joining;
        if (failed) throw failed;
        const done = await this.pool.joining.render('pdf-join-end', {});
        this.options.log?.debug({ parts: files.length, endMs: Math.round(done.ms), atMs: Math.round(performance.now() - started) }, 'PDF parts joined');
        return { ...done, uaRefused, ms: performance.now() - started, rss: Math.max(rss, done.rss), stored };
      } catch (error) {
        await joining.catch(() => {});
        // The one piece starts the file afresh.
        await store.restart();
        // The joining process removes what it has read; the rest goes here.
        for (const f of files) if (f) await fs.rm(f, { force: true });
        this.options.log?.warn({ error: redact(error instanceof Error ? error.message : String(error)) }, 'PDF in parts failed, compiling it whole');
      } finally {
        for (const pool of lanes) {
          pool.spare = false;
          pool.dropSpare();
        }
      }
    }
    return this.pool.render('pdf', await rebuild());
  }

  /** Claims and builds one due export; returns its id, or null when nothing was due. */
  async runOnce(): Promise<number | null> {
    const now = new Date();
    const job = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(committeeReports)
        .where(or(eq(committeeReports.status, 'queued'), and(eq(committeeReports.status, 'running'), lt(committeeReports.lockedUntil, now))))
        .orderBy(asc(committeeReports.createdAt), asc(committeeReports.id))
        .limit(1)
        .for('update', { skipLocked: true });
      if (!row) return null;
      await tx
        .update(committeeReports)
        .set({ status: 'running', attempts: row.attempts + 1, lockedUntil: new Date(now.getTime() + CLAIM_MS), startedAt: now, progress: 0, error: null })
        .where(eq(committeeReports.id, row.id));
      return { ...row, attempts: row.attempts + 1 };
    });
    if (!job) return null;
    const started = performance.now();
    let store: ReportFileStore | null = null;
    try {
      const t = await this.translator(job.locale === 'en' ? 'en' : 'de');
      const scope: Scope =
        job.scope === 'committee' && job.committeeId !== null
          ? { kind: 'committee', committeeId: job.committeeId }
          : job.scope === 'field' && job.fieldKey !== null
            ? { kind: 'field', fieldKey: job.fieldKey }
            : { kind: 'consultation' };
      await syncResponses(this.db, job.consultationId);
      const [consultation] = await this.db.select({ slug: consultations.slug }).from(consultations).where(eq(consultations.id, job.consultationId));
      const resolved = await resolveScope(this.db, job.consultationId, scope, t);
      const fileName = reportFileName(consultation?.slug ?? 'verfahren', resolved.slugPart, job.variant === 'named', job.draft, job.format, t);
      // The model is handed to the render process and not kept here while it works.
      // The file into the database piece by piece, hashed on the way (see ReportFileStore):
      // neither the server's heap nor one query holds it whole. A long PDF is stored while it
      // is joined; the rest of it, and every other file, once it is made.
      store = new ReportFileStore(this.db, job.id, this.options.writeChunkBytes);
      const { rendered, rowCount, built } = await this.build(job, scope, t, store);
      this.childRssPeak = Math.max(this.childRssPeak, rendered.rss);
      const { file } = writtenOf(rendered.bytes);
      try {
        await store.appendFile(file, rendered.stored ?? 0);
      } finally {
        await fs.rm(file, { force: true });
      }
      const { size, sha512 } = await store.finish();
      await this.db
        .update(committeeReports)
        .set({
          status: 'done',
          size,
          sha512,
          fileName,
          mediaType: MEDIA_TYPES[job.format],
          progress: rowCount,
          total: rowCount,
          lockedUntil: null,
          finishedAt: new Date(),
          error: rendered.uaRefused ? `PDF/UA-1: ${redact(rendered.uaRefused)}` : null,
        })
        .where(eq(committeeReports.id, job.id));
      this.options.log?.info(
        { reportId: job.id, format: job.format, rows: rowCount, modelMs: Math.round(built - started), renderMs: Math.round(rendered.ms), bytes: size },
        'committee report built',
      );
    } catch (error) {
      const message = redact(error instanceof Error ? error.message : String(error));
      const failed = job.attempts >= MAX_ATTEMPTS;
      // Before the job is queued again: a retry on another instance might already be writing.
      await store?.abort();
      await this.db
        .update(committeeReports)
        .set({ status: failed ? 'failed' : 'queued', error: message, lockedUntil: null, finishedAt: failed ? new Date() : null })
        .where(eq(committeeReports.id, job.id));
      this.options.log?.warn({ reportId: job.id, attempts: job.attempts, error: message }, failed ? 'committee report failed' : 'committee report will be retried');
    }
    return job.id;
  }
}

