import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { NotFoundError, ValidationError } from '../../../core/errors.js';
import { formatDateTime, localiseParams } from '../../../core/forms.js';
import { field, isBoosted, isHtmx, seeOther } from '../../../core/http.js';
import { committees } from '../../departments/schema.js';
import { reportFormats } from '../schema.js';
import { consultationBySlug, ORGANISERS, syncResponses } from '../service.js';
import { newestVersion, scopeProgress } from './model.js';
import { reportPool } from './pool.js';
import { doneReports, LIST_PAGE_SIZE, listReports, loadReport, loadReportFile, type ReportForm, type ReportListRow, reportFilePieces, requestReport } from './service.js';
import { ReportWorker } from './worker.js';
import { readPlanDocument } from '../../plans/document.js';
import { asc, eq } from 'drizzle-orm';
import { consultations } from '../../plans/schema.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Builds queued committee exports (server.ts starts it; tests call runOnce()). */
    reportWorker: ReportWorker;
  }
}

const organisers = { config: { access: ORGANISERS } };

function idParam(req: FastifyRequest): number {
  const raw = field(req.params, 'id');
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError();
  return Number(raw);
}

function pageParam(req: FastifyRequest): number {
  const raw = field(req.query, 'page');
  return /^\d{1,5}$/.test(raw) && Number(raw) > 0 ? Number(raw) : 1;
}

