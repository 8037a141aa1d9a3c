import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments, contributionReferences, contributions, organisationMembers, organisations } from '../src/modules/participation/schema.js';
import { Client, createTestApp, createUser, outbox, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { closeDemoPhase, demo, openDemoPhase } from './helpers/participation.js';
import { fixture, formToken, postMultipart } from './fixtures/attachments/form.js';

const newPath = `/consultations/${demo.slug}/statements/new`;
const year = new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Europe/Berlin' }).format(new Date());
const second = 'm-jha-schulindex-schulsozialarbeit';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** What a person fills in: everything valid, with consent to publish both text and name. */
function filled(token: string, over: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    formToken: token,
    onBehalf: 'self',
    name: 'Olena Petrenko',
    email: '',
    title: 'Mehr Abendkurse',
    body: 'Die Abendoberschule braucht mehr Plätze für Erwachsene, die tagsüber arbeiten.',
    language: 'de',
    scope: 'items',
    refs: [`measure:${demo.measure}`, `measure:${second}`],
    privacy: 'yes',
    publishText: 'yes',
    publishName: 'yes',
    website: '',
    ...over,
  };
}

async function statementsInDb(t: TestApp) {
  return t.db.select().from(contributions).where(eq(contributions.kind, 'statement')).orderBy(asc(contributions.id));
}

