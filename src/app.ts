import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { CACHE_CHANNEL, CacheChannel, PageCache } from './core/cache.js';
import type { AppContext } from './core/context.js';
import { Catalogue } from './core/i18n.js';
import { messages as coreMessages } from './core/messages.js';
import { coreRoutes } from './core/routes.js';
import type { FastLane } from './core/fastlane.js';
import { createEta, createFastLane, publicDir, setupWeb } from './core/web.js';
import type { Database, Db } from './db/index.js';
import { accountRoutes } from './modules/accounts/routes.js';
import { messages as accountMessages } from './modules/accounts/messages.js';
import { SessionCache } from './modules/accounts/sessions.js';
import { adminRoutes } from './modules/admin/routes.js';
import { messages as adminMessages } from './modules/admin/messages.js';
import { createTransport, MailWorker, renderMail } from './modules/mail/worker.js';
import { departmentAdminRoutes } from './modules/departments/routes.js';
import { messages as departmentMessages } from './modules/departments/messages.js';
import { compareRoutes } from './modules/plans/compare/routes.js';
import { messages as compareMessages } from './modules/plans/compare/messages.js';
import { documentRoutes } from './modules/plans/documents/routes.js';
import { messages as documentMessages } from './modules/plans/documents/messages.js';
import { editorRoutes } from './modules/plans/editor/routes.js';
import { messages as editorMessages } from './modules/plans/editor/messages.js';
import { consolidationMessages, consolidationRoutes } from './modules/consolidation/index.js';
import { participationMessages, participationRoutes } from './modules/participation/index.js';
import { messages as moderationMessages } from './modules/moderation/messages.js';
import { moderationRoutes } from './modules/moderation/routes.js';
import { messages as moderationReportsMessages } from './modules/moderation-reports/messages.js';
import { moderationReportsRoutes } from './modules/moderation-reports/routes.js';
import { messages as planMessages } from './modules/plans/messages.js';
import { planRoutes } from './modules/plans/routes.js';
import { transferRoutes } from './modules/plans/transfer/routes.js';
import { messages as transferMessages } from './modules/plans/transfer/messages.js';
import { postgresRateLimitStore } from './modules/ratelimit/store.js';
import { resolveSecret } from './modules/settings/service.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
    ctx: AppContext;
    mailWorker: MailWorker;
    cacheChannel: CacheChannel;
    fastLane: FastLane;
    sessionCache: SessionCache;
  }
}

export const catalogue = new Catalogue([
  coreMessages,
  accountMessages,
  adminMessages,
  departmentMessages,
  planMessages,
  editorMessages,
  transferMessages,
  compareMessages,
  documentMessages,
  ...participationMessages,
  moderationMessages,
  moderationReportsMessages,
  ...consolidationMessages,
]);

const htmxDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'htmx.org', 'dist');

