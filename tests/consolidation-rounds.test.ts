import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../src/app.js';
import { createEta } from '../src/core/web.js';
import { auditEntries } from '../src/modules/audit/schema.js';
import { assignments, contributionGroupMembers, contributionGroups, contributionSections, departmentRounds, responses, textBlocks } from '../src/modules/consolidation/schema.js';
import { sendRoundReminders } from '../src/modules/consolidation/rounds/service.js';
import { users } from '../src/modules/accounts/schema.js';
import { departmentMembers, departments } from '../src/modules/departments/schema.js';
import { renderMail } from '../src/modules/mail/worker.js';
import { contributions } from '../src/modules/participation/schema.js';
import { Client, createTestApp, createUser, outbox, queriesDuring, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { formVersion } from './helpers/html.js';
import { demo, openDemoPhase } from './helpers/participation.js';

type NewRow = typeof contributions.$inferInsert;
const DEMO_PASSWORD = 'Demo-Passwort-2026';
const AUTHOR_NAME = 'Henriette Geheimname';
const AUTHOR_EMAIL = 'henriette.geheim@example.org';
const GUEST_EMAIL = 'gast.geheim@example.org';
const SUBMITTER = 'Erika Unveröffentlicht';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const textareaOf = (html: string, name: string) =>
  (new RegExp(`<textarea id="field-${name}" name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html)?.[1] ?? '')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const selectedIn = (html: string, select: string) => new RegExp(`<select name="${select}"[\\s\\S]*?</select>`).exec(html)?.[0].match(/<option value="(\d*)" selected>/)?.[1] ?? null;
const inFuture = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const eta = createEta(false);

describe.each(drivers)('department round [%s]', (driver) => {
  let t: TestApp;
  let consultationId: number;
  let phaseId: number;
  let organiser: Client;
  let jugendamt: Client;
  let schulamt: Client;
  let jugendamtId: number;
  let schulamtId: number;
  let authorId: string;
  let n = 0;

  async function contribution(values: Partial<NewRow> = {}): Promise<number> {
    n++;
    const [row] = await t.db
      .insert(contributions)
      .values({
        consultationId,
        phaseId,
        kind: 'comment',
        targetKind: 'measure',
        targetKey: demo.measure,
        body: `Beitrag ${n}: Bitte Schulsozialarbeit auch abends anbieten.`,
        language: 'de',
        pageLocale: 'de',
        status: 'published',
        publishedAt: new Date(),
        authorId,
        ...values,
      } as NewRow)
      .returning({ id: contributions.id });
    return row!.id;
  }

  async function unitOf(contributionId: number) {
    const [r] = await t.db.select().from(responses).where(eq(responses.contributionId, contributionId));
    return r!;
  }

  async function openRoundNow(title: string, deadline = inFuture(14), remind = '3'): Promise<number> {
    await organiser.get(`/organiser/consultations/${demo.slug}/rounds`);
    const res = await organiser.post(`/organiser/consultations/${demo.slug}/rounds`, { title, deadline, remindDaysBefore: remind, instructions: 'Bitte kurz und verständlich.' });
    expect(res.statusCode).toBe(303);
    return Number(/\/organiser\/rounds\/(\d+)$/.exec(String(res.headers.location))?.[1]);
  }

  async function assign(roundId: number, unitIds: number[], mode: 'suggested' | 'chosen', extra: Record<string, string> = {}) {
    await organiser.get(`/organiser/rounds/${roundId}`);
    return organiser.post(`/organiser/rounds/${roundId}/assign`, { units: unitIds.map(String), mode, note: '', ...extra });
  }

  async function assignmentsOf(roundId: number) {
    return t.db.select().from(assignments).where(eq(assignments.roundId, roundId));
  }

  beforeAll(async () => {
    t = await createTestApp(driver);
    ({ consultationId, phaseId } = await openDemoPhase(t.db, 'post'));
    authorId = await createUser(t.db, AUTHOR_EMAIL, [], AUTHOR_NAME);
    await createUser(t.db, 'buero@example.org', ['organiser'], 'Beteiligungsbüro Test');
    const schulamtUser = await createUser(t.db, 'schulamt@example.org', ['department_editor'], 'Amt für Schulen');
    const depts = await t.db.select().from(departments);
    jugendamtId = depts.find((d) => d.slug === 'jugendamt')!.id;
    schulamtId = depts.find((d) => d.slug === 'amt-fuer-schulen')!.id;
    await t.db.insert(departmentMembers).values({ userId: schulamtUser, departmentId: schulamtId });
    organiser = new Client(t.app);
    await organiser.signIn('buero@example.org');
    jugendamt = new Client(t.app);
    await jugendamt.signIn('jugendamt@example.org', DEMO_PASSWORD);
    schulamt = new Client(t.app);
    await schulamt.signIn('schulamt@example.org');
  });
  afterAll(() => t?.close());

  it('opens a round; a bad form comes back with 422, its messages and what was typed', async () => {
    const list = await organiser.get(`/organiser/consultations/${demo.slug}/rounds`);
    expect(list.statusCode).toBe(200);
    const bad = await organiser.post(`/organiser/consultations/${demo.slug}/rounds`, { title: '  ', deadline: '2020-01-01', remindDaysBefore: 'viele', instructions: 'Hinweis, der bleibt' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Bitte geben Sie der Runde einen Titel.');
    expect(bad.body).toContain('Die Frist liegt in der Vergangenheit.');
    expect(bad.body).toContain('Bitte geben Sie eine ganze Zahl von 0 bis 60 an.');
    expect(bad.body).toContain('Hinweis, der bleibt');
    expect(bad.body).toContain('value="2020-01-01"');
    const id = await openRoundNow('Ämterabfrage Entwurf 1');
    const [round] = await t.db.select().from(departmentRounds).where(eq(departmentRounds.id, id));
    expect(round?.title).toBe('Ämterabfrage Entwurf 1');
    expect(round?.remindDaysBefore).toBe(3);
    const again = await organiser.get(`/organiser/consultations/${demo.slug}/rounds`);
    expect(again.body).toContain(`href="/organiser/rounds/${id}"`);
  });

  it('suggests the lead department, assigns by suggestion and mails the department’s members once per batch', async () => {
    const roundId = await openRoundNow('Runde Vorschläge');
    const onMeasure = await contribution();
    const onMeasure2 = await contribution();
    const onGoal = await contribution({ targetKind: 'goal', targetKey: demo.goal });
    const onPlan = await contribution({ targetKind: 'consultation', targetKey: null });
    const page = await organiser.get(`/organiser/rounds/${roundId}`);
    expect(page.statusCode).toBe(200);
    const [u1, u2, u3, u4] = await Promise.all([onMeasure, onMeasure2, onGoal, onPlan].map(unitOf));
    // The measure 4.2.3 is led by the Jugendamt; the goal's measure by the integration office.
    expect(selectedIn(page.body, `dept-${u1!.id}`)).toBe(String(jugendamtId));
    const [integration] = await t.db.select().from(departments).where(eq(departments.slug, 'buero-der-integrations-und-auslaenderbeauftragten'));
    expect(selectedIn(page.body, `dept-${u3!.id}`)).toBe(String(integration!.id));
    expect(selectedIn(page.body, `dept-${u4!.id}`)).toBe(null);
    // A contribution withdrawn since its unit was made is not asked about.
    const gone = await contribution();
    await organiser.get(`/organiser/rounds/${roundId}`);
    await t.db.update(contributions).set({ status: 'withdrawn' }).where(eq(contributions.id, gone));
    expect((await organiser.get(`/organiser/rounds/${roundId}`)).body).not.toContain(`name="dept-${(await unitOf(gone)).id}"`);
    expect(page.body).toContain('Vorschlag: Jugendamt');

    const before = (await outbox(t.db)).length;
    const res = await assign(roundId, [u1!.id, u2!.id], 'suggested');
    expect(res.statusCode).toBe(303);
    const rows = await assignmentsOf(roundId);
    expect(rows.map((r) => [r.responseId, r.departmentId, r.status]).sort()).toEqual([[u1!.id, jugendamtId, 'open'], [u2!.id, jugendamtId, 'open']].sort());
    const mails = (await outbox(t.db)).slice(before);
    expect(mails.map((m) => [m.toAddress, m.template])).toEqual([['jugendamt@example.org', 'round_assigned']]);
    expect(mails[0]!.payload).toMatchObject({ count: 2, departmentName: 'Jugendamt', roundTitle: 'Runde Vorschläge', url: 'http://localhost:3000/department/inbox' });
    const rendered = renderMail(eta, catalogue, t.config, 'round_assigned', 'de', mails[0]!.payload);
    expect(rendered.subject).toBe('Ämterabfrage „Runde Vorschläge“: neue Einträge für Jugendamt');
    expect(rendered.text).toContain('Neue Einträge: 2.');
    expect(rendered.html).toContain('http://localhost:3000/department/inbox');

    // Assigned units leave the round's list; the others stay.
    expect(res.headers.location).toBe(`/organiser/rounds/${roundId}?assigned=2&skipped=0`);
    const after = await organiser.get(String(res.headers.location));
    expect(after.body).not.toContain(`name="dept-${u1!.id}"`);
    expect(after.body).toContain(`name="dept-${u3!.id}"`);
    expect(after.body).toContain('Zugewiesen: 2.');

    // Chosen in the row: the plan-wide contribution to the Schulamt.
    const chosen = await assign(roundId, [u4!.id], 'chosen', { [`dept-${u4!.id}`]: String(schulamtId) });
    expect(chosen.statusCode).toBe(303);
    expect((await assignmentsOf(roundId)).find((a) => a.responseId === u4!.id)?.departmentId).toBe(schulamtId);
  });

  it('refuses an assignment without a selection or a department with 422, keeping the note', async () => {
    const roundId = await openRoundNow('Runde Fehler');
    const id = await contribution({ targetKind: 'consultation', targetKey: null });
    await organiser.get(`/organiser/rounds/${roundId}`);
    const u = await unitOf(id);
    const none = await organiser.post(`/organiser/rounds/${roundId}/assign`, { mode: 'chosen', note: 'Mein Hinweis bleibt' });
    expect(none.statusCode).toBe(422);
    expect(none.body).toContain('Bitte wählen Sie mindestens einen Eintrag aus.');
    expect(none.body).toContain('Mein Hinweis bleibt');
    const noDept = await organiser.post(`/organiser/rounds/${roundId}/assign`, { mode: 'chosen', units: String(u.id), [`dept-${u.id}`]: '', note: 'Noch ein Hinweis' });
    expect(noDept.statusCode).toBe(422);
    expect(noDept.body).toContain('kein Amt gewählt');
    expect(noDept.body).toMatch(new RegExp(`value="${u.id}" id="unit-${u.id}" checked`));
    const noSuggestion = await organiser.post(`/organiser/rounds/${roundId}/assign`, { mode: 'suggested', units: String(u.id), note: '' });
    expect(noSuggestion.statusCode).toBe(422);
    expect(await assignmentsOf(roundId)).toEqual([]);
  });

  it('shows a department only its own items, never the author’s name or address', async () => {
    const roundId = await openRoundNow('Runde Datenschutz');
    const byAccount = await contribution({ body: 'Text eines Kontos mit Namen' });
    const byGuest = await contribution({ authorId: null, guestEmail: GUEST_EMAIL, body: 'Text eines Gastes' });
    const statement = await contribution({ kind: 'statement', targetKind: 'measure', authorId: null, guestEmail: GUEST_EMAIL, submitterName: SUBMITTER, submitterDetails: 'Musterweg 1, 01067 Dresden', publishName: false, receiptNumber: `AI-2026-9${n}`, body: 'Stellungnahme mit Namen' });
    await organiser.get(`/organiser/rounds/${roundId}`);
    const units = await Promise.all([byAccount, byGuest, statement].map(unitOf));
    expect((await assign(roundId, units.map((u) => u.id), 'suggested')).statusCode).toBe(303);
    const ids = (await assignmentsOf(roundId)).map((a) => a.id);
    expect(ids).toHaveLength(3);

    const inbox = await jugendamt.get('/department/inbox');
    expect(inbox.statusCode).toBe(200);
    for (const id of ids) expect(inbox.body).toContain(`href="/department/assignments/${id}"`);
    const pagesSeen = [inbox.body];
    for (const id of ids) {
      const item = await jugendamt.get(`/department/assignments/${id}`);
      expect(item.statusCode).toBe(200);
      expect(item.body).toContain('Privatperson');
      expect(item.body).toMatch(/dir="auto" lang="de"/);
      pagesSeen.push(item.body);
    }
    for (const html of pagesSeen) {
      for (const secret of [AUTHOR_NAME, AUTHOR_EMAIL, GUEST_EMAIL, SUBMITTER, 'Musterweg']) expect(html).not.toContain(secret);
    }

    // Another department's editor sees none of it and gets 404 on the item.
    const other = await schulamt.get('/department/inbox?status=all');
    for (const id of ids) expect(other.body).not.toContain(`/department/assignments/${id}"`);
    expect((await schulamt.get(`/department/assignments/${ids[0]}`)).statusCode).toBe(404);
    expect((await schulamt.post(`/department/assignments/${ids[0]}`, { intent: 'save', version: '0', draftAnswer: 'x', proposedVerdict: '' })).statusCode).toBe(404);
    expect((await jugendamt.get('/department/assignments/999999999')).statusCode).toBe(404);
    expect((await jugendamt.get('/department/assignments/abc')).statusCode).toBe(404);
  });

  it('saves a draft, inserts a text block keeping what was typed, hands it in; stale forms get 409 and bad input 422', async () => {
    const roundId = await openRoundNow('Runde Entwurf');
    const cid = await contribution();
    await organiser.get(`/organiser/rounds/${roundId}`);
    const unit = await unitOf(cid);
    await assign(roundId, [unit.id], 'suggested');
    const [a] = await assignmentsOf(roundId);

    // A text block of the Jugendamt.
    await jugendamt.get('/department/text-blocks');
    const badBlock = await jugendamt.post('/department/text-blocks', { departmentId: String(jugendamtId), title: '', body: 'Körper ohne Titel' });
    expect(badBlock.statusCode).toBe(422);
    expect(badBlock.body).toContain('Körper ohne Titel');
    const made = await jugendamt.post('/department/text-blocks', { departmentId: String(jugendamtId), title: 'Prüfauftrag', body: 'Die Verwaltung prüft den Vorschlag bis Ende 2026.' });
    expect(made.statusCode).toBe(303);
    const [block] = await t.db.select().from(textBlocks).where(eq(textBlocks.title, 'Prüfauftrag'));
    expect(block?.departmentId).toBe(jugendamtId);
    // Not another department's to edit.
    expect((await schulamt.get(`/department/text-blocks/${block!.id}`)).statusCode).toBe(404);

    const page = await jugendamt.get(`/department/assignments/${a!.id}`);
    expect(page.body).toContain('Prüfauftrag');
    const version = formVersion(page.body);
    const typed = 'Danke für den Hinweis.\nWir sehen das ähnlich.';

    // Without JavaScript: the whole page, the block after the typed text, the Votum kept.
    const inserted = await jugendamt.post(`/department/assignments/${a!.id}/insert`, { version: String(version), draftAnswer: typed, proposedVerdict: 'partly_accepted', block: String(block!.id) });
    expect(inserted.statusCode).toBe(200);
    expect(inserted.body).toContain('<!doctype html>');
    expect(textareaOf(inserted.body, 'draftAnswer')).toBe(`${typed}\n\nDie Verwaltung prüft den Vorschlag bis Ende 2026.`);
    expect(inserted.body).toMatch(/value="partly_accepted" checked/);
    // With htmx: only the form.
    const fragment = await jugendamt.post(`/department/assignments/${a!.id}/insert`, { version: String(version), draftAnswer: typed, proposedVerdict: '', block: String(block!.id) }, { 'hx-request': 'true' });
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).toMatch(/^\s*(<[^>]+>\s*)*<form id="draft-form"/);
    expect(textareaOf(fragment.body, 'draftAnswer')).toContain(typed);
    expect(fragment.body).toContain('<div id="messages" hx-swap-oob="innerHTML"><p class="notice">Der Textbaustein „Prüfauftrag“ steht jetzt am Ende');
    expect(inserted.body).not.toContain('hx-swap-oob');
    const noBlock = await jugendamt.post(`/department/assignments/${a!.id}/insert`, { version: String(version), draftAnswer: typed, block: '' });
    expect(noBlock.statusCode).toBe(422);
    expect(textareaOf(noBlock.body, 'draftAnswer')).toBe(typed);
    expect((await t.db.select().from(assignments).where(eq(assignments.id, a!.id)))[0]?.draftAnswer).toBe('');

    // Save as draft: stays open.
    const saved = await jugendamt.post(`/department/assignments/${a!.id}`, { intent: 'save', version: String(version), draftAnswer: typed, proposedVerdict: '' });
    expect(saved.statusCode).toBe(303);
    let [row] = await t.db.select().from(assignments).where(eq(assignments.id, a!.id));
    expect(row).toMatchObject({ status: 'open', draftAnswer: typed, version: version + 1 });

    // The old form is stale now: 409, nothing saved, the typed text kept.
    const stale = await jugendamt.post(`/department/assignments/${a!.id}`, { intent: 'handIn', version: String(version), draftAnswer: 'Veraltete Fassung', proposedVerdict: 'noted' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Inzwischen geändert');
    expect(textareaOf(stale.body, 'draftAnswer')).toBe('Veraltete Fassung');
    expect(stale.body).toContain('Wir sehen das ähnlich.');
    [row] = await t.db.select().from(assignments).where(eq(assignments.id, a!.id));
    expect(row?.status).toBe('open');
    expect(row?.draftAnswer).toBe(typed);

    // Handing in needs a Votum: 422 with the text kept.
    const noVerdict = await jugendamt.post(`/department/assignments/${a!.id}`, { intent: 'handIn', version: String(version + 1), draftAnswer: 'Fast fertig', proposedVerdict: '' });
    expect(noVerdict.statusCode).toBe(422);
    expect(noVerdict.body).toContain('Bitte schlagen Sie ein Votum vor.');
    expect(textareaOf(noVerdict.body, 'draftAnswer')).toBe('Fast fertig');
    const oddVerdict = await jugendamt.post(`/department/assignments/${a!.id}`, { intent: 'handIn', version: String(version + 1), draftAnswer: 'Fast fertig', proposedVerdict: 'maybe' });
    expect(oddVerdict.statusCode).toBe(422);

    const handedIn = await jugendamt.post(`/department/assignments/${a!.id}`, { intent: 'handIn', version: String(version + 1), draftAnswer: 'Endgültige Empfehlung', proposedVerdict: 'partly_accepted' });
    expect(handedIn.statusCode).toBe(303);
    expect(handedIn.headers.location).toBe('/department/inbox');
    [row] = await t.db.select().from(assignments).where(eq(assignments.id, a!.id));
    const [me] = await t.db.select().from(users).where(eq(users.email, 'jugendamt@example.org'));
    expect(row).toMatchObject({ status: 'drafted', draftAnswer: 'Endgültige Empfehlung', proposedVerdict: 'partly_accepted', draftedBy: me!.id });
    expect(row?.draftedAt).toBeInstanceOf(Date);
    expect((await unitOf(cid)).status).toBe('drafted');
    const audit = await t.db.select().from(auditEntries).where(and(eq(auditEntries.subjectType, 'assignment'), eq(auditEntries.subjectId, String(a!.id))));
    expect(audit.map((e) => e.action)).toEqual(['consolidation.assignment.save', 'consolidation.assignment.handIn']);

    // The inbox: drafted, no longer open.
    const open = await jugendamt.get('/department/inbox');
    expect(open.body).not.toContain(`href="/department/assignments/${a!.id}"`);
    const drafted = await jugendamt.get('/department/inbox?status=drafted');
    expect(drafted.body).toContain(`href="/department/assignments/${a!.id}"`);

    // Revisable until the organiser decides; then read-only.
    const revise = await jugendamt.get(`/department/assignments/${a!.id}`);
    expect(revise.body).toContain('<form id="draft-form"');
    await t.db.update(responses).set({ status: 'decided' }).where(eq(responses.id, unit.id));
    const readOnly = await jugendamt.get(`/department/assignments/${a!.id}`);
    expect(readOnly.body).not.toContain('<form id="draft-form"');
    expect(readOnly.body).toContain('Das Beteiligungsbüro hat über diesen Eintrag entschieden.');
    const refused = await jugendamt.post(`/department/assignments/${a!.id}`, { intent: 'save', version: String(row!.version), draftAnswer: 'Zu spät', proposedVerdict: 'noted' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Ihre Änderung wurde nicht gespeichert.');
    expect(refused.body).toContain('Zu spät');
    [row] = await t.db.select().from(assignments).where(eq(assignments.id, a!.id));
    expect(row?.draftAnswer).toBe('Endgültige Empfehlung');
  });

  it('hands an item over to another department with a note, which is mailed; not to itself', async () => {
    const roundId = await openRoundNow('Runde Weitergabe');
    const cid = await contribution();
    await organiser.get(`/organiser/rounds/${roundId}`);
    const unit = await unitOf(cid);
    await assign(roundId, [unit.id], 'suggested');
    const [a] = await assignmentsOf(roundId);
    const page = await jugendamt.get(`/department/assignments/${a!.id}`);
    const version = formVersion(page.body);

    const self = await jugendamt.post(`/department/assignments/${a!.id}/hand-over`, { version: String(version), handOverDepartment: String(jugendamtId), handOverNote: 'Falsch adressiert' });
    expect(self.statusCode).toBe(422);
    expect(self.body).toContain('Der Eintrag liegt schon bei diesem Amt.');
    expect(self.body).toContain('Falsch adressiert');
    const noNote = await jugendamt.post(`/department/assignments/${a!.id}/hand-over`, { version: String(version), handOverDepartment: String(schulamtId), handOverNote: '' });
    expect(noNote.statusCode).toBe(422);

    const before = (await outbox(t.db)).length;
    const res = await jugendamt.post(`/department/assignments/${a!.id}/hand-over`, { version: String(version), handOverDepartment: String(schulamtId), handOverNote: 'Betrifft die Abendoberschule, also Schulen.' });
    expect(res.statusCode).toBe(303);
    const rows = await assignmentsOf(roundId);
    const old = rows.find((r) => r.id === a!.id);
    const created = rows.find((r) => r.id !== a!.id);
    expect(old?.status).toBe('handed_over');
    expect(created).toMatchObject({ departmentId: schulamtId, status: 'open', handedOverFrom: a!.id, note: 'Betrifft die Abendoberschule, also Schulen.' });
    const mails = (await outbox(t.db)).slice(before);
    expect(mails.map((m) => [m.toAddress, m.template])).toEqual([['schulamt@example.org', 'round_assigned']]);
    expect(mails[0]!.payload).toMatchObject({ count: 1, handedOverFrom: 'Jugendamt' });
    expect(renderMail(eta, catalogue, t.config, 'round_assigned', 'de', mails[0]!.payload).text).toContain('Jugendamt hat in der Ämterabfrage');

    const theirs = await schulamt.get(`/department/assignments/${created!.id}`);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.body).toContain('Hinweis von Jugendamt bei der Weitergabe:');
    expect(theirs.body).toContain('Betrifft die Abendoberschule, also Schulen.');
    const mine = await jugendamt.get(`/department/assignments/${a!.id}`);
    expect(mine.body).toContain('Sie haben diesen Eintrag an ein anderes Amt weitergegeben.');
    expect(mine.body).not.toContain('<form id="draft-form"');
  });

  it('lists overdue items for the organiser, on the round and for the consultation, and lets the organiser withdraw', async () => {
    const roundId = await openRoundNow('Runde Überfällig');
    const cid = await contribution();
    await organiser.get(`/organiser/rounds/${roundId}`);
    const unit = await unitOf(cid);
    await assign(roundId, [unit.id], 'suggested');
    await t.db.update(departmentRounds).set({ deadline: new Date(Date.now() - 86_400_000) }).where(eq(departmentRounds.id, roundId));
    const [a] = await assignmentsOf(roundId);
    const round = await organiser.get(`/organiser/rounds/${roundId}`);
    expect(round.body).toContain('Überfällig (1)');
    const list = await organiser.get(`/organiser/consultations/${demo.slug}/rounds/overdue`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Runde Überfällig');
    expect(list.body).toContain('<h3 class="dept-heading">Jugendamt</h3>');
    const inbox = await jugendamt.get('/department/inbox?status=overdue');
    expect(inbox.body).toContain(`href="/department/assignments/${a!.id}"`);
    const rounds = await organiser.get(`/organiser/consultations/${demo.slug}/rounds`);
    expect(rounds.body).toMatch(/Runde Überfällig<\/a><\/td>[\s\S]*?<td class="num"[^>]*>1<\/td>\s*<td class="num"[^>]*>0<\/td>\s*<td class="num"[^>]*>1<\/td>/);

    const stale = await organiser.post(`/organiser/assignments/${a!.id}/withdraw`, { version: String(a!.version + 5) });
    expect(stale.statusCode).toBe(409);
    const withdrawn = await organiser.post(`/organiser/assignments/${a!.id}/withdraw`, { version: String(a!.version) });
    expect(withdrawn.statusCode).toBe(303);
    expect((await assignmentsOf(roundId))[0]?.status).toBe('withdrawn');
    const after = await organiser.get(`/organiser/consultations/${demo.slug}/rounds/overdue`);
    expect(after.body).not.toContain('Runde Überfällig');
    // Withdrawn, the unit can be asked again.
    expect((await organiser.get(`/organiser/rounds/${roundId}`)).body).toContain(`name="dept-${unit.id}"`);

    const closed = await organiser.post(`/organiser/rounds/${roundId}/close`);
    expect(closed.statusCode).toBe(303);
    expect((await assign(roundId, [unit.id], 'suggested')).statusCode).toBe(409);
  });

  it('sends a round’s reminder once, even when two instances run it at the same time', async () => {
    const roundId = await openRoundNow('Runde Erinnerung', inFuture(2), '3');
    const later = await openRoundNow('Runde später', inFuture(30), '3');
    const cid = await contribution();
    await organiser.get(`/organiser/rounds/${roundId}`);
    const unit = await unitOf(cid);
    await assign(roundId, [unit.id], 'suggested');
    const cid2 = await contribution();
    await organiser.get(`/organiser/rounds/${later}`);
    await assign(later, [(await unitOf(cid2)).id], 'suggested');
    const before = (await outbox(t.db)).length;
    const ctx = t.app.ctx;
    await Promise.all([sendRoundReminders(ctx), sendRoundReminders(ctx)]);
    await sendRoundReminders(ctx);
    const reminders = (await outbox(t.db)).slice(before).filter((m) => m.template === 'round_reminder');
    expect(reminders.map((m) => [m.toAddress, m.payload.roundTitle])).toEqual([['jugendamt@example.org', 'Runde Erinnerung']]);
    const rendered = renderMail(eta, catalogue, t.config, 'round_reminder', 'de', reminders[0]!.payload);
    expect(rendered.text).toContain('noch Einträge offen: ');
    const [r] = await t.db.select().from(departmentRounds).where(eq(departmentRounds.id, roundId));
    expect(r?.reminderSentAt).toBeInstanceOf(Date);
  });

  it('speaks English to an English-speaking member, in pages and mails', async () => {
    const memberId = await createUser(t.db, 'youth-office@example.org', ['department_editor'], 'Youth Office');
    await t.db.update(users).set({ locale: 'en' }).where(eq(users.id, memberId));
    await t.db.insert(departmentMembers).values({ userId: memberId, departmentId: jugendamtId });
    const en = new Client(t.app);
    await en.signIn('youth-office@example.org');
    const roundId = await openRoundNow('Round in English');
    const cid = await contribution({ language: 'uk', body: 'Потрібно більше вечірніх курсів.' });
    await organiser.get(`/organiser/rounds/${roundId}`);
    const before = (await outbox(t.db)).length;
    await assign(roundId, [(await unitOf(cid)).id], 'suggested');
    const mail = (await outbox(t.db)).slice(before).find((m) => m.toAddress === 'youth-office@example.org');
    expect(mail?.locale).toBe('en');
    expect(renderMail(eta, catalogue, t.config, 'round_assigned', 'en', mail!.payload).subject).toBe('Department round “Round in English”: new items for Jugendamt');
    const [a] = await assignmentsOf(roundId);
    const inbox = await en.get('/department/inbox?status=all');
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).toContain('Recommendation submitted');
    const item = await en.get(`/department/assignments/${a!.id}`);
    expect(item.statusCode).toBe(200);
    expect(item.body).toContain('Your recommended answer');
    expect(item.body).toContain('dir="auto" lang="uk"');
    expect((await en.get('/department/text-blocks')).statusCode).toBe(200);
    const officeId = await createUser(t.db, 'office@example.org', ['organiser'], 'Office');
    await t.db.update(users).set({ locale: 'en' }).where(eq(users.id, officeId));
    const office = new Client(t.app);
    await office.signIn('office@example.org');
    const rounds = await office.get(`/organiser/consultations/${demo.slug}/rounds`);
    expect(rounds.statusCode).toBe(200);
    expect(rounds.body).toContain('Open a new round');
    const roundPage = await office.get(`/organiser/rounds/${roundId}`);
    expect(roundPage.statusCode).toBe(200);
    expect(roundPage.body).toContain('Close the round');
    expect(roundPage.body).toContain('Progress by department');
    expect((await office.get(`/organiser/consultations/${demo.slug}/rounds/overdue`)).body).toContain('Overdue items');
  });

  it('lists with a fixed number of queries, however many rows (suggestions in one query)', async () => {
    const roundId = await openRoundNow('Runde Abfragen');
    // Every kind of target is on the page before and after: a query per kind, not per row.
    const some = [await contribution(), await contribution({ targetKind: 'goal', targetKey: demo.goal }), await contribution({ targetKind: 'field', targetKey: demo.field })];
    await organiser.get(`/organiser/rounds/${roundId}`);
    await assign(roundId, [(await unitOf(some[0]!)).id], 'suggested');
    const round = () => queriesDuring(t.db, () => organiser.get(`/organiser/rounds/${roundId}`));
    const inbox = () => queriesDuring(t.db, () => jugendamt.get('/department/inbox?status=all'));
    // Once each first: the session is then in the process's session cache for both counts.
    await round();
    await inbox();
    const [roundBefore, inboxBefore] = [await round(), await inbox()];
    const more = [];
    for (let i = 0; i < 4; i++) more.push(await contribution({ targetKind: i % 2 ? 'field' : 'measure', targetKey: i % 2 ? demo.field : 'm-jha-uam-konzeption' }));
    await organiser.get(`/organiser/rounds/${roundId}`);
    await assign(roundId, [(await unitOf(more[0]!)).id, (await unitOf(more[2]!)).id], 'suggested');
    expect(await round()).toBe(roundBefore);
    expect(await inbox()).toBe(inboxBefore);
  });

  it('asks about a group once (lead text and number of members) and a statement’s section by its passage', async () => {
    const roundId = await openRoundNow('Runde Gruppen');
    const lead = await contribution({ body: 'Leittext der Kampagne: mehr Abendkurse!' });
    const member = await contribution({ body: 'Gleicher Text, anderer Absender' });
    const statement = await contribution({ kind: 'statement', receiptNumber: `AI-2026-8${n}`, body: 'Ganze Stellungnahme. ERSTER TEIL. ZWEITER TEIL mit Tel. 0351 1234567.', redactedBody: 'Ganze Stellungnahme. ERSTER TEIL. ZWEITER TEIL mit Tel. […].' });
    await organiser.get(`/organiser/rounds/${roundId}`);
    // What the sorting does: the group and the section answer instead of the contributions' own units.
    const [group] = await t.db.insert(contributionGroups).values({ consultationId, title: 'Abendkurse', leadContributionId: lead }).returning();
    await t.db.insert(contributionGroupMembers).values([{ contributionId: lead, groupId: group!.id }, { contributionId: member, groupId: group!.id }]);
    const [section] = await t.db.insert(contributionSections).values({ contributionId: statement, position: 2, body: 'ZWEITER TEIL mit Tel. […].' }).returning();
    for (const id of [lead, member, statement]) await t.db.update(responses).set({ superseded: true }).where(eq(responses.contributionId, id));
    const [groupUnit] = await t.db.insert(responses).values({ consultationId, contributionId: lead, groupId: group!.id, targetKind: 'measure', targetKey: demo.measure }).returning();
    const [sectionUnit] = await t.db.insert(responses).values({ consultationId, contributionId: statement, sectionId: section!.id, targetKind: 'measure', targetKey: demo.measure }).returning();

    const page = await organiser.get(`/organiser/rounds/${roundId}`);
    expect(page.body).toContain('Gruppe „Abendkurse“ (2 Beiträge)');
    expect(page.body).toContain(`Abschnitt 2 der Stellungnahme AI-2026-8`);
    for (const id of [lead, member, statement]) expect(page.body).not.toContain(`name="dept-${(await unitOf(id)).id}"`);
    expect((await assign(roundId, [groupUnit!.id, sectionUnit!.id], 'suggested')).statusCode).toBe(303);
    const rows = await assignmentsOf(roundId);
    const groupItem = await jugendamt.get(`/department/assignments/${rows.find((r) => r.responseId === groupUnit!.id)!.id}`);
    expect(groupItem.body).toContain('Leittext einer Gruppe von 2 gleichlautenden Beiträgen');
    expect(groupItem.body).toContain('Leittext der Kampagne: mehr Abendkurse!');
    expect(groupItem.body).not.toContain('anderer Absender');
    const sectionItem = await jugendamt.get(`/department/assignments/${rows.find((r) => r.responseId === sectionUnit!.id)!.id}`);
    expect(sectionItem.body).toContain('Abschnitt 2 der Stellungnahme');
    expect(sectionItem.body).toContain('ZWEITER TEIL mit Tel. […].');
    expect(sectionItem.body).not.toContain('ERSTER TEIL');
    expect(sectionItem.body).not.toContain('1234567');
  });

  it('lets a department edit and delete its text blocks, keeping what was typed on a bad form', async () => {
    await jugendamt.get('/department/text-blocks');
    await jugendamt.post('/department/text-blocks', { departmentId: String(jugendamtId), title: 'Zuständigkeit', body: 'Zuständig ist der Freistaat.' });
    const [block] = await t.db.select().from(textBlocks).where(eq(textBlocks.title, 'Zuständigkeit'));
    const form = await jugendamt.get(`/department/text-blocks/${block!.id}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Zuständig ist der Freistaat.');
    const bad = await jugendamt.post(`/department/text-blocks/${block!.id}`, { departmentId: String(jugendamtId), title: 'Zuständigkeit neu', body: ' ' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('value="Zuständigkeit neu"');
    expect(bad.body).toContain('Bitte schreiben Sie den Text des Bausteins.');
    const foreign = await jugendamt.post(`/department/text-blocks/${block!.id}`, { departmentId: String(schulamtId), title: 'Fremd', body: 'Fremd' });
    expect(foreign.statusCode).toBe(422);
    const ok = await jugendamt.post(`/department/text-blocks/${block!.id}`, { departmentId: String(jugendamtId), title: 'Zuständigkeit', body: 'Zuständig ist das Land.' });
    expect(ok.statusCode).toBe(303);
    expect((await t.db.select().from(textBlocks).where(eq(textBlocks.id, block!.id)))[0]?.body).toBe('Zuständig ist das Land.');
    expect((await schulamt.post(`/department/text-blocks/${block!.id}/delete`)).statusCode).toBe(404);
    expect((await jugendamt.post(`/department/text-blocks/${block!.id}/delete`)).statusCode).toBe(303);
    expect(await t.db.select().from(textBlocks).where(eq(textBlocks.id, block!.id))).toEqual([]);
  });

  it('keeps department pages to department editors and organiser pages to organisers', async () => {
    expect((await jugendamt.get(`/organiser/consultations/${demo.slug}/rounds`)).statusCode).toBe(403);
    expect((await organiser.get('/department/inbox')).statusCode).toBe(403);
    expect((await organiser.get('/organiser/rounds/99999999')).statusCode).toBe(404);
    expect((await organiser.get('/organiser/consultations/unbekannt/rounds')).statusCode).toBe(404);
    expect(csrfOf((await jugendamt.get('/department/text-blocks')).body)).not.toBe('');
  });
});
