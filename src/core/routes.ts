import type { FastifyInstance, FastifyReply } from 'fastify';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { users } from '../modules/accounts/schema.js';
import { announceUserChange } from '../modules/accounts/sessions.js';
import type { AppContext } from './context.js';
import { field, safeNext, seeOther } from './http.js';
import { isLocale, type Locale } from './i18n.js';
import { LANG_COOKIE } from './web.js';

export function coreRoutes(app: FastifyInstance, ctx: AppContext, database: Database): void {
  app.get('/healthz', { config: { access: 'public' } }, async (_req, reply) => {
    try {
      await database.ping();
      return reply.header('cache-control', 'no-store').send({ status: 'ok', db: 'ok' });
    } catch {
      return reply.code(503).header('cache-control', 'no-store').send({ status: 'error', db: 'unavailable' });
    }
  });

  function remember(reply: FastifyReply, lang: Locale): void {
    reply.setCookie(LANG_COOKIE, lang, {
      path: '/',
      sameSite: 'lax',
      secure: ctx.config.baseUrl.startsWith('https:'),
      maxAge: 365 * 86_400,
    });
  }

  // Anonymous readers switch language with a plain GET form: it only sets the language cookie
  // (nothing is written), so their pages need no CSRF token and stay the same for everyone.
  app.get('/language', { config: { access: 'public' } }, (req, reply) => {
    const lang = field(req.query, 'lang');
    if (isLocale(lang)) remember(reply, lang);
    return seeOther(reply.header('cache-control', 'no-store'), safeNext(field(req.query, 'next')));
  });

  // Signed-in people use a form with a CSRF token: their choice is kept on the account too.
  app.post('/language', { config: { access: 'public' } }, async (req, reply) => {
    const lang = field(req.body, 'lang');
    if (isLocale(lang)) {
      remember(reply, lang);
      const user = req.user;
      if (user) {
        await ctx.db.transaction(async (tx) => {
          await tx.update(users).set({ locale: lang }).where(eq(users.id, user.id));
          await announceUserChange(tx, user.id);
        });
      }
    }
    return seeOther(reply, safeNext(field(req.body, 'next')));
  });
}
