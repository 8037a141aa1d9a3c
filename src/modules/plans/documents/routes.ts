import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { DomainError } from '../../../core/errors.js';
import { field } from '../../../core/http.js';
import { anyVersion, loadNames, publicVersions, versionIdParam, versionParam } from '../compare/versions.js';
import { readPlanDocument } from '../document.js';
import type { Consultation, PlanVersion } from '../queries.js';
import { PLAN_TAGS } from '../routes.js';
import { DocumentCache } from './cache.js';
import { buildExport, fileName } from './model.js';
import { BusyError, DocumentPool } from './pool.js';

const organisers = { access: ['organiser', 'admin'] as const };

const FORMATS = {
  docx: { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  pdf: { type: 'application/pdf' },
} as const;
type Format = keyof typeof FORMATS;

declare module 'fastify' {
  interface FastifyInstance {
    /** Generated plan documents (tests look at it; nothing else should). */
    documentCache: DocumentCache;
  }
}

/**
 * The plan as DOCX and PDF: for the public the newest published (or adopted) version or the one
 * `?version=` names; for organisers any version, drafts included. Documents are built in a
 * worker thread and kept per (version, format, language) until the plans change.
 */
export function documentRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.db;
  const pool = new DocumentPool();
  const cache = new DocumentCache();
  const unsubscribe = app.cacheChannel.subscribe(cache);
  app.decorate('documentCache', cache);
  app.addHook('onClose', async () => {
    unsubscribe();
    await pool.close();
  });

  async function send(req: FastifyRequest, reply: FastifyReply, format: Format, consultation: Consultation, version: PlanVersion, isPublic: boolean) {
    const key = `${version.id}|${format}|${req.locale}`;
    let document: Awaited<ReturnType<DocumentCache['get']>>;
    try {
      document = await cache.get(key, PLAN_TAGS, async () => {
        const [doc, names] = await Promise.all([readPlanDocument(db, version.id), loadNames(db)]);
        const model = buildExport({ consultation, version, doc, names, t: req.t, locale: req.locale });
        const rendered = await pool.render(format, model);
        req.log.info({ format, versionId: version.id, ms: Math.round(rendered.ms), bytes: rendered.bytes.length }, 'plan document generated');
        if (rendered.uaRefused) req.log.warn({ versionId: version.id, reason: rendered.uaRefused }, 'PDF/UA-1 refused, tagged PDF sent instead');
        return { bytes: rendered.bytes, uaRefused: rendered.uaRefused };
      });
    } catch (error) {
      if (error instanceof BusyError) {
        reply.header('retry-after', '60');
        throw new DomainError(503, 'documents.errors.busy');
      }
      throw error;
    }
    const name = fileName(consultation.slug, version.label, format);
    if (format === 'pdf') reply.header('x-pdf-standard', document.uaRefused ? 'none' : 'ua-1');
    return reply
      .type(FORMATS[format].type)
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('cache-control', isPublic ? 'public, max-age=60' : 'private, no-store')
      .header('x-document-cache', document.cached ? 'hit' : 'miss')
      .send(document.bytes);
  }

  for (const format of Object.keys(FORMATS) as Format[]) {
    app.get(`/consultations/:slug/plan.${format}`, { config: { access: 'public' } }, async (req, reply) => {
      const requested = versionParam(req.query, 'version');
      const { consultation, versions } = await publicVersions(db, field(req.params, 'slug'));
      const version = requested === undefined ? versions.at(-1) : versions.find((v) => v.id === requested);
      if (!version) throw new DomainError(404, requested === undefined ? 'documents.errors.noPlan' : 'documents.errors.versionNotFound');
      return send(req, reply, format, consultation, version, true);
    });

    app.get(`/organiser/versions/:versionId/plan.${format}`, { config: organisers }, async (req, reply) => {
      const { consultation, version } = await anyVersion(db, versionIdParam(req.params, 'versionId'));
      return send(req, reply, format, consultation, version, false);
    });
  }
}
