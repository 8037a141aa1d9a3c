import crypto from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { PageCache } from './cache.js';
import { isLocale, type Locale, negotiateLocale } from './i18n.js';

/**
 * The fast lane: anonymous readers of a cached page get it straight from memory.
 *
 * A page that is the same for every anonymous reader in a language (no session, no flash notice,
 * no CSRF token: see `cachedPage` in web.ts) is framed once into a `FramedPage`: the whole HTML
 * as identity, brotli and gzip bytes with their response headers, captured from the reply that
 * framed it (helmet's headers, content type and language, vary), so the two paths cannot drift.
 * A root `onRequest` hook, registered before every other plugin, answers later requests for the
 * same URL and language from those buffers, before cookies are parsed, CSRF secrets read, the
 * session loaded or anything compressed. The buffers live on the PageCache entry, so a change
 * announced on the cache channel, the entry's own expiry and LRU eviction drop them too.
 */

export type Encoding = 'br' | 'gzip' | 'identity';

export interface FramedPage {
  /** Weak: the same HTML is sent in three encodings. */
  etag: string;
  bodies: Record<Encoding, Buffer>;
  headers: Record<Encoding, OutgoingHttpHeaders>;
  /** For a 304: the same headers without content length, type or encoding. */
  notModified: OutgoingHttpHeaders;
  /** Settles when the best brotli bytes have replaced the quick ones (tests wait for it). */
  best?: Promise<void>;
}

/** What the fast lane needs to know about the app's cookies. */
export interface LaneCookies {
  session: string;
  flash: string;
  lang: string;
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Headers of the reply that framed the page that do not belong to every later reader. */
const PERSONAL_OR_PER_BODY = new Set(['set-cookie', 'content-length', 'content-encoding', 'transfer-encoding', 'etag']);

/** Brotli at a quality that compresses a large page in milliseconds, nearly as small as the best. */
const QUICK_BROTLI = 5;

function brotliAt(identity: Buffer, quality: number): Promise<Buffer> {
  return brotli(identity, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
    },
  });
}

/**
 * Frames a page once, on the thread pool, with the headers of `captured` minus what is personal
 * (cookies) or depends on the body. Brotli first at a quick quality, so the page is ready in
 * milliseconds even right after a change; then, in the background, at its best quality (slow:
 * half a second for a 370 KB plan), which replaces the quick bytes when done. Both are the same
 * HTML, so the validator stays.
 */
export async function framePage(html: string, captured: Record<string, unknown>): Promise<FramedPage> {
  const identity = Buffer.from(html, 'utf8');
  const [br, gz] = await Promise.all([brotliAt(identity, QUICK_BROTLI), gzip(identity, { level: zlib.constants.Z_BEST_COMPRESSION })]);
  const etag = `W/"${crypto.createHash('sha256').update(identity).digest('base64url').slice(0, 32)}"`;
  const base: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(captured)) {
    const lower = name.toLowerCase();
    if (PERSONAL_OR_PER_BODY.has(lower) || value === undefined) continue;
    base[lower] = value as OutgoingHttpHeaders[string];
  }
  base.etag = etag;
  const notModified = { ...base };
  delete notModified['content-type'];
  const page: FramedPage = {
    etag,
    bodies: { br, gzip: gz, identity },
    headers: {
      br: { ...base, 'content-encoding': 'br', 'content-length': br.length },
      gzip: { ...base, 'content-encoding': 'gzip', 'content-length': gz.length },
      identity: { ...base, 'content-length': identity.length },
    },
    notModified,
  };
  page.best = brotliAt(identity, zlib.constants.BROTLI_MAX_QUALITY).then(
    (best) => {
      if (best.length >= page.bodies.br.length) return;
      // Body and length are swapped together: nothing runs between these two assignments.
      page.bodies = { ...page.bodies, br: best };
      page.headers = { ...page.headers, br: { ...page.headers.br, 'content-length': best.length } };
    },
    () => {},
  );
  return page;
}

