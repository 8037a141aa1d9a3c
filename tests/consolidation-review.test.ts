import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditEntries } from '../src/modules/audit/schema.js';
import { assignments, consolidationSettings, departmentRounds, responses } from '../src/modules/consolidation/schema.js';
import { consolidationProgress, isComplete } from '../src/modules/consolidation/review/service.js';
import { syncResponses } from '../src/modules/consolidation/service.js';
import { departments } from '../src/modules/departments/schema.js';
import { contributions } from '../src/modules/participation/schema.js';
import { fields, measures, planVersions } from '../src/modules/plans/schema.js';
import { Client, createTestApp, createUser, queriesDuring, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { plainText, formVersion } from './helpers/html.js';
import { demo, openDemoPhase } from './helpers/participation.js';

type NewRow = typeof contributions.$inferInsert;
const count = (html: string, name: string) => Number(new RegExp(`data-count="${name}">(\\d+)<`).exec(html)?.[1] ?? -1);
const tableRow = (html: string, attr: string, value: string) => {
  const row = new RegExp(`<tr data-${attr}="${value}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';
  return [...row.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]?.trim());
};
const unitIds = (html: string) => [...html.matchAll(/<tr id="unit-(\d+)"/g)].map((m) => Number(m[1]));

describe.each(drivers)('consolidation review [%s]', (driver) => {
  let t: TestApp;
  let consultationId: number;
  let phaseId: number;
  let org: Client;
  let org2: Client;
  let orgId: string;
  let org2Id: string;
  let n = 0;
  const overview = `/organiser/consultations/${demo.slug}/consolidation`;

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
        status: 'published',
        publishedAt: new Date(),
        ...values,
      } as NewRow)
      .returning({ id: contributions.id });
    return row!.id;
  }

  async function unitOf(contributionId: number) {
    await syncResponses(t.db, consultationId);
    const [r] = await t.db.select().from(responses).where(and(eq(responses.contributionId, contributionId), eq(responses.superseded, false)));
    return r!;
  }

  async function send(client: Client, unitId: number, form: Record<string, string>) {
    const page = await client.get(`/organiser/consolidation/responses/${unitId}`);
    expect(page.statusCode).toBe(200);
    return client.post(`/organiser/consolidation/responses/${unitId}`, { version: String(formVersion(page.body)), ...form });
  }

  async function fourEyes(on: boolean) {
    await t.db
      .insert(consolidationSettings)
      .values({ consultationId, requireSecondApproval: on })
      .onConflictDoUpdate({ target: consolidationSettings.consultationId, set: { requireSecondApproval: on } });
  }

  beforeAll(async () => {
    t = await createTestApp(driver);
    ({ consultationId, phaseId } = await openDemoPhase(t.db));
    orgId = await createUser(t.db, 'org1@example.org', ['organiser'], 'Olga Organisatorin');
    org2Id = await createUser(t.db, 'org2@example.org', ['organiser'], 'Otto Zweitprüfer');
    await createUser(t.db, 'dept@example.org', ['department_editor'], 'Dora Amt');
    org = new Client(t.app);
    await org.signIn('org1@example.org');
    org2 = new Client(t.app);
    await org2.signIn('org2@example.org');
  });

  afterAll(async () => {
    await t.close();
  });

  beforeEach(async () => {
    await fourEyes(false);
  });

  it('counts units by status, department and field of action as computed by hand', async () => {
    // A fresh consultation's worth of contributions: this test counts everything in it.
    const [measureRow] = await t.db
      .select({ fieldKey: fields.key })
      .from(measures)
      .innerJoin(fields, eq(fields.id, measures.fieldId))
      .innerJoin(planVersions, eq(planVersions.id, measures.planVersionId))
      .where(and(eq(measures.key, demo.measure), eq(planVersions.consultationId, consultationId)))
      .limit(1);
    const measureField = measureRow!.fieldKey;
    expect(measureField).not.toBe(demo.field);
    const onMeasure = await insert();
    const onGoal = await insert({ targetKind: 'goal', targetKey: demo.goal });
    const onField = await insert({ targetKind: 'field', targetKey: demo.field });
    const onPlan = await insert({ targetKind: 'consultation', targetKey: null });
    const kept = await insert({ status: 'rejected', keepForConsolidation: true, publishedAt: null });
    await insert({ status: 'withdrawn' });
    await insert({ status: 'pending', publishedAt: null });
    await insert({ status: 'rejected', publishedAt: null });

    const page0 = await org.get(overview);
    expect(page0.statusCode).toBe(200);
    // Units: onMeasure, onGoal, onField, onPlan, kept = 5.
    expect(count(page0.body, 'total')).toBe(5);
    expect(count(page0.body, 'open')).toBe(5);

    const u = async (id: number) => (await unitOf(id)).id;
    await t.db.update(responses).set({ status: 'drafted' }).where(eq(responses.id, await u(onGoal)));
    await t.db.update(responses).set({ status: 'decided', verdict: 'noted', answer: 'A' }).where(eq(responses.id, await u(onField)));
    await t.db.update(responses).set({ status: 'approved', verdict: 'accepted', answer: 'B' }).where(eq(responses.id, await u(onPlan)));

    const depts = await t.db.select({ id: departments.id, name: departments.name }).from(departments).limit(2);
    const [a, b] = depts as [{ id: number; name: string }, { id: number; name: string }];
    const [round] = await t.db.insert(departmentRounds).values({ consultationId, title: 'Runde 1', deadline: new Date(Date.now() + 86_400_000) }).returning();
    await t.db.insert(assignments).values([
      { roundId: round!.id, responseId: await u(onMeasure), departmentId: a.id, status: 'drafted', draftAnswer: 'Entwurf A', proposedVerdict: 'partly_accepted', draftedAt: new Date() },
      { roundId: round!.id, responseId: await u(onGoal), departmentId: a.id, status: 'open' },
      { roundId: round!.id, responseId: await u(onField), departmentId: a.id, status: 'drafted', draftAnswer: 'x', draftedAt: new Date() },
      { roundId: round!.id, responseId: await u(onMeasure), departmentId: b.id, status: 'handed_over' },
      { roundId: round!.id, responseId: await u(onGoal), departmentId: b.id, status: 'withdrawn' },
      { roundId: round!.id, responseId: await u(onPlan), departmentId: b.id, status: 'drafted', draftAnswer: 'y', draftedAt: new Date() },
    ]);

    const page = await org.get(overview);
    expect(count(page.body, 'total')).toBe(5);
    expect(count(page.body, 'open')).toBe(2);
    expect(count(page.body, 'drafted')).toBe(1);
    expect(count(page.body, 'decided')).toBe(1);
    expect(count(page.body, 'approved')).toBe(1);
    expect(plainText(page.body)).toContain('1 von 5 Einheiten sind freigegeben (20 %).');
    expect(page.body).toMatch(/<progress[^>]*max="5" value="1"/);
    // Department A: three units asked, two answered, one of them decided.
    expect(tableRow(page.body, 'department', String(a.id))).toEqual(['3', '2 (67 %)', '1']);
    // Department B: the handed-over and the withdrawn ones do not count.
    expect(tableRow(page.body, 'department', String(b.id))).toEqual(['1', '1 (100 %)', '1']);
    // Fields: total, open, drafted, decided, approved.
    expect(tableRow(page.body, 'field', demo.field)).toEqual(['2', '0', '1', '1', '0']);
    expect(tableRow(page.body, 'field', measureField)).toEqual(['2', '2', '0', '0', '0']);
    expect(tableRow(page.body, 'field', 'none')).toEqual(['1', '0', '0', '0', '1']);

    expect(await consolidationProgress(t.db, consultationId)).toEqual({ total: 5, open: 2, drafted: 1, decided: 1, approved: 1 });
    expect(isComplete({ total: 5, open: 2, drafted: 1, decided: 1, approved: 1 })).toBe(false);
    expect(isComplete({ total: 2, open: 0, drafted: 0, decided: 0, approved: 2 })).toBe(true);

    // The list and its filters.
    expect(unitIds(page.body)).toHaveLength(5);
    expect(unitIds((await org.get(`${overview}?status=open`)).body).sort()).toEqual([await u(onMeasure), await u(kept)].sort());
    expect(unitIds((await org.get(`${overview}?verdict=accepted`)).body)).toEqual([await u(onPlan)]);
    expect(unitIds((await org.get(`${overview}?field=${demo.field}`)).body).sort()).toEqual([await u(onGoal), await u(onField)].sort());
    expect(unitIds((await org.get(`${overview}?field=none`)).body)).toEqual([await u(onPlan)]);
    expect(unitIds((await org.get(`${overview}?department=${b.id}`)).body).sort()).toEqual([await u(onMeasure), await u(onPlan)].sort());
    expect(unitIds((await org.get(`${overview}?channel=statement`)).body)).toEqual([]);
    expect(unitIds((await org.get(`${overview}?q=${encodeURIComponent(`Nummer ${n - 6}`)}`)).body)).toEqual([await u(onGoal)]);
    // Odd filter values are ignored, not errors.
    expect((await org.get(`${overview}?status=x&verdict=%00&department=abc&page=-1`)).statusCode).toBe(200);
    // Rows link to their unit page; texts carry their language and direction.
    expect(page.body).toContain(`href="/organiser/consolidation/responses/${await u(onMeasure)}"`);
    expect(page.body).toMatch(/<span dir="auto" lang="de">Beitrag Nummer/);
    // Links to the other parts.
    for (const part of ['sorting', 'rounds', 'reports']) expect(page.body).toContain(`href="/organiser/consultations/${demo.slug}/${part}"`);
  });

  it('lists units in pages of 50 with the same number of queries however many there are', async () => {
    await org.get(overview);
    const before = await queriesDuring(t.db, () => org.get(overview));
    for (let i = 0; i < 60; i++) await insert({ body: `Massenbeitrag ${i}` });
    await syncResponses(t.db, consultationId);
    let page: Awaited<ReturnType<Client['get']>> | null = null;
    const after = await queriesDuring(t.db, async () => {
      page = await org.get(overview);
    });
    expect(after).toBe(before);
    expect(unitIds(page!.body)).toHaveLength(50);
    expect(page!.body).toContain('rel="next"');
    const second = await org.get(`${overview}?page=2`);
    expect(unitIds(second.body).length).toBeGreaterThan(0);
    expect(unitIds(second.body).some((id) => unitIds(page!.body).includes(id))).toBe(false);
  });

  it('saves, decides and approves at once when the four-eyes rule is off; reopens with a reason', async () => {
    const id = await insert({ body: 'Mehr Abendkurse bitte.' });
    const unit = await unitOf(id);
    let res = await send(org, unit.id, { action: 'save', answer: 'Wir prüfen das.', verdict: '', translation: '', internalNote: 'intern', change: '', changeNote: '' });
    expect(res.statusCode).toBe(303);
    let [row] = await t.db.select().from(responses).where(eq(responses.id, unit.id));
    expect(row!.status).toBe('drafted');
    expect(row!.answer).toBe('Wir prüfen das.');

    res = await send(org, unit.id, { action: 'decide', answer: 'Die Abendkurse werden ausgebaut.', verdict: 'accepted', internalNote: 'intern' });
    expect(res.statusCode).toBe(303);
    [row] = await t.db.select().from(responses).where(eq(responses.id, unit.id));
    expect(row!.status).toBe('approved');
    expect(row!.verdict).toBe('accepted');
    expect(row!.decidedBy).toBe(orgId);
    expect(row!.approvedBy).toBe(orgId);
    expect(row!.decidedAt).not.toBeNull();

    // A decided unit is not edited: the form is disabled and a crafted post is refused.
    const locked = await org.get(`/organiser/consolidation/responses/${unit.id}`);
    expect(locked.body).toMatch(/<fieldset class="review-form__fields" disabled>/);
    expect(plainText(locked.body)).toContain('Olga Organisatorin hat am');
    res = await org.post(`/organiser/consolidation/responses/${unit.id}`, { action: 'save', version: String(row!.version), answer: 'anders' });
    expect(res.statusCode).toBe(409);

    // Reopening needs a reason; it keeps what was typed when it is missing.
    res = await send(org, unit.id, { action: 'reopen', reason: '' });
    expect(res.statusCode).toBe(422);
    expect(plainText(res.body)).toContain('Bitte nennen Sie einen Grund.');
    res = await send(org, unit.id, { action: 'reopen', reason: 'Amt hat neue Zahlen' });
    expect(res.statusCode).toBe(303);
    [row] = await t.db.select().from(responses).where(eq(responses.id, unit.id));
    expect(row!.status).toBe('drafted');
    expect(row!.approvedBy).toBeNull();
    expect(row!.answer).toBe('Die Abendkurse werden ausgebaut.');

    const audit = await t.db.select().from(auditEntries).where(and(eq(auditEntries.subjectType, 'response'), eq(auditEntries.subjectId, String(unit.id))));
    expect(audit.map((a) => a.action)).toEqual(['consolidation.response.save', 'consolidation.response.decide', 'consolidation.response.reopen']);
    const decide = audit[1]!;
    expect(decide.actorId).toBe(orgId);
    expect(decide.before).toMatchObject({ status: 'drafted', answer: 'Wir prüfen das.', verdict: null });
    expect(decide.after).toMatchObject({ status: 'approved', answer: 'Die Abendkurse werden ausgebaut.', verdict: 'accepted' });
    expect(audit[2]!.reason).toBe('Amt hat neue Zahlen');
    // The page shows the history.
    const history = plainText((await org.get(`/organiser/consolidation/responses/${unit.id}`)).body);
    expect(history).toMatch(/Wieder öffnen \( ?Amt hat neue Zahlen ?\)/);
  });

  it('needs a second organiser to approve when the four-eyes rule is on', async () => {
    // The setting through its form.
    let res = await org.get(overview);
    res = await org.post(`${overview}/settings`, { requireSecondApproval: 'yes' });
    expect(res.statusCode).toBe(303);
    const [setting] = await t.db.select().from(consolidationSettings).where(eq(consolidationSettings.consultationId, consultationId));
    expect(setting!.requireSecondApproval).toBe(true);
    expect((await org.get(overview)).body).toMatch(/name="requireSecondApproval" value="yes" checked/);

    const unit = await unitOf(await insert({ body: 'Sprachkurse am Wochenende' }));
    res = await send(org, unit.id, { action: 'decide', answer: 'Wird geprüft.', verdict: 'partly_accepted' });
    expect(res.statusCode).toBe(303);
    let [row] = await t.db.select().from(responses).where(eq(responses.id, unit.id));
    expect(row!.status).toBe('decided');
    expect(row!.approvedBy).toBeNull();

    // The decider is refused, clearly.
    const own = await org.get(`/organiser/consolidation/responses/${unit.id}`);
    expect(plainText(own.body)).toContain('Sie haben diese Antwort entschieden.');
    res = await org.post(`/organiser/consolidation/responses/${unit.id}`, { action: 'approve', version: String(row!.version) });
    expect(res.statusCode).toBe(403);
    expect(plainText(res.body)).toContain('Sie haben diese Antwort selbst entschieden. Nach dem Vier-Augen-Prinzip muss eine andere Person sie freigeben.');
    [row] = await t.db.select().from(responses).where(eq(responses.id, unit.id));
    expect(row!.status).toBe('decided');

    // A second organiser approves.
    res = await send(org2, unit.id, { action: 'approve' });
    expect(res.statusCode).toBe(303);
    [row] = await t.db.select().from(responses).where(eq(responses.id, unit.id));
    expect(row!.status).toBe('approved');
    expect(row!.decidedBy).toBe(orgId);
    expect(row!.approvedBy).toBe(org2Id);
    const [approve] = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectId, String(unit.id)), eq(auditEntries.action, 'consolidation.response.approve')));
    expect(approve!.actorId).toBe(org2Id);
    expect(approve!.after).toMatchObject({ status: 'approved', answer: 'Wird geprüft.', verdict: 'partly_accepted' });
    const [settingAudit] = await t.db.select().from(auditEntries).where(eq(auditEntries.action, 'consolidation.settings'));
    expect(settingAudit!.after).toEqual({ requireSecondApproval: true });
  });

  it('refuses a stale form with 409, naming who changed what and keeping what was typed', async () => {
    const unit = await unitOf(await insert({ body: 'Konflikttext' }));
    const mine = await org.get(`/organiser/consolidation/responses/${unit.id}`);
    const stale = formVersion(mine.body);
    // Otto saves first.
    const res1 = await send(org2, unit.id, { action: 'save', answer: 'Ottos Fassung', verdict: 'noted' });
    expect(res1.statusCode).toBe(303);
    const res = await org.post(`/organiser/consolidation/responses/${unit.id}`, { action: 'decide', version: String(stale), answer: 'Olgas Fassung', verdict: 'accepted', internalNote: 'meine Notiz' });
    expect(res.statusCode).toBe(409);
    const text = plainText(res.body);
    expect(text).toContain('Otto Zweitprüfer hat am');
    expect(text).toContain('„Entwurf speichern“ ausgeführt');
    expect(text).toContain('Votum: zur Kenntnis genommen');
    expect(text).toContain('Ottos Fassung');
    // What Olga typed is still in the form, with the version she can now save on.
    expect(res.body).toMatch(/<textarea id="field-answer"[^>]*>Olgas Fassung<\/textarea>/);
    expect(res.body).toMatch(/<textarea id="field-internalNote"[^>]*>meine Notiz<\/textarea>/);
    expect(res.body).toMatch(/value="accepted" checked/);
    expect(formVersion(res.body)).toBe(stale + 1);
    const [row] = await t.db.select().from(responses).where(eq(responses.id, unit.id));
    expect(row!.answer).toBe('Ottos Fassung');
  });

  it('refuses to decide without an answer or a Votum, keeping what was typed (422)', async () => {
    const unit = await unitOf(await insert({ body: 'Validierung' }));
    let res = await send(org, unit.id, { action: 'decide', answer: 'Nur eine Antwort', verdict: '', internalNote: 'n1' });
    expect(res.statusCode).toBe(422);
    expect(plainText(res.body)).toContain('Zum Entscheiden braucht es ein Votum.');
    expect(res.body).toMatch(/<textarea id="field-answer"[^>]*>Nur eine Antwort<\/textarea>/);
    expect(res.body).toMatch(/<textarea id="field-internalNote"[^>]*>n1<\/textarea>/);
    res = await send(org, unit.id, { action: 'decide', answer: '  ', verdict: 'noted' });
    expect(res.statusCode).toBe(422);
    expect(plainText(res.body)).toContain('Zum Entscheiden braucht es eine Antwort.');
    expect(res.body).toMatch(/id="field-verdict-noted" name="verdict" value="noted" checked/);
    res = await send(org, unit.id, { action: 'save', answer: 'x', verdict: 'bogus' });
    expect(res.statusCode).toBe(422);
    res = await send(org, unit.id, { action: 'save', answer: 'x', change: '999999|measure|nope' });
    expect(res.statusCode).toBe(422);
    const [row] = await t.db.select().from(responses).where(eq(responses.id, unit.id));
    expect(row!.status).toBe('open');
    expect(row!.version).toBe(0);
  });

  it('takes over a department draft into the form and links the plan change in a newer version', async () => {
    const unit = await unitOf(await insert({ body: 'Übernahme' }));
    const [dept] = await t.db.select().from(departments).limit(1);
    const [round] = await t.db.insert(departmentRounds).values({ consultationId, title: 'Runde 2', deadline: new Date(Date.now() + 86_400_000) }).returning();
    const [assignment] = await t.db
      .insert(assignments)
      .values({ roundId: round!.id, responseId: unit.id, departmentId: dept!.id, status: 'drafted', draftAnswer: 'Empfehlung des Amtes', proposedVerdict: 'already_covered', draftedAt: new Date() })
      .returning();
    const page = await org.get(`/organiser/consolidation/responses/${unit.id}`);
    expect(plainText(page.body)).toContain('Empfehlung des Amtes');
    expect(page.body).toContain(`value="takeover:${assignment!.id}"`);
    expect(page.body).toContain(`href="/organiser/consolidation/contributions/${unit.contributionId}"`);
    // The newer version's items are offered (the contribution was about Entwurf 1).
    const [v2] = await t.db.select().from(planVersions).where(and(eq(planVersions.consultationId, consultationId), eq(planVersions.label, 'Entwurf 2')));
    expect(page.body).toContain('<optgroup label="Entwurf 2">');
    expect(page.body).not.toContain('<optgroup label="Entwurf 1">');
    const change = `${v2!.id}|measure|${demo.measure}`;
    expect(page.body).toContain(`value="${change}"`);

    const res = await org.post(`/organiser/consolidation/responses/${unit.id}`, { action: `takeover:${assignment!.id}`, version: String(formVersion(page.body)), answer: 'alt', internalNote: 'bleibt', change });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<textarea id="field-answer"[^>]*>Empfehlung des Amtes<\/textarea>/);
    expect(res.body).toMatch(/value="already_covered" checked/);
    expect(res.body).toMatch(/<textarea id="field-internalNote"[^>]*>bleibt<\/textarea>/);
    expect(res.body).toContain(`value="${change}" selected`);
    // Nothing stored yet.
    let [row] = await t.db.select().from(responses).where(eq(responses.id, unit.id));
    expect(row!.answer).toBe('');
    const saved = await org.post(`/organiser/consolidation/responses/${unit.id}`, { action: 'decide', version: String(formVersion(res.body)), answer: 'Empfehlung des Amtes', verdict: 'already_covered', change, changeNote: 'neu gefasst' });
    expect(saved.statusCode).toBe(303);
    [row] = await t.db.select().from(responses).where(eq(responses.id, unit.id));
    expect(row!).toMatchObject({ status: 'approved', changeVersionId: v2!.id, changeTargetKind: 'measure', changeTargetKey: demo.measure, changeNote: 'neu gefasst' });
  });

  it('shows a translation field for texts not written in German', async () => {
    const unit = await unitOf(await insert({ body: 'Більше курсів', language: 'uk' }));
    const page = await org.get(`/organiser/consolidation/responses/${unit.id}`);
    expect(page.body).toContain('id="field-translation"');
    expect(page.body).toMatch(/<div class="contributed-text pre-line" dir="auto" lang="uk">Більше курсів<\/div>/);
    const german = await unitOf(await insert({ body: 'Deutsch' }));
    expect((await org.get(`/organiser/consolidation/responses/${german.id}`)).body).not.toContain('id="field-translation"');
    const res = await send(org, unit.id, { action: 'save', answer: 'a', translation: 'Mehr Kurse' });
    expect(res.statusCode).toBe(303);
    const [row] = await t.db.select().from(responses).where(eq(responses.id, unit.id));
    expect(row!.translation).toBe('Mehr Kurse');
  });

  it('is for organisers only, and answers 404 for units that do not exist', async () => {
    const dept = new Client(t.app);
    await dept.signIn('dept@example.org');
    expect((await dept.get(overview)).statusCode).toBe(403);
    const anon = new Client(t.app);
    expect((await anon.get(overview)).statusCode).toBe(303);
    expect((await org.get('/organiser/consolidation/responses/999999')).statusCode).toBe(404);
    expect((await org.get('/organiser/consolidation/responses/abc')).statusCode).toBe(404);
    expect((await org.get('/organiser/consultations/nope/consolidation')).statusCode).toBe(404);
    expect((await org.post('/organiser/consolidation/responses/999999', { action: 'save', version: '0' })).statusCode).toBe(404);
    // The organiser's consultation page links here.
    const consultationPage = await org.get(`/organiser/consultations/${consultationId}`);
    expect(consultationPage.body).toContain(`href="${overview}"`);
  });
});
