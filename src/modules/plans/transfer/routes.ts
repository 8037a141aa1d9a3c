import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { field, isHtmx, seeOther } from '../../../core/http.js';
import { formatBytes, type Format, MAX_BYTES } from './decode.js';
import type { MarkdownLanguage } from './markdown.js';
import { problemPlace, problemText } from './problems.js';
import {
  type Analysis,
  analyseImport,
  assertDraft,
  currentContent,
  exportVersion,
  findPublicVersion,
  findVersion,
  type ImportInput,
  importPlan,
  outline,
  parseId,
  readFormatChoice,
  type UploadedFile,
  type VersionInfo,
} from './service.js';

const organisers = { access: ['organiser', 'admin'] as const };
/** Problems listed on the page; a file with more has a more basic mistake to fix first. */
const SHOWN_PROBLEMS = 100;

// A file bigger than the limit is cut off by the multipart parser at limit + 1 bytes instead of
// failing the request, so the page can say how large is too large and keep the form.
const uploadRoute = {
  ...organisers,
  multipartOptions: { throwFileSizeLimit: false, limits: { files: 1, fileSize: MAX_BYTES + 1, fieldSize: MAX_BYTES + 1 } },
};

// docs/ at the project root, from src/… (tsx) and dist/… (build) alike.
const formatsDoc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'docs', 'plan-formats.md');

const importPath = (versionId: number) => `/organiser/versions/${versionId}/import`;

/** The file part of a multipart form, as app.ts attaches it to the body. */
function uploadedFile(body: unknown): UploadedFile | null {
  if (body === null || typeof body !== 'object') return null;
  const value = (body as Record<string, unknown>).file;
  if (value === null || typeof value !== 'object') return null;
  const { filename, data } = value as { filename?: unknown; data?: unknown };
  if (!Buffer.isBuffer(data)) return null;
  return { filename: typeof filename === 'string' ? filename : '', data };
}

function importInput(req: FastifyRequest, withFile: boolean): ImportInput {
  return {
    file: withFile ? uploadedFile(req.body) : null,
    text: field(req.body, 'text'),
    format: readFormatChoice(field(req.body, 'format')),
    filename: withFile ? undefined : field(req.body, 'filename'),
  };
}

function download(reply: FastifyReply, file: { filename: string; contentType: string; body: string }) {
  return reply.type(file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body);
}

function markdownLanguage(req: FastifyRequest): MarkdownLanguage {
  return field(req.query, 'lang') === 'en' ? 'en' : 'de';
}

export function transferRoutes(app: FastifyInstance, ctx: AppContext): void {
  async function importPage(
    req: FastifyRequest,
    reply: FastifyReply,
    version: VersionInfo,
    extra: { analysis?: Analysis; stale?: boolean; values?: { text: string; format: string } } = {},
    status = 200,
  ) {
    const current = await currentContent(ctx.db, version);
    const analysis = extra.analysis;
    // After a boosted POST the address bar shows the import page, which a reload can GET.
    if (isHtmx(req)) reply.header('hx-push-url', importPath(version.id));
    return reply.page(
      '/transfer/import',
      {
        version,
        current,
        analysis: analysis ?? null,
        problems: analysis
          ? analysis.problems.slice(0, SHOWN_PROBLEMS).map((p) => ({ place: problemPlace(req.t, p), text: problemText(req.t, p) }))
          : [],
        moreProblems: analysis ? Math.max(0, analysis.problems.length - SHOWN_PROBLEMS) : 0,
        incomingOutline: analysis?.doc ? outline(analysis.doc) : [],
        stale: extra.stale ?? false,
        maxSize: formatBytes(MAX_BYTES),
        values: extra.values ?? { text: '', format: 'auto' },
      },
      status,
    );
  }

  app.get('/organiser/versions/:versionId/import', { config: organisers }, async (req, reply) => {
    const version = await findVersion(ctx.db, parseId(field(req.params, 'versionId')));
    assertDraft(version);
    return importPage(req, reply, version);
  });

  // Step 1: read and check, show a preview or the problems. Nothing is written.
  app.post('/organiser/versions/:versionId/import', { config: uploadRoute }, async (req, reply) => {
    const version = await findVersion(ctx.db, parseId(field(req.params, 'versionId')));
    assertDraft(version);
    const input = importInput(req, true);
    const analysis = await analyseImport(ctx.db, version, input);
    const values = { text: analysis.text, format: input.format };
    return importPage(req, reply, version, { analysis, values }, analysis.problems.length ? 422 : 200);
  });

  // Step 2: the confirmed preview replaces the version's content in one transaction.
  app.post('/organiser/versions/:versionId/import/confirm', { config: uploadRoute }, async (req, reply) => {
    const version = await findVersion(ctx.db, parseId(field(req.params, 'versionId')));
    const input = importInput(req, false);
    const result = await importPlan(ctx, req.user!.id, version, input, field(req.body, 'basis'));
    if (result.ok) {
      reply.flash('plans.transfer.flash.imported');
      return seeOther(reply, importPath(version.id));
    }
    const values = { text: result.analysis.text, format: input.format };
    return importPage(req, reply, version, { analysis: result.analysis, stale: result.stale, values }, result.stale ? 409 : 422);
  });

  // The description of both formats, for the office writing a file (the document is in English).
  app.get('/organiser/plan-formats', { config: organisers }, async (_req, reply) => {
    return reply.type('text/plain; charset=utf-8').header('content-language', 'en').send(await fs.readFile(formatsDoc, 'utf8'));
  });

  for (const [extension, format] of [
    ['json', 'json'],
    ['md', 'markdown'],
  ] as Array<[string, Format]>) {
    app.get(`/organiser/versions/:versionId/export.${extension}`, { config: organisers }, async (req, reply) => {
      const version = await findVersion(ctx.db, parseId(field(req.params, 'versionId')));
      return download(reply.header('cache-control', 'no-store'), await exportVersion(ctx.db, version, format, markdownLanguage(req)));
    });

    // Open data: what was published can be downloaded by anyone, in both formats.
    app.get(`/consultations/:slug/versions/:versionId/plan.${extension}`, { config: { access: 'public' } }, async (req, reply) => {
      const version = await findPublicVersion(ctx.db, field(req.params, 'slug'), parseId(field(req.params, 'versionId')));
      const file = await exportVersion(ctx.db, version, format, markdownLanguage(req));
      return download(reply.header('cache-control', 'public, max-age=300').header('access-control-allow-origin', '*'), file);
    });
  }
}
