import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, type SessionCache } from '../modules/accounts/sessions.js';
import { type Access, type CurrentUser, checkAccess, isFrameworkRoute, signInUrl } from './access.js';
import { type CacheChannel, type CacheEntry, trackWrites, type WriteTracking } from './cache.js';
import { DomainError, NotFoundError } from './errors.js';
import { acceptedEncodings, chooseEncoding, FastLane, framePage, gzipAround, matchesEtag, shareBody } from './fastlane.js';
import { isBoosted, isHtmx } from './http.js';
import { type Catalogue, defaultLocale, directionOf, isLocale, type Locale, locales, negotiateLocale, type Translate } from './i18n.js';

export interface CachedPageOptions {
  key: string;
  tags: readonly string[];
  template: string;
  load: () => Promise<({ title: string; validUntil?: Date | null } & Record<string, unknown>) | null>;
}

export interface AccessRule {
  method: string;
  url: string;
  access: Access;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its access rule: the role matrix test walks this list. */
    accessRules: AccessRule[];
  }
  interface FastifyRequest {
    locale: Locale;
    t: Translate;
    user: CurrentUser | null;
    sessionToken: string | null;
    flashKey: string | null;
    /** Write requests: whether they announced a change to cached content. */
    writes?: WriteTracking;
  }
  interface FastifyReply {
    /** Renders a page template (which chooses its layout) with the shared view context. */
    page(template: string, data?: Record<string, unknown>, status?: number): FastifyReply;
    /** Renders a template on its own, for htmx fragments. */
    fragment(template: string, data?: Record<string, unknown>, status?: number): FastifyReply;
    /** A one-time notice shown on the next page, e.g. after a redirect. */
    flash(messageKey: string): void;
    /**
     * A page whose content is the same for every reader in a language: rendered once, kept in
     * the page cache until a change tagged with one of `tags` is announced, and framed per
     * request by the layout (which holds the personal parts: navigation, CSRF token).
     * `load` returns the template data with a `title`, or null for 404.
     */
    cachedPage(options: CachedPageOptions): Promise<FastifyReply>;
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const viewsDir = path.resolve(here, '..', '..', 'views');
export const publicDir = path.resolve(here, '..', '..', 'public');

export const LANG_COOKIE = 'lang';
export const FLASH_COOKIE = 'flash';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Where the shared content goes in a signed-in reader's frame. */
const BODY_SLOT = '<!--body-slot-7d1f0c2a-->';
/** Pages differ by these request headers (htmx navigations get the body only) and encoding. */
const PAGE_VARY = 'HX-Request, HX-Boosted, Accept-Encoding';

/**
 * The fast lane for anonymous readers of cached pages (core/fastlane.ts). Register its hook on
 * the root instance before any other plugin: hooks run in the order they were added.
 */
export function createFastLane(cacheChannel: CacheChannel): FastLane {
  return new FastLane(cacheChannel.cache, { session: SESSION_COOKIE, flash: FLASH_COOKIE, lang: LANG_COOKIE });
}

/**
 * Plan content is written in the city's language (German); a page in another language marks
 * each content text with its language so screen readers pronounce it right (WCAG 3.1.2).
 */
export const CONTENT_LANGUAGE = 'de';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** `<%~ it.content(text) %>`: the escaped text, wrapped with its language when that differs. */
function contentHelper(locale: string): (text: string | null | undefined) => string {
  if (locale === CONTENT_LANGUAGE) return (text) => escapeHtml(text ?? '');
  return (text) => (text ? `<span lang="${CONTENT_LANGUAGE}">${escapeHtml(text)}</span>` : '');
}

export function createEta(production: boolean): Eta {
  return new Eta({ views: viewsDir, cache: production, autoEscape: true, autoTrim: [false, 'nl'] });
}

export function setupWeb(app: FastifyInstance, catalogue: Catalogue, eta: Eta, cacheChannel: CacheChannel, sessionCache: SessionCache): void {
  const { config } = app;
  const translators = Object.fromEntries(locales.map((l) => [l, catalogue.translator(l)])) as Record<Locale, Translate>;
  const secureCookies = config.baseUrl.startsWith('https:');

  app.decorateRequest('locale', defaultLocale);
  app.decorateRequest('t', null as unknown as Translate);
  app.decorateRequest('user', null);
  app.decorateRequest('sessionToken', null);
  app.decorateRequest('flashKey', null);

  // Session, language and access in one hook, before the body is read: a request without the
  // right role is refused without parsing anything it sent.
  app.addHook('onRequest', async (req, reply) => {
    req.t = translators[defaultLocale];
    const signed = req.cookies[SESSION_COOKIE];
    if (signed) {
      const unsigned = req.unsignCookie(signed);
      if (unsigned.valid && unsigned.value) {
        req.user = await sessionCache.load(app.db, unsigned.value, config.sessionDays);
        if (req.user) req.sessionToken = unsigned.value;
      }
      if (!req.user) reply.clearCookie(SESSION_COOKIE, { path: '/' });
    }
    const cookieLang = req.cookies[LANG_COOKIE];
    req.locale = isLocale(cookieLang)
      ? cookieLang
      : req.user && isLocale(req.user.locale)
        ? req.user.locale
        : negotiateLocale(req.headers['accept-language']);
    req.t = translators[req.locale];
    // A boosted htmx navigation replaces only <body>; public/app.js sets <html lang> from this.
    reply.header('content-language', req.locale);
    const flash = req.cookies[FLASH_COOKIE];
    if (flash) {
      const unsigned = req.unsignCookie(flash);
      if (unsigned.valid && unsigned.value && catalogue.has(req.locale, unsigned.value)) req.flashKey = unsigned.value;
    }

    const routeConfig = req.routeOptions.config;
    const outcome = checkAccess(routeConfig?.access, req.user);
    if (outcome === 'signin') {
      if (SAFE_METHODS.has(req.method)) {
        if (isHtmx(req)) return reply.header('hx-redirect', signInUrl(req)).code(401).send();
        return reply.redirect(signInUrl(req), 303);
      }
      return renderError(req, reply, 401, 'errors.unauthorized');
    }
    if (outcome === 'forbidden') return renderError(req, reply, 403, 'errors.forbidden');
  });

  app.addHook('preHandler', (req, reply, done) => {
    if (SAFE_METHODS.has(req.method)) return done();
    app.csrfProtection(req, reply, done);
  });

  app.decorate('accessRules', [] as AccessRule[]);
  app.addHook('onRoute', (route) => {
    if (isFrameworkRoute(route.url, route.method)) return;
    const access = route.config?.access;
    if (access === undefined) throw new Error(`Route ${String(route.method)} ${route.url} declares no access rule`);
    for (const method of [route.method].flat()) app.accessRules.push({ method, url: route.url, access });
  });

  function context(req: FastifyRequest, reply: FastifyReply, data: Record<string, unknown>): Record<string, unknown> {
    const flashKey = req.flashKey;
    if (flashKey) {
      reply.clearCookie(FLASH_COOKIE, { path: '/' });
      req.flashKey = null;
    }
    let csrfToken: string | undefined;
    return {
      // Made when a template asks for it (a form, the signed-in layout): a page without one sets
      // no CSRF cookie, so an anonymous page stays the same for every reader and cacheable.
      get csrfToken(): string {
        csrfToken ??= reply.generateCsrf();
        return csrfToken;
      },
      t: req.t,
      locale: req.locale,
      dir: directionOf(req.locale),
      locales,
      user: req.user,
      path: req.url.split('?')[0],
      url: req.url,
      flash: flashKey ? req.t(flashKey) : null,
      fragment: isBoosted(req),
      passwordMin: config.passwordMinLength,
      content: contentHelper(req.locale),
      errors: {},
      values: {},
      ...data,
    };
  }

  app.decorateReply('page', function (this: FastifyReply, template: string, data = {}, status = 200) {
    const html = eta.render(template, context(this.request, this, data));
    return this.code(status).type('text/html; charset=utf-8').header('vary', 'HX-Request, HX-Boosted').send(html);
  });

  const rendering = new Map<string, Promise<CacheEntry>>();

  /** Loads and renders a cached page's shared content and stores it (unless a change came in between). */
  async function renderShared(req: FastifyRequest, key: string, options: CachedPageOptions): Promise<CacheEntry> {
    const { cache } = cacheChannel;
    const started = cache.begin(options.tags);
    const data = await options.load();
    if (data === null) throw new NotFoundError();
    // Shared content sees no person: no user, no token.
    const body = eta.render(options.template, {
      t: req.t,
      locale: req.locale,
      dir: directionOf(req.locale),
      user: null,
      content: contentHelper(req.locale),
      ...data,
    });
    const entry: CacheEntry = { title: data.title, body, tags: options.tags, expires: data.validUntil?.getTime() };
    cache.set(key, entry, started);
    return entry;
  }

  app.decorateReply('cachedPage', async function (this: FastifyReply, options: CachedPageOptions) {
    const req = this.request;
    const key = `${req.locale}|${options.key}`;
    const { cache } = cacheChannel;
    let entry = cache.get(key);
    if (!entry) {
      // Readers arriving while the page is being made wait for that one rendering instead of
      // each starting their own (right after a change, a popular page has many at once).
      let making = rendering.get(key);
      if (!making) {
        making = renderShared(req, key, options).finally(() => rendering.delete(key));
        rendering.set(key, making);
      }
      entry = await making;
    }
    // Anonymous readers of the canonical URL get the whole page, framed once: the anonymous
    // layout carries nothing personal (no CSRF token, no navigation of their own). This reply
    // goes through the hooks as usual; later ones come from the fast lane, with the headers
    // captured here.
    if (!req.user && !req.flashKey && !isBoosted(req) && req.url === options.key) {
      this.code(200).type('text/html; charset=utf-8').header('vary', PAGE_VARY);
      const framed = entry;
      framed.framing ??= framePage(eta.render('/layout', context(req, this, { title: entry.title, body: entry.body })), this.getHeaders()).then(
        (page) => {
          framed.page = page;
          return page;
        },
      );
      const page = await framed.framing;
      if (matchesEtag(req.headers['if-none-match'], page.etag)) return this.code(304).headers(page.notModified).send();
      const encoding = chooseEncoding(req.headers['accept-encoding']);
      return this.headers(page.headers[encoding]).send(page.bodies[encoding]);
    }
    // Everyone else gets the content in a frame of their own. Only the frame is rendered and
    // compressed per request: the body was deflated once (see gzipAround).
    entry.shared ??= shareBody(entry.body);
    const shared = await entry.shared;
    const [prefix = '', suffix = ''] = eta.render('/layout', context(req, this, { title: entry.title, body: BODY_SLOT })).split(BODY_SLOT);
    this.code(200).type('text/html; charset=utf-8').header('vary', PAGE_VARY);
    if (acceptedEncodings(req.headers['accept-encoding']).gzip > 0) {
      return this.header('content-encoding', 'gzip').send(gzipAround(prefix, shared, suffix));
    }
    return this.send(prefix + entry.body + suffix);
  });

  // A write request notes whether it announced a change (announceChange marks the record).
  app.addHook('onRequest', (req, _reply, done) => {
    if (SAFE_METHODS.has(req.method)) return done();
    const record: WriteTracking = { announced: false };
    req.writes = record;
    trackWrites(record, done);
  });

  // After a write, wait until this instance has dropped what the write made stale, so the page
  // the browser is redirected to is fresh. Reads pay nothing for it, and so does a write that
  // changed nothing anyone sees (a guest's unconfirmed comment): anonymous writes announce their
  // changes explicitly, while signed-in staff also change plan tables, whose triggers announce.
  app.addHook('onSend', (req, reply, payload, done) => {
    if (SAFE_METHODS.has(req.method) || reply.statusCode >= 400) return done(null, payload);
    if (!req.user && !req.writes?.announced) return done(null, payload);
    cacheChannel.settle().then(
      () => done(null, payload),
      (error: Error) => done(error),
    );
  });

  app.decorateReply('fragment', function (this: FastifyReply, template: string, data = {}, status = 200) {
    const html = eta.render(template, context(this.request, this, data));
    return this.code(status).type('text/html; charset=utf-8').send(html);
  });

  app.decorateReply('flash', function (this: FastifyReply, messageKey: string) {
    this.setCookie(FLASH_COOKIE, messageKey, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies,
      signed: true,
      maxAge: 120,
    });
  });

  function renderError(req: FastifyRequest, reply: FastifyReply, status: number, key: string, messageKey?: string, params?: Record<string, string | number>) {
    if (!req.t) req.t = translators[defaultLocale];
    const data = {
      status,
      title: req.t(`${key}.title`),
      text: req.t(messageKey ?? `${key}.text`, params),
    };
    if (isHtmx(req) && !isBoosted(req)) {
      // A fragment request that fails shows its message in the page's live region.
      return reply.header('hx-retarget', '#messages').header('hx-reswap', 'innerHTML').fragment('/errors/fragment', data, status);
    }
    return reply.page('/errors/page', data, status);
  }

  app.setNotFoundHandler((req, reply) => renderError(req, reply, 404, 'errors.notFound'));

  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof DomainError) {
      const base = `errors.${{ 401: 'unauthorized', 403: 'forbidden', 404: 'notFound', 409: 'conflict', 410: 'gone', 429: 'rateLimited', 503: 'busy' }[error.status] ?? 'badRequest'}`;
      return renderError(req, reply, error.status, base, error.messageKey, error.params);
    }
    if (error.code?.startsWith('FST_CSRF')) return renderError(req, reply, 403, 'errors.csrf');
    const status = error.statusCode ?? 500;
    if (status === 413) return renderError(req, reply, 413, 'errors.tooLarge');
    if (status === 429) return renderError(req, reply, 429, 'errors.rateLimited');
    if (status >= 400 && status < 500) return renderError(req, reply, status, 'errors.badRequest');
    req.log.error({ err: error }, 'request failed');
    return renderError(req, reply, 500, 'errors.server');
  });
}
