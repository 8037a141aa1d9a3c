import { and, asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries } from '../src/modules/audit/schema.js';
import { contributionGroupMembers, contributionGroups, contributionSections, contributionTags, responses, tags } from '../src/modules/consolidation/schema.js';
import { contributions } from '../src/modules/participation/schema.js';
import { consultations } from '../src/modules/plans/schema.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { plainText } from './helpers/html.js';
import { demo, openDemoPhase } from './helpers/participation.js';

type NewRow = typeof contributions.$inferInsert;

const versionIn = (html: string, form: string) => {
  const block = new RegExp(`action="[^"]*${form.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"[\\s\\S]*?</form>`).exec(html)?.[0] ?? '';
  return /name="version" value="(\d+)"/.exec(block)?.[1] ?? '-1';
};
/** The value a field was rendered with: what the person typed comes back. */
const textareaValue = (html: string, name: string) => new RegExp(`<textarea id="field-${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html)?.[1] ?? null;
const selectedIn = (html: string, name: string) => {
  const block = new RegExp(`<select id="field-${name}"[\\s\\S]*?</select>`).exec(html)?.[0] ?? '';
  return /<option value="([^"]*)" selected>/.exec(block)?.[1] ?? null;
};

const STATEMENT = [
  'Zum Handlungsfeld Sprache: Die Sprachkurse am Abend reichen nicht aus, es fehlen Plätze für Eltern mit kleinen Kindern.',
  'Zur Abendoberschule: Sie sollte auch in Prohlis ein Angebot machen, nicht nur in der Neustadt.',
  'Allgemein zum Plan: Die Ziele sind gut, aber es fehlen Zahlen, an denen man den Erfolg messen kann.',
].join('\n\n');

const NEAR_A = 'Wir fordern mehr Deutschkurse am Abend für berufstätige Eltern in Prohlis und Gorbitz, mit Kinderbetreuung während der Kurse.';
const NEAR_B = 'Wir fordern mehr Deutschkurse am Abend für berufstätige Eltern in Prohlis und in Gorbitz, mit Kinderbetreuung während des Kurses!';
const NEAR_C = 'Wir fordern mehr Deutschkurse abends für berufstätige Eltern in Prohlis und Gorbitz – mit Kinderbetreuung während der Kurse.';
const UNRELATED = 'Die Ausländerbehörde sollte ihre Öffnungszeiten verlängern und Termine auch online vergeben.';

describe.each(drivers)('sorting what came in [%s]', (driver) => {
  let t: TestApp;
  let consultationId: number;
  let phaseId: number;
  let organiser: Client;
  let organiserId: string;
  let n = 0;
  const base = `/organiser/consultations/${demo.slug}`;
  const sort = (id: number) => `/organiser/consolidation/contributions/${id}`;

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
        body: `Beitrag Nummer ${n} über etwas ganz Eigenes ${n * 7919}`,
        language: 'de',
        pageLocale: 'de',
        status: 'published',
        ...values,
      })
      .returning({ id: contributions.id });
    return row!.id;
  }

  const ownUnit = async (id: number) =>
    (await t.db.select().from(responses).where(and(eq(responses.contributionId, id), isNull(responses.sectionId), isNull(responses.groupId))))[0];
  const audit = async (action: string) => t.db.select().from(auditEntries).where(eq(auditEntries.action, action)).orderBy(asc(auditEntries.id));

  beforeAll(async () => {
    t = await createTestApp(driver);
    ({ consultationId, phaseId } = await openDemoPhase(t.db));
    organiserId = await createUser(t.db, 'ordnerin@example.org', ['organiser'], 'Ordnerin');
    organiser = new Client(t.app);
    await organiser.signIn('ordnerin@example.org');
  });
  afterAll(() => t?.close());

  it('creates, renames and deletes tags; a bad label comes back with what was typed', async () => {
    const created = await organiser.post(`${base}/tags`, { label: '  Kinderbetreuung ' });
    expect(created.statusCode).toBe(303);
    const page = await organiser.get(`${base}/tags`);
    expect(page.statusCode).toBe(200);
    expect(plainText(page.body)).toContain('Kinderbetreuung 0 Beiträge');

    const empty = await organiser.post(`${base}/tags`, { label: '   ' });
    expect(empty.statusCode).toBe(422);
    expect(plainText(empty.body)).toContain('Bitte geben Sie ein Schlagwort ein.');

    const long = 'Sehr langes Schlagwort '.repeat(4);
    const tooLong = await organiser.post(`${base}/tags`, { label: long });
    expect(tooLong.statusCode).toBe(422);
    expect(plainText(tooLong.body)).toContain('Der Text ist zu lang');
    expect(tooLong.body).toContain(`value="${long}"`);

    const taken = await organiser.post(`${base}/tags`, { label: 'kinderbetreuung' });
    expect(taken.statusCode).toBe(422);
    expect(plainText(taken.body)).toContain('Das Schlagwort „kinderbetreuung“ gibt es in diesem Verfahren schon.');
    expect(taken.body).toContain('value="kinderbetreuung"');

    const [tag] = await t.db.select().from(tags).where(eq(tags.label, 'Kinderbetreuung'));
    expect(tag).toBeDefined();
    expect((await organiser.get(`/organiser/tags/${tag!.id}/edit`)).statusCode).toBe(200);
    const renamed = await organiser.post(`/organiser/tags/${tag!.id}/edit`, { label: 'Kita und Kurse' });
    expect(renamed.statusCode).toBe(303);
    expect((await t.db.select().from(tags).where(eq(tags.id, tag!.id)))[0]?.label).toBe('Kita und Kurse');
    const badRename = await organiser.post(`/organiser/tags/${tag!.id}/edit`, { label: '' });
    expect(badRename.statusCode).toBe(422);

    expect((await organiser.get(`/organiser/tags/${tag!.id}/delete`)).statusCode).toBe(200);
    const deleted = await organiser.post(`/organiser/tags/${tag!.id}/delete`);
    expect(deleted.statusCode).toBe(303);
    expect(await t.db.select().from(tags).where(eq(tags.id, tag!.id))).toEqual([]);
    expect((await audit('consolidation.tag.create')).length).toBeGreaterThanOrEqual(1);
    expect((await audit('consolidation.tag.rename')).at(-1)).toMatchObject({ before: { label: 'Kinderbetreuung' }, after: { label: 'Kita und Kurse' } });
    expect((await audit('consolidation.tag.delete')).at(-1)).toMatchObject({ before: { label: 'Kita und Kurse' } });
  });

  it('tags a contribution on its sort page and several at once on the list, and the list filters by tag', async () => {
    await organiser.post(`${base}/tags`, { label: 'Wohnen' });
    await organiser.post(`${base}/tags`, { label: 'Schule' });
    const all = await t.db.select().from(tags).where(eq(tags.consultationId, consultationId));
    const wohnen = all.find((x) => x.label === 'Wohnen')!;
    const schule = all.find((x) => x.label === 'Schule')!;
    const a = await insert();
    const b = await insert();
    const c = await insert();

    const page = await organiser.get(sort(a));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Wohnen');
    const tagged = await organiser.post(`${sort(a)}/tags`, { tags: [String(wohnen.id), String(schule.id)] });
    expect(tagged.statusCode).toBe(303);
    const onA = await t.db.select().from(contributionTags).where(eq(contributionTags.contributionId, a));
    expect(onA.map((r) => r.tagId).sort()).toEqual([wohnen.id, schule.id].sort());
    // Unchecking one removes it.
    await organiser.post(`${sort(a)}/tags`, { tags: String(schule.id) });
    expect((await t.db.select().from(contributionTags).where(eq(contributionTags.contributionId, a))).map((r) => r.tagId)).toEqual([schule.id]);
    expect((await audit('consolidation.tag')).at(-1)).toMatchObject({ subjectId: String(a), before: { tags: ['Schule', 'Wohnen'] }, after: { tags: ['Schule'] } });

    const bulk = await organiser.post(`${base}/sorting/tag`, { tag: String(wohnen.id), ids: [String(b), String(c)] });
    expect(bulk.statusCode).toBe(303);
    const list = await organiser.get(`${base}/sorting?tag=${wohnen.id}`);
    expect(list.statusCode).toBe(200);
    const ids = [...list.body.matchAll(/id="row-(\d+)"/g)].map((m) => Number(m[1]));
    expect(ids.sort()).toEqual([b, c].sort());

    const none = await organiser.post(`${base}/sorting/tag`, { tag: String(wohnen.id) });
    expect(none.statusCode).toBe(422);
    expect(plainText(none.body)).toContain('Bitte wählen Sie mindestens einen Beitrag aus.');
    const noTag = await organiser.post(`${base}/sorting/tag`, { ids: String(a) });
    expect(noTag.statusCode).toBe(422);
    expect(plainText(noTag.body)).toContain('Bitte wählen Sie ein Schlagwort.');

    const tagsPage = await organiser.get(`${base}/tags`);
    expect(plainText(tagsPage.body)).toContain('Wohnen 2 Beiträge');
    expect(plainText(tagsPage.body)).toContain('Schule 1 Beitrag ');
  });

  it('assigns a contribution to the measure it is really about, audited; a stale form gets 409 naming the current state', async () => {
    const id = await insert({ targetKind: 'consultation', targetKey: null });
    const page = await organiser.get(sort(id));
    expect(page.statusCode).toBe(200);
    expect(plainText(page.body)).toContain('Der ganze Plan');
    const version = versionIn(page.body, '/target');
    expect(version).toBe('0');

    const moved = await organiser.post(`${sort(id)}/target`, { version, target: `measure:${demo.measure}` });
    expect(moved.statusCode).toBe(303);
    expect(await ownUnit(id)).toMatchObject({ targetKind: 'measure', targetKey: demo.measure, version: 1 });
    const entry = (await audit('consolidation.target')).at(-1);
    expect(entry).toMatchObject({
      actorId: organiserId,
      before: { targetKind: 'consultation', targetKey: null, version: 0 },
      after: { targetKind: 'measure', targetKey: demo.measure, version: 1, contributionId: id },
    });

    const stale = await organiser.post(`${sort(id)}/target`, { version: '0', target: `goal:${demo.goal}` });
    expect(stale.statusCode).toBe(409);
    expect(plainText(stale.body)).toContain('Inzwischen geändert');
    expect(plainText(stale.body)).toMatch(/Jetzt: zugeordnet zu Maßnahme [\d.]+/);
    expect(await ownUnit(id)).toMatchObject({ targetKey: demo.measure, version: 1 });

    const unknown = await organiser.post(`${sort(id)}/target`, { version: '1', target: 'measure:gibt-es-nicht' });
    expect(unknown.statusCode).toBe(422);
    expect(plainText(unknown.body)).toContain('Bitte wählen Sie eine Stelle aus der Gliederung des Plans.');
  });

  it('splits a statement into three sections with their own targets, and deleting them gives the statement its unit back', async () => {
    const id = await insert({ kind: 'statement', targetKind: 'consultation', targetKey: null, body: STATEMENT, receiptNumber: `T-${driver}-1`, title: 'Stellungnahme des Elternrats' });
    const passages = STATEMENT.split('\n\n');
    const targets = [`field:${demo.field}`, `measure:${demo.measure}`, 'consultation'];
    const page = await organiser.get(sort(id));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-section-source');
    expect(page.body).toContain('dir="auto" lang="de"');

    // An empty passage is refused; the chosen target is kept.
    const empty = await organiser.post(`${sort(id)}/sections`, { sectionBody: '  \n ', sectionTarget: `goal:${demo.goal}` });
    expect(empty.statusCode).toBe(422);
    expect(plainText(empty.body)).toContain('Bitte fügen Sie den Text des Abschnitts ein.');
    expect(selectedIn(empty.body, 'sectionTarget')).toBe(`goal:${demo.goal}`);
    // A bad target keeps the passage typed.
    const badTarget = await organiser.post(`${sort(id)}/sections`, { sectionBody: passages[0]!, sectionTarget: 'goal:nirgends' });
    expect(badTarget.statusCode).toBe(422);
    expect(textareaValue(badTarget.body, 'sectionBody')).toBe(passages[0]);

    for (const [i, passage] of passages.entries()) {
      const res = await organiser.post(`${sort(id)}/sections`, { sectionBody: passage, sectionTarget: targets[i]! });
      expect(res.statusCode).toBe(303);
    }
    const sections = await t.db.select().from(contributionSections).where(eq(contributionSections.contributionId, id)).orderBy(asc(contributionSections.position));
    expect(sections.map((s) => s.body)).toEqual(passages);
    const units = await t.db.select().from(responses).where(eq(responses.contributionId, id));
    const sectionUnits = units.filter((u) => u.sectionId !== null);
    expect(sectionUnits).toHaveLength(3);
    expect(sections.map((s) => { const u = sectionUnits.find((x) => x.sectionId === s.id)!; return u.targetKind === 'consultation' ? 'consultation' : `${u.targetKind}:${u.targetKey}`; })).toEqual(targets);
    expect((await ownUnit(id))?.superseded).toBe(true);
    const shown = await organiser.get(sort(id));
    expect(plainText(shown.body)).toContain('Abschnitt 3');
    expect(plainText(shown.body)).toContain('Dieser Beitrag wird in seinen Abschnitten beantwortet');

    // Reorder: the last one moves up.
    const last = sections[2]!;
    expect((await organiser.post(`${sort(id)}/sections/${last.id}/move`, { direction: 'up' })).statusCode).toBe(303);
    const reordered = await t.db.select().from(contributionSections).where(eq(contributionSections.contributionId, id)).orderBy(asc(contributionSections.position));
    expect(reordered.map((s) => s.id)).toEqual([sections[0]!.id, last.id, sections[1]!.id]);

    // Edit: the form page, then a save, then the same stale form again.
    const editUrl = `${sort(id)}/sections/${sections[0]!.id}/edit`;
    const form = await organiser.get(editUrl);
    expect(form.statusCode).toBe(200);
    const v = versionIn(form.body, '/edit');
    const saved = await organiser.post(editUrl, { version: v, body: `${passages[0]} (gekürzt)`, target: `goal:${demo.goal}` });
    expect(saved.statusCode).toBe(303);
    expect((await t.db.select().from(responses).where(eq(responses.sectionId, sections[0]!.id)))[0]).toMatchObject({ targetKind: 'goal', targetKey: demo.goal });
    const staleEdit = await organiser.post(editUrl, { version: v, body: 'anders', target: 'consultation' });
    expect(staleEdit.statusCode).toBe(409);
    const emptyEdit = await organiser.post(editUrl, { version: String(Number(v) + 1), body: ' ', target: `goal:${demo.goal}` });
    expect(emptyEdit.statusCode).toBe(422);
    expect(selectedIn(emptyEdit.body, 'target')).toBe(`goal:${demo.goal}`);

    // Delete all three: the last one un-supersedes the statement's own unit.
    for (const [i, s] of sections.entries()) {
      const current = await organiser.get(sort(id));
      const res = await organiser.post(`${sort(id)}/sections/${s.id}/delete`, { version: versionIn(current.body, `/sections/${s.id}/delete`) });
      expect(res.statusCode).toBe(303);
      expect((await ownUnit(id))?.superseded).toBe(i < sections.length - 1);
    }
    expect(await t.db.select().from(responses).where(and(eq(responses.contributionId, id)))).toHaveLength(1);
    expect((await audit('consolidation.section.create')).length).toBeGreaterThanOrEqual(3);
    expect((await audit('consolidation.section.delete')).length).toBeGreaterThanOrEqual(3);
    expect((await audit('consolidation.section.edit')).at(-1)).toMatchObject({ after: { targetKind: 'goal' } });

    // Comments are not split.
    const comment = await insert();
    const refused = await organiser.post(`${sort(comment)}/sections`, { sectionBody: 'Teil', sectionTarget: 'consultation' });
    expect(refused.statusCode).toBe(422);
    expect(plainText(refused.body)).toContain('Nur schriftliche Stellungnahmen lassen sich in Abschnitte teilen.');
  });

  it('groups three contributions around a lead, changes the lead and dissolves the group', async () => {
    const a = await insert({ body: `${NEAR_A} (Gruppe ${driver})` });
    const b = await insert({ body: `${NEAR_B} (Gruppe ${driver})` });
    const c = await insert({ body: `${NEAR_C} (Gruppe ${driver})` });
    await organiser.post(`${sort(a)}/target`, { version: '0', target: `goal:${demo.goal}` });

    const grouped = await organiser.post(`${sort(a)}/group`, { with: String(b) });
    expect(grouped.statusCode).toBe(303);
    const [group] = await t.db.select().from(contributionGroups).where(eq(contributionGroups.leadContributionId, a));
    expect(group).toBeDefined();
    const groupUrl = `/organiser/consolidation/groups/${group!.id}`;
    const added = await organiser.post(`${groupUrl}/members`, { member: String(c) });
    expect(added.statusCode).toBe(303);

    const groupUnits = await t.db.select().from(responses).where(eq(responses.groupId, group!.id));
    expect(groupUnits).toHaveLength(1);
    expect(groupUnits[0]).toMatchObject({ contributionId: a, targetKind: 'goal', targetKey: demo.goal });
    for (const id of [a, b, c]) expect((await ownUnit(id))?.superseded).toBe(true);
    const page = await organiser.get(groupUrl);
    expect(page.statusCode).toBe(200);
    expect(plainText(page.body)).toContain('Beiträge der Gruppe (3)');

    const leadChanged = await organiser.post(`${groupUrl}/lead`, { version: versionIn(page.body, '/lead'), lead: String(b) });
    expect(leadChanged.statusCode).toBe(303);
    expect((await t.db.select().from(contributionGroups).where(eq(contributionGroups.id, group!.id)))[0]?.leadContributionId).toBe(b);
    expect((await t.db.select().from(responses).where(eq(responses.groupId, group!.id)))[0]?.contributionId).toBe(b);
    // The same form again is stale.
    const stale = await organiser.post(`${groupUrl}/lead`, { version: versionIn(page.body, '/lead'), lead: String(c) });
    expect(stale.statusCode).toBe(409);

    // The lead cannot leave; another member can and gets its own unit back.
    const leadOut = await organiser.post(`${groupUrl}/members/${b}/remove`);
    expect(leadOut.statusCode).toBe(422);
    expect(plainText(leadOut.body)).toContain('Der Leitbeitrag kann nicht aus der Gruppe genommen werden.');
    expect((await organiser.post(`${groupUrl}/members/${c}/remove`)).statusCode).toBe(303);
    expect((await ownUnit(c))?.superseded).toBe(false);
    expect((await organiser.post(`${groupUrl}/members`, { member: String(c) })).statusCode).toBe(303);

    const current = await organiser.get(groupUrl);
    const dissolved = await organiser.post(`${groupUrl}/dissolve`, { version: versionIn(current.body, '/dissolve') });
    expect(dissolved.statusCode).toBe(303);
    expect(await t.db.select().from(contributionGroups).where(eq(contributionGroups.id, group!.id))).toEqual([]);
    expect(await t.db.select().from(responses).where(eq(responses.groupId, group!.id))).toEqual([]);
    for (const id of [a, b, c]) expect((await ownUnit(id))?.superseded).toBe(false);
    expect((await audit('consolidation.group.dissolve')).at(-1)).toMatchObject({ subjectId: String(group!.id), before: { leadContributionId: b } });
    expect((await audit('consolidation.group.lead')).at(-1)).toMatchObject({ before: { leadContributionId: a }, after: { leadContributionId: b } });
  });

  it('keeps a contribution in one group only, and never groups a statement with sections', async () => {
    const a = await insert();
    const b = await insert();
    const d = await insert();
    const e = await insert();
    expect((await organiser.post(`${sort(a)}/group`, { with: String(b) })).statusCode).toBe(303);
    expect((await organiser.post(`${sort(d)}/group`, { with: String(e) })).statusCode).toBe(303);
    const [second] = await t.db.select().from(contributionGroups).where(eq(contributionGroups.leadContributionId, d));
    const refused = await organiser.post(`/organiser/consolidation/groups/${second!.id}/members`, { member: String(a) });
    expect(refused.statusCode).toBe(422);
    expect(plainText(refused.body)).toContain(`Beitrag #${a} ist schon in einer anderen Gruppe.`);
    expect(refused.body).toContain(`value="${a}"`);
    const fromPage = await organiser.post(`${sort(a)}/group`, { with: String(d) });
    expect(fromPage.statusCode).toBe(422);
    // The table itself refuses a second membership.
    await expect(t.db.insert(contributionGroupMembers).values({ contributionId: a, groupId: second!.id })).rejects.toThrow();
    expect(await t.db.select().from(contributionGroupMembers).where(eq(contributionGroupMembers.contributionId, a))).toHaveLength(1);

    const statement = await insert({ kind: 'statement', targetKind: 'consultation', targetKey: null, body: STATEMENT, receiptNumber: `T-${driver}-2` });
    expect((await organiser.post(`${sort(statement)}/sections`, { sectionBody: 'Erster Teil', sectionTarget: 'consultation' })).statusCode).toBe(303);
    const noGroup = await organiser.post(`${sort(statement)}/group`, {});
    expect(noGroup.statusCode).toBe(422);
    expect(plainText(noGroup.body)).toContain(`Beitrag #${statement} ist in Abschnitte geteilt und kann nicht gruppiert werden.`);
    const notJoining = await organiser.post(`/organiser/consolidation/groups/${second!.id}/members`, { member: String(statement) });
    expect(notJoining.statusCode).toBe(422);

    const groupedStatement = await insert({ kind: 'statement', targetKind: 'consultation', targetKey: null, body: 'Kurze Stellungnahme', receiptNumber: `T-${driver}-3` });
    expect((await organiser.post(`${sort(groupedStatement)}/group`, {})).statusCode).toBe(303);
    const noSections = await organiser.post(`${sort(groupedStatement)}/sections`, { sectionBody: 'Kurze', sectionTarget: 'consultation' });
    expect(noSections.statusCode).toBe(422);
    expect(plainText(noSections.body)).toContain('Dieser Beitrag ist in einer Gruppe und kann nicht in Abschnitte geteilt werden.');
  });

  it('suggests a near-duplicate by text similarity, not an unrelated contribution, and groups it on request', async () => {
    const a = await insert({ body: NEAR_A });
    const b = await insert({ body: NEAR_B });
    const unrelated = await insert({ body: UNRELATED });
    const page = await organiser.get(sort(a));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`id="similar-${b}"`);
    expect(page.body).not.toContain(`id="similar-${unrelated}"`);
    expect(plainText(page.body)).toMatch(/\d{2,3} % ähnlich/);
    // Nothing is grouped until the organiser asks.
    expect(await t.db.select().from(contributionGroupMembers).where(eq(contributionGroupMembers.contributionId, b))).toEqual([]);
    const res = await organiser.post(`${sort(a)}/group`, { with: String(b) });
    expect(res.statusCode).toBe(303);
    expect((await t.db.select().from(contributionGroupMembers).where(eq(contributionGroupMembers.contributionId, b)))).toHaveLength(1);

    const duplicates = await organiser.get(`${base}/duplicates`);
    expect(duplicates.statusCode).toBe(200);
    expect(plainText(duplicates.body)).toContain(`Beitrag #${a} und Beitrag #${b}`);
  });

  it('lists the consultation’s contributions for sorting with filters and links', async () => {
    const statement = await insert({ kind: 'statement', targetKind: 'consultation', targetKey: null, body: 'Eine Stellungnahme zum Filtern', receiptNumber: `T-${driver}-4`, channel: 'letter' });
    const withdrawn = await insert({ status: 'withdrawn' });
    const list = await organiser.get(`${base}/sorting?kind=statement&channel=letter`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`href="${sort(statement)}"`);
    expect(list.body).not.toContain(`id="row-${withdrawn}"`);
    const unsorted = await organiser.get(`${base}/sorting?unsorted=yes`);
    expect(unsorted.body).toContain(`id="row-${statement}"`);
    await organiser.post(`${sort(statement)}/target`, { version: '0', target: `measure:${demo.measure}` });
    const after = await organiser.get(`${base}/sorting?unsorted=yes`);
    expect(after.body).not.toContain(`id="row-${statement}"`);
    const byTarget = await organiser.get(`${base}/sorting?target=${encodeURIComponent(`measure:${demo.measure}`)}&kind=statement`);
    expect(byTarget.body).toContain(`id="row-${statement}"`);
    expect(list.body).toContain(`/organiser/consultations/${demo.slug}/consolidation`);
  });

  it('pages the sorting list by 50', async () => {
    await t.db.insert(contributions).values(
      Array.from({ length: 51 }, (_, i) => ({ consultationId, phaseId, kind: 'comment' as const, targetKind: 'measure' as const, targetKey: demo.measure, body: `Telefonnotiz ${i}`, language: 'de', pageLocale: 'de', status: 'published' as const, channel: 'phone' as const })),
    );
    const first = await organiser.get(`${base}/sorting?channel=phone`);
    expect(first.statusCode).toBe(200);
    expect([...first.body.matchAll(/id="row-\d+"/g)]).toHaveLength(50);
    expect(plainText(first.body)).toContain('51 Beiträge');
    expect(first.body).toContain(`href="/organiser/consultations/${demo.slug}/sorting?channel=phone&amp;page=2"`);
    const second = await organiser.get(`${base}/sorting?channel=phone&page=2`);
    expect([...second.body.matchAll(/id="row-\d+"/g)]).toHaveLength(1);
    expect(plainText(second.body)).toContain('Seite 2 von 2');
  });

  it('answers 404 for unknown or odd ids and for contributions that do not count', async () => {
    const withdrawn = await insert({ status: 'withdrawn' });
    const urls = [
      sort(999_999),
      sort(withdrawn),
      '/organiser/consolidation/contributions/abc',
      '/organiser/consolidation/groups/999999',
      '/organiser/tags/999999/edit',
      '/organiser/tags/00000000-0000-0000-0000-000000000000/delete',
      `${sort(await insert())}/sections/999999/edit`,
      '/organiser/consultations/gibt-es-nicht/sorting',
      '/organiser/consultations/gibt-es-nicht/tags',
      '/organiser/consultations/gibt-es-nicht/groups',
    ];
    for (const url of urls) expect((await organiser.get(url)).statusCode, url).toBe(404);
    const posts = [
      [`${sort(999_999)}/tags`, {}],
      [`${sort(999_999)}/target`, { version: '0', target: 'consultation' }],
      [`${sort(999_999)}/sections`, { sectionBody: 'x', sectionTarget: 'consultation' }],
      [`${sort(999_999)}/group`, {}],
      ['/organiser/consolidation/groups/999999/dissolve', { version: '0' }],
      ['/organiser/consolidation/groups/999999/members', { member: '1' }],
      ['/organiser/tags/999999/delete', {}],
    ] as const;
    for (const [url, form] of posts) expect((await organiser.post(url, { ...form })).statusCode, url).toBe(404);
    // Another consultation's contribution cannot join.
    const [other] = await t.db.insert(consultations).values({ slug: `anders-${driver}`, title: 'Anderes Verfahren', status: 'published' }).returning({ id: consultations.id });
    const foreign = await insert({ consultationId: other!.id, phaseId: null });
    const mine = await insert();
    const refused = await organiser.post(`${sort(mine)}/group`, { with: String(foreign) });
    expect(refused.statusCode).toBe(422);
  });

  it('shows every page in English too, with a section, a group and a suggestion on it', async () => {
    const english = new Client(t.app, { 'accept-language': 'en' });
    await createUser(t.db, `english-${driver}@example.org`, ['organiser'], 'Organiser EN');
    await english.signIn(`english-${driver}@example.org`);
    await english.post('/language', { lang: 'en', next: '/' });
    const statement = await insert({ kind: 'statement', targetKind: 'consultation', targetKey: null, body: STATEMENT, receiptNumber: `T-${driver}-en` });
    expect((await english.post(`${sort(statement)}/sections`, { sectionBody: 'Erster Teil', sectionTarget: `goal:${demo.goal}` })).statusCode).toBe(303);
    const a = await insert({ body: `${NEAR_A} (en)` });
    const b = await insert({ body: `${NEAR_B} (en)` });
    expect((await english.post(`${sort(a)}/group`, { title: 'Evening classes' })).statusCode).toBe(303);
    const [group] = await t.db.select().from(contributionGroups).where(eq(contributionGroups.leadContributionId, a));
    await english.post(`${base}/tags`, { label: 'Evening' });
    const [tag] = await t.db.select().from(tags).where(and(eq(tags.consultationId, consultationId), eq(tags.label, 'Evening')));
    const [section] = await t.db.select().from(contributionSections).where(eq(contributionSections.contributionId, statement));
    const pages = {
      [sort(statement)]: 'Sections',
      [sort(a)]: 'Similar contributions',
      [sort(b)]: 'Join its group',
      [`${sort(statement)}/sections/${section!.id}/edit`]: 'Save section',
      [`${base}/sorting`]: 'Sort contributions',
      [`${base}/tags`]: 'Existing tags',
      [`/organiser/tags/${tag!.id}/edit`]: 'Rename the tag',
      [`/organiser/tags/${tag!.id}/delete`]: 'Delete the tag',
      [`${base}/groups`]: 'Evening classes',
      [`/organiser/consolidation/groups/${group!.id}`]: 'Contributions of the group (1)',
      [`${base}/duplicates`]: 'Possible duplicates',
    };
    for (const [url, text] of Object.entries(pages)) {
      const res = await english.get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<html lang="en"');
      expect(plainText(res.body), url).toContain(text);
    }
  });

  it('lets only one of two organisers adding a contribution to two groups at once succeed', async () => {
    const a = await insert();
    const b = await insert();
    const c = await insert();
    expect((await organiser.post(`${sort(a)}/group`, {})).statusCode).toBe(303);
    expect((await organiser.post(`${sort(b)}/group`, {})).statusCode).toBe(303);
    const [g1] = await t.db.select().from(contributionGroups).where(eq(contributionGroups.leadContributionId, a));
    const [g2] = await t.db.select().from(contributionGroups).where(eq(contributionGroups.leadContributionId, b));
    const other = new Client(t.app);
    await other.signIn('ordnerin@example.org');
    const results = await Promise.all([
      organiser.post(`/organiser/consolidation/groups/${g1!.id}/members`, { member: String(c) }),
      other.post(`/organiser/consolidation/groups/${g2!.id}/members`, { member: String(c) }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 422]);
    expect(plainText(results.find((r) => r.statusCode === 422)!.body)).toContain(`Beitrag #${c} ist schon in einer anderen Gruppe.`);
    expect(await t.db.select().from(contributionGroupMembers).where(eq(contributionGroupMembers.contributionId, c))).toHaveLength(1);
    expect((await ownUnit(c))?.superseded).toBe(true);

    // Adding from the group's page and from a suggestion at once: both land in the same group.
    const d = await insert();
    const both = await Promise.all([
      organiser.post(`/organiser/consolidation/groups/${g1!.id}/members`, { member: String(d) }),
      other.post(`${sort(d)}/group`, { with: String(a) }),
    ]);
    expect(both.map((r) => r.statusCode)).toEqual([303, 303]);
    expect((await t.db.select().from(contributionGroupMembers).where(eq(contributionGroupMembers.contributionId, d))).map((m) => m.groupId)).toEqual([g1!.id]);
  });

  it('keeps a section or a group once its unit has an answer', async () => {
    const statement = await insert({ kind: 'statement', targetKind: 'consultation', targetKey: null, body: STATEMENT, receiptNumber: `T-${driver}-answered` });
    await organiser.post(`${sort(statement)}/sections`, { sectionBody: 'Ein Teil', sectionTarget: 'consultation' });
    const [section] = await t.db.select().from(contributionSections).where(eq(contributionSections.contributionId, statement));
    await t.db.update(responses).set({ status: 'drafted', answer: 'Wird geprüft.', version: 5 }).where(eq(responses.sectionId, section!.id));
    const page = await organiser.get(sort(statement));
    expect(page.body).not.toContain(`/sections/${section!.id}/delete`);
    const refused = await organiser.post(`${sort(statement)}/sections/${section!.id}/delete`, { version: '5' });
    expect(refused.statusCode).toBe(422);
    expect(plainText(refused.body)).toContain('Zu diesem Abschnitt gibt es schon eine Antwort.');
    expect(await t.db.select().from(contributionSections).where(eq(contributionSections.id, section!.id))).toHaveLength(1);

    const a = await insert();
    await organiser.post(`${sort(a)}/group`, {});
    const [group] = await t.db.select().from(contributionGroups).where(eq(contributionGroups.leadContributionId, a));
    await t.db.update(responses).set({ status: 'decided', answer: 'Berücksichtigt.', verdict: 'accepted', version: 3 }).where(eq(responses.groupId, group!.id));
    const groupPage = await organiser.get(`/organiser/consolidation/groups/${group!.id}`);
    expect(groupPage.body).not.toContain('/dissolve');
    const notDissolved = await organiser.post(`/organiser/consolidation/groups/${group!.id}/dissolve`, { version: '3' });
    expect(notDissolved.statusCode).toBe(422);
    expect(plainText(notDissolved.body)).toContain('Die Gruppe hat schon eine Antwort');
    expect(await t.db.select().from(contributionGroups).where(eq(contributionGroups.id, group!.id))).toHaveLength(1);
  });

  it('is for organisers only', async () => {
    await createUser(t.db, 'mod-sort@example.org', ['moderator']);
    const moderator = new Client(t.app);
    await moderator.signIn('mod-sort@example.org');
    expect((await moderator.get(`${base}/sorting`)).statusCode).toBe(403);
    expect((await moderator.get(sort(await insert()))).statusCode).toBe(403);
  });
});