/** Which of brotli and gzip a client accepts: `*` accepts both, `q=0` refuses. */
export function acceptedEncodings(header: string | string[] | undefined): { br: number; gzip: number } {
  if (!header) return { br: 0, gzip: 0 };
  const text = Array.isArray(header) ? header.join(',') : header;
  // The common case, e.g. "gzip, deflate, br, zstd": no weights at all.
  if (!text.includes('q=')) {
    const any = text.includes('*') ? 1 : 0;
    return { br: text.includes('br') ? 1 : any, gzip: text.includes('gzip') ? 1 : any };
  }
  let br: number | undefined;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of text.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    const value = Number.isFinite(weight) ? weight : 0;
    if (token === 'br') br = value;
    else if (token === 'gzip' || token === 'x-gzip') gzip = value;
    else if (token === '*') any = value;
  }
  return { br: br ?? any ?? 0, gzip: gzip ?? any ?? 0 };
}

/**
 * The best encoding the client accepts, the server preferring brotli over gzip at equal weight
 * (as @fastify/compress does).
 */
export function chooseEncoding(header: string | string[] | undefined): Encoding {
  const { br, gzip } = acceptedEncodings(header);
  if (br > 0 && br >= gzip) return 'br';
  if (gzip > 0) return 'gzip';
  return 'identity';
}

/** Whether If-None-Match names this entity (weak comparison, as for GET). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const part of header.split(',')) {
    const tag = part.trim();
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === bare) return true;
  }
  return false;
}

/** The cookies the fast lane looks at, read without decoding anything else. */
interface LaneCookieValues {
  personal: boolean;
  lang: string | undefined;
}

function readCookies(header: string | undefined, names: LaneCookies): LaneCookieValues {
  const found: LaneCookieValues = { personal: false, lang: undefined };
  if (!header) return found;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    const name = (eq === -1 ? pair : pair.slice(0, eq)).trim();
    if (name === names.session || name === names.flash) {
      found.personal = true;
      return found;
    }
    if (name === names.lang && eq !== -1) found.lang = pair.slice(eq + 1).trim();
  }
  return found;
}

/** Accept-Language headers repeat; negotiating each one once is enough. */
class LocaleMemo {
  private readonly memo = new Map<string, Locale>();

  get(header: string | undefined): Locale {
    if (!header) return negotiateLocale(undefined);
    let locale = this.memo.get(header);
    if (locale === undefined) {
      locale = negotiateLocale(header);
      if (this.memo.size >= 500) this.memo.clear();
      this.memo.set(header, locale);
    }
    return locale;
  }
}

export class FastLane {
  /** Requests answered by the lane (tests and the bench read it). */
  hits = 0;
  /** Of those, answered in front of Fastify by `serve`. */
  frontHits = 0;
  private readonly locales = new LocaleMemo();

  constructor(
    private readonly cache: PageCache,
    private readonly cookies: LaneCookies,
  ) {}

  /** The language an anonymous request is served in: as the session hook decides it. */
  localeOf(cookieLang: string | undefined, acceptLanguage: string | undefined): Locale {
    return isLocale(cookieLang) ? cookieLang : this.locales.get(acceptLanguage);
  }

  /** The root onRequest hook (for requests that reach Fastify, e.g. app.inject in tests). */
  readonly hook = (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const page = this.lookup(req.raw);
    if (!page) {
      done();
      return;
    }
    reply.hijack();
    // Answered: no done(), the request ends here.
    this.answer(req.raw, reply.raw, page);
  };

  /**
   * In front of Fastify (see `serverFactory` in app.ts): a hit is answered before Fastify builds
   * its request and reply objects, routes or runs a hook, like a caching proxy in the process.
   * Returns false when the request is not the lane's.
   */
  readonly serve = (req: IncomingMessage, res: ServerResponse): boolean => {
    const page = this.lookup(req);
    if (!page) return false;
    this.frontHits++;
    this.answer(req, res, page);
    return true;
  };