/** "2,4 MB" */
export function formatSize(bytes: number | null, locale: string): string {
  if (bytes === null) return '–';
  const format = new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'de-DE', { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${format.format(bytes / 1024)} KB`;
  return `${format.format(bytes / 1024 / 1024)} MB`;
}

/**
 * The committee exports (Abwägungstabelle): the organisers' page to request one and list the
 * stored ones, a progress page polled by htmx, the download, and an OParl 1.1 Paper describing
 * the finished files for a council information system.
 */
export function exportsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.db;
  const pool = reportPool();
  // The catalogue lives in app.ts, which imports this module: fetched when a job first needs it.
  const translator = async (locale: 'de' | 'en') => (await import('../../../app.js')).catalogue.translator(locale);
  const worker = new ReportWorker(db, pool, translator, { log: app.log, pollMs: ctx.config.reportPollMs });
  app.decorate('reportWorker', worker);
  app.addHook('onClose', async () => {
    await worker.stop();
    await pool.close();
  });

  function scopeLabel(req: FastifyRequest, r: Pick<ReportListRow, 'scope' | 'committeeName' | 'committeeShort' | 'fieldKey'>): string {
    if (r.scope === 'committee') return req.t('consolidation.exports.scope.committee', { name: r.committeeShort ? `${r.committeeName} (${r.committeeShort})` : (r.committeeName ?? '–') });
    if (r.scope === 'field') return req.t('consolidation.exports.scope.field', { key: r.fieldKey ?? '' });
    return req.t('consolidation.exports.scope.consultation');
  }

  function helpers(req: FastifyRequest) {
    return {
      formatDateTime,
      formatSize: (n: number | null) => formatSize(n, req.locale),
      scopeLabel: (r: ReportListRow) => scopeLabel(req, r),
    };
  }

  async function pageData(req: FastifyRequest, slug: string) {
    const consultation = await consultationBySlug(db, slug);
    const page = pageParam(req);
    await syncResponses(db, consultation.id);
    const version = await newestVersion(db, consultation.id);
    const [doc, committeeList, list, progress] = await Promise.all([
      version ? readPlanDocument(db, version.id) : Promise.resolve(null),
      db.select({ slug: committees.slug, name: committees.name, shortName: committees.shortName }).from(committees).orderBy(asc(committees.name)),
      listReports(db, consultation.id, page),
      scopeProgress(db, consultation.id, null),
    ]);
    // Committees that have a measure in the newest version: the others would export nothing.
    const used = new Set((doc ? [...doc.crossCuttingMeasures, ...doc.fields.flatMap((f) => f.goals.flatMap((g) => g.measures))] : []).flatMap((m) => m.committees));
    return {
      ...helpers(req),
      title: req.t('consolidation.exports.title'),
      consultation,
      committees: committeeList.filter((c) => used.has(c.slug)),
      fields: (doc?.fields ?? []).map((f) => ({ key: f.key, label: req.t('plans.plan.field', { code: f.code, title: f.title }) })),
      formats: reportFormats,
      list,
      page,
      pages: Math.max(1, Math.ceil(list.total / LIST_PAGE_SIZE)),
      progress,
      values: { scope: 'consultation', format: 'pdf', variant: 'anonymised', locale: req.locale, draft: progress.unapproved > 0 } as Record<string, unknown>,
    };
  }

  app.get('/organiser/consultations/:slug/reports', organisers, async (req, reply) => {
    return reply.page('/consolidation/exports/index', await pageData(req, field(req.params, 'slug')));
  });

  app.post('/organiser/consultations/:slug/reports', organisers, async (req, reply) => {
    if (!req.user) throw new NotFoundError();
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    const form: ReportForm = {
      scope: field(req.body, 'scope'),
      committee: field(req.body, 'committee'),
      field: field(req.body, 'field'),
      format: field(req.body, 'format'),
      variant: field(req.body, 'variant') || 'anonymised',
      namedConfirm: field(req.body, 'namedConfirm') === 'yes',
      draft: field(req.body, 'draft') === 'yes',
      locale: field(req.body, 'locale') === 'en' ? 'en' : 'de',
    };
    let id: number;
    try {
      id = await requestReport(db, req.user, consultation.id, form, req.t);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // Only a refused request needs the page around the form.
      const data = await pageData(req, consultation.slug);
      return reply.page('/consolidation/exports/index', { ...data, values: form, errors: error.fields, errorParams: localiseParams(error.fieldParams, req.locale) }, 422);
    }
    worker.nudge();
    reply.flash('consolidation.exports.flash.queued');
    return seeOther(reply, `/organiser/reports/${id}`);
  });

  app.get('/organiser/reports/:id', organisers, async (req, reply) => {
    const report = await loadReport(db, idParam(req));
    if (!report) throw new NotFoundError();
    const [consultation] = await db.select({ slug: consultations.slug, title: consultations.title }).from(consultations).where(eq(consultations.id, report.consultationId));
    const data = { ...helpers(req), title: req.t('consolidation.exports.report.title', { id: report.id }), report, consultation, scope: scopeLabel(req, report) };
    if (isHtmx(req) && !isBoosted(req)) return reply.header('vary', 'HX-Request, HX-Boosted').header('cache-control', 'no-store').fragment('/consolidation/exports/_status', data);
    return reply.header('cache-control', 'no-store').page('/consolidation/exports/report', data);
  });

  app.get('/organiser/reports/:id/file', organisers, async (req, reply) => {
    const id = idParam(req);
    const file = await loadReportFile(db, id);
    if (file?.status !== 'done' || file.size === null) throw new NotFoundError();
    // Streamed from the database in pieces, not loaded whole.
    return reply
      .type(file.mediaType ?? 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${file.fileName ?? 'export'}"`)
      .header('content-length', String(file.size))
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(Readable.from(reportFilePieces(db, id, file.size)));
  });

  app.get('/organiser/consultations/:slug/reports/oparl.json', organisers, async (req, reply) => {
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    const base = ctx.config.baseUrl;
    const files = await doneReports(db, consultation.id);
    const paperUrl = `${base}/organiser/consultations/${encodeURIComponent(consultation.slug)}/reports/oparl.json`;
    const latest = files.reduce<Date | null>((max, f) => (f.finishedAt && (!max || f.finishedAt > max) ? f.finishedAt : max), null);
    const paper = {
      id: paperUrl,
      type: 'https://schema.oparl.org/1.1/Paper',
      name: `${consultation.title} – ${req.t('consolidation.exports.documentName')}`,
      reference: consultation.paperReference ?? null,
      date: (latest ?? consultation.createdAt).toISOString().slice(0, 10),
      paperType: req.t('consolidation.exports.documentName'),
      auxiliaryFile: files.map((f) => ({
        id: `${base}/organiser/reports/${f.id}`,
        type: 'https://schema.oparl.org/1.1/File',
        name: `${req.t('consolidation.exports.documentName')} – ${scopeLabel(req, f)}${f.draft ? ` (${req.t('consolidation.exports.stateDraft')})` : ''} – ${req.t(`consolidation.exports.format.${f.format}`)}`,
        fileName: f.fileName,
        mimeType: (f.mediaType ?? '').split(';')[0],
        size: f.size,
        sha512Checksum: f.sha512,
        accessUrl: `${base}/organiser/reports/${f.id}/file`,
        date: (f.finishedAt ?? f.createdAt).toISOString().slice(0, 10),
        created: f.createdAt.toISOString(),
        modified: (f.finishedAt ?? f.createdAt).toISOString(),
      })),
      created: consultation.createdAt.toISOString(),
      modified: (latest ?? consultation.createdAt).toISOString(),
    };
    return reply.type('application/json; charset=utf-8').header('cache-control', 'private, no-store').send(JSON.stringify(paper, null, 2));
  });
}
