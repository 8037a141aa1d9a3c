import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { users } from '../src/modules/accounts/schema.js';
import { loadDemo } from '../src/modules/demo/load.js';
import { Client, createTestApp, createUser, lastLink, TEST_PASSWORD, type TestApp } from './helpers/app.js';
import { createTestDatabase, drivers } from './helpers/db.js';

const CONSULTATION = '/consultations/aktionsplan-integration-2022-2026';
const BODY_LIMIT = 4096;

/** Inline code and inline styles that a strict CSP would block (or that need 'unsafe-inline'). */
function inlineProblems(html: string): string[] {
  const problems: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (!/\ssrc\s*=/i.test(m[1]!) || m[2]!.trim() !== '') problems.push(`inline script: ${m[0].slice(0, 80)}`);
  }
  if (/<style\b/i.test(html)) problems.push('<style> element');
  for (const [tag] of html.matchAll(/<[a-zA-Z][^>]*>/g)) {
    if (/\son[a-z]+\s*=/i.test(tag)) problems.push(`event handler attribute: ${tag.slice(0, 80)}`);
    if (/\sstyle\s*=/i.test(tag)) problems.push(`style attribute: ${tag.slice(0, 80)}`);
    if (/\shx-on[:-]/i.test(tag)) problems.push(`hx-on attribute: ${tag.slice(0, 80)}`);
    if (/=\s*["']?\s*javascript:/i.test(tag)) problems.push(`javascript: URL: ${tag.slice(0, 80)}`);
  }
  return problems;
}

function setCookie(res: LightMyRequestResponse, name: string): string {
  const headers = [res.headers['set-cookie'] ?? []].flat();
  const found = headers.find((h) => h.startsWith(`${name}=`));
  if (!found) throw new Error(`no ${name} cookie set (got ${headers.join(' | ')})`);
  return found;
}

function cookieHeader(client: Client, ...names: string[]): string {
  return names.map((n) => `${n}=${client.cookie(n)}`).join('; ');
}

describe.each(drivers)('security [%s]', (driver) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(driver, { AUTH_RATE_LIMIT_MAX: '100000', BODY_LIMIT_BYTES: String(BODY_LIMIT) });
    await loadDemo(t.db);
    await createUser(t.db, 'sicher@example.org');
  });
  afterAll(() => t?.close());

  describe('CSRF', () => {
    it('refuses a form without the token with the German "Formular abgelaufen" page', async () => {
      const client = new Client(t.app);
      await client.get('/signin');
      const res = await t.app.inject({
        method: 'POST',
        url: '/signin',
        headers: { cookie: cookieHeader(client, '_csrf'), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ email: 'sicher@example.org', password: TEST_PASSWORD }).toString(),
      });
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<h1>Formular abgelaufen</h1>');
      expect(res.body).toContain('Bitte laden Sie die Seite neu und senden Sie es noch einmal.');
      expect(res.headers['set-cookie'] ?? '').not.toMatch(/sid=/);

      // The same form with its token signs in: it was only the token that was missing.
      const ok = await client.post('/signin', { email: 'sicher@example.org', password: TEST_PASSWORD });
      expect(ok.statusCode).toBe(303);
    });

    it('refuses a token that belongs to another visitor, and a token without its cookie', async () => {
      const victim = new Client(t.app);
      await victim.get('/signin');
      const attacker = new Client(t.app);
      await attacker.get('/signin');
      const ownToken = attacker.csrf;
      attacker.csrf = victim.csrf;
      const foreign = await attacker.post('/signin', { email: 'sicher@example.org', password: TEST_PASSWORD });
      expect(foreign.statusCode).toBe(403);
      expect(foreign.body).toContain('Formular abgelaufen');
      expect(attacker.cookie('sid')).toBeUndefined();

      const cookieless = await t.app.inject({
        method: 'POST',
        url: '/signin',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: victim.csrf, email: 'sicher@example.org', password: TEST_PASSWORD }).toString(),
      });
      expect(cookieless.statusCode).toBe(403);

      attacker.csrf = ownToken;
      expect((await attacker.post('/signin', { email: 'sicher@example.org', password: TEST_PASSWORD })).statusCode).toBe(303);
    });

    it('accepts the token in the header htmx sends, and answers an htmx request without it with a fragment', async () => {
      const client = new Client(t.app);
      await client.get('/signin');
      const form = new URLSearchParams({ email: 'sicher@example.org', password: 'falsches Passwort' }).toString();
      const headers = { cookie: cookieHeader(client, '_csrf'), 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' };
      const withHeader = await t.app.inject({ method: 'POST', url: '/signin', headers: { ...headers, 'x-csrf-token': client.csrf }, payload: form });
      expect(withHeader.statusCode).toBe(422);
      expect(withHeader.body).toContain('E-Mail-Adresse oder Passwort stimmen nicht.');

      const without = await t.app.inject({ method: 'POST', url: '/signin', headers, payload: form });
      expect(without.statusCode).toBe(403);
      expect(without.body).not.toContain('<html');
      expect(without.body).toContain('Formular abgelaufen');
      expect(without.headers['hx-retarget']).toBe('#messages');
    });
  });

  describe('headers and markup', () => {
    it('serves every page with a strict CSP and without inline scripts, handlers or styles', async () => {
      expect(inlineProblems('<p style="color:red" onclick="x()"><script>alert(1)</script>')).toHaveLength(3);

      const anonymous = new Client(t.app);
      const admin = new Client(t.app);
      await admin.signIn('admin@example.org', 'Demo-Passwort-2026');
      const [adminRow] = await t.db.select({ id: users.id }).from(users).where(eq(users.email, 'admin@example.org'));
      const pages: Array<[Client, string, number]> = [
        [anonymous, '/', 200],
        [anonymous, CONSULTATION, 200],
        [anonymous, '/signin', 200],
        [anonymous, '/register', 200],
        [anonymous, '/signin/link', 200],
        [anonymous, '/password/forgot', 200],
        [anonymous, '/check-mail?reason=register', 200],
        [anonymous, '/confirm?token=abgelaufen', 410],
        [anonymous, '/gibt-es-nicht', 404],
        [admin, '/account', 200],
        [admin, '/account/delete', 200],
        [admin, '/admin/users', 200],
        [admin, `/admin/users/${adminRow!.id}`, 200],
      ];
      const failures: string[] = [];
      for (const [client, url, status] of pages) {
        const res = await client.get(url);
        if (res.statusCode !== status) failures.push(`${url}: status ${res.statusCode}, expected ${status}`);
        const csp = String(res.headers['content-security-policy'] ?? '');
        if (!/(^|;)\s*script-src 'self'(;|$)/.test(csp)) failures.push(`${url}: script-src not 'self' only (${csp})`);
        if (/unsafe-inline|unsafe-eval/.test(csp)) failures.push(`${url}: CSP allows unsafe code (${csp})`);
        if (!/default-src 'self'/.test(csp) || !/frame-ancestors 'none'/.test(csp)) failures.push(`${url}: CSP incomplete (${csp})`);
        if (res.headers['x-content-type-options'] !== 'nosniff') failures.push(`${url}: no nosniff`);
        for (const problem of inlineProblems(res.body)) failures.push(`${url}: ${problem}`);
      }
      // A form that came back with errors, too.
      const invalid = await anonymous.post('/register', { email: 'x', displayName: '', password: '' });
      expect(invalid.statusCode).toBe(422);
      for (const problem of inlineProblems(invalid.body)) failures.push(`POST /register: ${problem}`);
      expect(failures).toEqual([]);
    });

    it('sets the session cookie HttpOnly and SameSite=Lax, without Secure on plain http', async () => {
      const client = new Client(t.app);
      const res = await client.signIn('sicher@example.org');
      const sid = setCookie(res, 'sid');
      expect(sid).toMatch(/;\s*HttpOnly/i);
      expect(sid).toMatch(/;\s*SameSite=Lax/i);
      expect(sid).toMatch(/;\s*Path=\//i);
      expect(sid).not.toMatch(/;\s*Secure/i);
      const csrfCookie = setCookie(await new Client(t.app).get('/signin'), '_csrf');
      expect(csrfCookie).toMatch(/;\s*HttpOnly/i);
      expect(csrfCookie).not.toMatch(/;\s*Secure/i);
      expect(res.headers['strict-transport-security']).toBeUndefined();
    });

    it('marks cookies Secure and sends HSTS when BASE_URL is https', async () => {
      const https = await createTestApp(driver, { BASE_URL: 'https://beteiligung.example.org' });
      try {
        await createUser(https.db, 'https@example.org');
        const client = new Client(https.app);
        const page = await client.get('/signin');
        expect(setCookie(page, '_csrf')).toMatch(/;\s*Secure/i);
        expect(page.headers['strict-transport-security']).toMatch(/max-age=31536000/);
        const res = await client.signIn('https@example.org');
        const sid = setCookie(res, 'sid');
        expect(sid).toMatch(/;\s*Secure/i);
        expect(sid).toMatch(/;\s*HttpOnly/i);
        expect(sid).toMatch(/;\s*SameSite=Lax/i);
        expect((await client.get('/account')).body).toContain('Ihre E-Mail-Adresse: https@example.org');
      } finally {
        await https.close();
      }
    });
  });

  describe('error pages', () => {
    it('answers an unknown address with a German 404 page, and in English for an English browser', async () => {
      const de = await t.app.inject({ method: 'GET', url: '/gibt-es-nicht' });
      expect(de.statusCode).toBe(404);
      expect(de.headers['content-type']).toMatch(/^text\/html/);
      expect(de.body).toContain('<html lang="de" dir="ltr">');
      expect(de.body).toContain('<h1>Seite nicht gefunden</h1>');
      expect(de.body).toContain('Zur Startseite');

      const en = await t.app.inject({ method: 'GET', url: '/gibt-es-nicht', headers: { 'accept-language': 'en-US,en;q=0.8,de;q=0.5' } });
      expect(en.statusCode).toBe(404);
      expect(en.body).toContain('<html lang="en" dir="ltr">');
      expect(en.body).toContain('<h1>Page not found</h1>');
      expect(en.body).not.toContain('Seite nicht gefunden');
    });

    it('answers an htmx request for an unknown address with a fragment for the message region', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/gibt-es-nicht', headers: { 'hx-request': 'true' } });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toMatch(/<html|<!doctype|<body/i);
      expect(res.body).toContain('Seite nicht gefunden');
      expect(res.headers['hx-retarget']).toBe('#messages');
      expect(res.headers['hx-reswap']).toBe('innerHTML');

      // A boosted navigation is a page change: it gets the page content, not a message.
      const boosted = await t.app.inject({ method: 'GET', url: '/gibt-es-nicht', headers: { 'hx-request': 'true', 'hx-boosted': 'true' } });
      expect(boosted.statusCode).toBe(404);
      expect(boosted.headers['hx-retarget']).toBeUndefined();
      expect(boosted.body).toContain('<h1>Seite nicht gefunden</h1>');
    });

    it('answers a body over BODY_LIMIT_BYTES with a 413 page', async () => {
      const client = new Client(t.app);
      await client.get('/register');
      const res = await client.post('/register', { email: 'gross@example.org', displayName: 'x'.repeat(BODY_LIMIT * 2), password: TEST_PASSWORD });
      expect(res.statusCode).toBe(413);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<h1>Zu viele Daten</h1>');
      expect(await t.db.select().from(users).where(eq(users.email, 'gross@example.org'))).toEqual([]);
    });

    it('never answers malformed input with a server error', async () => {
      const client = new Client(t.app);
      await client.get('/register');
      const signedIn = new Client(t.app);
      await signedIn.signIn('admin@example.org', 'Demo-Passwort-2026');
      const failures: string[] = [];
      const record = (what: string, res: LightMyRequestResponse) => {
        if (res.statusCode >= 500) failures.push(`${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      };

      const forms: Array<string | Buffer> = [
        'email[]=a&email[]=b&password[]=x&displayName[]=y',
        'email=a@example.org&email=b@example.org&password=1&password=2&displayName=x&displayName=y',
        'email=%FF%FE%00&password=%E0%A4%A&displayName=%C0%AF',
        Buffer.concat([Buffer.from('email='), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80]), Buffer.from('&password=')]),
        'email=a%00b@example.org&password=correct+horse+battery&displayName=Nul%00Name',
        'email=nul@example.org%00&password=x%00y',
        '%%%%&&&===&=&a==b',
        '__proto__[polluted]=1&constructor[prototype][polluted]=1&email=x',
        `token=${'a'.repeat(3000)}`,
        'token[]=a&token[]=b',
        'token=%00',
        'lang[]=en&next[]=//evil.example',
        'next=%00&lang=de',
        'displayName=%F0%9F%98%80%ED%A0%80&locale[]=en',
      ];
      const routes = ['/register', '/signin', '/signin/link', '/password/forgot', '/password/reset', '/confirm', '/signin/magic', '/language'];
      for (const url of routes) {
        for (const form of forms) {
          const prefix = Buffer.from(`_csrf=${encodeURIComponent(client.csrf)}&`);
          const res = await t.app.inject({
            method: 'POST',
            url,
            headers: { cookie: cookieHeader(client, '_csrf'), 'content-type': 'application/x-www-form-urlencoded' },
            payload: Buffer.concat([prefix, Buffer.from(form)]),
          });
          record(`POST ${url} ${String(form).slice(0, 40)}`, res);
        }
      }
      for (const form of forms) {
        for (const url of ['/account/profile', '/admin/users/not-a-uuid/roles']) {
          const res = await t.app.inject({
            method: 'POST',
            url,
            headers: { cookie: cookieHeader(signedIn, '_csrf', 'sid'), 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': signedIn.csrf },
            payload: Buffer.from(form),
          });
          record(`POST ${url} ${String(form).slice(0, 40)}`, res);
        }
      }
      // Bodies that are not forms at all.
      const odd: Array<[string, string | Buffer]> = [
        ['application/json', '{"email": "a@example.org", "_csrf": ['],
        ['application/json', '{"email": {"$ne": 1}, "password": ["x"]}'],
        ['text/plain', 'email=a@example.org'],
        ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na\r\n--x--'],
        ['application/x-www-form-urlencoded; charset=latin1', Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x3d, 0xe4])],
        ['garbage/;;;', 'x'],
      ];
      for (const [type, payload] of odd) {
        const res = await t.app.inject({ method: 'POST', url: '/signin', headers: { cookie: cookieHeader(client, '_csrf'), 'content-type': type }, payload });
        record(`POST /signin as ${type}`, res);
        expect(res.statusCode, type).toBeGreaterThanOrEqual(400);
      }
      // Query strings, paths and headers.
      const gets: Array<[string, Record<string, string>]> = [
        ['/confirm?token[]=a&token[]=b', {}],
        ['/confirm?token=%FF%00', {}],
        ['/signin/magic?token=%00', {}],
        [`/password/reset?token=${'x'.repeat(5000)}`, {}],
        ['/signin?next[]=/a&next=//evil', {}],
        ['/check-mail?reason[]=x', {}],
        ['/consultations/%FF%FE', {}],
        ['/consultations/a%00b', {}],
        [`/consultations/${'x'.repeat(3000)}`, {}],
        ['/%', {}],
        ['/%00', {}],
        ['/', { cookie: 'sid=%FF%00; lang=%00; flash=abc.def' }],
        ['/', { cookie: `sid=${'a'.repeat(5000)}` }],
        ['/', { 'accept-language': ';;;q=x,,*;q=-1,🙂' }],
        ['/', { 'hx-request': 'true', 'hx-boosted': 'true', 'hx-history-restore-request': 'true' }],
      ];
      for (const [url, headers] of gets) record(`GET ${url.slice(0, 60)}`, await t.app.inject({ method: 'GET', url, headers }));
      for (const url of ['/admin/users?q[]=a&role[]=admin&page=-99999999999999999999', '/admin/users?q=%00&page=NaN', '/admin/users/%00', '/admin/users/00000000-0000-0000-0000-000000000000']) {
        record(`GET ${url}`, await t.app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(signedIn, 'sid') } }));
      }
      expect(failures).toEqual([]);

      // Arrays in form fields count as missing, with the message for that field.
      await client.get('/register');
      const arrays = await client.post('/register', { email: ['a@example.org', 'b@example.org'], displayName: 'Zwei', password: TEST_PASSWORD });
      expect(arrays.statusCode).toBe(422);
      expect(arrays.body).toContain('Bitte geben Sie Ihre E-Mail-Adresse an.');
      const nul = await client.post('/signin', { email: 'a\u0000b@example.org', password: TEST_PASSWORD });
      expect(nul.statusCode).toBe(422);
    });
  });

  describe('health check', () => {
    it('reports ok with the database, and 503 once the database is gone', async () => {
      const ok = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ status: 'ok', db: 'ok' });
      expect(ok.headers['cache-control']).toBe('no-store');

      const doomed = await createTestApp(driver);
      try {
        expect((await doomed.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
        await doomed.testDb.database.close();
        const res = await doomed.app.inject({ method: 'GET', url: '/healthz' });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({ status: 'error' });
      } finally {
        await doomed.close();
      }
    });
  });
});

describe.each(drivers)('logs [%s]', (driver) => {
  it('contain no e-mail address, no token and no client address', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        callback();
      },
    });
    const testDb = await createTestDatabase(driver);
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: testDb.location.dataDir,
      BASE_URL: 'http://localhost:3000',
      MAIL_WORKER: 'false',
      LOG_LEVEL: 'trace',
    });
    const app = await buildApp({ config, database: testDb.database, logStream: stream });
    await app.ready();
    const tokens: string[] = [];
    const email = 'log.person@example.org';
    try {
      const client = new Client(app);
      await client.get('/register');
      expect((await client.post('/register', { email: 'Log.Person@Example.org', displayName: 'Protokoll', password: TEST_PASSWORD })).statusCode).toBe(303);
      const confirm = await lastLink(testDb.database.db, email, '/confirm');
      tokens.push(new URL(confirm, 'http://x').searchParams.get('token')!);
      await client.get(confirm);
      expect((await client.post('/confirm', { token: tokens[0]! })).statusCode).toBe(303);
      tokens.push(decodeURIComponent(client.cookie('sid')!));
      await client.post('/signout');

      await client.get('/signin?next=/account');
      expect((await client.post('/signin', { email, password: 'falsches Passwort' })).statusCode).toBe(422);
      expect((await client.post('/signin', { email, password: TEST_PASSWORD, next: '/account' })).statusCode).toBe(303);
      await client.post('/signout');

      await client.post('/signin/link', { email });
      await client.post('/signin/link', { email: 'unbekannt.log@example.org' });
      const magic = await lastLink(testDb.database.db, email, '/signin/magic');
      tokens.push(new URL(magic, 'http://x').searchParams.get('token')!);
      await client.get(magic);
      expect((await client.post('/signin/magic', { token: tokens.at(-1)! })).statusCode).toBe(303);
      expect((await client.post('/signin/magic', { token: tokens.at(-1)! })).statusCode).toBe(410);

      await client.post('/password/forgot', { email });
      const reset = await lastLink(testDb.database.db, email, '/password/reset');
      tokens.push(new URL(reset, 'http://x').searchParams.get('token')!);
      await client.get(reset);
      expect((await client.post('/password/reset', { token: tokens.at(-1)!, password: 'ein neues Passwort für das Log' })).statusCode).toBe(303);
      await client.get(`/gibt-es-nicht?email=${email}&token=${tokens[0]}`);
      await client.post('/register', { email: 'a\u0000b@example.org', displayName: 'Nul', password: TEST_PASSWORD });
      // A failing query carries its parameters (address, mailed link) in the error.
      await testDb.database.db.execute(sql.raw(`alter table mail_outbox add constraint test_refuse check (to_address <> 'kaputt.log@example.org')`));
      expect((await client.post('/register', { email: 'kaputt.log@example.org', displayName: 'Kaputt', password: TEST_PASSWORD })).statusCode).toBe(500);
      expect(await app.mailWorker.runOnce()).toBeGreaterThan(0);
    } finally {
      await app.close();
      await testDb.drop();
    }

    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(20);
    expect(log).toContain('"msg":"request completed"');
    expect(log).toContain('"msg":"mail sent"');
    expect(log).toContain('"path":"/password/reset"');
    const failed = lines.map((l) => JSON.parse(l) as { msg: string; err?: { type: string; message: string } }).find((l) => l.msg === 'request failed');
    expect(failed?.err?.type).toBe('DrizzleQueryError');
    expect(failed?.err?.message).toContain('insert into "mail_outbox"');
    expect(log).not.toContain('kaputt');
    expect(log).not.toContain('/confirm?token=');
    expect(log.toLowerCase()).not.toContain('log.person');
    expect(log).not.toContain('unbekannt.log');
    expect(log).not.toContain('example.org');
    expect(log).not.toContain('127.0.0.1');
    expect(log).not.toContain('Protokoll');
    for (const token of tokens) expect(log).not.toContain(token.split('.')[0]!);
  });
});