  private lookup(req: IncomingMessage): FramedPage | undefined {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const headers = req.headers;
    if (headers['hx-request'] !== undefined) return undefined;
    const cookies = readCookies(headers.cookie, this.cookies);
    if (cookies.personal) return undefined;
    const locale = this.localeOf(cookies.lang, headers['accept-language']);
    return this.cache.get(`${locale}|${req.url}`)?.page;
  }

  private answer(req: IncomingMessage, res: ServerResponse, page: FramedPage): void {
    this.hits++;
    const headers = req.headers;
    if (matchesEtag(headers['if-none-match'], page.etag)) {
      res.writeHead(304, page.notModified);
      res.end();
      return;
    }
    const encoding = chooseEncoding(headers['accept-encoding']);
    res.writeHead(200, page.headers[encoding]);
    if (req.method === 'HEAD') res.end();
    else res.end(page.bodies[encoding]);
  }
}

/*
 * Signed-in readers get the shared content in a frame of their own (navigation, CSRF token), so
 * their pages cannot come from the lane. What can be shared is the compression: the body is
 * deflated once, and each request only deflates its frame and joins the three parts into one
 * gzip stream (deflate blocks may follow each other when each part ends on a sync flush; the
 * CRC of the whole is combined from the parts' CRCs).
 */

export interface SharedBody {
  identity: Buffer;
  /** Raw deflate, ended with a sync flush (byte-aligned, not final). */
  deflated: Buffer;
  crc: number;
  /** The CRC-32 operator for appending `identity.length` bytes (zlib's crc32_combine). */
  shift: Uint32Array;
}

const deflateRaw = promisify(zlib.deflateRaw);
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);

function gf2Times(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  for (let i = 0, v = vector >>> 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= matrix[i]!;
  return sum >>> 0;
}

function gf2Square(square: Uint32Array, matrix: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(matrix, matrix[n]!);
}

/** The matrix that advances a CRC-32 over `length` zero bytes (after zlib's crc32_combine). */
function crcShift(length: number): Uint32Array {
  // Operator for one zero bit, then squared up to one byte, then by powers of two of bytes.
  let odd = new Uint32Array(32);
  let even = new Uint32Array(32);
  odd[0] = 0xedb88320;
  for (let n = 1; n < 32; n++) odd[n] = (1 << (n - 1)) >>> 0;
  gf2Square(even, odd); // 2 bits
  gf2Square(odd, even); // 4 bits
  const result = new Uint32Array(32);
  for (let n = 0; n < 32; n++) result[n] = (1 << n) >>> 0; // identity
  let remaining = length;
  while (remaining > 0) {
    gf2Square(even, odd); // 8, 32, 128… bits: one, four, sixteen… bytes on the first rounds
    [odd, even] = [even, odd];
    if (remaining % 2 === 1) for (let n = 0; n < 32; n++) result[n] = gf2Times(odd, result[n]!);
    remaining = Math.floor(remaining / 2);
  }
  return result;
}

export async function shareBody(body: string): Promise<SharedBody> {
  const identity = Buffer.from(body, 'utf8');
  const deflated = await deflateRaw(identity, { level: zlib.constants.Z_BEST_COMPRESSION, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return { identity, deflated, crc: zlib.crc32(identity), shift: crcShift(identity.length) };
}

/** One gzip stream of `prefix`, the shared body and `suffix`. */
export function gzipAround(prefix: string, shared: SharedBody, suffix: string): Buffer {
  const head = Buffer.from(prefix, 'utf8');
  const tail = Buffer.from(suffix, 'utf8');
  const options = { level: 6, memLevel: 8 };
  const headDeflated = zlib.deflateRawSync(head, { ...options, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const tailDeflated = zlib.deflateRawSync(tail, options);
  const crcHeadBody = (gf2Times(shared.shift, zlib.crc32(head)) ^ shared.crc) >>> 0;
  const crc = zlib.crc32(tail, crcHeadBody);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE((head.length + shared.identity.length + tail.length) % 2 ** 32, 4);
  return Buffer.concat([GZIP_HEADER, headDeflated, shared.deflated, tailDeflated, trailer]);
}
