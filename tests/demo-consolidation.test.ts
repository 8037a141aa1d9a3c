import { and, count, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries } from '../src/modules/audit/schema.js';
import {
  assignments,
  committeeReportPieces,
  committeeReports,
  consolidationSettings,
  contributionGroupMembers,
  contributionGroups,
  contributionSections,
  contributionTags,
  departmentRounds,
  responses,
  tags,
  verdicts,
} from '../src/modules/consolidation/schema.js';
import { syncResponses } from '../src/modules/consolidation/service.js';
import { departments } from '../src/modules/departments/schema.js';
import { demoConsolidationCounts } from '../src/modules/demo/consolidation.js';
import { loadDemo } from '../src/modules/demo/load.js';
import { contributionReferences, contributions, organisations, receiptCounters } from '../src/modules/participation/schema.js';
import { consultations, measureDepartments, measures, phases, planVersions } from '../src/modules/plans/schema.js';
import { Client, createTestApp, outbox, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

const slug = 'aktionsplan-integration-2022-2026';

describe.each(drivers)('demo consolidation round [%s]', (driver) => {
  let t: TestApp;
  let consultationId = 0;

  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db, { consolidation: true });
    const [c] = await t.db.select({ id: consultations.id }).from(consultations).where(eq(consultations.slug, slug));
    consultationId = c!.id;
  });
  afterAll(() => t?.close());

  const counts = async () => {
    const n = async (table: PgTable) => (await t.db.select({ n: count() }).from(table))[0]!.n;
    return {
      contributions: await n(contributions),
      responses: await n(responses),
      assignments: await n(assignments),
      rounds: await n(departmentRounds),
      groups: await n(contributionGroups),
      sections: await n(contributionSections),
      tags: await n(tags),
      reports: await n(committeeReports),
      audit: await n(auditEntries),
    };
  };

  it('loads once: a second load adds nothing to the round', async () => {
    const before = await counts();
    expect(before.contributions).toBe(demoConsolidationCounts.contributions);
    await loadDemo(t.db, { consolidation: true });
    expect(await counts()).toEqual(before);
    const [counter] = await t.db.select().from(receiptCounters).where(eq(receiptCounters.consultationId, consultationId));
    const numbered = await t.db.select({ n: contributions.receiptNumber }).from(contributions).where(isNotNull(contributions.receiptNumber));
    expect(counter?.year).toBe(2021);
    expect(counter?.last).toBe(numbered.length);
    expect(numbered.map((r) => r.n).sort()).toEqual(Array.from({ length: numbered.length }, (_, i) => `AI-2021-${String(i + 1).padStart(4, '0')}`));
  });

  it('holds contributions received in the 2021 draft review: comments, replies, statements, staff entries, guests, organisations', async () => {
    const [phase] = await t.db.select().from(phases).where(and(eq(phases.consultationId, consultationId), eq(phases.kind, 'draft_review')));
    const rows = await t.db.select().from(contributions).where(eq(contributions.consultationId, consultationId));
    expect(rows.length).toBeGreaterThanOrEqual(38);
    for (const r of rows) {
      expect(r.phaseId).toBe(phase!.id);
      expect(r.receivedAt.getTime()).toBeGreaterThanOrEqual(phase!.opensAt.getTime());
      expect(r.receivedAt.getTime()).toBeLessThanOrEqual(phase!.closesAt.getTime());
    }
    const statements = rows.filter((r) => r.kind === 'statement');
    expect(statements.length).toBe(8);
    expect(statements.every((s) => s.receiptNumber?.startsWith('AI-2021-'))).toBe(true);
    expect(rows.filter((r) => r.parentId !== null).length).toBeGreaterThanOrEqual(3);
    expect(rows.some((r) => r.channel === 'letter' && r.submitterName && r.submitterDetails && r.enteredBy)).toBe(true);
    expect(rows.some((r) => r.channel === 'email' && r.submitterName && r.submitterDetails && r.enteredBy)).toBe(true);
    expect(rows.filter((r) => r.guestEmail?.endsWith('@example.org') && r.authorId === null).length).toBeGreaterThan(10);
    expect(rows.some((r) => r.authorId !== null && r.organisationId === null)).toBe(true);
    const byOrganisation = rows.filter((r) => r.organisationId !== null);
    expect(new Set(byOrganisation.map((r) => r.organisationId)).size).toBe(3);
    expect(byOrganisation.some((r) => r.kind === 'statement' && r.publishName)).toBe(true);
    expect(byOrganisation.some((r) => r.kind === 'statement' && !r.publishName)).toBe(true);
    // All published, except one rejected comment whose content still counts.
    const rejected = rows.filter((r) => r.status !== 'published');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ status: 'rejected', keepForConsolidation: true, statusReason: 'personal_data', publishedAt: null });
    // Statement targets are real items of Entwurf 1.
    const [v1] = await t.db.select().from(planVersions).where(and(eq(planVersions.consultationId, consultationId), eq(planVersions.label, 'Entwurf 1')));
    const keys = new Set((await t.db.select({ key: measures.key }).from(measures).where(eq(measures.planVersionId, v1!.id))).map((m) => m.key));
    for (const r of rows.filter((c) => c.targetKind === 'measure')) expect(keys.has(r.targetKey ?? '')).toBe(true);
    const refs = await t.db.select().from(contributionReferences).where(inArray(contributionReferences.contributionId, statements.map((s) => s.id)));
    for (const r of refs.filter((x) => x.targetKind === 'measure')) expect(keys.has(r.targetKey)).toBe(true);
  });

  it('has texts in German, Ukrainian, Russian, Arabic and English, each foreign one with a German translation', async () => {
    const rows = await t.db
      .select({ language: contributions.language, translation: responses.translation, superseded: responses.superseded })
      .from(contributions)
      .innerJoin(responses, and(eq(responses.contributionId, contributions.id), isNull(responses.sectionId), isNull(responses.groupId)))
      .where(eq(contributions.consultationId, consultationId));
    const languages = rows.map((r) => r.language);
    const n = (l: string) => languages.filter((x) => x === l).length;
    expect(n('uk')).toBeGreaterThanOrEqual(2);
    expect(n('ru')).toBeGreaterThanOrEqual(1);
    expect(n('ar')).toBeGreaterThanOrEqual(2);
    expect(n('en')).toBeGreaterThanOrEqual(1);
    expect(n('de')).toBeGreaterThan(rows.length / 2);
    for (const r of rows) {
      if (r.language === 'de') expect(r.translation).toBeNull();
      else expect(r.translation?.length ?? 0).toBeGreaterThan(50);
    }
  });

  it('answers every unit that is not superseded: approved, with a Votum and an answer, all six Votum values used', async () => {
    // The shared helper finds nothing missing: every contribution that counts has its unit.
    const before = (await t.db.select({ n: count() }).from(responses))[0]!.n;
    await syncResponses(t.db, consultationId);
    expect((await t.db.select({ n: count() }).from(responses))[0]!.n).toBe(before);

    const units = await t.db.select().from(responses).where(eq(responses.consultationId, consultationId));
    const live = units.filter((u) => !u.superseded);
    expect(live.length).toBeGreaterThanOrEqual(40);
    const [organiser] = await t.db.select({ id: responses.decidedBy }).from(responses).limit(1);
    for (const u of live) {
      expect(u.status).toBe('approved');
      expect(u.verdict).not.toBeNull();
      expect(u.answer.length).toBeGreaterThan(60);
      expect(u.decidedBy).toBe(organiser!.id);
      expect(u.approvedBy).not.toBeNull();
      expect(u.approvedAt).not.toBeNull();
    }
    expect(new Set(live.map((u) => u.verdict))).toEqual(new Set(verdicts));
    expect(live.some((u) => u.approvedBy !== u.decidedBy)).toBe(true);
    // Superseded own units wait for nothing: the group's and the sections' units answer them.
    const superseded = units.filter((u) => u.superseded);
    expect(superseded).toHaveLength(demoConsolidationCounts.groupMembers + 1);
    for (const u of superseded) expect(u.sectionId === null && u.groupId === null).toBe(true);
    // Sorted to what it is really about: at least one unit sits elsewhere than where it was posted.
    const own = await t.db
      .select({ unitKind: responses.targetKind, unitKey: responses.targetKey, kind: contributions.targetKind, key: contributions.targetKey })
      .from(responses)
      .innerJoin(contributions, eq(contributions.id, responses.contributionId))
      .where(and(eq(contributions.kind, 'comment'), isNull(responses.sectionId), isNull(responses.groupId)));
    expect(own.some((u) => u.unitKind !== u.kind || u.unitKey !== u.key)).toBe(true);
  });

  it('groups the campaign: five members with a lead, answered once', async () => {
    const [group] = await t.db.select().from(contributionGroups).where(eq(contributionGroups.consultationId, consultationId));
    const members = await t.db.select().from(contributionGroupMembers).where(eq(contributionGroupMembers.groupId, group!.id));
    expect(members).toHaveLength(5);
    expect(members.map((m) => m.contributionId)).toContain(group!.leadContributionId);
    const bodies = await t.db.select({ body: contributions.body }).from(contributions).where(inArray(contributions.id, members.map((m) => m.contributionId)));
    for (const b of bodies) expect(b.body).toMatch(/am Abend und am Wochenende/);
    const groupUnits = await t.db.select().from(responses).where(eq(responses.groupId, group!.id));
    expect(groupUnits).toHaveLength(1);
    expect(groupUnits[0]).toMatchObject({ contributionId: group!.leadContributionId, status: 'approved', superseded: false });
    const own = await t.db
      .select()
      .from(responses)
      .where(and(inArray(responses.contributionId, members.map((m) => m.contributionId)), isNull(responses.groupId), isNull(responses.sectionId)));
    expect(own).toHaveLength(5);
    expect(own.every((u) => u.superseded && u.status === 'open')).toBe(true);
  });

  it('splits the long statement into three sections on three different measures, each answered', async () => {
    const sections = await t.db.select().from(contributionSections);
    expect(sections).toHaveLength(3);
    const statementId = sections[0]!.contributionId;
    const [statement] = await t.db.select().from(contributions).where(eq(contributions.id, statementId));
    expect(statement!.kind).toBe('statement');
    for (const s of sections) {
      expect(s.contributionId).toBe(statementId);
      expect(statement!.body).toContain(s.body);
    }
    const units = await t.db.select().from(responses).where(inArray(responses.sectionId, sections.map((s) => s.id)));
    expect(units).toHaveLength(3);
    expect(units.every((u) => u.targetKind === 'measure' && u.status === 'approved' && u.contributionId === statementId)).toBe(true);
    expect(new Set(units.map((u) => u.targetKey)).size).toBe(3);
    const [own] = await t.db.select().from(responses).where(and(eq(responses.contributionId, statementId), isNull(responses.sectionId), isNull(responses.groupId)));
    expect(own!.superseded).toBe(true);
  });

  it('tags contributions with the four topics', async () => {
    const rows = await t.db.select({ label: tags.label, n: count() }).from(tags).innerJoin(contributionTags, eq(contributionTags.tagId, tags.id)).groupBy(tags.label);
    expect(rows.map((r) => r.label).sort()).toEqual(['Kita', 'Sprache', 'Verwaltung', 'Wohnen']);
    expect(rows.every((r) => r.n >= 3)).toBe(true);
  });

  it('ran a closed department round whose drafts came from the measures\u2019 lead departments, one handed over', async () => {
    const [round] = await t.db.select().from(departmentRounds).where(eq(departmentRounds.consultationId, consultationId));
    expect(round).toMatchObject({ title: 'Ämterabfrage Entwurf 1', status: 'closed' });
    expect(round!.deadline.getUTCFullYear()).toBe(2021);
    const rows = await t.db
      .select({ a: assignments, slug: departments.slug, unit: responses })
      .from(assignments)
      .innerJoin(departments, eq(departments.id, assignments.departmentId))
      .innerJoin(responses, eq(responses.id, assignments.responseId))
      .where(eq(assignments.roundId, round!.id));
    const drafted = rows.filter((r) => r.a.status === 'drafted');
    expect(new Set(drafted.map((r) => r.slug)).size).toBeGreaterThanOrEqual(2);
    expect(drafted.map((r) => r.slug)).toContain('jugendamt');
    for (const r of drafted) {
      expect(r.a.draftAnswer.length).toBeGreaterThan(40);
      expect(r.a.proposedVerdict).not.toBeNull();
      expect(r.a.draftedAt).not.toBeNull();
    }
    // Drafts for a measure come from a lead department of that measure in Entwurf 1.
    const [v1] = await t.db.select().from(planVersions).where(and(eq(planVersions.consultationId, consultationId), eq(planVersions.label, 'Entwurf 1')));
    const leads = await t.db
      .select({ key: measures.key, slug: departments.slug })
      .from(measureDepartments)
      .innerJoin(measures, eq(measures.id, measureDepartments.measureId))
      .innerJoin(departments, eq(departments.id, measureDepartments.departmentId))
      .where(and(eq(measures.planVersionId, v1!.id), eq(measureDepartments.role, 'lead')));
    const lead = new Set(leads.map((l) => `${l.key}|${l.slug}`));
    for (const r of drafted.filter((d) => d.unit.targetKind === 'measure')) expect(lead.has(`${r.unit.targetKey}|${r.slug}`)).toBe(true);
    // One handed over: the first department's assignment ends, the next one names it.
    const handedOver = rows.filter((r) => r.a.status === 'handed_over');
    expect(handedOver).toHaveLength(1);
    const next = rows.find((r) => r.a.handedOverFrom === handedOver[0]!.a.id);
    expect(next?.a.status).toBe('drafted');
    expect(next?.slug).not.toBe(handedOver[0]!.slug);
    expect(next?.a.note).not.toBe('');
    // Some final answers differ from what the department proposed.
    expect(drafted.some((r) => r.a.draftAnswer !== r.unit.answer || r.a.proposedVerdict !== r.unit.verdict)).toBe(true);
  });

  it('links answers to the changes they caused in Entwurf 2', async () => {
    const versions = await t.db.select().from(planVersions).where(eq(planVersions.consultationId, consultationId));
    const v1 = versions.find((v) => v.label === 'Entwurf 1')!;
    const v2 = versions.find((v) => v.label === 'Entwurf 2')!;
    const linked = await t.db.select().from(responses).where(and(eq(responses.consultationId, consultationId), isNotNull(responses.changeVersionId)));
    expect(linked.length).toBeGreaterThanOrEqual(2);
    const texts = async (versionId: number) => new Map((await t.db.select().from(measures).where(eq(measures.planVersionId, versionId))).map((m) => [m.key, m.text]));
    const [m1, m2] = [await texts(v1.id), await texts(v2.id)];
    for (const u of linked) {
      expect(u.changeVersionId).toBe(v2.id);
      expect(u.changeTargetKind).toBe('measure');
      expect(m2.has(u.changeTargetKey ?? '')).toBe(true);
      expect(m1.get(u.changeTargetKey ?? '')).not.toBe(m2.get(u.changeTargetKey ?? ''));
      expect(u.changeNote).not.toBe('');
    }
  });

  it('published the answers without mailing anyone, and queued the four exports', async () => {
    const [settings] = await t.db.select().from(consolidationSettings).where(eq(consolidationSettings.consultationId, consultationId));
    expect(settings).toMatchObject({ requireSecondApproval: false });
    expect(settings!.answersPublishedAt).not.toBeNull();
    const notified = await t.db.select({ n: count() }).from(responses).where(isNotNull(responses.notifiedAt));
    expect(notified[0]!.n).toBeGreaterThan(30);
    expect(await outbox(t.db)).toEqual([]);

    const reports = await t.db.select().from(committeeReports).where(eq(committeeReports.consultationId, consultationId));
    expect(reports.map((r) => r.format).sort()).toEqual(['csv', 'docx', 'pdf', 'xlsx']);
    for (const r of reports) expect(r).toMatchObject({ status: 'queued', scope: 'consultation', variant: 'anonymised', draft: false, size: null, sha512: null });
    // No file stored yet.
    const [pieces] = await t.db.select({ n: count() }).from(committeeReportPieces).where(inArray(committeeReportPieces.reportId, reports.map((r) => r.id)));
    expect(pieces!.n).toBe(0);
    const [organiser] = await t.db.select({ id: responses.decidedBy }).from(responses).where(isNotNull(responses.decidedBy)).limit(1);
    expect(reports.every((r) => r.createdBy === organiser!.id)).toBe(true);
  });

  it('shows the comments on the public measure page', async () => {
    const res = await new Client(t.app).get(`/consultations/${slug}/measures/m-jha-sprachmittlung-kosten`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Я работаю в консультации для семей');
    expect(res.body).toContain('lang="ru"');
    const page = await new Client(t.app).get(`/consultations/${slug}`);
    expect(page.statusCode).toBe(200);
    // The rejected comment stays off the public pages.
    const welcome = await new Client(t.app).get(`/consultations/${slug}/measures/m-soziales-welcome-center`);
    expect(welcome.statusCode).toBe(200);
    expect(welcome.body).toContain('Welcome Center gibt');
    expect(welcome.body).not.toContain('Zimmer 214');
  });

  it('organisations named in the demo exist', async () => {
    const rows = await t.db.select({ id: organisations.id }).from(organisations);
    expect(rows.length).toBeGreaterThanOrEqual(3);
  });
});

describe.each(drivers)('demo without the consolidation round [%s]', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db);
  });
  afterAll(() => t?.close());

  it('has no contributions, units, rounds or exports; a later load with live (as npm start and demo:load do) adds the round once', async () => {
    const n = async (table: PgTable) => (await t.db.select({ n: count() }).from(table))[0]!.n;
    const tables = [contributions, responses, departmentRounds, committeeReports, contributionGroups];
    for (const table of tables) expect(await n(table)).toBe(0);
    await loadDemo(t.db, { live: true });
    const once = await Promise.all(tables.map(n));
    expect(once[0]).toBe(demoConsolidationCounts.contributions);
    expect(once.every((x) => x > 0)).toBe(true);
    await loadDemo(t.db, { live: true });
    expect(await Promise.all(tables.map(n))).toEqual(once);
  });
});
