import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { openPostgres } from '../src/db/index.js';
import { authTokens, sessions, userRoles, users } from '../src/modules/accounts/schema.js';
import { mailOutbox } from '../src/modules/mail/schema.js';
import { rateLimits } from '../src/modules/ratelimit/schema.js';
import { Client, createTestApp, createUser, lastLink, outbox, TEST_PASSWORD, type TestApp } from './helpers/app.js';
import { type Driver, drivers } from './helpers/db.js';

const NEW_PASSWORD = 'ein ganz neues Passwort';

const text = {
  emailInvalid: 'Das sieht nicht wie eine E-Mail-Adresse aus, zum Beispiel name@beispiel.de.',
  passwordTooShort: 'Das Passwort ist zu kurz: Es braucht mindestens 10 Zeichen.',
  displayNameRequired: 'Bitte geben Sie einen Anzeigenamen an.',
  signinInvalid: 'E-Mail-Adresse oder Passwort stimmen nicht.',
  signinUnconfirmed: 'Ihre E-Mail-Adresse ist noch nicht bestätigt. Wir haben Ihnen einen neuen Bestätigungslink geschickt.',
  linkInvalid: 'Dieser Link ist abgelaufen oder wurde bereits verwendet. Bitte fordern Sie einen neuen an.',
  linkInvalidTitle: 'Link nicht mehr gültig',
  confirmButton: 'Adresse bestätigen',
  magicButton: 'Jetzt anmelden',
  confirmedFlash: 'Danke! Ihre E-Mail-Adresse ist bestätigt und Sie sind angemeldet.',
  passwordWrong: 'Das Passwort stimmt nicht.',
  deletedFlash: 'Ihr Konto ist gelöscht. Ihre Beiträge bleiben anonym erhalten.',
  deleteExplainKept: 'Ihre Beiträge bleiben Teil des Beteiligungsverfahrens',
  deleteExplainAnonymous: 'sie werden aber anonym angezeigt, ohne Namen und ohne Verbindung zu Ihnen',
  rateLimitedTitle: 'Zu viele Versuche',
} as const;

/** The text of a field's error message, or null when the field shows none. */
function fieldError(body: string, name: string): string | null {
  const match = new RegExp(`<p class="field-error" id="field-${name}-error">([\\s\\S]*?)</p>`).exec(body);
  return match ? match[1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim() : null;
}

function inputValue(body: string, name: string): string | null {
  const match = new RegExp(`<input id="field-${name}"[^>]*?value="([^"]*)"`).exec(body);
  return match ? match[1]! : null;
}

function tokenOf(link: string): string {
  const token = new URL(link, 'http://x').searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

/** Same page, ignoring the per-render CSRF token and the address typed into the form. */
function normalised(res: LightMyRequestResponse, email: string): string {
  return res.body.replace(/(name="csrf-token" content=|name="_csrf" value=)"[^"]*"/g, '$1"…"').replaceAll(email, '[email]');
}

async function register(client: Client, email: string, displayName = 'Mira', password = TEST_PASSWORD) {
  await client.get('/register');
  return client.post('/register', { email, displayName, password });
}

async function mailsTo(t: TestApp, to: string) {
  return (await outbox(t.db)).filter((m) => m.toAddress === to);
}

/** A second app instance on the same database (its own connection on PostgreSQL). */
async function secondInstance(t: TestApp, driver: Driver): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const url = t.testDb.location.databaseUrl;
  const database = driver === 'postgres' && url ? await openPostgres(url, { max: 2 }) : t.testDb.database;
  const app = await buildApp({ config: t.config, database, logger: false });
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      if (database !== t.testDb.database) await database.close();
    },
  };
}

