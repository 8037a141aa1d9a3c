import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../src/app.js';
import { announceChange } from '../src/core/cache.js';
import { createEta } from '../src/core/web.js';
import { auditEntries } from '../src/modules/audit/schema.js';
import { renderMail } from '../src/modules/mail/worker.js';
import { contributionReports, contributions } from '../src/modules/participation/schema.js';
import { CONTRIBUTIONS_TAG } from '../src/modules/participation/service.js';
import { Client, createTestApp, createUser, outbox, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { plainText, formVersion } from './helpers/html.js';
import { demo, openDemoPhase } from './helpers/participation.js';
import { TestSmtp } from './helpers/smtp.js';

type NewRow = typeof contributions.$inferInsert;
const rowIds = (html: string) => [...html.matchAll(/<li class="mod-row[^"]*" id="row-(\d+)"/g)].map((m) => Number(m[1]));
/** The count shown beside a filter value, e.g. the 12 of "Wartend (12)". */
const optionCount = (html: string, select: string, value: string) => {
  const block = new RegExp(`<select id="filter-${select}"[\\s\\S]*?</select>`).exec(html)?.[0] ?? '';
  const m = new RegExp(`<option value="${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>[^<]*\\((\\d+)\\)</option>`).exec(block);
  return m ? Number(m[1]) : null;
};
const total = (html: string) => Number(/<p id="queue-status"[^>]*><strong>(\d+|1) Beitr/.exec(html)?.[1] ?? -1);
const eta = createEta(false);

describe.each(drivers)('moderation [%s]', (driver) => {
  let t: TestApp;
  let consultationId: number;
  let phaseId: number;
  let mod: Client;
  let mod2: Client;
  let organiser: Client;
  let authorId: string;
  let modId: string;
  let n = 0;

  async function insert(values: Partial<NewRow> = {}): Promise<number> {
    n++;
    const [row] = await t.db
      .insert(contributions)
      .values({
        consultationId,
        phaseId,
        kind: 'comment',
        targetKind: 'measure',
        targetKey: demo.measure,
        body: `Beitrag Nummer ${n}`,
        language: 'de',
        pageLocale: 'de',
        status: 'pending',
        authorId,
        ...values,
      } as NewRow)
      .returning({ id: contributions.id });
    if (values.status === 'published') {
      await announceChange(t.db, CONTRIBUTIONS_TAG);
      await t.app.cacheChannel.settle();
    }
    return row!.id;
  }

  async function row(id: number) {
    const [r] = await t.db.select().from(contributions).where(eq(contributions.id, id));
    return r!;
  }

  /** Opens the item page as a moderator does and sends one of its forms. */
  async function decide(client: Client, id: number, form: Record<string, string>, query = '') {
    const page = await client.get(`/moderation/contributions/${id}${query}`);
    expect(page.statusCode).toBe(200);
    return client.post(`/moderation/contributions/${id}${query}`, { version: String(formVersion(page.body)), ...form });
  }

  async function decisionMails(to: string) {
    return (await outbox(t.db)).filter((m) => m.template === 'moderation_decision' && m.toAddress === to);
  }

  beforeAll(async () => {
    t = await createTestApp(driver);
    ({ consultationId, phaseId } = await openDemoPhase(t.db, 'pre'));
    authorId = await createUser(t.db, 'autorin@example.org', [], 'Autorin A');
    modId = await createUser(t.db, 'mod@example.org', ['moderator'], 'Moderatorin M');
    await createUser(t.db, 'mod2@example.org', ['moderator'], 'Moderator Zwei');
    await createUser(t.db, 'org@example.org', ['organiser'], 'Büro B');
    await createUser(t.db, 'amt@example.org', ['department_editor'], 'Amt');
    await createUser(t.db, 'leserin@example.org', [], 'Leserin');
    mod = new Client(t.app);
    await mod.signIn('mod@example.org');
    mod2 = new Client(t.app);
    await mod2.signIn('mod2@example.org');
    organiser = new Client(t.app);
    await organiser.signIn('org@example.org');
  });
  afterAll(() => t?.close());

  it('lets moderators, organisers and admins in, and refuses participants and department editors', async () => {
    const id = await insert();
    const amt = new Client(t.app);
    await amt.signIn('amt@example.org');
    const reader = new Client(t.app);
    await reader.signIn('leserin@example.org');
    for (const client of [amt, reader]) {
      for (const url of ['/moderation', `/moderation/contributions/${id}`, '/moderation/audit', '/moderation/audit.csv']) {
        expect((await client.get(url)).statusCode, url).toBe(403);
      }
      expect((await client.post(`/moderation/contributions/${id}`, { decision: 'approve', version: '0' })).statusCode).toBe(403);
      expect((await client.post('/moderation/bulk', { decision: 'approve', items: `${id}:0` })).statusCode).toBe(403);
    }
    expect((await row(id)).status).toBe('pending');
    expect((await mod.get('/moderation')).statusCode).toBe(200);
    // The log is the participation office's: moderators work the queue, organisers read the trail.
    expect((await mod.get('/moderation/audit')).statusCode).toBe(403);
    expect((await organiser.get('/moderation/audit')).statusCode).toBe(200);
    const anonymous = await new Client(t.app).get('/moderation');
    expect(anonymous.statusCode).toBe(303);
    const home = await mod.get('/');
    expect(home.body).toContain('href="/moderation"');
    expect((await reader.get('/')).body).not.toContain('href="/moderation"');
  });

  it('shows what waits, oldest first, with reported public ones; filters change the list and the counts agree', async () => {
    const key = 'm-test-filters';
    const old = await insert({ targetKey: key, body: 'Der älteste Beitrag', createdAt: new Date(Date.now() - 8 * 86_400_000) });
    const ukr = await insert({ targetKey: key, body: 'Більше курсів мови', language: 'uk', createdAt: new Date(Date.now() - 2 * 86_400_000) });
    const letter = await insert({ targetKey: key, body: 'Ein Brief an die Stadt', channel: 'letter', authorId: null, kind: 'statement', createdAt: new Date(Date.now() - 3600_000) });
    const reported = await insert({ targetKey: key, body: 'Öffentlich, aber gemeldet', status: 'published', publishedAt: new Date() });
    await t.db.insert(contributionReports).values({ contributionId: reported, reason: 'insult', reporterKey: 'r1', note: 'Das ist beleidigend' });
    const quiet = await insert({ targetKey: key, body: 'Öffentlich und unauffällig', status: 'published', publishedAt: new Date() });
    await insert({ targetKey: key, body: 'Noch nicht bestätigt', status: 'unconfirmed', authorId: null, guestEmail: 'gast@example.org' });

    const base = `/moderation?target=${encodeURIComponent(`measure:${key}`)}`;
    const list = await mod.get(base);
    expect(rowIds(list.body)).toEqual([old, ukr, letter, reported]);
    expect(total(list.body)).toBe(4);
    expect(optionCount(list.body, 'status', 'open')).toBe(4);
    expect(optionCount(list.body, 'status', 'published')).toBe(2);
    expect(optionCount(list.body, 'language', 'uk')).toBe(1);
    expect(optionCount(list.body, 'language', 'de')).toBe(3);
    expect(optionCount(list.body, 'channel', 'letter')).toBe(1);
    expect(optionCount(list.body, 'kind', 'statement')).toBe(1);
    expect(optionCount(list.body, 'reported', 'yes')).toBe(1);
    expect(optionCount(list.body, 'age', '7')).toBe(1);
    expect(optionCount(list.body, 'age', '1')).toBe(2);
    const reportedRow = new RegExp(`id="row-${reported}"[\\s\\S]*?</li>`).exec(list.body)?.[0] ?? '';
    expect(plainText(reportedRow)).toContain('1 Meldung : Beleidigung');
    // A guest is a guest: never the address.
    expect(list.body).not.toContain('gast@example.org');

    for (const [param, value, expected] of [
      ['language', 'uk', [ukr]],
      ['channel', 'letter', [letter]],
      ['kind', 'statement', [letter]],
      ['reported', 'yes', [reported]],
      ['reported', 'no', [old, ukr, letter]],
      ['age', '7', [old]],
      ['age', '1', [old, ukr]],
      ['status', 'published', [reported, quiet]],
      ['sort', 'newest', [reported, letter, ukr, old]],
    ] as const) {
      const page = await mod.get(`${base}&${param}=${value}`);
      expect(rowIds(page.body), `${param}=${value}`).toEqual(expected);
      expect(total(page.body), `${param}=${value}`).toBe(expected.length);
      if (param !== 'sort' && param !== 'status') expect(optionCount(list.body, param, value), `${param}=${value}`).toBe(expected.length);
    }
    // Counts follow the other filters: with language=uk only one waits.
    const uk = await mod.get(`${base}&language=uk`);
    expect(optionCount(uk.body, 'status', 'open')).toBe(1);
    expect(optionCount(uk.body, 'language', 'de')).toBe(3);
    // htmx gets the form and the list, not the page.
    const fragment = await mod.get(`${base}&language=uk`, { 'hx-request': 'true' });
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).toContain('id="queue-status"');
    expect(rowIds(fragment.body)).toEqual([ukr]);
    expect(fragment.body).toContain('name="status"');
  });

  it('finds German and Arabic words, and single characters inside words', async () => {
    const key = 'm-test-search';
    const de = await insert({ targetKey: key, body: 'Wir brauchen mehr Sprachkurse für Eltern' });
    const ar = await insert({ targetKey: key, body: 'نحتاج إلى دورات لغة للأهل', language: 'ar' });
    const base = `/moderation?target=${encodeURIComponent(`measure:${key}`)}`;
    expect(rowIds((await mod.get(`${base}&q=Sprachkurse`)).body)).toEqual([de]);
    expect(rowIds((await mod.get(`${base}&q=${encodeURIComponent('sprachkurse eltern')}`)).body)).toEqual([de]);
    expect(rowIds((await mod.get(`${base}&q=${encodeURIComponent('دورات')}`)).body)).toEqual([ar]);
    expect(rowIds((await mod.get(`${base}&q=Fahrrad`)).body)).toEqual([]);
    expect(rowIds((await mod.get(`${base}&q=${encodeURIComponent('ü')}`)).body)).toEqual([de]);
    expect(rowIds((await mod.get(`${base}&q=%25`)).body)).toEqual([]);
    const arRow = await mod.get(`${base}&q=${encodeURIComponent('دورات')}`);
    expect(arRow.body).toMatch(/class="mod-row__excerpt contributed-text" dir="auto" lang="ar"/);
  });

  it('pages 25 at a time', async () => {
    const key = 'm-test-pages';
    const ids: number[] = [];
    for (let i = 0; i < 27; i++) ids.push(await insert({ targetKey: key, createdAt: new Date(Date.now() - (100 - i) * 60_000) }));
    const base = `/moderation?target=${encodeURIComponent(`measure:${key}`)}`;
    const first = await mod.get(base);
    expect(rowIds(first.body)).toEqual(ids.slice(0, 25));
    expect(first.body).toContain('Seite 1 von 2');
    const next = /<a class="pager__link" href="([^"]+)" rel="next"/.exec(first.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect(next).toContain('page=2');
    expect(rowIds((await mod.get(next)).body)).toEqual(ids.slice(25));
    // The item page walks the same list.
    const item = await mod.get(`/moderation/contributions/${ids[24]}?target=${encodeURIComponent(`measure:${key}`)}`);
    expect(item.body).toContain(`href="/moderation/contributions/${ids[25]}?target=measure%3A${key}" rel="next"`);
    expect(item.body).toContain(`href="/moderation/contributions/${ids[23]}?target=measure%3A${key}" rel="prev"`);
  });

  it('approves and rejects a selection, and names those someone else decided first', async () => {
    const key = 'm-test-bulk';
    const a = await insert({ targetKey: key });
    const b = await insert({ targetKey: key });
    const c = await insert({ targetKey: key });
    const base = `/moderation?target=${encodeURIComponent(`measure:${key}`)}`;
    const page = await mod.get(base);
    const value = (id: number) => new RegExp(`value="(${id}:\\d+)"`).exec(page.body)?.[1] as string;
    // Someone else approves b meanwhile.
    expect((await decide(mod2, b, { decision: 'reject', rejectReason: 'spam' })).statusCode).toBe(303);
    const res = await mod.post(`/moderation/bulk?target=${encodeURIComponent(`measure:${key}`)}`, { decision: 'approve', items: [value(a), value(b), value(c)] });
    expect(res.statusCode).toBe(303);
    const after = await mod.get(res.headers.location as string);
    expect(plainText(after.body)).toContain('2 Beiträge freigegeben.');
    expect(plainText(after.body)).toContain(`#${b}: Bereits von Moderator Zwei am`);
    expect(plainText(after.body)).toContain('abgelehnt. Stand jetzt: abgelehnt.');
    expect((await row(a)).status).toBe('published');
    expect((await row(b)).status).toBe('rejected');
    expect((await row(c)).status).toBe('published');

    const d = await insert({ targetKey: key });
    const page2 = await mod.get(base);
    const noReason = await mod.post(`/moderation/bulk?target=${encodeURIComponent(`measure:${key}`)}`, { decision: 'reject', items: [new RegExp(`value="(${d}:\\d+)"`).exec(page2.body)?.[1] as string] });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.body).toContain('Bitte wählen Sie einen Grund aus der Netiquette.');
    expect(noReason.body).toMatch(new RegExp(`value="${d}:0" id="select-${d}" checked`));
    const none = await mod.post(`/moderation/bulk`, { decision: 'approve' });
    expect(none.statusCode).toBe(422);
    expect(none.body).toContain('Bitte wählen Sie mindestens einen Beitrag aus.');
    const rejected = await mod.post(`/moderation/bulk`, { decision: 'reject', reason: 'off_topic', items: [`${d}:0`] });
    expect(rejected.statusCode).toBe(303);
    expect(await row(d)).toMatchObject({ status: 'rejected', statusReason: 'off_topic', moderatedBy: modId });
  });

  it('approving in pre-moderation makes it public on the cached page at once, and tells the author with a link', async () => {
    const anonymous = new Client(t.app);
    const id = await insert({ body: 'Abendkurse bitte auch samstags', pageLocale: 'en' });
    expect((await anonymous.get(demo.measurePath)).body).not.toContain('Abendkurse bitte auch samstags');
    const res = await decide(mod, id, { decision: 'approve' });
    expect(res.statusCode).toBe(303);
    expect((await anonymous.get(demo.measurePath)).body).toContain('Abendkurse bitte auch samstags');
    expect((await anonymous.get(`/contributions/${id}`)).statusCode).toBe(200);
    const r = await row(id);
    expect(r).toMatchObject({ status: 'published', moderatedBy: modId, moderationVersion: 1, claimedBy: null });
    expect(r.publishedAt).not.toBeNull();
    const [mail] = await decisionMails('autorin@example.org').then((m) => m.filter((x) => String(x.payload.excerpt).includes('samstags')));
    expect(mail).toBeDefined();
    // In the language of the page the author wrote on.
    expect(mail!.locale).toBe('en');
    expect(mail!.payload).toMatchObject({ decision: 'approve', url: `http://localhost:3000/contributions/${id}` });
    const rendered = renderMail(eta, catalogue, t.config, 'moderation_decision', mail!.locale, mail!.payload);
    expect(rendered.subject).toBe('Your contribution to “Aktionsplan Integration 2022 bis 2026”');
    expect(rendered.text).toContain('Your contribution is now published.');
    expect(rendered.text).toContain(`http://localhost:3000/contributions/${id}`);
  });

  it('rejecting with a reason removes a published one at once and mails the reason, the note and what to do', async () => {
    const anonymous = new Client(t.app);
    const id = await insert({ body: 'Ein sichtbarer Satz, der gleich verschwindet', status: 'published', publishedAt: new Date() });
    expect((await anonymous.get(demo.measurePath)).body).toContain('Ein sichtbarer Satz, der gleich verschwindet');
    const missing = await decide(mod, id, { decision: 'reject', rejectNote: 'Bitte sachlich bleiben.' });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('Bitte wählen Sie einen Grund aus der Netiquette.');
    expect(missing.body).toContain('Bitte sachlich bleiben.</textarea>');
    const res = await decide(mod, id, { decision: 'reject', rejectReason: 'insult', rejectNote: 'Bitte sachlich bleiben.' });
    expect(res.statusCode).toBe(303);
    expect((await anonymous.get(demo.measurePath)).body).not.toContain('Ein sichtbarer Satz, der gleich verschwindet');
    expect((await anonymous.get(`/contributions/${id}`)).statusCode).toBe(404);
    expect(await row(id)).toMatchObject({ status: 'rejected', statusReason: 'insult' });
    const mail = (await decisionMails('autorin@example.org')).at(-1)!;
    expect(mail.payload).toMatchObject({ decision: 'reject', reason: 'insult', note: 'Bitte sachlich bleiben.', netiquetteUrl: 'http://localhost:3000/netiquette#insult' });
    const text = renderMail(eta, catalogue, t.config, 'moderation_decision', 'de', mail.payload).text;
    expect(text).toContain('Wir haben Ihren Beitrag nicht veröffentlicht. Der Grund: Beleidigung.');
    expect(text).toContain('> Bitte sachlich bleiben.');
    expect(text).toContain('Sie können gern einen neuen Beitrag schreiben, der diese Regeln beachtet.');
    expect(text).toContain('http://localhost:3000/netiquette#insult');
    expect(text).toContain('http://localhost:3000/my/contributions');
    // The house rules have a section for every reason offered.
    const rules = await anonymous.get('/netiquette');
    const page = await mod.get(`/moderation/contributions/${await insert()}`);
    for (const anchor of [...page.body.matchAll(/href="\/netiquette#([\w-]+)"/g)].map((m) => m[1])) expect(rules.body).toContain(`id="${anchor}"`);
  });

  it('hides and restores a published one; a guest is written to at their address', async () => {
    const anonymous = new Client(t.app);
    const id = await insert({ body: 'Ein Gastbeitrag mit Meinung', status: 'published', publishedAt: new Date(), authorId: null, guestEmail: 'gast2@example.org' });
    await t.db.insert(contributionReports).values({ contributionId: id, reason: 'spam', reporterKey: 'r-hide' });
    expect((await anonymous.get(demo.measurePath)).body).toContain('Ein Gastbeitrag mit Meinung');
    const noReason = await decide(mod, id, { decision: 'hide' });
    expect(noReason.statusCode).toBe(422);
    expect((await decide(mod, id, { decision: 'hide', hideReason: 'spam', hideNote: 'Werbung für einen Laden' })).statusCode).toBe(303);
    expect((await anonymous.get(demo.measurePath)).body).not.toContain('Ein Gastbeitrag mit Meinung');
    const [report] = await t.db.select().from(contributionReports).where(eq(contributionReports.contributionId, id));
    expect(report?.resolvedAt).not.toBeNull();
    expect((await decide(mod, id, { decision: 'restore' })).statusCode).toBe(303);
    expect((await anonymous.get(demo.measurePath)).body).toContain('Ein Gastbeitrag mit Meinung');
    const mails = await decisionMails('gast2@example.org');
    expect(mails.map((m) => m.payload.decision)).toEqual(['hide', 'restore']);
    expect(mails[0]!.payload).toMatchObject({ reason: 'spam', mineUrl: 'http://localhost:3000/contributions/access' });
    expect(renderMail(eta, catalogue, t.config, 'moderation_decision', 'de', mails[0]!.payload).text).toContain('Wir haben Ihren Beitrag ausgeblendet. Der Grund: Werbung oder Spam.');
    expect(renderMail(eta, catalogue, t.config, 'moderation_decision', 'de', mails[1]!.payload).text).toContain('Ihr Beitrag ist wieder öffentlich sichtbar.');
  });

  it('asks for a revision with a required note and a link to revise', async () => {
    const id = await insert({ body: 'Text mit Telefonnummer eines Nachbarn', authorId: null, guestEmail: 'gast3@example.org' });
    const missing = await decide(mod, id, { decision: 'revise' });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('Bitte schreiben Sie, was die Person ändern soll.');
    expect((await decide(mod, id, { decision: 'revise', reviseNote: 'Bitte die Telefonnummer entfernen.' })).statusCode).toBe(303);
    expect((await row(id)).status).toBe('revision_requested');
    const [mail] = await decisionMails('gast3@example.org');
    expect(String(mail!.payload.reviseUrl)).toMatch(/^http:\/\/localhost:3000\/contributions\/revise\?token=[\w-]+$/);
    const text = renderMail(eta, catalogue, t.config, 'moderation_decision', 'de', mail!.payload).text;
    expect(text).toContain('Bitte überarbeiten Sie Ihren Beitrag.');
    expect(text).toContain('> Bitte die Telefonnummer entfernen.');
    expect(text).toContain(String(mail!.payload.reviseUrl));
  });

  it('redacts a passage: the public sees the redacted text everywhere, never the removed passage; moderators see both', async () => {
    const anonymous = new Client(t.app);
    const secret = '0351 1234567';
    const id = await insert({ body: `Ruft Herrn K. an unter ${secret}, der weiß Bescheid.`, status: 'published', publishedAt: new Date() });
    expect((await anonymous.get(demo.measurePath)).body).toContain(secret);
    const page = await mod.get(`/moderation/contributions/${id}`);
    expect(page.body).toContain(`Ruft Herrn K. an unter ${secret}, der weiß Bescheid.</textarea>`);
    const res = await decide(mod, id, { decision: 'redact', text: 'Ruft Herrn K. an unter [entfernt], der weiß Bescheid.' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/moderation/contributions/${id}`);
    const measure = await anonymous.get(demo.measurePath);
    expect(measure.body).toContain('Ruft Herrn K. an unter [entfernt], der weiß Bescheid.');
    expect(measure.body).not.toContain(secret);
    const own = await anonymous.get(`/contributions/${id}`);
    expect(own.body).toContain('[entfernt]');
    expect(own.body).not.toContain(secret);
    const csv = await anonymous.get(`/consultations/${demo.slug}/contributions.csv`);
    expect(csv.body).toContain('Ruft Herrn K. an unter [entfernt]');
    expect(csv.body).not.toContain(secret);
    const json = await anonymous.get(`/consultations/${demo.slug}/contributions.json`);
    expect(json.body).not.toContain(secret);
    const after = await mod.get(`/moderation/contributions/${id}`);
    expect(plainText(after.body)).toContain('Öffentliche Fassung (gekürzt)');
    expect(after.body).toContain(secret);
    // The audit keeps the text before and after for the participation office.
    const [entry] = await t.db.select().from(auditEntries).where(and(eq(auditEntries.subjectId, String(id)), eq(auditEntries.action, 'moderation.redact')));
    expect(entry?.before).toMatchObject({ text: `Ruft Herrn K. an unter ${secret}, der weiß Bescheid.` });
    expect(entry?.after).toMatchObject({ text: 'Ruft Herrn K. an unter [entfernt], der weiß Bescheid.' });
  });

  it('redacts a written statement on its public page and in the item lists', async () => {
    const anonymous = new Client(t.app);
    const secret = 'Musterstraße 12';
    const id = await insert({ kind: 'statement', targetKind: 'consultation', targetKey: null, title: 'Stellungnahme zum Wohnen', body: `Die Wohnung in der ${secret} steht leer.`, receiptNumber: 'AI-2099-0001', status: 'published', publishedAt: new Date() });
    const url = `/consultations/${demo.slug}/statements/AI-2099-0001`;
    expect((await anonymous.get(url)).body).toContain(secret);
    expect((await decide(mod, id, { decision: 'redact', text: 'Die Wohnung in der [entfernt] steht leer.' })).statusCode).toBe(303);
    const page = await anonymous.get(url);
    expect(page.body).toContain('Die Wohnung in der [entfernt] steht leer.');
    expect(page.body).not.toContain(secret);
    expect((await anonymous.get(`/consultations/${demo.slug}`)).body).not.toContain(secret);
  });

  it('refuses a decision on an outdated version with 409 and shows who decided what', async () => {
    const id = await insert({ body: 'Zwei Moderierende, ein Beitrag' });
    const seen = await mod.get(`/moderation/contributions/${id}`);
    const v = String(formVersion(seen.body));
    expect((await decide(mod2, id, { decision: 'approve' })).statusCode).toBe(303);
    const late = await mod.post(`/moderation/contributions/${id}`, { decision: 'reject', version: v, rejectReason: 'spam' });
    expect(late.statusCode).toBe(409);
    const text = plainText(late.body);
    expect(text).toContain('Jemand anderes hat diesen Beitrag inzwischen bearbeitet. Ihre Entscheidung wurde nicht gespeichert.');
    expect(text).toMatch(/Bereits von Moderator Zwei am \d+\. \w+ \d{4} um \d{2}:\d{2} freigegeben\. Stand jetzt: veröffentlicht\./);
    // The current state below: published now, so it can be hidden but not approved.
    expect(late.body).toContain('value="hide"');
    expect(late.body).not.toContain('value="approve"');
    expect(await row(id)).toMatchObject({ status: 'published', statusReason: null });
    const boosted = await mod.post(`/moderation/contributions/${id}`, { decision: 'reject', version: v, rejectReason: 'spam' }, { 'hx-request': 'true', 'hx-boosted': 'true' });
    expect(boosted.statusCode).toBe(409);
    expect(boosted.body).not.toContain('<!doctype html>');
    expect(boosted.body).toContain('Schon entschieden');
    const audit = await t.db.select().from(auditEntries).where(and(eq(auditEntries.subjectType, 'contribution'), eq(auditEntries.subjectId, String(id))));
    expect(audit.map((a) => a.action)).toEqual(['moderation.approve']);
  });

  it('claims never block: others see who is on it and may take over; a decision clears the claim', async () => {
    const id = await insert();
    await mod.get(`/moderation/contributions/${id}`);
    expect((await mod.post(`/moderation/contributions/${id}/claim`)).statusCode).toBe(303);
    expect(plainText((await mod.get(`/moderation/contributions/${id}`)).body)).toContain('Sie bearbeiten das.');
    const other = await mod2.get(`/moderation/contributions/${id}`);
    expect(plainText(other.body)).toMatch(/Moderatorin M bearbeitet das seit 1 Minute\./);
    expect(other.body).toContain('Trotzdem übernehmen');
    const list = await mod2.get(`/moderation?q=${encodeURIComponent(`Nummer ${n}`)}`);
    expect(plainText(list.body)).toContain('In Bearbeitung bei Moderatorin M');
    expect((await decide(mod2, id, { decision: 'approve' })).statusCode).toBe(303);
    expect((await row(id)).claimedBy).toBeNull();
  });

  it('keeps a rejected contribution for the consolidation, and settles reports as unfounded without a status change', async () => {
    const id = await insert();
    expect((await decide(mod, id, { decision: 'reject', rejectReason: 'duplicate', rejectKeep: 'yes' })).statusCode).toBe(303);
    expect(await row(id)).toMatchObject({ status: 'rejected', keepForConsolidation: true });
    expect((await decide(mod, id, { decision: 'keep', keep: 'no' })).statusCode).toBe(303);
    expect((await row(id)).keepForConsolidation).toBe(false);

    const pub = await insert({ status: 'published', publishedAt: new Date(), body: 'Harmlos, aber gemeldet' });
    await t.db.insert(contributionReports).values({ contributionId: pub, reason: 'off_topic', reporterKey: 'r-res', note: 'passt nicht' });
    const page = await mod.get(`/moderation/contributions/${pub}`);
    expect(plainText(page.body)).toContain('Nicht zum Thema');
    expect(plainText(page.body)).toContain('passt nicht');
    expect((await decide(mod, pub, { decision: 'resolve' })).statusCode).toBe(303);
    expect((await row(pub)).status).toBe('published');
    expect(rowIds((await mod.get('/moderation?q=Harmlos')).body)).toEqual([]);
  });

  it('records every decision in the audit; organisers read and filter it and download it as CSV', async () => {
    const id = await insert({ body: 'Für das Protokoll' });
    await decide(mod, id, { decision: 'reject', rejectReason: 'spam', rejectNote: '=HYPERLINK("x") an mail@example.org' });
    const item = await mod.get(`/moderation/contributions/${id}`);
    expect(plainText(item.body)).toContain('abgelehnt – Werbung oder Spam');
    expect(plainText(item.body)).toContain('Moderatorin M');

    const page = await organiser.get(`/moderation/audit?moderator=${modId}`);
    expect(page.statusCode).toBe(200);
    expect(plainText(page.body)).toContain(`#${id}`);
    expect(plainText(page.body)).toContain('wartet auf Freigabe → abgelehnt');
    const others = await organiser.get(`/moderation/audit?consultation=999999`);
    expect(plainText(others.body)).toContain('Keine Einträge für diese Filter.');
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    expect(plainText((await organiser.get(`/moderation/audit?from=${tomorrow}`)).body)).toContain('Keine Einträge');

    const csv = await organiser.get(`/moderation/audit.csv?moderator=${modId}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.startsWith('\uFEFFtime,moderator,action,contribution_id,consultation,reason,status_before,status_after,note\r\n')).toBe(true);
    const line = csv.body.split('\r\n').find((l) => l.includes(`,${id},`)) ?? '';
    expect(line).toContain(`Moderatorin M,moderation.reject,${id},${demo.slug},spam,pending,rejected,`);
    expect(line).toContain(`"'=HYPERLINK(""x"") an […]"`);
    expect(csv.body).not.toMatch(/@example\.org/);
  });

  it('sends the decision through SMTP in the author’s page language', async () => {
    const smtp = new TestSmtp();
    await smtp.start();
    const s = await createTestApp(driver, { SMTP_URL: smtp.url, MAIL_WORKER: 'true', MAIL_POLL_MS: '60000' });
    try {
      const ids = await openDemoPhase(s.db, 'pre');
      const author = await createUser(s.db, 'smtp-autor@example.org', [], 'Autor S');
      await createUser(s.db, 'smtp-mod@example.org', ['moderator'], 'Mod S');
      const [c] = await s.db
        .insert(contributions)
        .values({ consultationId: ids.consultationId, phaseId: ids.phaseId, kind: 'comment', targetKind: 'measure', targetKey: demo.measure, body: 'Bitte <b>mehr</b> Kurse', language: 'de', pageLocale: 'de', status: 'pending', authorId: author })
        .returning({ id: contributions.id });
      const client = new Client(s.app);
      await client.signIn('smtp-mod@example.org');
      const page = await client.get(`/moderation/contributions/${c!.id}`);
      const res = await client.post(`/moderation/contributions/${c!.id}`, { decision: 'reject', version: String(formVersion(page.body)), rejectReason: 'off_topic', rejectNote: 'Das gehört zu einem anderen Plan.' });
      expect(res.statusCode).toBe(303);
      await s.app.mailWorker.runOnce();
      const mail = await smtp.waitFor('smtp-autor@example.org');
      expect(mail.subject).toBe('Ihr Beitrag zu „Aktionsplan Integration 2022 bis 2026“');
      expect(mail.language).toBe('de');
      expect(mail.text).toContain('Der Grund: Nicht zum Thema.');
      expect(mail.text).toContain('> Das gehört zu einem anderen Plan.');
      expect(mail.text).toContain('> Bitte <b>mehr</b> Kurse');
      expect(mail.html).toContain('Bitte &lt;b&gt;mehr&lt;/b&gt; Kurse');
      expect(mail.html).toContain('href="http://localhost:3000/netiquette#off-topic"');
    } finally {
      await s.close();
      await smtp.stop();
    }
  });
});
