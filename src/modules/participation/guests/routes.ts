import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { pseudonymise } from '../../../core/crypto.js';
import { handleForm } from '../../../core/forms.js';
import { field, safeNext, seeOther } from '../../../core/http.js';
import { peekGuestToken } from '../service.js';
import { clearGuestCookie, confirmContribution, endGuestSession, guestOf, requestGuestAccess, setGuestCookie, startGuestSession } from './service.js';

export function guestsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const days = ctx.config.participation.unconfirmedDays;
  const limited = {
    rateLimit: {
      max: ctx.config.authRateLimit.max,
      timeWindow: ctx.config.authRateLimit.windowMinutes * 60_000,
      keyGenerator: (req: FastifyRequest) => pseudonymise(ctx.secret, req.ip),
    },
  };

  // Links from mails show a page with a button: mail scanners that open links must not use them up.
  app.get('/contributions/confirm', { config: { access: 'public' } }, async (req, reply) => {
    const token = field(req.query, 'token');
    const valid = await peekGuestToken(ctx.db, token, 'confirm');
    return reply.page('/participation/guests/confirm', { token, valid, days }, valid ? 200 : 410);
  });

  app.post('/contributions/confirm', { config: { access: 'public', ...limited } }, async (req, reply) => {
    const outcome = await confirmContribution(ctx, field(req.body, 'token'));
    if (!outcome) return reply.page('/participation/guests/confirm', { token: '', valid: false, days }, 410);
    const state = !outcome.changed ? 'already' : outcome.status;
    return seeOther(reply, `/contributions/confirmed?${new URLSearchParams({ state, to: outcome.url }).toString()}`);
  });

  app.get('/contributions/confirmed', { config: { access: 'public' } }, (req, reply) => {
    const raw = field(req.query, 'state');
    const state = ['published', 'pending', 'already'].includes(raw) ? raw : 'already';
    const to = safeNext(field(req.query, 'to'), '');
    return reply.page('/participation/guests/confirmed', { state, to: to.startsWith('/consultations/') ? to : '' });
  });

  app.get('/contributions/access', { config: { access: 'public' } }, (_req, reply) => reply.page('/participation/guests/access', { days }));

  app.post('/contributions/access', { config: { access: 'public', ...limited } }, async (req, reply) => {
    const values = { email: field(req.body, 'email') };
    const result = await handleForm(reply, '/participation/guests/access', { values, days }, () => requestGuestAccess(ctx, values.email, req.ip, req.locale));
    if (result.ok) return seeOther(reply, '/contributions/access/sent');
  });

  app.get('/contributions/access/sent', { config: { access: 'public' } }, (_req, reply) => reply.page('/participation/guests/access-sent'));

  app.get('/contributions/manage', { config: { access: 'public' } }, async (req, reply) => {
    const token = field(req.query, 'token');
    const valid = await peekGuestToken(ctx.db, token, 'manage');
    return reply.page('/participation/guests/manage', { token, valid }, valid ? 200 : 410);
  });

  app.post('/contributions/manage', { config: { access: 'public', ...limited } }, async (req, reply) => {
    const session = await startGuestSession(ctx, field(req.body, 'token'));
    if (!session) return reply.page('/participation/guests/manage', { token: '', valid: false }, 410);
    const previous = await guestOf(ctx, req);
    if (previous) await endGuestSession(ctx.db, previous.session);
    setGuestCookie(ctx, reply, session);
    reply.flash('guests.flash.sessionStarted');
    return seeOther(reply, '/my/contributions');
  });

  app.post('/contributions/session/end', { config: { access: 'public' } }, async (req, reply) => {
    const guest = await guestOf(ctx, req);
    if (guest) await endGuestSession(ctx.db, guest.session);
    clearGuestCookie(reply);
    reply.flash('guests.flash.sessionEnded');
    return seeOther(reply, '/my/contributions');
  });
}
