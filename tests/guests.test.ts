import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../src/core/crypto.js';
import { users } from '../src/modules/accounts/schema.js';
import { purgeGuestData } from '../src/modules/participation/guests/service.js';
import { contributions, guestSessions, guestTokens } from '../src/modules/participation/schema.js';
import { enqueueConfirmation, insertContribution } from '../src/modules/participation/service.js';
import { phases } from '../src/modules/plans/schema.js';
import { Client, createTestApp, lastLink, outbox, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';
import { TestSmtp } from './helpers/smtp.js';

interface Demo {
  consultationId: number;
  phaseId: number;
}

/** A guest's comment on the demo measure, kept unconfirmed with its confirmation mail queued. */
async function guestComment(t: TestApp, d: Demo, email: string, body = 'Abendkurse auch am Wochenende anbieten, bitte.', extra: Partial<typeof contributions.$inferInsert> = {}): Promise<number> {
  const id = await t.db.transaction(async (tx) => {
    const { id } = await insertContribution(tx, {
      consultationId: d.consultationId,
      phaseId: d.phaseId,
      kind: 'comment',
      targetKind: 'measure',
      targetKey: demo.measure,
      body,
      language: 'de',
      pageLocale: 'de',
      guestEmail: email,
      status: 'unconfirmed',
      formToken: randomToken(),
      ...extra,
    });
    await enqueueConfirmation(t.app.ctx, tx, {
      contributionId: id,
      email,
      locale: 'de',
      consultationTitle: 'Aktionsplan Integration 2022 bis 2026',
      excerpt: body,
      itemUrl: `${t.config.baseUrl}${demo.measurePath}`,
    });
    return id;
  });
  return id;
}

async function statusOf(t: TestApp, id: number) {
  const [row] = await t.db.select().from(contributions).where(eq(contributions.id, id));
  return row;
}

function normalised(body: string): string {
  return body.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="…"');
}

describe.each(drivers)('guests confirm their contributions [%s]', (driver) => {
  let t: TestApp;
  let d: Demo;

  beforeAll(async () => {
    t = await createTestApp(driver, { AUTH_RATE_LIMIT_MAX: '1000', UNCONFIRMED_DAYS: '7' });
    d = await openDemoPhase(t.db, 'post');
  });
  afterAll(() => t?.close());

  it('shows a button behind the link, so a mail scanner opening it confirms nothing', async () => {
    const id = await guestComment(t, d, 'gast@example.org');
    const link = await lastLink(t.db, 'gast@example.org', '/contributions/confirm');
    const scanner = new Client(t.app);
    const page = await scanner.get(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Beitrag jetzt bestätigen');
    expect(page.body).toContain('<form method="post" action="/contributions/confirm"');
    await scanner.get(link);
    expect((await statusOf(t, id))?.status).toBe('unconfirmed');
  });

  it('confirms once on POST: published after post-moderation, linked on its item page, and in the open data', async () => {
    const id = await guestComment(t, d, 'einmal@example.org', 'Mehr Kurse für Eltern mit kleinen Kindern.');
    const link = await lastLink(t.db, 'einmal@example.org', '/contributions/confirm');
    const token = new URL(link, 'http://x').searchParams.get('token') as string;
    const client = new Client(t.app);
    await client.get(link);
    const res = await client.post('/contributions/confirm', { token });
    expect(res.statusCode).toBe(303);
    const after = await statusOf(t, id);
    expect(after?.status).toBe('published');
    expect(after?.confirmedAt).toBeInstanceOf(Date);
    expect(after?.publishedAt).toBeInstanceOf(Date);

    const landing = await client.get(String(res.headers.location));
    expect(landing.body).toContain('Danke! Ihr Beitrag ist veröffentlicht');
    expect(landing.body).toContain(`href="${demo.measurePath}#comment-${id}"`);

    const data = await client.get(`/consultations/${demo.slug}/contributions.json`);
    expect((JSON.parse(data.body) as { contributions: Array<{ id: number }> }).contributions.map((c) => c.id)).toContain(id);

    // The same link a second time: a clear page, nothing changes.
    await client.get('/signin');
    const again = await client.post('/contributions/confirm', { token });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('Bestätigungslink nicht mehr gültig');
    expect(again.body).toContain('innerhalb von 7 Tagen bestätigt');
    expect(again.body).toContain('href="/my/contributions"');
  });

  it('sends a confirmed contribution to moderation when the phase moderates first', async () => {
    await t.db.update(phases).set({ moderationMode: 'pre' }).where(eq(phases.id, d.phaseId));
    try {
      const id = await guestComment(t, d, 'vorab@example.org');
      const link = await lastLink(t.db, 'vorab@example.org', '/contributions/confirm');
      const client = new Client(t.app);
      await client.get(link);
      const res = await client.post('/contributions/confirm', { token: new URL(link, 'http://x').searchParams.get('token') as string });
      expect((await statusOf(t, id))?.status).toBe('pending');
      expect((await statusOf(t, id))?.publishedAt).toBeNull();
      const landing = await client.get(String(res.headers.location));
      expect(landing.body).toContain('Ihr Beitrag wird vor der Veröffentlichung von der Moderation gelesen');
      const data = await client.get(`/consultations/${demo.slug}/contributions.json`);
      expect((JSON.parse(data.body) as { contributions: Array<{ id: number }> }).contributions.map((c) => c.id)).not.toContain(id);
    } finally {
      await t.db.update(phases).set({ moderationMode: 'post' }).where(eq(phases.id, d.phaseId));
    }
  });

  it('explains an expired link on GET and POST and confirms nothing', async () => {
    const id = await guestComment(t, d, 'spaet@example.org');
    const link = await lastLink(t.db, 'spaet@example.org', '/contributions/confirm');
    await t.db.update(guestTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(guestTokens.contributionId, id));
    const client = new Client(t.app);
    const page = await client.get(link);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Dieser Link wurde bereits verwendet oder ist abgelaufen.');
    expect(page.body).not.toContain('Beitrag jetzt bestätigen');
    await client.get('/signin');
    const res = await client.post('/contributions/confirm', { token: new URL(link, 'http://x').searchParams.get('token') as string });
    expect(res.statusCode).toBe(410);
    expect((await statusOf(t, id))?.status).toBe('unconfirmed');
  });

  it('purges only unconfirmed contributions older than the configured days', async () => {
    const old = new Date(Date.now() - 8 * 86_400_000);
    const oldUnconfirmed = await guestComment(t, d, 'alt@example.org', 'Alt und unbestätigt');
    const freshUnconfirmed = await guestComment(t, d, 'neu@example.org', 'Neu und unbestätigt');
    const oldPublished = await guestComment(t, d, 'alt2@example.org', 'Alt und bestätigt', { status: 'published', confirmedAt: old, publishedAt: old });
    const oldPending = await guestComment(t, d, 'alt3@example.org', 'Alt und wartend', { status: 'pending', confirmedAt: old });
    const oldWithdrawn = await guestComment(t, d, 'alt4@example.org', 'Alt und zurückgezogen', { status: 'withdrawn', confirmedAt: old });
    await t.db
      .update(contributions)
      .set({ createdAt: old })
      .where(inArray(contributions.id, [oldUnconfirmed, oldPublished, oldPending, oldWithdrawn]));
    const sixDays = await guestComment(t, d, 'sechs@example.org', 'Sechs Tage alt');
    await t.db.update(contributions).set({ createdAt: new Date(Date.now() - 6 * 86_400_000) }).where(eq(contributions.id, sixDays));
    await t.db.insert(guestSessions).values({ idHash: 'abgelaufen', email: 'alt@example.org', expiresAt: new Date(Date.now() - 1000) });

    const deleted = await purgeGuestData(t.app.ctx);
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = new Set((await t.db.select({ id: contributions.id }).from(contributions)).map((r) => r.id));
    expect(left.has(oldUnconfirmed)).toBe(false);
    for (const kept of [freshUnconfirmed, oldPublished, oldPending, oldWithdrawn, sixDays]) expect(left.has(kept)).toBe(true);
    expect(await t.db.select().from(guestSessions).where(eq(guestSessions.idHash, 'abgelaufen'))).toEqual([]);
  });
});

describe.each(drivers)('guests see and withdraw their contributions later [%s]', (driver) => {
  let t: TestApp;
  let d: Demo;

  beforeAll(async () => {
    t = await createTestApp(driver, { AUTH_RATE_LIMIT_MAX: '1000' });
    d = await openDemoPhase(t.db, 'post');
  });
  afterAll(() => t?.close());

  async function requestAccess(client: Client, email: string) {
    await client.get('/contributions/access');
    return client.post('/contributions/access', { email });
  }

  it('answers the same for a known and an unknown address and mails only the known one', async () => {
    await guestComment(t, d, 'bekannt@example.org');
    const client = new Client(t.app);
    const known = await requestAccess(client, 'Bekannt@Example.org');
    const unknown = await requestAccess(client, 'unbekannt@example.org');
    expect(known.statusCode).toBe(303);
    expect(unknown.statusCode).toBe(303);
    expect(known.headers.location).toBe(unknown.headers.location);
    const a = await client.get(String(known.headers.location));
    const b = await client.get(String(unknown.headers.location));
    expect(normalised(a.body)).toBe(normalised(b.body));
    expect(a.body).toContain('Wenn mit dieser Adresse Beiträge geschrieben wurden');
    const mails = await outbox(t.db);
    expect(mails.filter((m) => m.template === 'guest_manage_link').map((m) => m.toAddress)).toEqual(['bekannt@example.org']);

    const invalid = await requestAccess(client, 'keine-adresse');
    expect(invalid.statusCode).toBe(422);
    expect(invalid.body).toContain('value="keine-adresse"');
  });

  it('opens a guest session that lists exactly that address’s contributions; withdrawing works only on one’s own', async () => {
    const mine1 = await guestComment(t, d, 'lena@example.org', 'Mein erster Kommentar zur Abendoberschule');
    const mine2 = await guestComment(t, d, 'lena@example.org', 'Mein zweiter Kommentar', { status: 'published', confirmedAt: new Date(), publishedAt: new Date() });
    const other = await guestComment(t, d, 'andere@example.org', 'Kommentar einer anderen Person', { status: 'published', confirmedAt: new Date(), publishedAt: new Date() });

    const client = new Client(t.app);
    await requestAccess(client, 'lena@example.org');
    const link = await lastLink(t.db, 'lena@example.org', '/contributions/manage');
    const page = await client.get(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Meine Beiträge öffnen');
    // Opening the link alone (a scanner) starts nothing.
    expect(client.cookie('guest')).toBeUndefined();
    const opened = await client.post('/contributions/manage', { token: new URL(link, 'http://x').searchParams.get('token') as string });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/my/contributions');
    const cookie = (opened.cookies as Array<{ name: string; httpOnly?: boolean; sameSite?: string; maxAge?: number }>).find((c) => c.name === 'guest');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(cookie?.maxAge).toBe(7200);
    const [session] = await t.db.select().from(guestSessions).where(eq(guestSessions.email, 'lena@example.org'));
    expect(session?.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000 + 1000);

    const list = await client.get('/my/contributions');
    expect(list.body).toContain('Sie sehen die Beiträge, die mit lena@example.org geschrieben wurden.');
    expect(list.body).toContain('Mein erster Kommentar zur Abendoberschule');
    expect(list.body).toContain('Mein zweiter Kommentar');
    expect(list.body).not.toContain('Kommentar einer anderen Person');
    expect(list.body).toContain('Beiträge insgesamt: 2');
    expect(list.body).toContain(`id="contribution-${mine1}"`);

    // Someone else's contribution: as if it did not exist.
    const foreignPage = await client.get(`/my/contributions/${other}/withdraw`);
    expect(foreignPage.statusCode).toBe(404);
    const foreign = await client.post(`/my/contributions/${other}/withdraw`);
    expect(foreign.statusCode).toBe(404);
    expect((await statusOf(t, other))?.status).toBe('published');

    const confirmPage = await client.get(`/my/contributions/${mine2}/withdraw`);
    expect(confirmPage.body).toContain('Beitrag zurückziehen?');
    const withdrawn = await client.post(`/my/contributions/${mine2}/withdraw`);
    expect(withdrawn.statusCode).toBe(303);
    expect((await statusOf(t, mine2))?.status).toBe('withdrawn');
    const after = await client.get('/my/contributions');
    expect(after.body).toContain('Der Beitrag ist zurückgezogen.');
    expect(after.body).toContain('von Ihnen zurückgezogen');

    // The link works once.
    const reused = await client.post('/contributions/manage', { token: new URL(link, 'http://x').searchParams.get('token') as string });
    expect(reused.statusCode).toBe(410);

    const ended = await client.post('/contributions/session/end');
    expect(ended.statusCode).toBe(303);
    const signedOut = await client.get('/my/contributions');
    expect(signedOut.body).toContain('Ohne Konto');
    expect(signedOut.body).not.toContain('Mein erster Kommentar');
    expect(await t.db.select().from(guestSessions).where(eq(guestSessions.email, 'lena@example.org'))).toEqual([]);
  });

  it('refuses a forged or expired guest cookie', async () => {
    await guestComment(t, d, 'abgelaufen@example.org', 'Text der abgelaufenen Sitzung');
    const client = new Client(t.app);
    await requestAccess(client, 'abgelaufen@example.org');
    const link = await lastLink(t.db, 'abgelaufen@example.org', '/contributions/manage');
    await client.get(link);
    await client.post('/contributions/manage', { token: new URL(link, 'http://x').searchParams.get('token') as string });
    await t.db.update(guestSessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(guestSessions.email, 'abgelaufen@example.org'));
    expect((await client.get('/my/contributions')).body).not.toContain('Text der abgelaufenen Sitzung');
    const forged = await t.app.inject({ method: 'GET', url: '/my/contributions', headers: { cookie: 'guest=not-signed' } });
    expect(forged.body).toContain('Ohne Konto');
  });

  it('hands a guest’s contributions to the account registered and confirmed with the same address', async () => {
    const id = await guestComment(t, d, 'wird-konto@example.org', 'Geschrieben als Gast, später mit Konto');
    const client = new Client(t.app);
    await client.get('/register');
    await client.post('/register', { email: 'wird-konto@example.org', displayName: 'Neu hier', password: 'correct horse battery' });
    expect((await statusOf(t, id))?.authorId).toBeNull();
    const link = await lastLink(t.db, 'wird-konto@example.org', '/confirm');
    await client.get(link);
    await client.post('/confirm', { token: new URL(link, 'http://x').searchParams.get('token') as string });
    const [user] = await t.db.select().from(users).where(eq(users.email, 'wird-konto@example.org'));
    expect((await statusOf(t, id))?.authorId).toBe(user?.id);
    const list = await client.get('/my/contributions');
    expect(list.body).toContain('Geschrieben als Gast, später mit Konto');
  });
});

describe.each(drivers)('the confirmation mail through SMTP [%s]', (driver) => {
  const smtp = new TestSmtp();
  let t: TestApp;
  let d: Demo;

  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp(driver, { SMTP_URL: smtp.url, MAIL_WORKER: 'true', MAIL_POLL_MS: '60000', UNCONFIRMED_DAYS: '5' });
    d = await openDemoPhase(t.db, 'post');
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  it('says what was written, that the link confirms it, for how long, what happens without it and how to come back', async () => {
    await guestComment(t, d, 'post@example.org', 'Bitte mehr Kurse am Abend.\nUnd "Kinderbetreuung" <dazu>.');
    expect(await t.app.mailWorker.runOnce()).toBe(1);
    const mail = await smtp.waitFor('post@example.org');
    expect(mail.subject).toBe('Bitte bestätigen Sie Ihren Beitrag');
    expect(mail.language).toBe('de');
    expect(mail.text).toContain('Sie haben bei „Aktionsplan Integration 2022 bis 2026“ diesen Beitrag geschrieben:');
    expect(mail.text).toContain('> Bitte mehr Kurse am Abend.\n> Und "Kinderbetreuung" <dazu>.');
    expect(mail.text).toContain('Der Link ist 5 Tage gültig. Ohne Bestätigung wird der Beitrag danach gelöscht.');
    expect(mail.text).toMatch(/http:\/\/localhost:3000\/contributions\/confirm\?token=[\w-]+/);
    expect(mail.text).toContain('http://localhost:3000/contributions/access');
    expect(mail.text).toContain(`http://localhost:3000${demo.measurePath}`);
    expect(mail.html).toContain('&quot;Kinderbetreuung&quot; &lt;dazu&gt;');
    expect(mail.html).toContain('href="http://localhost:3000/contributions/confirm?token=');
    expect(mail.html).not.toContain('<dazu>');
  });
});
