import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries } from '../src/modules/audit/schema.js';
import { attachments, contributionReferences, contributionStatuses, contributions, organisations } from '../src/modules/participation/schema.js';
import { berlinMidnight } from '../src/modules/participation/statements/staff.js';
import { Client, createTestApp, createUser, outbox, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';
import { fixture, formToken, postMultipart } from './fixtures/attachments/form.js';

const base = `/organiser/consultations/${demo.slug}/contributions`;
const year = new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Europe/Berlin' }).format(new Date());
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');
const isoDay = (offsetDays: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(Date.now() + offsetDays * 86_400_000));

function letter(token: string, over: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    formToken: token,
    channel: 'letter',
    receivedOn: isoDay(-3),
    kind: 'statement',
    scope: 'items',
    refs: [`measure:${demo.measure}`, `goal:${demo.goal}`],
    target: 'consultation',
    name: 'Familie Haddad',
    organisationId: '',
    email: '',
    details: 'Musterstraße 1\n01067 Dresden\nTel. 0351 000000',
    publishText: 'yes',
    publishName: 'no',
    title: 'Brief zur Sprachförderung',
    body: 'Wir wünschen uns Sprachkurse mit Kinderbetreuung am Abend.',
    language: 'de',
    status: 'pending',
    ...over,
  };
}

describe('Europe/Berlin days', () => {
  it('turns a calendar day into the instant it starts in Dresden, in winter and in summer', () => {
    expect(berlinMidnight('2026-01-15').toISOString()).toBe('2026-01-14T23:00:00.000Z');
    expect(berlinMidnight('2026-07-15').toISOString()).toBe('2026-07-14T22:00:00.000Z');
  });
});

