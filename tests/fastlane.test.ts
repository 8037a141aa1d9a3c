import http from 'node:http';
import zlib from 'node:zlib';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceChange } from '../src/core/cache.js';
import { chooseEncoding, gzipAround, matchesEtag, shareBody } from '../src/core/fastlane.js';
import { users } from '../src/modules/accounts/schema.js';
import { loadDemo } from '../src/modules/demo/load.js';
import { measures } from '../src/modules/plans/schema.js';
import { Client, createTestApp, createUser, queriesDuring, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

const measurePage = '/consultations/aktionsplan-integration-2022-2026/measures/m-jha-abendoberschule';
const original = 'Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule';

function html(res: LightMyRequestResponse): string {
  const encoding = res.headers['content-encoding'];
  const raw = res.rawPayload;
  if (encoding === 'br') return zlib.brotliDecompressSync(raw).toString('utf8');
  if (encoding === 'gzip') return zlib.gunzipSync(raw).toString('utf8');
  expect(encoding).toBeUndefined();
  return raw.toString('utf8');
}

/** The headers that must be the same on both paths (date changes by the second). */
function stable(res: LightMyRequestResponse): Record<string, unknown> {
  const { date: _date, connection: _connection, ...rest } = res.headers;
  return rest;
}

describe('fast lane helpers', () => {
  it('chooses brotli, then gzip, by what the client accepts', () => {
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('')).toBe('identity');
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip, deflate')).toBe('gzip');
    expect(chooseEncoding('deflate')).toBe('identity');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
    expect(chooseEncoding('gzip;q=1.0, br;q=0.5')).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip;q=0')).toBe('identity');
    expect(chooseEncoding('*;q=0.1, br;q=0')).toBe('gzip');
  });

  it('joins a frame and a body deflated once into one valid gzip stream', async () => {
    for (const size of [0, 1, 1000, 70_000, 400_000]) {
      const body = `<p>Maßnahme ${'Stadtteil, Schule, Verein. '.repeat(size / 27)}</p>${Math.random()}`;
      const shared = await shareBody(body);
      const prefix = `<!doctype html><title>Überschrift ${size}</title><main>`;
      const joined = gzipAround(prefix, shared, '</main>\n<footer>Fuß</footer>');
      expect(zlib.gunzipSync(joined).toString('utf8')).toBe(`${prefix}${body}</main>\n<footer>Fuß</footer>`);
    }
  });

  it('compares entity tags weakly', () => {
    expect(matchesEtag('W/"abc"', 'W/"abc"')).toBe(true);
    expect(matchesEtag('"abc"', 'W/"abc"')).toBe(true);
    expect(matchesEtag('"x", W/"abc"', 'W/"abc"')).toBe(true);
    expect(matchesEtag('*', 'W/"abc"')).toBe(true);
    expect(matchesEtag('W/"abd"', 'W/"abc"')).toBe(false);
    expect(matchesEtag(undefined, 'W/"abc"')).toBe(false);
  });
});