describe.each(drivers)('accounts over HTTP [%s]', (driver) => {
  let t: TestApp;

  // The rate limit has its own test below; here it must not get in the way of many sign-ins.
  beforeAll(async () => {
    t = await createTestApp(driver, { AUTH_RATE_LIMIT_MAX: '100000' });
  });
  afterAll(() => t?.close());

  describe('registration', () => {
    it('answers invalid input with 422, a message per field, and keeps what was typed except the password', async () => {
      const client = new Client(t.app);
      const typedPassword = 'kurz12';
      const res = await register(client, 'keine-adresse', '', typedPassword);
      expect(res.statusCode).toBe(422);
      expect(fieldError(res.body, 'email')).toBe(`Fehler: ${text.emailInvalid}`);
      expect(fieldError(res.body, 'password')).toBe(`Fehler: ${text.passwordTooShort}`);
      expect(fieldError(res.body, 'displayName')).toBe(`Fehler: ${text.displayNameRequired}`);
      expect(res.body).toContain('Bitte prüfen Sie Ihre Eingaben');
      expect(inputValue(res.body, 'email')).toBe('keine-adresse');
      expect(res.body).not.toContain(typedPassword);
      expect(await mailsTo(t, 'keine-adresse')).toEqual([]);

      // One field wrong at a time: only that field complains, the others keep their values.
      const onlyName = await client.post('/register', { email: 'nur-name@example.org', displayName: '', password: TEST_PASSWORD });
      expect(onlyName.statusCode).toBe(422);
      expect(fieldError(onlyName.body, 'displayName')).toBe(`Fehler: ${text.displayNameRequired}`);
      expect(fieldError(onlyName.body, 'email')).toBeNull();
      expect(fieldError(onlyName.body, 'password')).toBeNull();
      expect(inputValue(onlyName.body, 'email')).toBe('nur-name@example.org');
      expect(onlyName.body).not.toContain(TEST_PASSWORD);

      const onlyPassword = await client.post('/register', { email: 'nur-passwort@example.org', displayName: 'Anna & Ömer', password: 'zu kurz' });
      expect(onlyPassword.statusCode).toBe(422);
      expect(fieldError(onlyPassword.body, 'password')).toBe(`Fehler: ${text.passwordTooShort}`);
      expect(fieldError(onlyPassword.body, 'email')).toBeNull();
      expect(inputValue(onlyPassword.body, 'displayName')).toBe('Anna &amp; Ömer');

      const rows = await t.db.select().from(users).where(sql`${users.email} in ('nur-name@example.org', 'nur-passwort@example.org')`);
      expect(rows).toEqual([]);
    });

    it('creates the account and queues the confirmation mail together', async () => {
      const client = new Client(t.app);
      const res = await register(client, 'Neu.Person@Example.org', 'Neu Person');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/check-mail?reason=register');
      const page = await client.get('/check-mail?reason=register');
      expect(page.body).toContain('Wir haben eine E-Mail an die angegebene Adresse geschickt.');

      const [user] = await t.db.select().from(users).where(eq(users.email, 'neu.person@example.org'));
      expect(user).toBeDefined();
      expect(user!.emailConfirmedAt).toBeNull();
      const mails = await mailsTo(t, 'neu.person@example.org');
      expect(mails.map((m) => [m.template, m.status])).toEqual([['confirm_email', 'pending']]);
      expect(mails[0]!.locale).toBe('de');
    });

    it('leaves no account behind when the mail cannot be queued', async () => {
      // The outbox refuses this one address: the registration must roll back as a whole.
      await t.db.execute(sql.raw(`alter table mail_outbox add constraint test_refuse check (to_address <> 'atomar@example.org')`));
      try {
        const client = new Client(t.app);
        const res = await register(client, 'atomar@example.org');
        expect(res.statusCode).toBe(500);
        expect(res.body).toContain('Ein Fehler ist aufgetreten');
      } finally {
        await t.db.execute(sql.raw('alter table mail_outbox drop constraint test_refuse'));
      }
      expect(await t.db.select().from(users).where(eq(users.email, 'atomar@example.org'))).toEqual([]);
      expect(await mailsTo(t, 'atomar@example.org')).toEqual([]);

      // Once the outbox works again, the same address registers normally.
      const again = await register(new Client(t.app), 'atomar@example.org');
      expect(again.statusCode).toBe(303);
      expect(await t.db.select().from(users).where(eq(users.email, 'atomar@example.org'))).toHaveLength(1);
      expect((await mailsTo(t, 'atomar@example.org')).map((m) => m.template)).toEqual(['confirm_email']);
    });

    it('creates one account when the form is sent twice at once (double click)', async () => {
      const client = new Client(t.app);
      await client.get('/register');
      const form = { email: 'doppelt@example.org', displayName: 'Doppelklick', password: TEST_PASSWORD };
      const [a, b] = await Promise.all([client.post('/register', form), client.post('/register', form)]);
      expect([a.statusCode, b.statusCode]).toEqual([303, 303]);
      expect(a.headers.location).toBe(b.headers.location);
      expect(await t.db.select().from(users).where(eq(users.email, 'doppelt@example.org'))).toHaveLength(1);
      const link = await lastLink(t.db, 'doppelt@example.org', '/confirm');
      // The later of the two holds the link that works.
      await client.get(link);
      expect((await client.post('/confirm', { token: tokenOf(link) })).statusCode).toBe(303);
    });

    it('answers an already registered address exactly like a new one and mails its owner instead', async () => {
      const existingId = await createUser(t.db, 'schon-da@example.org');
      const fresh = await register(new Client(t.app), 'ganz-neu@example.org', 'Jemand');
      const taken = await register(new Client(t.app), 'schon-da@example.org', 'Jemand', 'ein anderes Passwort');
      expect(taken.statusCode).toBe(fresh.statusCode);
      expect(taken.headers.location).toBe(fresh.headers.location);
      expect(taken.body).toBe(fresh.body);
      expect(taken.cookies.map((c) => c.name).sort()).toEqual(fresh.cookies.map((c) => c.name).sort());

      expect((await mailsTo(t, 'schon-da@example.org')).map((m) => m.template)).toEqual(['already_registered']);
      const rows = await t.db.select().from(users).where(eq(users.email, 'schon-da@example.org'));
      expect(rows.map((r) => r.id)).toEqual([existingId]);
      // The attempt changed nothing: the owner still signs in with the old password.
      const owner = new Client(t.app);
      await owner.signIn('schon-da@example.org');
      expect((await owner.post('/signin', { email: 'schon-da@example.org', password: 'ein anderes Passwort' })).statusCode).toBe(422);
    });

    it('stores mailed tokens only as hashes', async () => {
      await register(new Client(t.app), 'hash@example.org');
      const token = tokenOf(await lastLink(t.db, 'hash@example.org', '/confirm'));
      expect(token.length).toBeGreaterThanOrEqual(40);
      const [user] = await t.db.select().from(users).where(eq(users.email, 'hash@example.org'));
      const rows = await t.db.select().from(authTokens).where(eq(authTokens.userId, user!.id));
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(token);
      // … and the same holds for the session cookie.
      const client = new Client(t.app);
      await client.get(`/confirm?token=${token}`);
      await client.post('/confirm', { token });
      const sid = client.cookie('sid');
      expect(sid).toBeDefined();
      const sessionRows = await t.db.select().from(sessions).where(eq(sessions.userId, user!.id));
      expect(sessionRows).toHaveLength(1);
      const rawSid = decodeURIComponent(sid!).split('.')[0]!;
      expect(JSON.stringify(sessionRows)).not.toContain(rawSid);
    });
  });

  describe('confirmation link', () => {
    it('shows a button on GET without using the token, confirms and signs in on POST, and works only once', async () => {
      const client = new Client(t.app);
      await register(client, 'bestaetigen@example.org', 'Bestätigerin');
      const link = await lastLink(t.db, 'bestaetigen@example.org', '/confirm');
      expect(link).toMatch(/^\/confirm\?token=/);

      // A mail scanner opening the link twice changes nothing.
      for (let i = 0; i < 2; i++) {
        const page = await new Client(t.app).get(link);
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain(`>${text.confirmButton}</button>`);
        expect(page.body).toContain('<form method="post" action="/confirm"');
      }
      const [user] = await t.db.select().from(users).where(eq(users.email, 'bestaetigen@example.org'));
      expect(user!.emailConfirmedAt).toBeNull();
      const tokenRows = await t.db.select().from(authTokens).where(eq(authTokens.userId, user!.id));
      expect(tokenRows.map((r) => [r.purpose, r.usedAt])).toEqual([['confirm_email', null]]);

      const page = await client.get(link);
      const res = await client.post('/confirm', { token: tokenOf(link) });
      expect(page.statusCode).toBe(200);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/account');
      expect(client.cookie('sid')).toBeDefined();
      const account = await client.get('/account');
      expect(account.statusCode).toBe(200);
      expect(account.body).toContain('Ihre E-Mail-Adresse: bestaetigen@example.org');
      expect(account.body).toContain(text.confirmedFlash);
      expect((await t.db.select().from(users).where(eq(users.email, 'bestaetigen@example.org')))[0]!.emailConfirmedAt).not.toBeNull();

      const second = await new Client(t.app).post('/confirm', { token: tokenOf(link) });
      expect(second.statusCode).toBe(410);
      expect(second.body).toContain(text.linkInvalid);
      expect(second.cookies.find((c) => c.name === 'sid')).toBeUndefined();
      const reopened = await new Client(t.app).get(link);
      expect(reopened.statusCode).toBe(410);
      expect(reopened.body).toContain(`<h1>${text.linkInvalidTitle}</h1>`);
      expect(reopened.body).not.toContain(text.confirmButton);
    });

    it('refuses a made-up token', async () => {
      const client = new Client(t.app);
      const page = await client.get('/confirm?token=ausgedacht');
      expect(page.statusCode).toBe(410);
      expect(page.body).toContain(text.linkInvalidTitle);
      const res = await client.post('/confirm', { token: 'ausgedacht' });
      expect(res.statusCode).toBe(410);
      expect(res.body).toContain(text.linkInvalid);
    });
  });

  describe('sign-in with password', () => {
    it('gives the same answer for a wrong password and for an unknown address', async () => {
      await createUser(t.db, 'bekannt@example.org');
      const client = new Client(t.app);
      await client.get('/signin');
      const wrongPassword = await client.post('/signin', { email: 'bekannt@example.org', password: 'falsches Passwort' });
      const unknown = await client.post('/signin', { email: 'unbekannt@example.org', password: 'falsches Passwort' });
      expect(wrongPassword.statusCode).toBe(422);
      expect(unknown.statusCode).toBe(422);
      expect(wrongPassword.body).toContain(text.signinInvalid);
      expect(normalised(wrongPassword, 'bekannt@example.org')).toBe(normalised(unknown, 'unbekannt@example.org'));
      expect(inputValue(wrongPassword.body, 'email')).toBe('bekannt@example.org');
      expect(wrongPassword.body).not.toContain('falsches Passwort');
      expect(client.cookie('sid')).toBeUndefined();
    });

    it('re-sends the confirmation when an unconfirmed account signs in, and only with the right password', async () => {
      await register(new Client(t.app), 'unbestaetigt@example.org');
      const firstLink = await lastLink(t.db, 'unbestaetigt@example.org', '/confirm');
      const client = new Client(t.app);
      await client.get('/signin');

      const wrong = await client.post('/signin', { email: 'unbestaetigt@example.org', password: 'falsches Passwort' });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.body).toContain(text.signinInvalid);
      expect((await mailsTo(t, 'unbestaetigt@example.org')).map((m) => m.template)).toEqual(['confirm_email']);

      const res = await client.post('/signin', { email: 'unbestaetigt@example.org', password: TEST_PASSWORD });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain(text.signinUnconfirmed);
      expect(client.cookie('sid')).toBeUndefined();
      expect((await mailsTo(t, 'unbestaetigt@example.org')).map((m) => m.template)).toEqual(['confirm_email', 'confirm_email']);

      const newLink = await lastLink(t.db, 'unbestaetigt@example.org', '/confirm');
      expect(newLink).not.toBe(firstLink);
      await client.get(newLink);
      expect((await client.post('/confirm', { token: tokenOf(newLink) })).statusCode).toBe(303);
      expect((await client.get('/account')).body).toContain('Ihre E-Mail-Adresse: unbestaetigt@example.org');
    });

    it('redirects after sign-in only to local paths', async () => {
      await createUser(t.db, 'weiter@example.org');
      const cases: Array<[string, string]> = [
        ['//evil.example', '/account'],
        ['https://evil.example', '/account'],
        ['/\\evil.example', '/account'],
        ['/consultations/aktionsplan?tab=2', '/consultations/aktionsplan?tab=2'],
      ];
      for (const [next, expected] of cases) {
        const client = new Client(t.app);
        const form = await client.get(`/signin?next=${encodeURIComponent(next)}`);
        const hidden = /<form method="post" action="\/signin"[\s\S]*?<input type="hidden" name="next" value="([^"]*)">/.exec(form.body)?.[1];
        expect(hidden, next).toBe(expected === '/account' ? '' : expected);
        const res = await client.post('/signin', { email: 'weiter@example.org', password: TEST_PASSWORD, next });
        expect(res.statusCode, next).toBe(303);
        expect(res.headers.location, next).toBe(expected);
        // Already signed in, /signin?next= sends on, again only locally.
        const again = await client.get(`/signin?next=${encodeURIComponent(next)}`);
        expect(again.statusCode, next).toBe(303);
        expect(again.headers.location, next).toBe(expected);
      }
    });
  });

  describe('sign-in with a link', () => {
    it('answers an unknown address like a known one and queues nothing for it', async () => {
      await createUser(t.db, 'link-bekannt@example.org');
      const client = new Client(t.app);
      await client.get('/signin/link');
      const before = (await outbox(t.db)).length;
      const unknown = await client.post('/signin/link', { email: 'link-unbekannt@example.org' });
      expect((await outbox(t.db)).length).toBe(before);
      const known = await client.post('/signin/link', { email: 'link-bekannt@example.org' });
      expect(unknown.statusCode).toBe(303);
      expect(known.statusCode).toBe(303);
      expect(unknown.headers.location).toBe('/check-mail?reason=magic');
      expect(known.headers.location).toBe(unknown.headers.location);
      expect(known.body).toBe(unknown.body);
      expect((await mailsTo(t, 'link-bekannt@example.org')).map((m) => m.template)).toEqual(['magic_link']);
      const page = await client.get('/check-mail?reason=magic');
      expect(page.body).toContain('Wenn zu dieser Adresse ein Konto besteht, haben wir einen Anmeldelink geschickt.');
    });

    it('signs in once, is refused when reused, and is refused after 15 minutes', async () => {
      const userId = await createUser(t.db, 'magisch@example.org');
      const client = new Client(t.app);
      await client.get('/signin/link');
      await client.post('/signin/link', { email: 'magisch@example.org' });
      const link = await lastLink(t.db, 'magisch@example.org', '/signin/magic');

      const page = await client.get(link);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`>${text.magicButton}</button>`);
      const res = await client.post('/signin/magic', { token: tokenOf(link) });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/account');
      const account = await client.get('/account');
      expect(account.body).toContain('Ihre E-Mail-Adresse: magisch@example.org');
      expect(account.body).toContain('Sie sind angemeldet.');

      const other = new Client(t.app);
      const reused = await other.post('/signin/magic', { token: tokenOf(link) });
      expect(reused.statusCode).toBe(410);
      expect(reused.body).toContain(text.linkInvalid);
      expect(other.cookie('sid')).toBeUndefined();

      // A second link, 15 minutes and a second later.
      await client.post('/signin/link', { email: 'magisch@example.org' });
      const late = await lastLink(t.db, 'magisch@example.org', '/signin/magic');
      expect(late).not.toBe(link);
      const [row] = await t.db
        .select()
        .from(authTokens)
        .where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, 'magic_link'), sql`${authTokens.usedAt} is null`));
      expect(Math.round((row!.expiresAt.getTime() - row!.createdAt.getTime()) / 1000)).toBe(15 * 60);
      const latecomer = new Client(t.app);
      expect((await latecomer.get(late)).statusCode).toBe(200);
      await t.db
        .update(authTokens)
        .set({
          createdAt: sql`${authTokens.createdAt} - interval '15 minutes 1 second'`,
          expiresAt: sql`${authTokens.expiresAt} - interval '15 minutes 1 second'`,
        })
        .where(eq(authTokens.tokenHash, row!.tokenHash));
      const expiredPage = await latecomer.get(late);
      expect(expiredPage.statusCode).toBe(410);
      expect(expiredPage.body).toContain(`<h1>${text.linkInvalidTitle}</h1>`);
      const expired = await latecomer.post('/signin/magic', { token: tokenOf(late) });
      expect(expired.statusCode).toBe(410);
      expect(expired.body).toContain(text.linkInvalid);
      expect(latecomer.cookie('sid')).toBeUndefined();
    });
  });

  describe('password reset', () => {
    it('sets the new password, ends every other session and tells the owner by mail', async () => {
      const userId = await createUser(t.db, 'vergesslich@example.org');
      const otherDevice = new Client(t.app);
      await otherDevice.signIn('vergesslich@example.org');
      expect((await otherDevice.get('/account')).statusCode).toBe(200);

      const client = new Client(t.app);
      await client.get('/password/forgot');
      const requested = await client.post('/password/forgot', { email: 'vergesslich@example.org' });
      expect(requested.statusCode).toBe(303);
      expect(requested.headers.location).toBe('/check-mail?reason=reset');
      const unknown = await client.post('/password/forgot', { email: 'niemand@example.org' });
      expect(unknown.headers.location).toBe(requested.headers.location);
      expect(await mailsTo(t, 'niemand@example.org')).toEqual([]);

      const link = await lastLink(t.db, 'vergesslich@example.org', '/password/reset');
      const form = await client.get(link);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('Neues Passwort festlegen');
      const tooShort = await client.post('/password/reset', { token: tokenOf(link), password: 'kurz' });
      expect(tooShort.statusCode).toBe(422);
      expect(fieldError(tooShort.body, 'password')).toBe(`Fehler: ${text.passwordTooShort}`);

      const res = await client.post('/password/reset', { token: tokenOf(link), password: NEW_PASSWORD });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/account');
      const account = await client.get('/account');
      expect(account.statusCode).toBe(200);
      expect(account.body).toContain('Ihr neues Passwort ist gespeichert. Andere Geräte wurden abgemeldet.');

      const stale = await otherDevice.get('/account');
      expect(stale.statusCode).toBe(303);
      expect(stale.headers.location).toBe('/signin?next=%2Faccount');
      expect(await t.db.select().from(sessions).where(eq(sessions.userId, userId))).toHaveLength(1);

      const oldPassword = await new Client(t.app).post('/signin', { email: 'vergesslich@example.org', password: TEST_PASSWORD });
      expect(oldPassword.statusCode).toBe(422);
      expect(oldPassword.body).toContain(text.signinInvalid);
      await new Client(t.app).signIn('vergesslich@example.org', NEW_PASSWORD);

      expect((await mailsTo(t, 'vergesslich@example.org')).map((m) => m.template)).toEqual(['password_reset', 'password_changed']);
      const reused = await new Client(t.app).post('/password/reset', { token: tokenOf(link), password: 'noch ein anderes Passwort' });
      expect(reused.statusCode).toBe(410);
      expect(reused.body).toContain(text.linkInvalid);
      await new Client(t.app).signIn('vergesslich@example.org', NEW_PASSWORD);
    });
  });

  describe('sign-out', () => {
    it('ends the session on the server, so the old cookie is worthless', async () => {
      const userId = await createUser(t.db, 'abmelden@example.org');
      const client = new Client(t.app);
      await client.signIn('abmelden@example.org');
      const sid = client.cookie('sid')!;
      await client.get('/account');
      const res = await client.post('/signout');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/');
      expect(client.cookie('sid')).toBeUndefined();
      expect((await client.get('/')).body).toContain('Sie sind abgemeldet.');
      expect(await t.db.select().from(sessions).where(eq(sessions.userId, userId))).toEqual([]);

      const replay = await t.app.inject({ method: 'GET', url: '/account', headers: { cookie: `sid=${sid}` } });
      expect(replay.statusCode).toBe(303);
      expect(replay.headers.location).toBe('/signin?next=%2Faccount');
    });
  });

  describe('account deletion', () => {
    it('explains that contributions stay anonymised, refuses a wrong password, and removes personal data', async () => {
      const userId = await createUser(t.db, 'loeschen@example.org', ['moderator'], 'Lösch Mich');
      const client = new Client(t.app);
      await client.signIn('loeschen@example.org');
      const otherDevice = new Client(t.app);
      await otherDevice.signIn('loeschen@example.org');

      const page = await client.get('/account/delete');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<h1>Konto löschen</h1>');
      expect(page.body).toContain(text.deleteExplainKept);
      expect(page.body).toContain(text.deleteExplainAnonymous);
      expect(page.body).toContain('Zur Bestätigung: Ihr Passwort');

      const wrong = await client.post('/account/delete', { password: 'falsches Passwort' });
      expect(wrong.statusCode).toBe(422);
      expect(fieldError(wrong.body, 'password')).toBe(`Fehler: ${text.passwordWrong}`);
      expect((await t.db.select().from(users).where(eq(users.id, userId)))[0]!.email).toBe('loeschen@example.org');
      expect((await client.get('/account')).statusCode).toBe(200);

      const res = await client.post('/account/delete', { password: TEST_PASSWORD });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/');
      expect((await client.get('/')).body).toContain(text.deletedFlash);

      const [row] = await t.db.select().from(users).where(eq(users.id, userId));
      expect(row).toBeDefined();
      expect(row!.email).toBeNull();
      expect(row!.displayName).toBeNull();
      expect(row!.passwordHash).toBeNull();
      expect(row!.deletedAt).not.toBeNull();
      expect(await t.db.select().from(sessions).where(eq(sessions.userId, userId))).toEqual([]);
      expect(await t.db.select().from(userRoles).where(eq(userRoles.userId, userId))).toEqual([]);
      expect(await t.db.select().from(authTokens).where(eq(authTokens.userId, userId))).toEqual([]);
      const mails = await t.db.select().from(mailOutbox).where(eq(mailOutbox.template, 'account_deleted'));
      expect(mails.map((m) => m.toAddress)).toEqual(['loeschen@example.org']);

      expect((await otherDevice.get('/account')).statusCode).toBe(303);
      const signIn = await new Client(t.app).post('/signin', { email: 'loeschen@example.org', password: TEST_PASSWORD });
      expect(signIn.statusCode).toBe(422);
      expect(signIn.body).toContain(text.signinInvalid);
      await new Client(t.app).post('/signin/link', { email: 'loeschen@example.org' });
      expect(await mailsTo(t, 'loeschen@example.org')).toHaveLength(1);
    });
  });
});