describe.each(drivers)('written statements [%s]', (driver) => {
  let t: TestApp;
  let phaseId: number;

  beforeAll(async () => {
    t = await createTestApp(driver, { CONTRIBUTIONS_PER_EMAIL_PER_HOUR: '4' });
    ({ phaseId } = await openDemoPhase(t.db, 'post'));
    // The demo's second measure key must exist for the references below.
    const page = await new Client(t.app).get(`/consultations/${demo.slug}/measures/${second}`);
    expect(page.statusCode).toBe(200);
  });
  afterAll(() => t?.close());

  it('offers the form on its own uncached page, with the item from the link ticked', async () => {
    const guest = new Client(t.app);
    const res = await guest.get(`${newPath}?measure=${demo.measure}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('enctype="multipart/form-data"');
    expect(res.body).toMatch(/<input type="hidden" name="_csrf" value="[^"]+">/);
    expect(res.body).toMatch(/name="formToken" value="[A-Za-z0-9_-]{20,}"/);
    // The honeypot is hidden from people and assistive technology and never autofilled.
    expect(res.body).toMatch(/<div class="hp-field" aria-hidden="true">[\s\S]*?name="website" type="text" value="" tabindex="-1" autocomplete="off"/);
    expect(res.body).toMatch(new RegExp(`value="measure:${demo.measure}" checked`));
    expect(res.body).toContain('id="field-scope-items" name="scope" value="items" checked');
    // The field holding the ticked measure is open, the others are closed.
    expect(res.body).toMatch(/<details class="ref-picker__field" open>/);
    expect(res.body).toContain('type="file" id="field-attachments" name="attachments" multiple');
    expect(res.body).toContain('href="/privacy"');
    expect(res.body).toContain('href="/netiquette"');
    expect(text(res.body)).toContain('Nicht bestätigte Stellungnahmen löschen wir nach 7 Tagen');
    // Languages by their own names, each marked with its language.
    expect(res.body).toContain('<option value="uk" lang="uk">Українська</option>');
    // No publishing choice is made for the person.
    expect(res.body).not.toMatch(/name="publish(Text|Name)" value="(yes|no)" checked/);
    // Two GETs, two different one-time tokens.
    expect(formToken((await guest.get(newPath)).body)).not.toBe(formToken(res.body));
  });

  it('answers htmx with the form alone, to load it into an item page', async () => {
    const res = await new Client(t.app).get(`${newPath}?goal=${demo.goal}`, { 'hx-request': 'true' });
    expect(res.statusCode).toBe(200);
    expect(res.body.trimStart()).toMatch(/^<div id="statement-form"/);
    expect(res.body).not.toContain('<html');
    expect(res.body).toMatch(new RegExp(`value="goal:${demo.goal}" checked`));
    expect(res.body).toMatch(/name="_csrf" value="[^"]+"/);
  });

  it('takes a guest statement on two measures with a PDF: receipt number, receipt page, one mail with copy and confirmation link', async () => {
    const guest = new Client(t.app);
    const form = await guest.get(`${newPath}?measure=${demo.measure}`);
    const token = formToken(form.body);
    const before = (await outbox(t.db)).length;
    const fields = filled(token, { email: 'Gast@Example.org', name: '' });
    const pdf = fixture('stellungnahme.pdf');
    const res = await postMultipart(t.app, guest, newPath, fields, [{ filename: 'Stellungnahme März.pdf', content: pdf, type: 'application/pdf' }]);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/statements/received/${token}`);

    const [row] = await statementsInDb(t);
    expect(row).toMatchObject({ status: 'unconfirmed', guestEmail: 'gast@example.org', authorId: null, receiptNumber: `AI-${year}-0001`, channel: 'online', targetKind: 'consultation', publishText: true, publishName: true });
    expect(row?.consentPrivacyAt).toBeInstanceOf(Date);
    const refs = await t.db.select().from(contributionReferences).where(eq(contributionReferences.contributionId, row!.id));
    expect(refs.map((r) => `${r.targetKind}:${r.targetKey}`).sort()).toEqual([`measure:${demo.measure}`, `measure:${second}`].sort());
    const [file] = await t.db.select().from(attachments).where(eq(attachments.contributionId, row!.id));
    expect(file).toMatchObject({ fileName: 'Stellungnahme März.pdf', mediaType: 'application/pdf', size: pdf.length });
    expect(file?.sha256).toBe((await import('node:crypto')).createHash('sha256').update(pdf).digest('hex'));

    const receipt = await guest.get(res.headers.location as string);
    expect(receipt.statusCode).toBe(200);
    expect(receipt.headers['cache-control']).toBe('no-store');
    const page = text(receipt.body);
    expect(page).toContain(`Eingangsnummer: AI-${year}-0001`);
    expect(page).toContain('Bitte bestätigen Sie Ihre E-Mail-Adresse');
    expect(page).toContain('Stellungnahme März.pdf');
    expect(page).toContain('Ja, mein Text darf veröffentlicht werden.');
    expect(receipt.body).toContain(`href="/consultations/${demo.slug}/measures/${demo.measure}"`);
    expect(receipt.body).toContain(`href="/consultations/${demo.slug}/measures/${second}"`);

    const mails = (await outbox(t.db)).slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ toAddress: 'gast@example.org', template: 'contribution_receipt', locale: 'de' });
    const payload = mails[0]!.payload as Record<string, unknown>;
    expect(payload.receiptNumber).toBe(`AI-${year}-0001`);
    expect(payload.body).toBe(fields.body);
    expect(payload.files).toBe('Stellungnahme März.pdf');
    expect(String(payload.confirmUrl)).toMatch(/\/contributions\/confirm\?token=/);
    expect(payload.days).toBe(7);

    // The same form again (a double click, a reload of the POST): the same receipt, no new row, no mail.
    const again = await postMultipart(t.app, guest, newPath, fields, [{ filename: 'Stellungnahme März.pdf', content: pdf }]);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(`/statements/received/${token}`);
    expect(await statementsInDb(t)).toHaveLength(1);
    expect((await outbox(t.db)).slice(before)).toHaveLength(1);
  });

  it('renders the receipt mail with the copy, the file names and the confirmation link in one message', async () => {
    const { renderMail } = await import('../src/modules/mail/worker.js');
    const { catalogue } = await import('../src/app.js');
    const { createEta } = await import('../src/core/web.js');
    const [mail] = (await outbox(t.db)).filter((m) => m.template === 'contribution_receipt');
    const rendered = renderMail(createEta(false), catalogue, t.config, 'contribution_receipt', mail!.locale, mail!.payload);
    expect(rendered.subject).toBe(`Eingangsbestätigung Ihrer Stellungnahme AI-${year}-0001`);
    expect(rendered.text).toContain('Die Abendoberschule braucht mehr Plätze');
    expect(rendered.text).toContain('- Stellungnahme März.pdf');
    expect(rendered.text).toContain('/contributions/confirm?token=');
    expect(rendered.text).toContain('Der Link gilt 7 Tage. Ohne Bestätigung löschen wir die Stellungnahme danach.');
    expect(rendered.html).toContain('Stellungnahme März.pdf');
    expect(rendered.html).toContain('dir="auto"');
  });

  it('publishes a signed-in participant’s statement at once in post-moderation, numbered in sequence', async () => {
    await createUser(t.db, 'teilnehmer@example.org', [], 'Amira');
    const person = new Client(t.app);
    await person.signIn('teilnehmer@example.org');
    const form = await person.get(newPath);
    expect(form.body).toContain('value="Amira"');
    expect(text(form.body)).toContain('Die Eingangsbestätigung schicken wir an teilnehmer@example.org');
    expect(form.body).not.toContain('name="email"');
    const token = formToken(form.body);
    const res = await postMultipart(t.app, person, newPath, filled(token, { scope: 'plan', refs: [] }), [{ filename: 'pixel.png', content: fixture('pixel.png') }]);
    expect(res.statusCode).toBe(303);
    const row = (await statementsInDb(t)).at(-1);
    expect(row).toMatchObject({ status: 'published', receiptNumber: `AI-${year}-0002`, guestEmail: null, submitterName: 'Olena Petrenko' });
    expect(row?.publishedAt).toBeInstanceOf(Date);
    const receipt = text((await person.get(res.headers.location as string)).body);
    expect(receipt).toContain('Ihre Stellungnahme ist veröffentlicht.');
    expect(receipt).toContain('den ganzen Plan');

    const mail = (await outbox(t.db)).at(-1)!;
    expect(mail.toAddress).toBe('teilnehmer@example.org');
    expect((mail.payload as Record<string, unknown>).confirmUrl).toBeNull();

    const publicPage = await new Client(t.app).get(`/consultations/${demo.slug}/statements/AI-${year}-0002`);
    expect(publicPage.statusCode).toBe(200);
    const shown = text(publicPage.body);
    expect(shown).toContain('Mehr Abendkurse');
    expect(shown).toContain('Die Abendoberschule braucht mehr Plätze');
    expect(shown).toContain('Olena Petrenko');
    expect(publicPage.body).toContain('dir="auto" lang="de"');
    expect(publicPage.body).toMatch(/href="\/attachments\/\d+\/pixel\.png"/);
    // The guest's unconfirmed statement is not public.
    expect((await new Client(t.app).get(`/consultations/${demo.slug}/statements/AI-${year}-0001`)).statusCode).toBe(404);
  });

  it('keeps text and name private when the person said no', async () => {
    const person = new Client(t.app);
    await person.signIn('teilnehmer@example.org');
    const token = formToken((await person.get(newPath)).body);
    const res = await postMultipart(t.app, person, newPath, filled(token, { publishText: 'no', publishName: 'no', body: 'Nur für die Verwaltung bestimmt.', title: '' }), [
      { filename: 'anhang.pdf', content: fixture('stellungnahme.pdf') },
    ]);
    expect(res.statusCode).toBe(303);
    const row = (await statementsInDb(t)).at(-1)!;
    const [file] = await t.db.select().from(attachments).where(eq(attachments.contributionId, row.id));
    const page = await new Client(t.app).get(`/consultations/${demo.slug}/statements/${row.receiptNumber}`);
    expect(page.statusCode).toBe(200);
    const shown = text(page.body);
    expect(shown).toContain('Der Text wird auf Wunsch der Einsender*in nicht veröffentlicht.');
    expect(shown).toContain('Privatperson');
    expect(shown).not.toContain('Nur für die Verwaltung');
    expect(shown).not.toContain('Olena');
    expect(page.body).not.toContain('/attachments/');
    expect((await new Client(t.app).get(`/attachments/${file!.id}/anhang.pdf`)).statusCode).toBe(404);
  });

  it('lists published statements for an item with excerpts, names only with consent', async () => {
    const { publishedStatementsFor } = await import('../src/modules/participation/statements/service.js');
    const [c] = await t.db.select({ id: contributions.consultationId }).from(contributions).limit(1);
    const onMeasure = await publishedStatementsFor(t.db, c!.id, 'measure', demo.measure);
    expect(onMeasure.map((s) => s.receiptNumber)).toEqual([`AI-${year}-0003`]);
    expect(onMeasure[0]).toMatchObject({ excerpt: null, author: null, url: `/consultations/${demo.slug}/statements/AI-${year}-0003` });
    const onPlan = await publishedStatementsFor(t.db, c!.id, 'consultation', null);
    expect(onPlan.map((s) => s.receiptNumber)).toEqual([`AI-${year}-0002`]);
    expect(onPlan[0]?.author).toEqual({ name: 'Olena Petrenko', verified: false });
    expect(onPlan[0]?.excerpt).toContain('Abendoberschule');
  });

  it('refuses what is missing with clear messages and keeps everything typed', async () => {
    const guest = new Client(t.app);
    const token = formToken((await guest.get(newPath)).body);
    const res = await postMultipart(
      t.app,
      guest,
      newPath,
      filled(token, { email: 'kein-at-zeichen', body: '   \n  ', title: 'Mein <b>Betreff</b>', privacy: '', publishText: '', publishName: '', scope: 'items', refs: [] }),
      [{ filename: 'stellungnahme.pdf', content: fixture('stellungnahme.pdf') }],
    );
    expect(res.statusCode).toBe(422);
    const page = text(res.body);
    expect(page).toContain('Bitte geben Sie eine gültige E-Mail-Adresse an');
    expect(page).toContain('Bitte schreiben Sie einen Text.');
    expect(page).toContain('Bitte stimmen Sie den Datenschutzhinweisen zu.');
    expect(page).toContain('Bitte sagen Sie, ob Ihr Text veröffentlicht werden darf.');
    expect(page).toContain('Bitte sagen Sie, ob Ihr Name veröffentlicht werden darf.');
    expect(page).toContain('Bitte kreuzen Sie mindestens ein Handlungsfeld, Ziel oder eine Maßnahme an');
    expect(page).toContain('Bitte wählen Sie Ihre Anhänge noch einmal aus.');
    expect(res.body).toContain('value="kein-at-zeichen"');
    expect(res.body).toContain('value="Mein &lt;b&gt;Betreff&lt;/b&gt;"');
    expect(res.body).toContain(`name="formToken" value="${token}"`);
    expect(res.body).toContain('href="#field-privacy"');

    const both = await postMultipart(t.app, guest, newPath, filled(token, { email: 'gast2@example.org', scope: 'plan' }));
    expect(both.statusCode).toBe(422);
    expect(text(both.body)).toContain('Sie haben „Auf den ganzen Plan“ gewählt und zugleich einzelne Stellen angekreuzt.');
    expect(both.body).toMatch(new RegExp(`value="measure:${second}" checked`));

    const unknown = await postMultipart(t.app, guest, newPath, filled(token, { email: 'gast2@example.org', refs: ['measure:gibt-es-nicht'] }));
    expect(unknown.statusCode).toBe(422);
    const foreign = await postMultipart(t.app, guest, newPath, filled(token, { email: 'gast2@example.org', onBehalf: '1' }));
    expect(foreign.statusCode).toBe(422);
    expect(text(foreign.body)).toContain('Für diese Organisation können Sie nicht sprechen.');
    expect((await statementsInDb(t)).filter((r) => r.guestEmail === 'gast2@example.org')).toHaveLength(0);
  });

  it('lets a verified representative speak for the organisation, shown with its badge', async () => {
    const userId = await createUser(t.db, 'vertretung@example.org', ['organisation_representative'], 'Karim');
    const [org] = await t.db.insert(organisations).values({ name: 'Ausländerrat Dresden e. V.', kind: 'migrant_organisation', verifiedAt: new Date() }).returning();
    const [other] = await t.db.insert(organisations).values({ name: 'Anderer Verein', kind: 'association', verifiedAt: new Date() }).returning();
    await t.db.insert(organisationMembers).values([
      { organisationId: org!.id, userId, status: 'verified' },
      { organisationId: other!.id, userId, status: 'requested' },
    ]);
    const rep = new Client(t.app);
    await rep.signIn('vertretung@example.org');
    const form = await rep.get(newPath);
    expect(text(form.body)).toContain('für „Ausländerrat Dresden e. V.“');
    expect(text(form.body)).not.toContain('Anderer Verein');
    const token = formToken(form.body);
    const refused = await postMultipart(t.app, rep, newPath, filled(token, { onBehalf: String(other!.id) }));
    expect(refused.statusCode).toBe(422);
    const res = await postMultipart(t.app, rep, newPath, filled(token, { onBehalf: String(org!.id), name: 'Karim' }));
    expect(res.statusCode).toBe(303);
    const row = (await statementsInDb(t)).at(-1)!;
    expect(row.organisationId).toBe(org!.id);
    const page = text((await new Client(t.app).get(`/consultations/${demo.slug}/statements/${row.receiptNumber}`)).body);
    expect(page).toContain('Ausländerrat Dresden e. V. verifizierte Organisation');
  });

  it('answers a filled honeypot like a success and stores nothing', async () => {
    const bot = new Client(t.app);
    const token = formToken((await bot.get(newPath)).body);
    const count = (await statementsInDb(t)).length;
    const res = await postMultipart(t.app, bot, newPath, filled(token, { email: 'bot@example.org', website: 'http://spam.example' }));
    expect(res.statusCode).toBe(303);
    expect(await statementsInDb(t)).toHaveLength(count);
  });

  it('refuses without a CSRF token', async () => {
    const guest = new Client(t.app);
    const token = formToken((await guest.get(newPath)).body);
    guest.csrf = 'forged';
    const res = await postMultipart(t.app, guest, newPath, filled(token, { email: 'csrf@example.org' }));
    expect(res.statusCode).toBe(403);
  });

  it('stops an address after the hourly limit and keeps the text', async () => {
    const guest = new Client(t.app);
    const statuses: number[] = [];
    let last = '';
    for (let i = 0; i < 5; i++) {
      const token = formToken((await guest.get(newPath)).body);
      const res = await postMultipart(t.app, guest, newPath, filled(token, { email: 'viel@example.org', body: `Hinweis Nummer ${i}` }));
      statuses.push(res.statusCode);
      last = res.body;
    }
    expect(statuses).toEqual([303, 303, 303, 303, 429]);
    expect(text(last)).toContain('sehr viele Beiträge');
    expect(last).toContain('Hinweis Nummer 4');
  });

  it('gives concurrent submissions distinct receipt numbers', async () => {
    const people = await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) => {
        await createUser(t.db, `parallel${i}@example.org`);
        const c = new Client(t.app);
        await c.signIn(`parallel${i}@example.org`);
        return { c, token: formToken((await c.get(newPath)).body) };
      }),
    );
    const results = await Promise.all(people.map(({ c, token }) => postMultipart(t.app, c, newPath, filled(token, { scope: 'plan', refs: [] }))));
    expect(results.map((r) => r.statusCode)).toEqual([303, 303, 303, 303, 303]);
    const numbers = (await statementsInDb(t)).map((r) => r.receiptNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
    const sequence = numbers.map((n) => Number(n?.split('-')[2])).sort((a, b) => a - b);
    expect(sequence).toEqual(sequence.map((_, i) => i + 1));
  });

  it('writes in English for English readers, receipt mail included', async () => {
    const guest = new Client(t.app, { 'accept-language': 'en' });
    const form = await guest.get(newPath);
    expect(text(form.body)).toContain('Submit a written statement');
    const res = await postMultipart(t.app, guest, newPath, filled(formToken(form.body), { email: 'english@example.org', language: 'en' }), [], { 'accept-language': 'en' });
    expect(res.statusCode).toBe(303);
    const receipt = text((await guest.get(res.headers.location as string)).body);
    expect(receipt).toContain('Thank you! Your statement has arrived');
    expect((await outbox(t.db)).at(-1)).toMatchObject({ toAddress: 'english@example.org', locale: 'en' });
  });

  it('shows the privacy notice and the house rules in German and English', async () => {
    const de = new Client(t.app);
    const privacy = text((await de.get('/privacy')).body);
    expect(privacy).toContain('Datenschutzhinweise');
    expect(privacy).toContain('Art. 6 Abs. 1 lit. e DSGVO');
    expect(privacy).toContain('Art. 6 Abs. 1 lit. a DSGVO');
    expect(privacy).toContain('löschen wir nach 7 Tagen');
    expect(privacy).toContain('Sächsische Datenschutz- und Transparenzbeauftragte');
    expect(privacy).toContain('Beispiel – von der Stadt auszufüllen');
    expect((await de.get('/privacy')).body).toContain('href="/contributions/access"');
    const rules = await de.get('/netiquette');
    for (const id of ['insult', 'discrimination', 'personal-data', 'spam', 'off-topic', 'duplicate', 'unlawful']) expect(rules.body).toContain(`id="${id}"`);
    expect(text(rules.body)).toContain('Beiträge in jeder Sprache');
    const en = new Client(t.app, { 'accept-language': 'en' });
    expect(text((await en.get('/privacy')).body)).toContain('Art. 6(1)(e) GDPR');
    expect(text((await en.get('/netiquette')).body)).toContain('What we do not publish');
  });

  it('keeps the text when the phase closed meanwhile and says when it closed', async () => {
    const guest = new Client(t.app);
    const token = formToken((await guest.get(newPath)).body);
    await closeDemoPhase(t.db, phaseId);
    const res = await postMultipart(t.app, guest, newPath, filled(token, { email: 'spaet@example.org', body: 'Kurz nach Schluss geschrieben.' }));
    expect(res.statusCode).toBe(409);
    const page = text(res.body);
    expect(page).toMatch(/Die Phase für Stellungnahmen ist am .+ zu Ende gegangen\./);
    expect(page).toContain('Ihr Text steht unten noch im Formular');
    expect(res.body).toContain('Kurz nach Schluss geschrieben.');
    expect((await statementsInDb(t)).filter((r) => r.guestEmail === 'spaet@example.org')).toHaveLength(0);
    const closed = await guest.get(newPath);
    expect(text(closed.body)).toContain('zu Ende gegangen');
    expect(closed.body).not.toContain('<form method="post" action="/consultations');
  });
});

