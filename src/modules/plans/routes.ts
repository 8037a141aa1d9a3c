import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../core/context.js';
import { NotFoundError } from '../../core/errors.js';
import { field } from '../../core/http.js';
import { findConsultation, listConsultations, loadPublishedPlan, type Phase } from './queries.js';

export type PhaseState = 'upcoming' | 'open' | 'closed';

export function phaseState(phase: Pick<Phase, 'opensAt' | 'closesAt'>, now = new Date()): PhaseState {
  if (now < phase.opensAt) return 'upcoming';
  return now <= phase.closesAt ? 'open' : 'closed';
}

// Building an Intl.DateTimeFormat costs far more than using one; keep one per language.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Dates of the process are Europe/Berlin dates, whatever the server's time zone. */
export function formatDate(date: Date, locale: string): string {
  let format = dateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' });
    dateFormats.set(locale, format);
  }
  return format.format(date);
}

export function planRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/', { config: { access: 'public' } }, async (_req, reply) => {
    const list = await listConsultations(ctx.db);
    return reply.page('/plans/home', { consultations: list, phaseState, formatDate });
  });

  app.get('/consultations/:slug', { config: { access: 'public' } }, async (req, reply) => {
    const consultation = await findConsultation(ctx.db, field(req.params, 'slug'));
    if (!consultation) throw new NotFoundError();
    const plan = await loadPublishedPlan(ctx.db, consultation.id);
    return reply.page('/plans/consultation', { consultation, plan, phaseState, formatDate });
  });
}
