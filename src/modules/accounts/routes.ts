import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../core/context.js';
import { pseudonymise } from '../../core/crypto.js';
import { handleForm } from '../../core/forms.js';
import { field, safeNext, seeOther } from '../../core/http.js';
import { isLocale } from '../../core/i18n.js';
import * as accounts from './service.js';
import { createSession, deleteSession, SESSION_COOKIE } from './sessions.js';

export function accountRoutes(app: FastifyInstance, ctx: AppContext): void {
  const secure = ctx.config.baseUrl.startsWith('https:');
  const limited = {
    rateLimit: {
      max: ctx.config.authRateLimit.max,
      timeWindow: ctx.config.authRateLimit.windowMinutes * 60_000,
      // Counted per client address, which is stored only as a keyed hash.
      keyGenerator: (req: FastifyRequest) => pseudonymise(ctx.secret, req.ip),
    },
  };

  async function startSession(req: FastifyRequest, reply: FastifyReply, userId: string): Promise<void> {
    // A fresh id at every sign-in, so a session id planted before sign-in is worthless after.
    if (req.sessionToken) await deleteSession(ctx.db, req.sessionToken);
    const token = await createSession(ctx.db, userId, ctx.config.sessionDays);
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure,
      signed: true,
      maxAge: ctx.config.sessionDays * 86_400,
    });
  }

  const checkMail = (reply: FastifyReply, reason: string) => seeOther(reply, `/check-mail?reason=${reason}`);

  app.get('/check-mail', { config: { access: 'public' } }, (req, reply) => {
    const reason = field(req.query, 'reason');
    return reply.page('/accounts/check-mail', { reason: ['register', 'magic', 'reset'].includes(reason) ? reason : 'register' });
  });

  // Registration
  app.get('/register', { config: { access: 'public' } }, (req, reply) => {
    if (req.user) return seeOther(reply, '/account');
    return reply.page('/accounts/register');
  });

  app.post('/register', { config: { access: 'public', ...limited } }, async (req, reply) => {
    const values = { email: field(req.body, 'email'), displayName: field(req.body, 'displayName') };
    const result = await handleForm(reply, '/accounts/register', { values }, () =>
      accounts.register(ctx, { ...values, password: field(req.body, 'password'), locale: req.locale }),
    );
    if (result.ok) return checkMail(reply, 'register');
  });

  // Links from mails show a page with a button: mail scanners that open links must not use them up.
  app.get('/confirm', { config: { access: 'public' } }, async (req, reply) => {
    const token = field(req.query, 'token');
    const valid = await accounts.peekToken(ctx.db, token, 'confirm_email');
    return reply.page('/accounts/confirm', { token, valid }, valid ? 200 : 410);
  });

  app.post('/confirm', { config: { access: 'public', ...limited } }, async (req, reply) => {
    const userId = await accounts.confirmEmail(ctx, field(req.body, 'token'));
    await startSession(req, reply, userId);
    reply.flash('accounts.flash.confirmed');
    return seeOther(reply, '/account');
  });

  // Sign in with password
  app.get('/signin', { config: { access: 'public' } }, (req, reply) => {
    if (req.user) return seeOther(reply, safeNext(field(req.query, 'next'), '/account'));
    return reply.page('/accounts/signin', { values: { next: safeNext(field(req.query, 'next'), '') } });
  });

  app.post('/signin', { config: { access: 'public', ...limited } }, async (req, reply) => {
    const values = { email: field(req.body, 'email'), next: safeNext(field(req.body, 'next'), '') };
    const result = await handleForm(reply, '/accounts/signin', { values }, () =>
      accounts.signInWithPassword(ctx, values.email, field(req.body, 'password'), req.locale),
    );
    if (!result.ok) return;
    if (!result.value.ok) {
      const key = result.value.reason === 'unconfirmed' ? 'accounts.signin.unconfirmed' : 'accounts.signin.invalid';
      return reply.page('/accounts/signin', { values, errors: { form: key } }, 422);
    }
    await startSession(req, reply, result.value.userId);
    return seeOther(reply, values.next || '/account');
  });

  // Sign in with a link
  app.get('/signin/link', { config: { access: 'public' } }, (_req, reply) => reply.page('/accounts/magic-request'));

  app.post('/signin/link', { config: { access: 'public', ...limited } }, async (req, reply) => {
    const values = { email: field(req.body, 'email') };
    const result = await handleForm(reply, '/accounts/magic-request', { values }, () =>
      accounts.requestMagicLink(ctx, values.email, req.locale),
    );
    if (result.ok) return checkMail(reply, 'magic');
  });

  app.get('/signin/magic', { config: { access: 'public' } }, async (req, reply) => {
    const token = field(req.query, 'token');
    const valid = await accounts.peekToken(ctx.db, token, 'magic_link');
    return reply.page('/accounts/magic', { token, valid }, valid ? 200 : 410);
  });

  app.post('/signin/magic', { config: { access: 'public', ...limited } }, async (req, reply) => {
    const userId = await accounts.signInWithMagicLink(ctx, field(req.body, 'token'));
    await startSession(req, reply, userId);
    reply.flash('accounts.flash.signedIn');
    return seeOther(reply, '/account');
  });

  // Password reset
  app.get('/password/forgot', { config: { access: 'public' } }, (_req, reply) => reply.page('/accounts/forgot'));

  app.post('/password/forgot', { config: { access: 'public', ...limited } }, async (req, reply) => {
    const values = { email: field(req.body, 'email') };
    const result = await handleForm(reply, '/accounts/forgot', { values }, () =>
      accounts.requestPasswordReset(ctx, values.email, req.locale),
    );
    if (result.ok) return checkMail(reply, 'reset');
  });

  app.get('/password/reset', { config: { access: 'public' } }, async (req, reply) => {
    const token = field(req.query, 'token');
    const valid = await accounts.peekToken(ctx.db, token, 'password_reset');
    return reply.page('/accounts/reset', { token, valid }, valid ? 200 : 410);
  });

  app.post('/password/reset', { config: { access: 'public', ...limited } }, async (req, reply) => {
    const token = field(req.body, 'token');
    const result = await handleForm(reply, '/accounts/reset', { token, valid: true }, () =>
      accounts.resetPassword(ctx, token, field(req.body, 'password')),
    );
    if (!result.ok) return;
    await startSession(req, reply, result.value);
    reply.flash('accounts.flash.passwordChanged');
    return seeOther(reply, '/account');
  });

  // Sign out
  app.post('/signout', { config: { access: 'public' } }, async (req, reply) => {
    if (req.sessionToken) await deleteSession(ctx.db, req.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.flash('accounts.flash.signedOut');
    return seeOther(reply, '/');
  });

  // My account
  app.get('/account', { config: { access: 'signedIn' } }, (req, reply) => {
    const user = req.user!;
    return reply.page('/accounts/account', { values: { displayName: user.displayName ?? '', locale: user.locale } });
  });

  app.post('/account/profile', { config: { access: 'signedIn' } }, async (req, reply) => {
    const locale = field(req.body, 'locale');
    const values = { displayName: field(req.body, 'displayName'), locale: isLocale(locale) ? locale : req.locale };
    const result = await handleForm(reply, '/accounts/account', { values }, () => accounts.updateProfile(ctx, req.user!.id, values));
    if (!result.ok) return;
    reply.setCookie('lang', values.locale, { path: '/', sameSite: 'lax', secure, maxAge: 365 * 86_400 });
    reply.flash('accounts.flash.profileSaved');
    return seeOther(reply, '/account');
  });

  app.get('/account/delete', { config: { access: 'signedIn' } }, (_req, reply) => reply.page('/accounts/delete'));

  app.post('/account/delete', { config: { access: 'signedIn', ...limited } }, async (req, reply) => {
    const expected = req.t('accounts.delete.confirmWord');
    const result = await handleForm(reply, '/accounts/delete', { values: {} }, () =>
      accounts.deleteAccount(ctx, req.user!.id, field(req.body, 'password'), field(req.body, 'confirmation'), expected),
    );
    if (!result.ok) return;
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.flash('accounts.flash.deleted');
    return seeOther(reply, '/');
  });
}