describe.each(drivers)('staff entry [%s]', (driver) => {
  let t: TestApp;
  let organiser: Client;
  let organiserId: string;

  beforeAll(async () => {
    t = await createTestApp(driver);
    await openDemoPhase(t.db, 'pre');
    organiserId = await createUser(t.db, 'buero@example.org', ['organiser'], 'Beteiligungsbüro');
    organiser = new Client(t.app);
    await organiser.signIn('buero@example.org');
  });
  afterAll(() => t?.close());

  it('is for organisers and admins only', async () => {
    for (const role of ['moderator', 'department_editor', 'organisation_representative'] as const) {
      await createUser(t.db, `x-${role}@example.org`, [role]);
    }
    await createUser(t.db, 'x-participant@example.org');
    for (const who of ['participant', 'moderator', 'department_editor', 'organisation_representative']) {
      const c = new Client(t.app);
      await c.signIn(`x-${who}@example.org`);
      expect((await c.get(`${base}/new`)).statusCode, who).toBe(403);
      expect((await c.get(base)).statusCode, who).toBe(403);
      expect((await c.post(`${base}/new`, { body: 'x' })).statusCode, who).toBe(403);
    }
    const anonymous = await new Client(t.app).get(`${base}/new`);
    expect(anonymous.statusCode).toBe(303);
    await createUser(t.db, 'x-admin@example.org', ['admin']);
    const admin = new Client(t.app);
    await admin.signIn('x-admin@example.org');
    expect((await admin.get(`${base}/new`)).statusCode).toBe(200);
  });

  it('records a letter with a scan: receipt number, references, submitter details, audit entry, no mail', async () => {
    const form = await organiser.get(`${base}/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('enctype="multipart/form-data"');
    expect(form.body).toContain(`max="${isoDay(0)}"`);
    const token = formToken(form.body);
    const mailsBefore = (await outbox(t.db)).length;
    const scan = fixture('stellungnahme.pdf');
    const res = await postMultipart(t.app, organiser, `${base}/new`, letter(token), [{ filename: 'Brief Haddad.pdf', content: scan }]);
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(new RegExp(`^${base}/\\d+$`));
    expect((res.cookies as Array<{ name: string }>).some((c) => c.name === 'flash')).toBe(true);

    const [row] = await t.db.select().from(contributions).where(eq(contributions.formToken, token));
    expect(row).toMatchObject({
      kind: 'statement',
      channel: 'letter',
      status: 'pending',
      receiptNumber: `AI-${year}-0001`,
      submitterName: 'Familie Haddad',
      submitterDetails: 'Musterstraße 1\n01067 Dresden\nTel. 0351 000000',
      enteredBy: organiserId,
      authorId: null,
      publishText: true,
      publishName: false,
    });
    expect(row?.receivedAt.toISOString()).toBe(berlinMidnight(isoDay(-3)).toISOString());
    const refs = await t.db.select().from(contributionReferences).where(eq(contributionReferences.contributionId, row!.id));
    expect(refs.map((r) => `${r.targetKind}:${r.targetKey}`).sort()).toEqual([`goal:${demo.goal}`, `measure:${demo.measure}`]);
    const [file] = await t.db.select().from(attachments).where(eq(attachments.contributionId, row!.id));
    expect(file).toMatchObject({ fileName: 'Brief Haddad.pdf', mediaType: 'application/pdf', size: scan.length });
    const [audit] = await t.db.select().from(auditEntries).where(and(eq(auditEntries.subjectType, 'contribution'), eq(auditEntries.subjectId, String(row!.id))));
    expect(audit).toMatchObject({ actorId: organiserId, action: 'contribution.staff_entry' });
    expect(audit?.after).toMatchObject({ receiptNumber: `AI-${year}-0001`, channel: 'letter' });
    expect((await outbox(t.db)).length).toBe(mailsBefore);

    // Sent twice (a double click): still one.
    const again = await postMultipart(t.app, organiser, `${base}/new`, letter(token), [{ filename: 'Brief Haddad.pdf', content: scan }]);
    expect(again.headers.location).toBe(location);
    expect(await t.db.select().from(contributions).where(eq(contributions.formToken, token))).toHaveLength(1);

    const detail = await organiser.get(location);
    expect(detail.statusCode).toBe(200);
    const page = text(detail.body);
    expect(page).toContain(`AI-${year}-0001`);
    expect(page).toContain('Brief');
    expect(page).toContain('Musterstraße 1');
    expect(page).toContain('Beteiligungsbüro');
    expect(page).toContain('Wir wünschen uns Sprachkurse');
    expect(detail.body).toMatch(/href="\/attachments\/\d+\/Brief%20Haddad\.pdf"/);
    expect(page).toContain(file!.sha256);
  });

  it('lists contributions with filters and pages', async () => {
    const token = formToken((await organiser.get(`${base}/new`)).body);
    const res = await postMultipart(t.app, organiser, `${base}/new`, letter(token, { kind: 'comment', channel: 'phone', target: `measure:${demo.measure}`, status: 'published', title: '', body: 'Anruf: Kurse bitte auch samstags.', publishName: 'yes' }));
    expect(res.statusCode).toBe(303);
    const [comment] = await t.db.select().from(contributions).where(eq(contributions.formToken, token));
    expect(comment).toMatchObject({ kind: 'comment', targetKind: 'measure', targetKey: demo.measure, status: 'published', channel: 'phone', receiptNumber: `AI-${year}-0002` });

    const all = await organiser.get(base);
    expect(all.statusCode).toBe(200);
    expect(text(all.body)).toContain('Treffer: 2');
    expect(text(all.body)).toContain('Anruf: Kurse bitte auch samstags.');
    const phone = await organiser.get(`${base}?channel=phone`);
    expect(text(phone.body)).toContain('Treffer: 1');
    expect(text(phone.body)).not.toContain('Sprachkurse mit Kinderbetreuung');
    const pending = await organiser.get(`${base}?status=pending&kind=statement`);
    expect(text(pending.body)).toContain('Treffer: 1');
    expect(pending.body).toContain('<option value="pending" selected>');
    // Every status the schema knows can be filtered by, in words.
    for (const status of contributionStatuses) expect(all.body).toContain(`<option value="${status}">`);
    // Junk in the filter is ignored, not an error.
    expect((await organiser.get(`${base}?status=<x>&page=abc`)).statusCode).toBe(200);
  });

  it('refuses a date in the future, a missing consent answer and a lying scan, keeping the text', async () => {
    const token = formToken((await organiser.get(`${base}/new`)).body);
    const res = await postMultipart(t.app, organiser, `${base}/new`, letter(token, { receivedOn: isoDay(2), publishName: '' }), [
      { filename: 'scan.pdf', content: fixture('not-really.pdf') },
    ]);
    expect(res.statusCode).toBe(422);
    const page = text(res.body);
    expect(page).toContain('Das Eingangsdatum darf nicht in der Zukunft liegen.');
    expect(page).toContain('Bitte sagen Sie, ob Ihr Name veröffentlicht werden darf.');
    expect(page).toContain('Die Datei „scan.pdf“ ist keine PDF-');
    expect(res.body).toContain('Wir wünschen uns Sprachkurse mit Kinderbetreuung am Abend.');
    expect(res.body).toContain('Musterstraße 1');
    const bad = await postMultipart(t.app, organiser, `${base}/new`, letter(token, { receivedOn: '2026-02-30', kind: 'comment', target: 'measure:nope', channel: 'fax' }));
    expect(bad.statusCode).toBe(422);
    expect(text(bad.body)).toContain('Bitte geben Sie ein gültiges Datum an');
    expect(text(bad.body)).toContain('Bitte wählen Sie die Stelle, auf die sich der Kommentar bezieht.');
    expect(text(bad.body)).toContain('Bitte wählen Sie, wie der Beitrag eingegangen ist.');
    expect(await t.db.select().from(contributions).where(eq(contributions.formToken, token))).toHaveLength(0);
  });

  it('takes an organisation from the registry and shows it publicly only with consent', async () => {
    const [org] = await t.db.insert(organisations).values({ name: 'Willkommen e. V.', kind: 'association', verifiedAt: new Date() }).returning();
    const token = formToken((await organiser.get(`${base}/new`)).body);
    const res = await postMultipart(t.app, organiser, `${base}/new`, letter(token, { organisationId: String(org!.id), publishName: 'yes', status: 'published', channel: 'email', email: 'Info@Willkommen.example' }));
    expect(res.statusCode).toBe(303);
    const [row] = await t.db.select().from(contributions).where(eq(contributions.formToken, token));
    expect(row).toMatchObject({ organisationId: org!.id, guestEmail: 'info@willkommen.example', status: 'published' });
    const page = await new Client(t.app).get(`/consultations/${demo.slug}/statements/${row!.receiptNumber}`);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Willkommen e. V.');
    expect(text(page.body)).not.toContain('Musterstraße');
  });

  it('links the list from the organiser’s consultation page', async () => {
    const rows = await t.db.select().from(contributions).orderBy(asc(contributions.id));
    expect(rows.length).toBeGreaterThan(0);
    const { consultations } = await import('../src/modules/plans/schema.js');
    const [c] = await t.db.select({ id: consultations.id }).from(consultations).where(eq(consultations.slug, demo.slug));
    const page = await organiser.get(`/organiser/consultations/${c!.id}`);
    expect(page.body).toContain(`href="${base}"`);
  });
});
