import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { eq, like } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../src/app.js';
import type { Config } from '../src/config.js';
import { createEta } from '../src/core/web.js';
import { type Db, openPostgres } from '../src/db/index.js';
import { enqueueMail } from '../src/modules/mail/outbox.js';
import { mailOutbox } from '../src/modules/mail/schema.js';
import { createTransport, MailWorker, renderMail } from '../src/modules/mail/worker.js';
import { Client, createTestApp, createUser, TEST_PASSWORD, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { type ReceivedMail, TestSmtp } from './helpers/smtp.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function register(client: Client, email: string, displayName = 'Mira') {
  await client.get('/register');
  const res = await client.post('/register', { email, displayName, password: TEST_PASSWORD });
  if (res.statusCode !== 303) throw new Error(`registration failed with ${res.statusCode}`);
}

async function rowsTo(db: Db, to: string) {
  return db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, to)).orderBy(mailOutbox.id);
}

/** A worker of its own (another instance, or another SMTP server) on the app's outbox. */
function extraWorker(t: TestApp, db: Db, config: Config): MailWorker {
  const eta = createEta(false);
  return new MailWorker(db, createTransport(config), (template, locale, payload) => renderMail(eta, catalogue, config, template, locale, payload), config, t.app.log);
}

/** An SMTP server that refuses every recipient, quoting the address as real servers do. */
async function rejectingSmtp(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const error = new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`) as Error & { responseCode: number };
      error.responseCode = 550;
      callback(error);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as net.AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
}

function contentType(mail: ReceivedMail): string {
  return (mail.parsed.headers.get('content-type') as { value: string }).value;
}

describe.each(drivers)('mail delivery [%s]', (driver) => {
  const smtp = new TestSmtp();
  let t: TestApp;

  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp(driver, {
      SMTP_URL: smtp.url,
      MAIL_RETRY_BASE_MS: '50',
      MAIL_MAX_ATTEMPTS: '3',
      // Long enough that only a nudge can explain a prompt delivery by the started worker.
      MAIL_POLL_MS: '60000',
      AUTH_RATE_LIMIT_MAX: '100000',
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  it('sends the German confirmation mail through SMTP with paired HTML and text and a working link', async () => {
    const client = new Client(t.app);
    await register(client, 'post@example.org', 'Posteingang');
    expect(smtp.mails.filter((m) => m.to.includes('post@example.org'))).toEqual([]);
    expect(await t.app.mailWorker.runOnce()).toBe(1);
    const mail = await smtp.waitFor('post@example.org');

    expect(mail.subject).toBe('Bitte bestätigen Sie Ihre E-Mail-Adresse');
    expect(mail.language).toBe('de');
    expect(mail.parsed.from?.value[0]?.address).toBe('noreply@localhost');
    expect(contentType(mail)).toBe('multipart/alternative');
    expect(mail.text).toContain('Guten Tag Posteingang,');
    expect(mail.text).toContain('Sie haben ein Konto bei Mitsprache angelegt.');
    expect(mail.text).toContain('Ihr Team von Mitsprache');
    expect(mail.text).not.toMatch(/<[a-z][^>]*>/i);
    expect(mail.html).toContain('<html lang="de" dir="ltr">');
    expect(mail.html).toContain('E-Mail-Adresse bestätigen</a>');

    const link = TestSmtp.link(mail, '/confirm');
    expect(hrefs(mail.html).map((h) => h.replace(/^https?:\/\/[^/]+/, ''))).toContain(link);
    expect(mail.text).toContain(`http://localhost:3000${link}`);

    const [row] = await rowsTo(t.db, 'post@example.org');
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(row!.sentAt).not.toBeNull();

    const reader = new Client(t.app);
    const page = await reader.get(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Adresse bestätigen</button>');
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    const confirmed = await reader.post('/confirm', { token });
    expect(confirmed.statusCode).toBe(303);
    const account = await reader.get('/account');
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain('Ihre E-Mail-Adresse: post@example.org');
  });

  it('delivers every account mail of a journey in German, paired, with links that work', async () => {
    const to = 'alle@example.org';
    await createUser(t.db, to);
    await register(new Client(t.app), to);
    const client = new Client(t.app);
    await client.get('/signin/link');
    await client.post('/signin/link', { email: to });
    await client.post('/password/forgot', { email: to });
    expect(await t.app.mailWorker.runOnce()).toBe(3);

    const already = await smtp.waitFor(to, /^Sie haben bereits ein Konto$/);
    expect(already.text).toContain('Anmelden: http://localhost:3000/signin');
    expect(already.text).toContain('Passwort zurücksetzen: http://localhost:3000/password/forgot');
    const magic = await smtp.waitFor(to, /^Ihr Anmeldelink$/);
    expect(magic.text).toContain('Der Link ist 15 Minuten gültig und nur einmal verwendbar.');
    const reset = await smtp.waitFor(to, /^Passwort zurücksetzen$/);
    expect(reset.text).toContain('Der Link ist 60 Minuten gültig und nur einmal verwendbar.');

    const magicLink = TestSmtp.link(magic, '/signin/magic');
    expect((await client.get(magicLink)).statusCode).toBe(200);
    expect((await client.post('/signin/magic', { token: new URL(magicLink, 'http://x').searchParams.get('token')! })).headers.location).toBe('/account');
    const resetLink = TestSmtp.link(reset, '/password/reset');
    expect((await client.get(resetLink)).statusCode).toBe(200);
    const newPassword = 'ein neues langes Passwort';
    const changed = await client.post('/password/reset', { token: new URL(resetLink, 'http://x').searchParams.get('token')!, password: newPassword });
    expect(changed.headers.location).toBe('/account');
    await client.get('/account/delete');
    expect((await client.post('/account/delete', { password: newPassword })).headers.location).toBe('/');
    expect(await t.app.mailWorker.runOnce()).toBe(2);

    const passwordChanged = await smtp.waitFor(to, /^Ihr Passwort wurde geändert$/);
    expect(passwordChanged.text).toContain('alle anderen Anmeldungen wurden beendet');
    const deleted = await smtp.waitFor(to, /^Ihr Konto wurde gelöscht$/);
    expect(deleted.text).toContain('Ihre Beiträge bleiben anonym Teil des Verfahrens');

    const received = smtp.mails.filter((m) => m.to.includes(to));
    expect(received).toHaveLength(5);
    for (const mail of received) {
      expect(contentType(mail), mail.subject).toBe('multipart/alternative');
      expect(mail.language, mail.subject).toBe('de');
      expect(mail.html, mail.subject).toContain('<html lang="de" dir="ltr">');
      expect(mail.html, mail.subject).toContain('Ihr Team von Mitsprache');
      expect(mail.text, mail.subject).toContain('Ihr Team von Mitsprache');
    }
  });

  it('shows a name as typed in the text part and safely escaped in the HTML part', async () => {
    await register(new Client(t.app), 'zeichen@example.org', `Anna & O'Brien <b>`);
    expect(await t.app.mailWorker.runOnce()).toBe(1);
    const mail = await smtp.waitFor('zeichen@example.org');
    expect(mail.text).toContain(`Guten Tag Anna & O'Brien <b>,`);
    expect(mail.text).not.toContain('&amp;');
    expect(mail.html).toContain('Guten Tag Anna &amp; O&#39;Brien &lt;b&gt;,');
    expect(mail.html).not.toContain('<b>');
  });

  it('writes in English to someone whose browser or language choice is English', async () => {
    const byHeader = new Client(t.app, { 'accept-language': 'en-GB,en;q=0.9' });
    await register(byHeader, 'english@example.org', 'Sam');
    const byCookie = new Client(t.app);
    await byCookie.get('/');
    const switched = await byCookie.post('/language', { lang: 'en', next: '/register' });
    expect(switched.headers.location).toBe('/register');
    expect(byCookie.cookie('lang')).toBe('en');
    await register(byCookie, 'cookie-english@example.org', 'Kim');
    expect(await t.app.mailWorker.runOnce()).toBe(2);

    for (const [to, name] of [
      ['english@example.org', 'Sam'],
      ['cookie-english@example.org', 'Kim'],
    ] as const) {
      const mail = await smtp.waitFor(to);
      expect(mail.subject).toBe('Please confirm your e-mail address');
      expect(mail.language).toBe('en');
      expect(mail.text).toContain(`Hello ${name},`);
      expect(mail.text).toContain('You have created an account on Mitsprache.');
      expect(mail.text).not.toContain('Guten Tag');
      expect(mail.html).toContain('<html lang="en" dir="ltr">');
      expect(mail.html).toContain('Confirm e-mail address</a>');
      expect(TestSmtp.link(mail, '/confirm')).toMatch(/^\/confirm\?token=/);
    }
  });

  it('keeps a mail pending while SMTP is down and delivers it once the server is back', async () => {
    await smtp.stop();
    try {
      await register(new Client(t.app), 'ausfall@example.org');
      expect(await t.app.mailWorker.runOnce()).toBe(0);
    } finally {
      await smtp.start();
    }
    expect(smtp.mails.filter((m) => m.to.includes('ausfall@example.org'))).toEqual([]);
    const [pending] = await rowsTo(t.db, 'ausfall@example.org');
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, sentAt: null, lockedUntil: null });
    expect(pending!.lastError).toMatch(/ECONNREFUSED/);
    expect(pending!.lastError).not.toContain('ausfall');
    expect(pending!.nextAttemptAt.getTime()).toBeGreaterThan(pending!.createdAt.getTime());

    await sleep(Math.max(0, pending!.nextAttemptAt.getTime() - Date.now()) + 20);
    expect(await t.app.mailWorker.runOnce()).toBe(1);
    const mail = await smtp.waitFor('ausfall@example.org');
    expect(mail.subject).toBe('Bitte bestätigen Sie Ihre E-Mail-Adresse');
    const [sent] = await rowsTo(t.db, 'ausfall@example.org');
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('does not store the address when the SMTP server quotes it in its refusal', async () => {
    const rejecting = await rejectingSmtp();
    try {
      await register(new Client(t.app), 'abgelehnt@example.org');
      const worker = extraWorker(t, t.db, { ...t.config, smtpUrl: rejecting.url });
      expect(await worker.runOnce()).toBe(0);
    } finally {
      await rejecting.stop();
    }
    const [row] = await rowsTo(t.db, 'abgelehnt@example.org');
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.lastError).toContain('Recipient address rejected');
    expect(row!.lastError).toContain('[address]');
    expect(row!.lastError).not.toContain('abgelehnt');
    expect(row!.lastError).not.toContain('@example.org');

    // The working server then takes it.
    await sleep(Math.max(0, row!.nextAttemptAt.getTime() - Date.now()) + 20);
    expect(await t.app.mailWorker.runOnce()).toBe(1);
    await smtp.waitFor('abgelehnt@example.org');
  });

  it('gives up after MAIL_MAX_ATTEMPTS failures and keeps the mail as failed', async () => {
    await smtp.stop();
    try {
      await register(new Client(t.app), 'aufgegeben@example.org');
      for (let attempt = 1; attempt <= 3; attempt++) {
        const [before] = await rowsTo(t.db, 'aufgegeben@example.org');
        await sleep(Math.max(0, before!.nextAttemptAt.getTime() - Date.now()) + 20);
        expect(await t.app.mailWorker.runOnce()).toBe(0);
        const [after] = await rowsTo(t.db, 'aufgegeben@example.org');
        expect(after).toMatchObject({ attempts: attempt, status: attempt < 3 ? 'pending' : 'failed' });
      }
    } finally {
      await smtp.start();
    }
    await sleep(300);
    expect(await t.app.mailWorker.runOnce()).toBe(0);
    const rows = await rowsTo(t.db, 'aufgegeben@example.org');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', attempts: 3, sentAt: null });
    expect(rows[0]!.lastError).toMatch(/ECONNREFUSED/);
    expect(smtp.mails.filter((m) => m.to.includes('aufgegeben@example.org'))).toEqual([]);
  });

  it('delivers on its own once started: a queued mail nudges the worker', async () => {
    t.app.mailWorker.start();
    try {
      await sleep(200); // the first run after start() finds nothing to do
      const started = Date.now();
      await register(new Client(t.app), 'von-selbst@example.org');
      const mail = await smtp.waitFor('von-selbst@example.org', /bestätigen/, 5000);
      // Far below MAIL_POLL_MS: the registration woke the worker.
      expect(Date.now() - started).toBeLessThan(5000);
      expect(mail.language).toBe('de');
      const [row] = await rowsTo(t.db, 'von-selbst@example.org');
      expect(row!.status).toBe('sent');
    } finally {
      await t.app.mailWorker.stop();
    }
  });

  it.runIf(driver === 'postgres')('delivers each of 30 mails exactly once when two workers claim at the same time', async () => {
    const url = t.testDb.location.databaseUrl!;
    const second = await openPostgres(url, { max: 2 });
    try {
      const addresses = Array.from({ length: 30 }, (_, i) => `viele-${i}@example.org`);
      await t.db.transaction(async (tx) => {
        for (const to of addresses) {
          await enqueueMail(tx, { to, template: 'magic_link', locale: 'de', payload: { url: 'http://localhost:3000/signin/magic?token=x', minutes: 15 } });
        }
      });
      const other = extraWorker(t, second.db, t.config);
      const counts = await Promise.all([t.app.mailWorker.runOnce(), other.runOnce()]);
      expect(counts[0] + counts[1]).toBe(30);
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts[1]).toBeGreaterThan(0);
      expect(await Promise.all([t.app.mailWorker.runOnce(), other.runOnce()])).toEqual([0, 0]);

      const received = smtp.mails.filter((m) => m.to.some((to) => to.startsWith('viele-')));
      expect(received).toHaveLength(30);
      expect(new Set(received.flatMap((m) => m.to))).toEqual(new Set(addresses));
      expect(received.every((m) => m.subject === 'Ihr Anmeldelink')).toBe(true);
      const rows = await t.db.select().from(mailOutbox).where(like(mailOutbox.toAddress, 'viele-%'));
      expect(rows.map((r) => [r.status, r.attempts])).toEqual(addresses.map(() => ['sent', 1]));
    } finally {
      await second.close();
    }
  });
});