describe.each(drivers)('written statements in pre-moderation [%s]', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(driver);
    await openDemoPhase(t.db, 'pre');
  });
  afterAll(() => t?.close());

  it('waits for moderation and is not public yet', async () => {
    await createUser(t.db, 'p@example.org');
    const person = new Client(t.app);
    await person.signIn('p@example.org');
    const token = formToken((await person.get(newPath)).body);
    const res = await postMultipart(t.app, person, newPath, filled(token));
    expect(res.statusCode).toBe(303);
    const [row] = await statementsInDb(t);
    expect(row?.status).toBe('pending');
    expect(text((await person.get(res.headers.location as string)).body)).toContain('Die Moderation sieht Ihre Stellungnahme vor der Veröffentlichung durch.');
    expect((await new Client(t.app).get(`/consultations/${demo.slug}/statements/${row?.receiptNumber}`)).statusCode).toBe(404);
  });
});

describe('the statements partial for item pages', () => {
  it('lists statements with excerpts in their language, "Privatperson" without consent, and a link to write one', async () => {
    const { createEta } = await import('../src/core/web.js');
    const { catalogue } = await import('../src/app.js');
    const { formatDate } = await import('../src/modules/plans/routes.js');
    const html = createEta(false).render('/participation/statements/_on-item', {
      t: catalogue.translator('de'),
      locale: 'de',
      formatDate,
      writeUrl: `${newPath}?measure=${demo.measure}`,
      statements: [
        { receiptNumber: 'AI-2026-0007', title: 'رأي', excerpt: 'نص طويل', language: 'ar', receivedAt: new Date('2026-03-01T10:00:00Z'), author: null, url: '/consultations/x/statements/AI-2026-0007' },
        { receiptNumber: 'AI-2026-0008', title: null, excerpt: null, language: 'de', receivedAt: new Date('2026-03-02T10:00:00Z'), author: { name: 'Verein', verified: true }, url: '/consultations/x/statements/AI-2026-0008' },
      ],
    });
    expect(html).toContain('<span dir="auto" lang="ar">رأي</span>');
    expect(html).toContain('<p class="statement-list__excerpt" dir="auto" lang="ar">نص طويل</p>');
    expect(text(html)).toContain('AI-2026-0007 · 1. März 2026 · Privatperson');
    expect(text(html)).toContain('Stellungnahme AI-2026-0008');
    expect(text(html)).toContain('Verein verifizierte Organisation');
    expect(text(html)).toContain('Der Text wird auf Wunsch der Einsender*in nicht veröffentlicht.');
    expect(html).toContain(`hx-get="${newPath}?measure=${demo.measure}"`);
  });
});