describe.each(drivers)('sign-in rate limit [%s]', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(driver, { AUTH_RATE_LIMIT_MAX: '3' });
    await createUser(t.db, 'begrenzt@example.org');
  });
  afterAll(() => t?.close());

  it('answers 429 with a German page after AUTH_RATE_LIMIT_MAX attempts, counted in the database for every instance', async () => {
    const client = new Client(t.app);
    await client.get('/signin');
    for (let i = 0; i < 3; i++) {
      const res = await client.post('/signin', { email: 'begrenzt@example.org', password: `falsch ${i}` });
      expect(res.statusCode, `attempt ${i + 1}`).toBe(422);
    }
    const blocked = await client.post('/signin', { email: 'begrenzt@example.org', password: TEST_PASSWORD });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toMatch(/^text\/html/);
    expect(blocked.body).toContain(`<h1>${text.rateLimitedTitle}</h1>`);
    expect(blocked.body).toContain('Sie haben dies in kurzer Zeit zu oft versucht. Bitte warten Sie einige Minuten.');
    expect(blocked.body).toContain('<html lang="de"');
    expect(client.cookie('sid')).toBeUndefined();
    // Reading the form is not limited.
    expect((await client.get('/signin')).statusCode).toBe(200);

    // The counter is a row in rate_limit, keyed without the plain address.
    const counters = await t.db.select().from(rateLimits);
    const signin = counters.filter((r) => r.key.includes('/signin') && !r.key.includes('/signin/'));
    expect(signin).toHaveLength(1);
    expect(signin[0]!.count).toBe(4);
    expect(JSON.stringify(counters)).not.toContain('127.0.0.1');

    // A second app instance on the same database refuses at once.
    const second = await secondInstance(t, driver);
    try {
      const other = new Client(second.app);
      await other.get('/signin');
      const res = await other.post('/signin', { email: 'begrenzt@example.org', password: TEST_PASSWORD });
      expect(res.statusCode).toBe(429);
      expect(res.body).toContain(text.rateLimitedTitle);
    } finally {
      await second.close();
    }

    // When the window has passed, sign-in works again.
    await t.db.update(rateLimits).set({ resetAt: new Date(Date.now() - 1000) });
    await client.signIn('begrenzt@example.org');
  });
});
