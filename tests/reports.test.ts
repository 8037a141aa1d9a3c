import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../src/core/crypto.js';
import { auditEntries } from '../src/modules/audit/schema.js';
import { contributionReports, contributions } from '../src/modules/participation/schema.js';
import { insertContribution } from '../src/modules/participation/service.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

describe.each(drivers)('readers report published contributions [%s]', (driver) => {
  let t: TestApp;
  let d: { consultationId: number; phaseId: number };
  let n = 0;
  /** A reader at an address of its own (the app trusts X-Forwarded-For in this test). */
  const reader = () => new Client(t.app, { 'x-forwarded-for': `198.51.100.${++n}` });

  async function comment(values: Partial<typeof contributions.$inferInsert> = {}) {
    const { id } = await insertContribution(t.db, {
      consultationId: d.consultationId,
      phaseId: d.phaseId,
      kind: 'comment',
      targetKind: 'measure',
      targetKey: demo.measure,
      body: `Kommentar ${randomToken().slice(0, 8)}`,
      language: 'de',
      pageLocale: 'de',
      status: 'published',
      publishedAt: new Date(),
      guestEmail: 'autor@example.org',
      formToken: randomToken(),
      ...values,
    });
    return id;
  }

  const reportsOf = (id: number) => t.db.select().from(contributionReports).where(eq(contributionReports.contributionId, id));
  const statusOf = async (id: number) => (await t.db.select().from(contributions).where(eq(contributions.id, id)))[0]!;

  beforeAll(async () => {
    t = await createTestApp(driver, { TRUST_PROXY: 'true', REPORT_HIDE_THRESHOLD: '2' });
    d = await openDemoPhase(t.db, 'post');
    await createUser(t.db, 'leser@example.org', [], 'Leser');
  });
  afterAll(() => t?.close());

  it('puts the same "Melden" link under every published comment of the cached page, leading to an uncached form', async () => {
    const id = await comment();
    const page = await reader().get(demo.measurePath);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/contributions/${id}/report" hx-get="/contributions/${id}/report" hx-target="#report-slot-${id}"`);
    expect(page.body).toContain(`id="report-slot-${id}"`);
    expect(page.body).not.toContain('name="_csrf"');

    const form = await reader().get(`/contributions/${id}/report`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<h1>Beitrag melden</h1>');
    expect(form.body).toMatch(/name="_csrf" value="[^"]+"/);
    for (const reason of ['insult', 'personal_data', 'spam', 'off_topic', 'duplicate', 'unlawful', 'other']) expect(form.body).toContain(`name="reason" value="${reason}"`);
    for (const anchor of ['insult', 'personal-data', 'spam', 'off-topic', 'duplicate', 'unlawful']) expect(form.body).toContain(`href="/netiquette#${anchor}"`);
    expect(form.body).toContain('name="note"');
    expect(form.body).toContain('class="hp-field"');

    // With JavaScript the form comes as a fragment carrying its own token.
    const fragment = await reader().get(`/contributions/${id}/report`, { 'hx-request': 'true' });
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).toMatch(/name="_csrf" value="[^"]+"/);
    expect(fragment.body).toContain('autofocus');

    // Every linked rule exists on the house rules page.
    const rules = await reader().get('/netiquette');
    for (const anchor of ['insult', 'personal-data', 'spam', 'off-topic', 'duplicate', 'unlawful']) expect(rules.body).toContain(`id="${anchor}"`);
    expect(rules.body).toContain('„Melden“');
  });

  it('takes an anonymous report once per reader and says so kindly the second time', async () => {
    const id = await comment();
    const anna = reader();
    await anna.get(`/contributions/${id}/report`);
    const res = await anna.post(`/contributions/${id}/report`, { reason: 'personal_data', note: 'Da steht eine Telefonnummer.' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/contributions/${id}/report/thanks?state=reported`);
    const thanks = await anna.get(String(res.headers.location));
    expect(thanks.body).toContain('Die Moderation sieht sich den Beitrag an');
    expect(thanks.body).toContain(`href="${demo.measurePath}#comment-${id}"`);

    const [row] = await reportsOf(id);
    expect(row).toMatchObject({ reason: 'personal_data', note: 'Da steht eine Telefonnummer.', reporterId: null, resolvedAt: null });
    expect(row!.reporterKey).toMatch(/^addr:/);
    expect(row!.reporterKey).not.toContain('198.51.100');

    await anna.get(`/contributions/${id}/report`);
    const again = await anna.post(`/contributions/${id}/report`, { reason: 'spam', note: '' });
    expect(again.headers.location).toBe(`/contributions/${id}/report/thanks?state=already`);
    expect((await anna.get(String(again.headers.location))).body).toContain('Sie haben diesen Beitrag schon gemeldet');
    expect(await reportsOf(id)).toHaveLength(1);
    expect((await statusOf(id)).status).toBe('published');
  });

  it('counts a signed-in reader by the account, wherever they are', async () => {
    const id = await comment();
    const person = new Client(t.app, { 'x-forwarded-for': '203.0.113.7' });
    await person.signIn('leser@example.org');
    await person.get(`/contributions/${id}/report`);
    expect((await person.post(`/contributions/${id}/report`, { reason: 'off_topic' })).statusCode).toBe(303);
    const elsewhere = new Client(t.app, { 'x-forwarded-for': '203.0.113.99' });
    await elsewhere.signIn('leser@example.org');
    await elsewhere.get(`/contributions/${id}/report`);
    expect((await elsewhere.post(`/contributions/${id}/report`, { reason: 'off_topic' })).headers.location).toContain('state=already');
    const rows = await reportsOf(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.reporterKey).toMatch(/^user:/);
    expect(rows[0]!.reporterId).not.toBeNull();
  });

  it('keeps what was typed and explains a missing reason or an unexplained "other"', async () => {
    const id = await comment();
    const r = reader();
    await r.get(`/contributions/${id}/report`);
    const none = await r.post(`/contributions/${id}/report`, { note: 'Bitte ansehen' });
    expect(none.statusCode).toBe(422);
    expect(none.body).toContain('Bitte wählen Sie einen Grund aus der Liste.');
    expect(none.body).toContain('>Bitte ansehen</textarea>');
    const other = await r.post(`/contributions/${id}/report`, { reason: 'other', note: '   ' });
    expect(other.statusCode).toBe(422);
    expect(other.body).toContain('Bitte beschreiben Sie kurz');
    expect(other.body).toMatch(/value="other" checked/);
    const long = await r.post(`/contributions/${id}/report`, { reason: 'spam', note: 'x'.repeat(1001) });
    expect(long.statusCode).toBe(422);
    expect(long.body).toContain('1001 Zeichen, erlaubt sind 1000');
    expect(await reportsOf(id)).toHaveLength(0);
  });

  it('takes a contribution down at once when reports from different readers reach the threshold', async () => {
    const id = await comment({ body: 'Ein beleidigender Kommentar zum Melden' });
    const before = await reader().get(demo.measurePath);
    expect(before.body).toContain('Ein beleidigender Kommentar zum Melden');

    const first = reader();
    await first.get(`/contributions/${id}/report`);
    expect((await first.post(`/contributions/${id}/report`, { reason: 'insult' })).headers.location).toContain('state=reported');
    expect((await reader().get(demo.measurePath)).body).toContain('Ein beleidigender Kommentar zum Melden');

    const second = reader();
    await second.get(`/contributions/${id}/report`);
    const res = await second.post(`/contributions/${id}/report`, { reason: 'insult', note: 'Hetze' });
    expect(res.headers.location).toBe(`/contributions/${id}/report/thanks?state=hidden`);
    const thanks = await second.get(String(res.headers.location));
    expect(thanks.body).toContain('vorerst ausgeblendet');
    expect(thanks.body).toContain(`href="${demo.measurePath}"`);

    const row = await statusOf(id);
    expect(row).toMatchObject({ status: 'hidden', statusReason: 'reported', moderationVersion: 1 });
    const after = await reader().get(demo.measurePath);
    expect(after.body).not.toContain('Ein beleidigender Kommentar zum Melden');
    expect((await reader().get(`/contributions/${id}`)).statusCode).toBe(404);
    expect((await reader().get(`/contributions/${id}/report`)).statusCode).toBe(404);

    const [audit] = await t.db.select().from(auditEntries).where(and(eq(auditEntries.subjectType, 'contribution'), eq(auditEntries.subjectId, String(id)), eq(auditEntries.action, 'moderation.auto_hide')));
    expect(audit).toMatchObject({ actorId: null, reason: 'reported' });
    expect(audit!.before).toMatchObject({ status: 'published' });
    expect(audit!.after).toMatchObject({ status: 'hidden', openReports: 2 });

    // What the moderators' queue reads: the open reports of the hidden contribution.
    const open = await t.db.select().from(contributionReports).where(and(eq(contributionReports.contributionId, id), isNull(contributionReports.resolvedAt)));
    expect(open.map((r) => r.reason)).toEqual(['insult', 'insult']);

    // A reader who reported before hears "already"; a new one finds nothing to report.
    await second.get(`/contributions/${id}/report/thanks`);
    expect((await second.post(`/contributions/${id}/report`, { reason: 'insult' })).headers.location).toContain('state=already');
    expect((await reader().post(`/contributions/${id}/report`, { reason: 'insult' })).statusCode).toBe(404);
  });

  it('counts only open reports towards the threshold', async () => {
    const id = await comment();
    await t.db.insert(contributionReports).values({ contributionId: id, reason: 'spam', reporterKey: 'addr:earlier', resolvedAt: new Date() });
    const r = reader();
    await r.get(`/contributions/${id}/report`);
    expect((await r.post(`/contributions/${id}/report`, { reason: 'spam' })).headers.location).toContain('state=reported');
    expect((await statusOf(id)).status).toBe('published');
  });

  it('stores nothing when the honeypot is filled, and answers like a success', async () => {
    const id = await comment();
    const bot = reader();
    await bot.get(`/contributions/${id}/report`);
    const res = await bot.post(`/contributions/${id}/report`, { reason: 'spam', website: 'http://spam.example' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('state=reported');
    expect(await reportsOf(id)).toHaveLength(0);
  });

  it('limits how many reports one client sends per hour', async () => {
    const id = await comment();
    const busy = reader();
    await busy.get(`/contributions/${id}/report`);
    for (let i = 0; i < 20; i++) expect((await busy.post(`/contributions/${id}/report`, { reason: 'spam' })).statusCode).toBe(303);
    const limited = await busy.post(`/contributions/${id}/report`, { reason: 'spam', note: 'noch einmal' });
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('sehr viele Meldungen');
    expect(limited.body).toContain('>noch einmal</textarea>');
  });

  it('has nothing to report for contributions that are not public', async () => {
    const pending = await comment({ status: 'pending', publishedAt: null });
    const r = reader();
    expect((await r.get(`/contributions/${pending}/report`)).statusCode).toBe(404);
    await r.get('/contributions/access');
    expect((await r.post(`/contributions/${pending}/report`, { reason: 'spam' })).statusCode).toBe(404);
    expect((await r.get('/contributions/abc/report')).statusCode).toBe(404);
    expect(await reportsOf(pending)).toHaveLength(0);
  });

  it('offers the link on a published statement too', async () => {
    const id = await comment({ kind: 'statement', targetKind: 'consultation', targetKey: null, title: 'Stellungnahme', receiptNumber: 'AI-2026-0990', publishText: true });
    const page = await reader().get(`/consultations/${demo.slug}/statements/AI-2026-0990`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/contributions/${id}/report"`);
    const r = reader();
    await r.get(`/contributions/${id}/report`);
    const res = await r.post(`/contributions/${id}/report`, { reason: 'duplicate' });
    const thanks = await r.get(String(res.headers.location));
    expect(thanks.body).toContain(`href="/consultations/${demo.slug}/statements/AI-2026-0990"`);
  });

  it('speaks English on an English page', async () => {
    const id = await comment();
    const page = await new Client(t.app, { 'accept-language': 'en' }).get(`/contributions/${id}/report`);
    expect(page.body).toContain('<h1>Report a contribution</h1>');
    expect(page.body).toContain('Other people’s personal data');
  });
});
