import type { FastifyInstance } from 'fastify';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { users } from '../modules/accounts/schema.js';
import type { AppContext } from './context.js';
import { field, safeNext, seeOther } from './http.js';
import { isLocale } from './i18n.js';
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

  // A form, not a link: works without JavaScript and changes state only with a CSRF token.
  app.post('/language', { config: { access: 'public' } }, async (req, reply) => {
    const lang = field(req.body, 'lang');
    if (isLocale(lang)) {
      reply.setCookie(LANG_COOKIE, lang, {
        path: '/',
        sameSite: 'lax',
        secure: ctx.config.baseUrl.startsWith('https:'),
        maxAge: 365 * 86_400,
      });
      if (req.user) await ctx.db.update(users).set({ locale: lang }).where(eq(users.id, req.user.id));
    }
    return seeOther(reply, safeNext(field(req.body, 'next')));
  });
}
