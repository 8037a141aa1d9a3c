import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries } from '../src/modules/audit/schema.js';
import { consolidationSettings, contributionGroupMembers, contributionGroups, contributionSections, responses } from '../src/modules/consolidation/schema.js';
import { syncResponses } from '../src/modules/consolidation/service.js';
import { loadCommentPage } from '../src/modules/participation/comments/queries.js';
import { contributions } from '../src/modules/participation/schema.js';
import { planVersions } from '../src/modules/plans/schema.js';
import { Client, createTestApp, createUser, outbox, queriesDuring, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { plainText, formVersion } from './helpers/html.js';
import { demo, openDemoPhase } from './helpers/participation.js';
import { TestSmtp } from './helpers/smtp.js';

type NewRow = typeof contributions.$inferInsert;
const HEADING = 'Antwort der Stadtverwaltung';
/** The markup of one comment in a list (up to the next comment or the list's end). */
const commentBlock = (html: string, id: number) => {
  const start = html.indexOf(`id="comment-${id}"`);
  if (start < 0) return '';
  const rest = html.slice(start + 10);
  const end = rest.search(/<li class="comment[" ]|<\/ol>\s*<nav|<\/section>/);
  return rest.slice(0, end < 0 ? undefined : end);
};

describe.each(drivers)('publishing the answers [%s]', (driver) => {
  let t: TestApp;
  let consultationId: number;
  let phaseId: number;
  let org: Client;
  const reader = () => new Client(t.app);
  const base = `/organiser/consultations/${demo.slug}/consolidation`;
  const ids = {} as Record<'account' | 'guest' | 'statement' | 'lead' | 'member' | 'letter' | 'waiting' | 'later', number>;
  const units = {} as Record<'account' | 'guest' | 'section1' | 'section2' | 'group' | 'letter' | 'waiting' | 'later', number>;

  async function insert(values: Partial<NewRow>): Promise<number> {
    const [row] = await t.db
      .insert(contributions)
      .values({
        consultationId,
        phaseId,
        kind: 'comment',
        targetKind: 'measure',
        targetKey: demo.measure,
        language: 'de',
        pageLocale: 'de',
        status: 'published',
        publishedAt: new Date(),
        body: 'x',
        ...values,
      } as NewRow)
      .returning({ id: contributions.id });
    return row!.id;
  }

  async function ownUnit(contributionId: number): Promise<number> {
    const [r] = await t.db
      .select({ id: responses.id })
      .from(responses)
      .where(and(eq(responses.contributionId, contributionId), eq(responses.superseded, false)));
    return r!.id;
  }

  async function decide(unitId: number, answer: string, verdict: string) {
    const page = await org.get(`/organiser/consolidation/responses/${unitId}`);
    const res = await org.post(`/organiser/consolidation/responses/${unitId}`, { action: 'decide', version: String(formVersion(page.body)), answer, verdict });
    expect(res.statusCode).toBe(303);
  }

  async function answerMails() {
    return (await outbox(t.db)).filter((m) => m.template === 'consolidation_answer');
  }

  beforeAll(async () => {
    t = await createTestApp(driver);
    ({ consultationId, phaseId } = await openDemoPhase(t.db));
    await createUser(t.db, 'pub-org@example.org', ['organiser'], 'Olga Organisatorin');
    const author = await createUser(t.db, 'pub-autorin@example.org', [], 'Anna Autorin');
    const author2 = await createUser(t.db, 'pub-verein@example.org', [], 'Vera Verein');
    const author3 = await createUser(t.db, 'pub-kampagne@example.org', [], 'Kai Kampagne');
    org = new Client(t.app);
    await org.signIn('pub-org@example.org');

    ids.account = await insert({ authorId: author, body: 'Die Abendoberschule braucht Schulsozialarbeit.' });
    ids.guest = await insert({ guestEmail: 'pub-gast@example.org', body: 'Bitte auch samstags Kurse.', pageLocale: 'en' });
    ids.statement = await insert({
      kind: 'statement',
      targetKind: 'consultation',
      targetKey: null,
      authorId: author2,
      receiptNumber: 'AI-2026-0101',
      title: 'Stellungnahme des Vereins',
      body: 'Erstens: mehr Sprachkurse.\n\nZweitens: mehr Schulsozialarbeit.',
      publishText: true,
    });
    ids.lead = await insert({ guestEmail: 'pub-kampagne-gast@example.org', body: 'Kampagnentext: Schulsozialarbeit jetzt!' });
    ids.member = await insert({ authorId: author3, body: 'Kampagnentext: Schulsozialarbeit jetzt!!' });
    ids.letter = await insert({ channel: 'letter', receiptNumber: 'AI-2026-0102', body: 'Ein Brief ohne Adresse.' });
    ids.waiting = await insert({ guestEmail: 'wartet@example.org', body: 'Noch nicht freigegeben.' });
    ids.later = await insert({ guestEmail: 'spaeter@example.org', body: 'Später beantwortet.' });
    await syncResponses(t.db, consultationId);

    // Sorting (another part's pages): the statement in two sections, the campaign as a group.
    const [s1, s2] = await t.db
      .insert(contributionSections)
      .values([
        { contributionId: ids.statement, position: 1, body: 'Erstens: mehr Sprachkurse.' },
        { contributionId: ids.statement, position: 2, body: 'Zweitens: mehr Schulsozialarbeit.' },
      ])
      .returning();
    const [group] = await t.db.insert(contributionGroups).values({ consultationId, title: 'Kampagne Schulsozialarbeit', leadContributionId: ids.lead }).returning();
    await t.db.insert(contributionGroupMembers).values([
      { contributionId: ids.lead, groupId: group!.id },
      { contributionId: ids.member, groupId: group!.id },
    ]);
    await t.db.update(responses).set({ superseded: true }).where(eq(responses.contributionId, ids.statement));
    await t.db.update(responses).set({ superseded: true }).where(eq(responses.contributionId, ids.lead));
    await t.db.update(responses).set({ superseded: true }).where(eq(responses.contributionId, ids.member));
    const [u1, u2, ug] = await t.db
      .insert(responses)
      .values([
        { consultationId, contributionId: ids.statement, sectionId: s1!.id, targetKind: 'goal', targetKey: demo.goal },
        { consultationId, contributionId: ids.statement, sectionId: s2!.id, targetKind: 'measure', targetKey: demo.measure },
        { consultationId, contributionId: ids.lead, groupId: group!.id, targetKind: 'measure', targetKey: demo.measure },
      ])
      .returning({ id: responses.id });
    units.section1 = u1!.id;
    units.section2 = u2!.id;
    units.group = ug!.id;
    units.account = await ownUnit(ids.account);
    units.guest = await ownUnit(ids.guest);
    units.letter = await ownUnit(ids.letter);
    units.waiting = await ownUnit(ids.waiting);
    units.later = await ownUnit(ids.later);
  });

  afterAll(async () => {
    await t.close();
  });

  it('shows a section with its statement and a group with its members on the unit page', async () => {
    const section = plainText((await org.get(`/organiser/consolidation/responses/${units.section2}`)).body);
    expect(section).toContain('Abwägung zu Abschnitt AI-2026-0101/2');
    expect(section).toContain('Abschnitt 2 der Stellungnahme AI-2026-0101: Zweitens: mehr Schulsozialarbeit.');
    const group = await org.get(`/organiser/consolidation/responses/${units.group}`);
    expect(plainText(group.body)).toContain(`Abwägung zur Gruppe um #${ids.lead}`);
    expect(plainText(group.body)).toContain('Gruppe „Kampagne Schulsozialarbeit“. Der Leitbeitrag: Kampagnentext: Schulsozialarbeit jetzt!');
    expect(plainText(group.body)).toContain('Beiträge der Gruppe (2)');
    expect(plainText(group.body)).toMatch(new RegExp(`#${ids.member} ?: Kampagnentext: Schulsozialarbeit jetzt!!`));
    // The overview lists the group and the sections, not the contributions they answer.
    const list = (await org.get(base)).body;
    for (const id of [units.section1, units.section2, units.group]) expect(list).toContain(`id="unit-${id}"`);
    const superseded = await t.db.select({ id: responses.id }).from(responses).where(and(eq(responses.contributionId, ids.member), eq(responses.superseded, true)));
    expect(list).not.toContain(`id="unit-${superseded[0]!.id}"`);
  });

  it('cannot publish before an answer is approved', async () => {
    const page = await org.get(`${base}/publish`);
    expect(page.statusCode).toBe(200);
    expect(plainText(page.body)).toContain('Es ist noch keine Antwort freigegeben.');
    const res = await org.post(`${base}/publish`, { confirm: 'yes' });
    expect(res.statusCode).toBe(409);
    const [setting] = await t.db.select().from(consolidationSettings).where(eq(consolidationSettings.consultationId, consultationId));
    expect(setting?.answersPublishedAt ?? null).toBeNull();
  });

  it('shows approved answers only once they are published, then under every contribution they answer', async () => {
    await decide(units.account, 'Die Schulsozialarbeit wird geprüft.', 'partly_accepted');
    await decide(units.guest, 'Samstagskurse kommen 2027.', 'accepted');
    await decide(units.section1, 'Sprachkurse werden ausgebaut.', 'accepted');
    await decide(units.section2, 'Schulsozialarbeit ist bereits geplant.', 'already_covered');
    await decide(units.group, 'Antwort an die Kampagne.', 'noted');
    await decide(units.letter, 'Antwort auf den Brief.', 'not_accepted');
    // Four-eyes on for this one: decided, not approved, never public.
    await t.db.update(consolidationSettings).set({ requireSecondApproval: true }).where(eq(consolidationSettings.consultationId, consultationId));
    await t.db.insert(consolidationSettings).values({ consultationId, requireSecondApproval: true }).onConflictDoNothing();
    await decide(units.waiting, 'Wartet auf die Freigabe.', 'noted');
    await t.db.update(consolidationSettings).set({ requireSecondApproval: false }).where(eq(consolidationSettings.consultationId, consultationId));
    const [waiting] = await t.db.select().from(responses).where(eq(responses.id, units.waiting));
    expect(waiting!.status).toBe('decided');

    // Not published yet: nothing public, nothing mailed.
    const before = await reader().get(demo.measurePath);
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain('Die Abendoberschule braucht Schulsozialarbeit.');
    expect(before.body).not.toContain(HEADING);
    expect((await reader().get(`/consultations/${demo.slug}/statements/AI-2026-0101`)).body).not.toContain(HEADING);
    expect(await answerMails()).toHaveLength(0);

    // The confirmation step, then publishing.
    const confirm = await org.get(`${base}/publish`);
    expect(plainText(confirm.body)).toContain('6 von 8 Einheiten sind freigegeben');
    let res = await org.post(`${base}/publish`, {});
    expect(res.statusCode).toBe(422);
    res = await org.post(`${base}/publish`, { confirm: 'yes' });
    expect(res.statusCode).toBe(303);
    const [setting] = await t.db.select().from(consolidationSettings).where(eq(consolidationSettings.consultationId, consultationId));
    expect(setting!.answersPublishedAt).not.toBeNull();

    // The measure page (cached) shows each answer under its comment.
    const page = await reader().get(demo.measurePath);
    const account = commentBlock(page.body, ids.account);
    expect(account).toContain(HEADING);
    expect(plainText(account)).toContain('Die Schulsozialarbeit wird geprüft.');
    expect(plainText(account)).toContain('Votum: teilweise berücksichtigt');
    expect(plainText(commentBlock(page.body, ids.guest))).toContain('Samstagskurse kommen 2027.');
    // Both members of the group show the group's answer.
    for (const id of [ids.lead, ids.member]) {
      const block = plainText(commentBlock(page.body, id));
      expect(block).toContain('Antwort an die Kampagne.');
      expect(block).toContain('gemeinsame Antwort auf gleichlautende Beiträge');
    }
    // Decided but not approved: nothing shown.
    expect(commentBlock(page.body, ids.waiting)).not.toContain(HEADING);
    expect(commentBlock(page.body, ids.later)).not.toContain(HEADING);
    // The comment's own page too.
    expect(plainText((await reader().get(`/contributions/${ids.account}`)).body)).toContain('Die Schulsozialarbeit wird geprüft.');

    // The statement's page: each section's answer with its passage.
    const statement = plainText((await reader().get(`/consultations/${demo.slug}/statements/AI-2026-0101`)).body);
    expect(statement).toContain(HEADING);
    expect(statement).toMatch(/Erstens: mehr Sprachkurse\. Votum: berücksichtigt Sprachkurse werden ausgebaut\./);
    expect(statement).toMatch(/Zweitens: mehr Schulsozialarbeit\. Votum: bereits berücksichtigt Schulsozialarbeit ist bereits geplant\./);

    // "My contributions" shows the author the answer.
    const anna = new Client(t.app);
    await anna.signIn('pub-autorin@example.org');
    const mine = plainText((await anna.get('/my/contributions')).body);
    expect(mine).toContain(HEADING);
    expect(mine).toContain('Die Schulsozialarbeit wird geprüft.');

    const [audit] = await t.db.select().from(auditEntries).where(eq(auditEntries.action, 'consolidation.answers.publish'));
    expect(audit!.after).toMatchObject({ approved: 6, total: 8, mails: 5 });
  });

  it('mails each contributor with an address once per contribution, guests too, and never twice', async () => {
    const mails = await answerMails();
    // account, guest, statement (both sections in one mail), the group's two members; the letter has no address.
    expect(mails.map((m) => m.toAddress).sort()).toEqual(['pub-autorin@example.org', 'pub-gast@example.org', 'pub-kampagne-gast@example.org', 'pub-kampagne@example.org', 'pub-verein@example.org'].sort());
    const guest = mails.find((m) => m.toAddress === 'pub-gast@example.org')!;
    expect(guest.locale).toBe('en');
    expect(guest.payload).toMatchObject({ excerpt: 'Bitte auch samstags Kurse.', url: `http://localhost:3000/contributions/${ids.guest}` });
    expect(JSON.parse(guest.payload.items as string)).toEqual([{ passage: null, answer: 'Samstagskurse kommen 2027.', verdict: 'accepted' }]);
    const statement = mails.find((m) => m.toAddress === 'pub-verein@example.org')!;
    expect(statement.payload.url).toBe(`http://localhost:3000/consultations/${demo.slug}/statements/AI-2026-0101`);
    expect(JSON.parse(statement.payload.items as string).map((i: { answer: string }) => i.answer)).toEqual(['Sprachkurse werden ausgebaut.', 'Schulsozialarbeit ist bereits geplant.']);

    // Publishing again mails nobody again.
    await org.get(`${base}/publish`);
    const res = await org.post(`${base}/publish`, { confirm: 'yes' });
    expect(res.statusCode).toBe(303);
    expect(await answerMails()).toHaveLength(5);

    // An answer approved after publication is public and mailed at once; only that one.
    await decide(units.later, 'Auch das wird umgesetzt.', 'accepted');
    const after = await answerMails();
    expect(after).toHaveLength(6);
    expect(after.at(-1)!.toAddress).toBe('spaeter@example.org');
    expect(plainText(commentBlock((await reader().get(demo.measurePath)).body, ids.later))).toContain('Auch das wird umgesetzt.');

    // Reopened: gone from the public page; approved again: public again, not mailed again.
    let page = await org.get(`/organiser/consolidation/responses/${units.later}`);
    let r = await org.post(`/organiser/consolidation/responses/${units.later}`, { action: 'reopen', version: String(formVersion(page.body)), reason: 'Tippfehler' });
    expect(r.statusCode).toBe(303);
    expect(commentBlock((await reader().get(demo.measurePath)).body, ids.later)).not.toContain(HEADING);
    page = await org.get(`/organiser/consolidation/responses/${units.later}`);
    r = await org.post(`/organiser/consolidation/responses/${units.later}`, { action: 'decide', version: String(formVersion(page.body)), answer: 'Auch das wird bald umgesetzt.', verdict: 'accepted' });
    expect(r.statusCode).toBe(303);
    expect(plainText(commentBlock((await reader().get(demo.measurePath)).body, ids.later))).toContain('Auch das wird bald umgesetzt.');
    expect(await answerMails()).toHaveLength(6);
  });

  it('adds the answers to a page of comments with one query, whatever the page holds', async () => {
    let page: Awaited<ReturnType<typeof loadCommentPage>> | null = null;
    const queries = await queriesDuring(t.db, async () => {
      page = await loadCommentPage(t.db, consultationId, { kind: 'measure', key: demo.measure });
    });
    // The comments, their replies, and the answers of all of them.
    expect(queries).toBe(3);
    expect(page!.comments.filter((c) => c.answers.length > 0).length).toBeGreaterThanOrEqual(4);
  });

  it('shows in the version comparison which contributions led to a change', async () => {
    const [v1] = await t.db.select().from(planVersions).where(and(eq(planVersions.consultationId, consultationId), eq(planVersions.label, 'Entwurf 1')));
    const [v2] = await t.db.select().from(planVersions).where(and(eq(planVersions.consultationId, consultationId), eq(planVersions.label, 'Entwurf 2')));
    // The account's answer links the measure Entwurf 2 reworded (5.1.2); so does the one still waiting.
    const changed = 'm-arbeit-unternehmen-information';
    await t.db.update(responses).set({ changeVersionId: v2!.id, changeTargetKind: 'measure', changeTargetKey: changed }).where(eq(responses.id, units.account));
    await t.db.update(responses).set({ changeVersionId: v2!.id, changeTargetKind: 'measure', changeTargetKey: changed }).where(eq(responses.id, units.waiting));
    // Organisers compare the draft: both units, linked to their pages.
    const organiser = await org.get(`/organiser/versions/${v2!.id}/compare?with=${v1!.id}`);
    expect(organiser.statusCode).toBe(200);
    expect(organiser.body).toContain(`href="/organiser/consolidation/responses/${units.account}"`);
    expect(organiser.body).toContain(`href="/organiser/consolidation/responses/${units.waiting}"`);
    expect(plainText(organiser.body)).toContain('Diese Änderung geht auf folgende Beiträge zurück:');

    // The public sees Entwurf 2 once it is published, with the approved answer's contribution only.
    await t.db.update(planVersions).set({ status: 'published', publishedAt: new Date() }).where(eq(planVersions.id, v2!.id));
    const pub = await reader().get(`/consultations/${demo.slug}/compare?from=${v1!.id}&to=${v2!.id}`);
    expect(pub.statusCode).toBe(200);
    expect(pub.body).toContain(`href="/contributions/${ids.account}">#${ids.account}</a>`);
    expect(plainText(pub.body)).toContain('Die Abendoberschule braucht Schulsozialarbeit.');
    expect(plainText(pub.body)).toContain('Votum: teilweise berücksichtigt');
    expect(pub.body).not.toContain(`/contributions/${ids.waiting}"`);

    // Answers withdrawn from publication: the comparison no longer names the contribution.
    await org.get(`/organiser/consolidation/responses/${units.account}`);
    const page = await org.get(`/organiser/consolidation/responses/${units.account}`);
    const r = await org.post(`/organiser/consolidation/responses/${units.account}`, { action: 'reopen', version: String(formVersion(page.body)), reason: 'nochmal' });
    expect(r.statusCode).toBe(303);
    const gone = await reader().get(`/consultations/${demo.slug}/compare?from=${v1!.id}&to=${v2!.id}`);
    expect(gone.body).not.toContain(`href="/contributions/${ids.account}"`);
  });

  it('mails the published group answer to a contribution that joins the group later, once, and not to one mailed on its own', async () => {
    const [group] = await t.db.select().from(contributionGroups).where(eq(contributionGroups.leadContributionId, ids.lead));
    const [unit] = await t.db.select().from(responses).where(eq(responses.id, units.group));
    expect(unit?.status).toBe('approved');
    const before = (await answerMails()).length;
    const newcomer = await insert({ guestEmail: 'pub-nachzuegler@example.org', body: 'Kampagnentext: Schulsozialarbeit jetzt!!!' });
    await syncResponses(t.db, consultationId);
    const add = (id: number) => org.post(`/organiser/consolidation/groups/${group!.id}/members`, { member: String(id) });
    expect((await add(newcomer)).statusCode).toBe(303);
    let mails = await answerMails();
    expect(mails).toHaveLength(before + 1);
    expect(mails.at(-1)!.toAddress).toBe('pub-nachzuegler@example.org');
    expect(JSON.parse(mails.at(-1)!.payload.items as string)).toEqual([{ passage: null, answer: unit!.answer, verdict: unit!.verdict }]);
    // The answer is on its public page too.
    expect(plainText((await reader().get(`/contributions/${newcomer}`)).body)).toContain(unit!.answer);
    // Added again: nothing new.
    await add(newcomer);
    // Answered and mailed on its own before: the group's answer is not mailed on top.
    expect((await add(ids.guest)).statusCode).toBe(303);
    mails = await answerMails();
    expect(mails).toHaveLength(before + 1);
    // The audit trail says who was mailed.
    const added = await t.db.select({ after: auditEntries.after }).from(auditEntries).where(and(eq(auditEntries.action, 'consolidation.group.add'), eq(auditEntries.subjectId, String(group!.id))));
    expect(added.map((a) => a.after)).toEqual(expect.arrayContaining([{ contributionId: newcomer, mailed: true }, { contributionId: ids.guest, mailed: false }]));
  });
});

