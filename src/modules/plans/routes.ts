import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../core/context.js';
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

/** The next moment a phase opens or closes: pages showing phase states are stale from then. */
export function nextPhaseChange(phases: Array<Pick<Phase, 'opensAt' | 'closesAt'>>, now = new Date()): Date | null {
  const upcoming = phases.flatMap((p) => [p.opensAt, p.closesAt]).filter((d) => d > now);
  return upcoming.length ? new Date(Math.min(...upcoming.map((d) => d.getTime()))) : null;
}

export function planRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/', { config: { access: 'public' } }, (req, reply) =>
    reply.cachedPage({
      key: '/',
      tags: ['plans'],
      template: '/plans/home',
      load: async () => {
        const consultations = await listConsultations(ctx.db);
        const validUntil = nextPhaseChange(consultations.flatMap((c) => c.phases));
        return { title: req.t('plans.home.title'), consultations, phaseState, formatDate, validUntil };
      },
    }),
  );

  app.get('/consultations/:slug', { config: { access: 'public' } }, (req, reply) => {
    const slug = field(req.params, 'slug');
    return reply.cachedPage({
      key: `/consultations/${slug}`,
      tags: ['plans'],
      template: '/plans/consultation',
      load: async () => {
        const consultation = await findConsultation(ctx.db, slug);
        if (!consultation) return null;
        const plan = await loadPublishedPlan(ctx.db, consultation.id);
        return { title: consultation.title, consultation, plan, phaseState, formatDate, validUntil: nextPhaseChange(consultation.phases) };
      },
    });
  });
}