describe.each(drivers)('mail without SMTP [%s]', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(driver);
  });
  afterAll(() => t?.close());

  it('writes the mail as an .eml file under DATA_DIR/mail, with a working link', async () => {
    const dir = path.join(t.config.dataDir, 'mail');
    expect(fs.existsSync(dir)).toBe(false);
    const client = new Client(t.app);
    await register(client, 'datei@example.org', 'Dateifreundin');
    expect(await t.app.mailWorker.runOnce()).toBe(1);

    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const mail = await simpleParser(fs.readFileSync(path.join(dir, files[0]!)));
    expect(mail.subject).toBe('Bitte bestätigen Sie Ihre E-Mail-Adresse');
    expect((mail.to as { value: Array<{ address: string }> }).value[0]!.address).toBe('datei@example.org');
    expect(mail.headers.get('content-language')).toBe('de');
    expect(mail.text).toContain('Guten Tag Dateifreundin,');
    expect(typeof mail.html === 'string' && mail.html.includes('<html lang="de"')).toBe(true);

    const link = /http:\/\/localhost:3000(\/confirm\?token=[\w-]+)/.exec(mail.text ?? '')?.[1];
    expect(link).toBeDefined();
    const page = await client.get(link!);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Adresse bestätigen</button>');
    const res = await client.post('/confirm', { token: new URL(link!, 'http://x').searchParams.get('token')! });
    expect(res.statusCode).toBe(303);
    expect((await client.get('/account')).body).toContain('Ihre E-Mail-Adresse: datei@example.org');
    const [row] = await rowsTo(t.db, 'datei@example.org');
    expect(row!.status).toBe('sent');
  });
});