// Error texts can quote what was sent: drizzle puts the query parameters into its message.
function scrub(text: string): string {
  return text.replace(/^params: .*$/gm, 'params: [omitted]').replace(/[^\s<>"'(),=/:]+@[^\s<>"'(),=/:]+/g, '[address]');
}

// Nothing that identifies a person is logged: no query strings (tokens), no IPs, no headers,
// no query parameters or addresses from error messages.
const serializers = {
  req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
  err: (err: { name?: string; code?: unknown; message?: unknown; stack?: unknown; cause?: unknown }) => ({
    type: err instanceof Error ? err.constructor.name : 'Error',
    code: err.code,
    message: scrub(String(err.message ?? '')),
    stack: typeof err.stack === 'string' ? scrub(err.stack) : '',
    cause: err.cause instanceof Error ? scrub(err.cause.message) : undefined,
  }),
};

export interface BuildOptions {
  config: Config;
  database: Database;
  /** Tests pass `false` to keep logs quiet. */
  logger?: boolean;
  /** Where log lines go instead of stdout (tests capture them to check what is logged). */
  logStream?: NodeJS.WritableStream;
}

export async function buildApp({ config, database, logger = true, logStream }: BuildOptions): Promise<FastifyInstance> {
  // The fast lane answers anonymous readers of cached pages in front of Fastify; it exists once
  // the page cache does, a few lines down.
  let lane: FastLane | null = null;
  const app = Fastify({
    serverFactory: (handler) =>
      http.createServer((req, res) => {
        if (!lane?.serve(req, res)) handler(req, res);
      }),
    logger: logger ? { level: config.logLevel, serializers, ...(logStream ? { stream: logStream } : {}) } : false,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true },
  });
  const secret = await resolveSecret(database.db, config.sessionSecret);
  const eta = createEta(config.env === 'production');

  const worker = new MailWorker(
    database.db,
    createTransport(config),
    (template, locale, payload) => renderMail(eta, catalogue, config, template, locale, payload),
    config,
    app.log,
  );
  const ctx: AppContext = { db: database.db, config, secret, mailQueued: () => worker.nudge() };
  app.decorate('config', config);
  app.decorate('db', database.db);
  app.decorate('ctx', ctx);
  app.decorate('mailWorker', worker);

  const cacheChannel = new CacheChannel(new PageCache(), database.db);
  await database.listen(CACHE_CHANNEL, (payload) => cacheChannel.receive(payload));
  app.decorate('cacheChannel', cacheChannel);
  const sessionCache = new SessionCache();
  cacheChannel.subscribe(sessionCache);
  app.decorate('sessionCache', sessionCache);

  // First of all hooks: anonymous readers of a cached page are answered from memory before any
  // plugin below (compression, cookies, helmet, CSRF, session) does its work (core/fastlane.ts).
  const fastLane = createFastLane(cacheChannel);
  app.decorate('fastLane', fastLane);
  lane = fastLane;
  app.addHook('onRequest', fastLane.hook);

  // Phones on slow networks: pages and assets go out compressed. Brotli at a low quality level
  // compresses almost as well as its maximum at a fraction of the CPU per response.
  await app.register(compress, {
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  await app.register(cookie, { secret, hook: 'onRequest' });
  await app.register(formbody);
  // Multipart forms (file uploads) arrive like urlencoded ones: fields as strings, so the CSRF
  // check finds body._csrf, and a file as { filename, mimetype, data }. Routes may lower or
  // raise the limits through config.multipartOptions.
  // Routes that take several files may set config.keepFiles: files beyond it are read and dropped
  // (marked `dropped`), so the form can say "too many" and keep what was typed without holding
  // every file in memory.
  const filesSeen = new WeakMap<object, number>();
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { files: 1, fileSize: 2 * 1024 * 1024, fields: 20, parts: 21, fieldSize: 2 * 1024 * 1024 },
    async onFile(part) {
      const keep = this.routeOptions.config.keepFiles;
      const seen = (filesSeen.get(this) ?? 0) + 1;
      filesSeen.set(this, seen);
      if (keep !== undefined && seen > keep) {
        for await (const _chunk of part.file);
        part.value = { filename: part.filename, mimetype: part.mimetype, data: Buffer.alloc(0), dropped: true };
        return;
      }
      part.value = { filename: part.filename, mimetype: part.mimetype, data: await part.toBuffer() };
    },
  });
  const https = config.baseUrl.startsWith('https:');
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: '_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: https, signed: true },
  });
  await app.register(rateLimit, { global: false, store: postgresRateLimitStore(database.db) });
  await app.register(fastifyStatic, { root: publicDir, prefix: '/assets/', maxAge: config.env === 'production' ? '1d' : 0 });
  await app.register(fastifyStatic, {
    root: htmxDir,
    prefix: '/assets/vendor/',
    decorateReply: false,
    allowedPath: (pathName) => pathName === '/htmx.min.js',
    maxAge: '7d',
  });

  setupWeb(app, catalogue, eta, cacheChannel, sessionCache);
  coreRoutes(app, ctx, database);
  planRoutes(app, ctx);
  compareRoutes(app, ctx);
  documentRoutes(app, ctx);
  editorRoutes(app, ctx);
  transferRoutes(app, ctx);
  accountRoutes(app, ctx);
  adminRoutes(app, ctx);
  departmentAdminRoutes(app, ctx);
  participationRoutes(app, ctx);
  moderationRoutes(app, ctx);
  moderationReportsRoutes(app, ctx);
  consolidationRoutes(app, ctx);

  app.addHook('onClose', async () => {
    await worker.stop();
  });
  return app;
}