describe.each(drivers)('fast lane for anonymous readers [%s]', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db);
    await createUser(t.db, 'leserin@example.org');
  });
  afterAll(() => t?.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
  const hits = () => t.app.fastLane.hits;
  /** Starts from an empty cache, so the next request renders. */
  const fresh = () => t.app.cacheChannel.cache.invalidate('plans');

  it('renders the first request, answers the next ones from memory with the same bytes and headers', async () => {
    fresh();
    const before = hits();
    const first = await get(measurePage, { 'accept-encoding': 'br' });
    expect(first.statusCode).toBe(200);
    expect(hits()).toBe(before);
    const second = await get(measurePage, { 'accept-encoding': 'br' });
    expect(second.statusCode).toBe(200);
    expect(hits()).toBe(before + 1);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(stable(second)).toEqual(stable(first));
    expect(html(second)).toContain(original);
    // Helmet's headers, the language, the vary and a validator come along.
    expect(second.headers['content-security-policy']).toContain("default-src 'self'");
    expect(second.headers['x-content-type-options']).toBe('nosniff');
    expect(second.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(second.headers['content-language']).toBe('de');
    expect(second.headers.vary).toBe('HX-Request, HX-Boosted, Accept-Encoding');
    expect(second.headers.etag).toMatch(/^W\/"[\w-]+"$/);
  });

  it('answers in front of Fastify on a listening server, with the bytes the app would send', async () => {
    fresh();
    const rendered = await get(measurePage, { 'accept-encoding': 'gzip' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const raw = () =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: measurePage, headers: { 'accept-encoding': 'gzip' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
    const before = t.app.fastLane.frontHits;
    const answer = await raw();
    expect(t.app.fastLane.frontHits).toBe(before + 1);
    expect(answer.status).toBe(200);
    expect(answer.body.equals(rendered.rawPayload)).toBe(true);
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(answer.headers['content-security-policy']).toBe(rendered.headers['content-security-policy']);
    expect(answer.headers.etag).toBe(rendered.headers.etag);
    // Anything the lane does not hold still reaches Fastify on the same server.
    const frontBefore = t.app.fastLane.frontHits;
    const missing = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(missing).toBe(200);
    expect(t.app.fastLane.frontHits).toBe(frontBefore);
  });

  it('makes a page once when many readers ask for it at the same moment', async () => {
    const once = await queriesDuring(t.db, async () => {
      fresh();
      await get(measurePage, { 'accept-encoding': 'br' });
    });
    expect(once).toBeGreaterThan(0);
    const all = await queriesDuring(t.db, async () => {
      fresh();
      const pages = await Promise.all(Array.from({ length: 20 }, () => get(measurePage, { 'accept-encoding': 'br' })));
      for (const page of pages) expect(html(page)).toContain(original);
    });
    expect(all).toBe(once);
  });

  it('first sends quickly compressed bytes, then the smallest, for the same page and validator', async () => {
    fresh();
    const first = await get(measurePage, { 'accept-encoding': 'br' });
    const page = t.app.cacheChannel.cache.get(`de|${measurePage}`)?.page;
    expect(page?.best).toBeDefined();
    await page?.best;
    const later = await get(measurePage, { 'accept-encoding': 'br' });
    expect(html(later)).toBe(html(first));
    expect(later.headers.etag).toBe(first.headers.etag);
    expect(later.rawPayload.length).toBeLessThanOrEqual(first.rawPayload.length);
    expect(Number(later.headers['content-length'])).toBe(later.rawPayload.length);
  });

  it('sends brotli, gzip or plain HTML as accepted, all the same page', async () => {
    fresh();
    const plain = await get(measurePage);
    const before = hits();
    const br = await get(measurePage, { 'accept-encoding': 'gzip, deflate, br' });
    const gzip = await get(measurePage, { 'accept-encoding': 'gzip, deflate' });
    const identity = await get(measurePage);
    expect(hits()).toBe(before + 3);
    expect(br.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(identity.headers['content-encoding']).toBeUndefined();
    for (const res of [br, gzip, identity]) {
      expect(res.statusCode).toBe(200);
      expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
      expect(html(res)).toBe(html(plain));
    }
    expect(br.rawPayload.length).toBeLessThan(gzip.rawPayload.length);
    expect(gzip.rawPayload.length).toBeLessThan(identity.rawPayload.length / 2);
  });

  it('answers HEAD with the headers only', async () => {
    await get(measurePage);
    const before = hits();
    const head = await t.app.inject({ method: 'HEAD', url: measurePage, headers: { 'accept-encoding': 'br' } });
    expect(hits()).toBe(before + 1);
    expect(head.statusCode).toBe(200);
    expect(head.rawPayload.length).toBe(0);
    expect(head.headers['content-encoding']).toBe('br');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
  });

  it('answers If-None-Match with 304, on both paths', async () => {
    fresh();
    const first = await get(measurePage);
    const etag = String(first.headers.etag);
    const rendered = await get(`${measurePage}`, { 'if-none-match': '"something-else"' });
    expect(rendered.statusCode).toBe(200);
    const before = hits();
    const lane = await get(measurePage, { 'if-none-match': etag });
    expect(hits()).toBe(before + 1);
    expect(lane.statusCode).toBe(304);
    expect(lane.rawPayload.length).toBe(0);
    expect(lane.headers.etag).toBe(etag);
    // The path that renders knows the tag too.
    fresh();
    const normal = await get(measurePage, { 'if-none-match': etag });
    expect(hits()).toBe(before + 1);
    expect(normal.statusCode).toBe(304);
    expect(normal.headers.etag).toBe(etag);
  });

  it('carries no token and sets no cookie for anonymous readers', async () => {
    fresh();
    for (const res of [await get(measurePage), await get(measurePage), await get('/'), await get('/')]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body).not.toContain('csrf-token');
      expect(res.body).not.toContain('name="_csrf"');
      expect(res.body).toContain('<form method="get" action="/language"');
    }
  });

  it('never serves a session, a flash notice or an htmx request from the lane', async () => {
    await get(measurePage);
    await get(measurePage);
    const before = hits();

    const reader = new Client(t.app);
    await reader.signIn('leserin@example.org');
    const signedIn = await reader.get(measurePage);
    expect(signedIn.body).toContain(original);
    expect(signedIn.body).toContain('Abmelden');
    expect(signedIn.body).toContain('name="csrf-token"');
    expect(signedIn.body).toContain('<form method="post" action="/language"');

    const flash = `flash=${t.app.signCookie('accounts.flash.signedOut')}`;
    const withFlash = await get(measurePage, { cookie: flash });
    expect(withFlash.body).toContain('<p class="notice">');

    const boosted = await get(measurePage, { 'hx-request': 'true', 'hx-boosted': 'true' });
    expect(boosted.body).not.toContain('<html');
    const htmx = await get(measurePage, { 'hx-request': 'true' });
    expect(htmx.statusCode).toBe(200);

    // A session cookie that is no longer valid is cleared by the normal path.
    const stale = await get(measurePage, { cookie: `sid=${t.app.signCookie('not-a-session')}` });
    expect(stale.headers['set-cookie']).toMatch(/^sid=;/);

    expect(hits()).toBe(before);
  });

  it('frames the shared content for signed-in readers, compressing only their frame', async () => {
    const reader = new Client(t.app);
    await reader.signIn('leserin@example.org');
    const plain = await reader.get(measurePage);
    const compressed = await reader.get(measurePage, { 'accept-encoding': 'gzip, deflate, br' });
    expect(compressed.headers['content-encoding']).toBe('gzip');
    expect(compressed.headers.vary).toBe('HX-Request, HX-Boosted, Accept-Encoding');
    const token = /name="csrf-token" content="([^"]+)"/;
    const unzipped = zlib.gunzipSync(compressed.rawPayload).toString('utf8');
    expect(unzipped).toContain(original);
    expect(unzipped).toContain('Abmelden');
    expect(unzipped.replace(new RegExp(token.exec(unzipped)![1]!, 'g'), 'T')).toBe(plain.body.replace(new RegExp(token.exec(plain.body)![1]!, 'g'), 'T'));
    const boosted = await reader.get(measurePage, { 'accept-encoding': 'gzip', 'hx-request': 'true', 'hx-boosted': 'true' });
    const fragment = zlib.gunzipSync(boosted.rawPayload).toString('utf8');
    expect(fragment).not.toContain('<html');
    expect(fragment).toContain(original);
  });

  it('serves the language the reader asked for, by cookie before Accept-Language', async () => {
    fresh();
    await get(measurePage, { 'accept-language': 'en-GB,en;q=0.9' });
    await get(measurePage, { cookie: 'lang=de' });
    const before = hits();
    const english = await get(measurePage, { 'accept-language': 'en-GB,en;q=0.9' });
    const byCookie = await get(measurePage, { cookie: 'lang=en; _csrf=x', 'accept-language': 'de' });
    const german = await get(measurePage, { cookie: 'lang=de', 'accept-language': 'en' });
    expect(hits()).toBe(before + 3);
    expect(english.headers['content-language']).toBe('en');
    expect(english.body).toContain('<html lang="en"');
    expect(byCookie.body).toBe(english.body);
    expect(german.headers['content-language']).toBe('de');
    expect(german.body).toContain('<html lang="de"');
  });

  it('serves only the URL the page was made for', async () => {
    await get(measurePage);
    const before = hits();
    const withQuery = await get(`${measurePage}?utm=x`);
    expect(withQuery.statusCode).toBe(200);
    expect(hits()).toBe(before);
  });

  it('shows a change at the very next request', async () => {
    fresh();
    await get(measurePage);
    await get(measurePage);
    const changed = `${original} (überarbeitet)`;
    await t.db.transaction(async (tx) => {
      await tx.update(measures).set({ text: changed }).where(eq(measures.text, original));
      await announceChange(tx, 'plans');
    });
    // What a write request does before it answers: wait until this instance heard the change.
    await t.app.cacheChannel.settle();
    try {
      const before = hits();
      const next = await get(measurePage);
      expect(hits()).toBe(before);
      expect(next.body).toContain(changed);
      const after = await get(measurePage);
      expect(hits()).toBe(before + 1);
      expect(after.body).toContain(changed);
    } finally {
      await t.db.update(measures).set({ text: original }).where(eq(measures.text, changed));
      await t.app.cacheChannel.settle();
    }
  });

  it('does not serve a page whose time is up (a phase opens or closes)', async () => {
    await get(measurePage);
    const entry = t.app.cacheChannel.cache.get(`de|${measurePage}`);
    expect(entry?.page).toBeDefined();
    entry!.expires = Date.now() - 1;
    const before = hits();
    const res = await get(measurePage);
    expect(res.statusCode).toBe(200);
    expect(hits()).toBe(before);
  });
});

describe.each(drivers)('language switch without a token [%s]', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(driver);
  });
  afterAll(() => t?.close());

  it('sets the cookie and sends the reader back to a local page only', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/language?lang=en&next=%2Fconsultations%2Fx%3Fversion%3D2' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/consultations/x?version=2');
    expect(res.headers['set-cookie']).toMatch(/^lang=en;/);
    for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example', '']) {
      const away = await t.app.inject({ method: 'GET', url: `/language?lang=de&next=${encodeURIComponent(next)}` });
      expect(away.statusCode).toBe(303);
      expect(away.headers.location).toBe('/');
    }
    const unknown = await t.app.inject({ method: 'GET', url: '/language?lang=xx&next=/' });
    expect(unknown.statusCode).toBe(303);
    expect(unknown.headers['set-cookie']).toBeUndefined();
  });

  it('switches an anonymous reader through the page’s own form', async () => {
    const client = new Client(t.app);
    const page = await client.get('/');
    const form = /<form method="get" action="\/language"[^>]*>([\s\S]*?)<\/form>/.exec(page.body)?.[1] ?? '';
    expect(form).toContain('name="next" value="/"');
    expect(form).toContain('name="lang" value="en"');
    await client.get('/language?next=%2F&lang=en');
    expect((await client.get('/')).body).toContain('<html lang="en"');
  });

  it('writes nothing for a signed-in person, whose form posts', async () => {
    await createUser(t.db, 'sprache@example.org');
    const client = new Client(t.app);
    await client.signIn('sprache@example.org');
    await client.get('/language?lang=en&next=/account');
    const [user] = await t.db.select().from(users).where(eq(users.email, 'sprache@example.org'));
    expect(user?.locale).toBe('de');
    expect((await client.get('/account')).body).toContain('<html lang="en"');
    const res = await client.post('/language', { lang: 'en', next: '/account' });
    expect(res.statusCode).toBe(303);
    const [saved] = await t.db.select().from(users).where(eq(users.email, 'sprache@example.org'));
    expect(saved?.locale).toBe('en');
  });
});