describe.each(drivers)('the answer mail through SMTP [%s]', (driver) => {
  it('reaches a guest in the language of the page they wrote on, with the answer, the Votum and the link', async () => {
    const smtp = new TestSmtp();
    await smtp.start();
    const s = await createTestApp(driver, { SMTP_URL: smtp.url, MAIL_WORKER: 'true', MAIL_POLL_MS: '60000' });
    try {
      const { consultationId, phaseId } = await openDemoPhase(s.db);
      await createUser(s.db, 'smtp-org@example.org', ['organiser'], 'Olga');
      const [c] = await s.db
        .insert(contributions)
        .values({ consultationId, phaseId, kind: 'comment', targetKind: 'measure', targetKey: demo.measure, body: 'Mehr <b>Kurse</b> bitte', language: 'de', pageLocale: 'de', status: 'published', publishedAt: new Date(), guestEmail: 'smtp-gast@example.org' })
        .returning({ id: contributions.id });
      await syncResponses(s.db, consultationId);
      const [unit] = await s.db.select().from(responses).where(eq(responses.contributionId, c!.id));
      const client = new Client(s.app);
      await client.signIn('smtp-org@example.org');
      const page = await client.get(`/organiser/consolidation/responses/${unit!.id}`);
      expect((await client.post(`/organiser/consolidation/responses/${unit!.id}`, { action: 'decide', version: String(formVersion(page.body)), answer: 'Es gibt ab März mehr Kurse.', verdict: 'accepted' })).statusCode).toBe(303);
      await client.get(`/organiser/consultations/${demo.slug}/consolidation/publish`);
      expect((await client.post(`/organiser/consultations/${demo.slug}/consolidation/publish`, { confirm: 'yes' })).statusCode).toBe(303);
      await s.app.mailWorker.runOnce();
      const mail = await smtp.waitFor('smtp-gast@example.org');
      expect(mail.subject).toBe('Die Antwort der Stadtverwaltung auf Ihren Beitrag zu „Aktionsplan Integration 2022 bis 2026“');
      expect(mail.language).toBe('de');
      expect(mail.text).toContain('> Mehr <b>Kurse</b> bitte');
      expect(mail.text).toContain('Es gibt ab März mehr Kurse.');
      expect(mail.text).toContain('Votum: berücksichtigt');
      expect(mail.text).toContain(`http://localhost:3000/contributions/${c!.id}`);
      expect(mail.html).toContain('Mehr &lt;b&gt;Kurse&lt;/b&gt; bitte');
      expect(mail.html).toContain(`href="http://localhost:3000/contributions/${c!.id}"`);
      expect(smtp.mails.filter((m) => m.to.includes('smtp-gast@example.org'))).toHaveLength(1);
    } finally {
      await s.close();
      await smtp.stop();
    }
  });
});
