import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { NotFoundError } from '../../../core/errors.js';
import { field } from '../../../core/http.js';
import { columns, csvLine, csvRow, DEFAULT_LICENCE, findOpenConsultation, openContributions } from './service.js';

/** Safe as a file name on every system: letters, digits, dash. */
function fileBase(slug: string): string {
  return `${slug.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, 80) || 'consultation'}-beitraege`;
}

export function opendataRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/consultations/:slug/contributions.csv', { config: { access: 'public' } }, async (req, reply) => {
    const consultation = await findOpenConsultation(ctx.db, field(req.params, 'slug'));
    if (!consultation) throw new NotFoundError();
    async function* lines() {
      // Excel reads UTF-8 CSV correctly only with a byte order mark.
      yield `\uFEFF${csvRow([...columns])}`;
      for await (const batch of openContributions(ctx.db, consultation as NonNullable<typeof consultation>)) {
        yield batch.map(csvLine).join('');
      }
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileBase(consultation.slug)}.csv"`)
      .header('x-content-type-options', 'nosniff')
      .send(Readable.from(lines()));
  });

  app.get('/consultations/:slug/contributions.json', { config: { access: 'public' } }, async (req, reply) => {
    const consultation = await findOpenConsultation(ctx.db, field(req.params, 'slug'));
    if (!consultation) throw new NotFoundError();
    const head = {
      consultation: {
        slug: consultation.slug,
        title: consultation.title,
        paper_reference: consultation.paperReference,
        url: `${ctx.config.baseUrl}/consultations/${encodeURIComponent(consultation.slug)}`,
      },
      licence: DEFAULT_LICENCE,
      generated_at: new Date().toISOString(),
    };
    async function* parts() {
      const opening = JSON.stringify(head);
      yield `${opening.slice(0, -1)},"contributions":[`;
      let first = true;
      for await (const batch of openContributions(ctx.db, consultation as NonNullable<typeof consultation>)) {
        const text = batch.map((c) => JSON.stringify(c)).join(',\n');
        yield first ? `\n${text}` : `,\n${text}`;
        first = false;
      }
      yield '\n]}\n';
    }
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileBase(consultation.slug)}.json"`)
      .send(Readable.from(parts()));
  });
}
