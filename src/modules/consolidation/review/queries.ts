/**
 * Reading the Abwägung for organisers: progress (by status, department and field of action), the
 * filtered list of units, one unit with everything its page shows, and the contributions that led
 * to each change of a plan version (the version comparison). Each a fixed number of queries.
 */
import { and, asc, count, desc, eq, exists, ilike, inArray, isNotNull, isNull, ne, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../../db/index.js';
import { users } from '../../accounts/schema.js';
import { auditEntries } from '../../audit/schema.js';
import { departments } from '../../departments/schema.js';
import { contributions, organisations } from '../../participation/schema.js';
import { fields, goals, measures, planVersions } from '../../plans/schema.js';
import {
  assignments,
  consolidationSettings,
  contributionGroupMembers,
  contributionGroups,
  contributionSections,
  contributionTags,
  departmentRounds,
  responses,
  type ResponseStatus,
  responseStatuses,
  tags,
  type Verdict,
  verdicts,
} from '../schema.js';
import { eligibleContribution } from '../service.js';

export const UNITS_PER_PAGE = 50;

export type Progress = Record<ResponseStatus, number> & { total: number };

/** The units that count: not superseded, of contributions that count. */
function counting(consultationId: number): SQL {
  return and(eq(responses.consultationId, consultationId), eq(responses.superseded, false), eligibleContribution) as SQL;
}

/** Units by status (of the units that count). */
export async function loadProgress(db: DbOrTx, consultationId: number): Promise<Progress> {
  const rows = await db
    .select({ status: responses.status, n: count() })
    .from(responses)
    .innerJoin(contributions, eq(contributions.id, responses.contributionId))
    .where(counting(consultationId))
    .groupBy(responses.status);
  const progress: Progress = { total: 0, open: 0, drafted: 0, decided: 0, approved: 0 };
  for (const r of rows) {
    progress[r.status] = Number(r.n);
    progress.total += Number(r.n);
  }
  return progress;
}

// ---------------------------------------------------------------------------------------------
// The plan's structure: which field of action each goal and measure belongs to.
// ---------------------------------------------------------------------------------------------

export interface PlanItem {
  kind: 'field' | 'goal' | 'measure';
  key: string;
  code: string;
  text: string;
  /** The field of action it lies in (a field: itself); null for cross-cutting measures. */
  fieldKey: string | null;
}

export interface PlanStructure {
  /** Fields in the order of the newest version holding them. */
  fields: PlanItem[];
  item(kind: string, key: string | null): PlanItem | null;
  /** The field a target lies in: a key, or null for the whole plan and cross-cutting measures. */
  fieldOf(kind: string, key: string | null): string | null;
}

/**
 * Every field, goal and measure of the consultation's versions; where a key is in several
 * versions the newest one names it (three queries).
 */
export async function loadPlanStructure(db: DbOrTx, consultationId: number): Promise<PlanStructure> {
  const goalField = alias(fields, 'goal_field');
  const measureField = alias(fields, 'measure_field');
  const inConsultation = eq(planVersions.consultationId, consultationId);
  const [f, g, m] = await Promise.all([
    db
      .select({ key: fields.key, code: fields.code, text: fields.title, fieldKey: fields.key, position: fields.position })
      .from(fields)
      .innerJoin(planVersions, eq(planVersions.id, fields.planVersionId))
      .where(inConsultation)
      .orderBy(asc(planVersions.position), asc(fields.position)),
    db
      .select({ key: goals.key, code: goals.code, text: goals.text, fieldKey: goalField.key })
      .from(goals)
      .innerJoin(planVersions, eq(planVersions.id, goals.planVersionId))
      .innerJoin(goalField, eq(goalField.id, goals.fieldId))
      .where(inConsultation)
      .orderBy(asc(planVersions.position)),
    db
      .select({ key: measures.key, code: measures.code, text: measures.text, fieldKey: measureField.key })
      .from(measures)
      .innerJoin(planVersions, eq(planVersions.id, measures.planVersionId))
      .leftJoin(measureField, eq(measureField.id, measures.fieldId))
      .where(inConsultation)
      .orderBy(asc(planVersions.position)),
  ]);
  const items = new Map<string, PlanItem>();
  const fieldOrder = new Map<string, PlanItem>();
  // Oldest first, so the newest version's row is the one that stays.
  for (const r of f) {
    const item: PlanItem = { kind: 'field', key: r.key, code: r.code, text: r.text, fieldKey: r.key };
    items.set(`field:${r.key}`, item);
    fieldOrder.delete(r.key);
    fieldOrder.set(r.key, item);
  }
  for (const r of g) items.set(`goal:${r.key}`, { kind: 'goal', key: r.key, code: r.code, text: r.text, fieldKey: r.fieldKey });
  for (const r of m) items.set(`measure:${r.key}`, { kind: 'measure', key: r.key, code: r.code, text: r.text, fieldKey: r.fieldKey ?? null });
  const sortedFields = [...fieldOrder.values()].sort((a, b) => a.code.localeCompare(b.code, 'de', { numeric: true }));
  return {
    fields: sortedFields,
    item: (kind, key) => (key === null ? null : (items.get(`${kind}:${key}`) ?? null)),
    fieldOf: (kind, key) => (kind === 'consultation' || key === null ? null : (items.get(`${kind}:${key}`)?.fieldKey ?? null)),
  };
}

export interface FieldProgress extends Progress {
  /** null: the whole plan and cross-cutting measures. */
  fieldKey: string | null;
  code: string | null;
  title: string | null;
}

/** Units by the field of action their target lies in, each with its counts by status. */
export async function loadFieldProgress(db: DbOrTx, consultationId: number, plan: PlanStructure): Promise<FieldProgress[]> {
  const rows = await db
    .select({ kind: responses.targetKind, key: responses.targetKey, status: responses.status, n: count() })
    .from(responses)
    .innerJoin(contributions, eq(contributions.id, responses.contributionId))
    .where(counting(consultationId))
    .groupBy(responses.targetKind, responses.targetKey, responses.status);
  const empty = (): Progress => ({ total: 0, open: 0, drafted: 0, decided: 0, approved: 0 });
  const byField = new Map<string | null, Progress>();
  for (const r of rows) {
    const fieldKey = plan.fieldOf(r.kind, r.key);
    const p = byField.get(fieldKey) ?? empty();
    p[r.status] += Number(r.n);
    p.total += Number(r.n);
    byField.set(fieldKey, p);
  }
  const list: FieldProgress[] = plan.fields.map((f) => ({ fieldKey: f.key, code: f.code, title: f.text, ...(byField.get(f.key) ?? empty()) }));
  list.push({ fieldKey: null, code: null, title: null, ...(byField.get(null) ?? empty()) });
  return list.filter((f) => f.total > 0 || f.fieldKey !== null);
}

export interface DepartmentProgress {
  departmentId: number;
  name: string;
  /** Units asked of the department (handed-over and withdrawn assignments not counted). */
  assigned: number;
  /** Of those, units the department answered with a recommendation. */
  answered: number;
  /** Of those, units the organiser decided or approved. */
  decided: number;
}

export async function loadDepartmentProgress(db: DbOrTx, consultationId: number): Promise<DepartmentProgress[]> {
  const rows = await db
    .select({
      departmentId: departments.id,
      name: departments.name,
      assigned: sql<number>`count(distinct ${assignments.responseId})`.mapWith(Number),
      answered: sql<number>`count(distinct ${assignments.responseId}) filter (where ${assignments.status} = 'drafted')`.mapWith(Number),
      decided: sql<number>`count(distinct ${assignments.responseId}) filter (where ${responses.status} in ('decided', 'approved'))`.mapWith(Number),
    })
    .from(assignments)
    .innerJoin(responses, eq(responses.id, assignments.responseId))
    .innerJoin(contributions, eq(contributions.id, responses.contributionId))
    .innerJoin(departments, eq(departments.id, assignments.departmentId))
    .where(and(counting(consultationId), notInArray(assignments.status, ['withdrawn', 'handed_over'])))
    .groupBy(departments.id, departments.name)
    .orderBy(asc(departments.name));
  return rows;
}

/** Departments that were asked anything in this consultation (the list filter). */
export async function departmentsOf(db: DbOrTx, consultationId: number) {
  return db
    .selectDistinct({ id: departments.id, name: departments.name })
    .from(departments)
    .innerJoin(assignments, eq(assignments.departmentId, departments.id))
    .innerJoin(departmentRounds, eq(departmentRounds.id, assignments.roundId))
    .where(eq(departmentRounds.consultationId, consultationId))
    .orderBy(asc(departments.name));
}

// ---------------------------------------------------------------------------------------------
// The list of units.
// ---------------------------------------------------------------------------------------------

/** How a unit came in, as the filter offers it: online comments and statements, or by channel. */
export const unitChannels = ['comment', 'statement', 'letter', 'email', 'phone', 'event'] as const;
export type UnitChannel = (typeof unitChannels)[number];

export interface UnitFilter {
  status: ResponseStatus | null;
  verdict: Verdict | 'none' | null;
  /** A field key, 'none' (whole plan, cross-cutting) or null (any). */
  field: string | null;
  channel: UnitChannel | null;
  department: number | null;
  q: string;
  page: number;
}

export function parseUnitFilter(query: unknown): UnitFilter {
  const q = (query ?? {}) as Record<string, unknown>;
  const str = (name: string) => (typeof q[name] === 'string' ? (q[name] as string).replace(/\u0000/g, '').trim() : '');
  const status = str('status');
  const verdict = str('verdict');
  const channel = str('channel');
  const field = str('field');
  const department = str('department');
  const page = str('page');
  return {
    status: (responseStatuses as readonly string[]).includes(status) ? (status as ResponseStatus) : null,
    verdict: verdict === 'none' || (verdicts as readonly string[]).includes(verdict) ? (verdict as Verdict | 'none') : null,
    field: /^[\w.-]{1,100}$/.test(field) ? field : null,
    channel: (unitChannels as readonly string[]).includes(channel) ? (channel as UnitChannel) : null,
    department: /^\d{1,9}$/.test(department) ? Number(department) : null,
    q: str('q').slice(0, 200),
    page: /^\d{1,6}$/.test(page) ? Math.max(1, Number(page)) : 1,
  };
}

export function unitFilterQuery(filter: UnitFilter, change: Partial<UnitFilter> = {}): string {
  const f = { ...filter, ...change };
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.verdict) p.set('verdict', f.verdict);
  if (f.field) p.set('field', f.field);
  if (f.channel) p.set('channel', f.channel);
  if (f.department !== null) p.set('department', String(f.department));
  if (f.q) p.set('q', f.q);
  if (f.page > 1) p.set('page', String(f.page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The targets lying in a field (or outside every field, for 'none'), as a condition on units. */
function fieldCondition(plan: PlanStructure, field: string, allTargets: Array<{ kind: string; key: string | null }>): SQL {
  const wanted = field === 'none' ? null : field;
  const matching = allTargets.filter((t) => plan.fieldOf(t.kind, t.key) === wanted);
  const parts: SQL[] = [];
  if (wanted === null) parts.push(eq(responses.targetKind, 'consultation'), isNull(responses.targetKey));
  for (const kind of ['field', 'goal', 'measure'] as const) {
    const keys = matching.filter((t) => t.kind === kind && t.key !== null).map((t) => t.key as string);
    if (keys.length) parts.push(and(eq(responses.targetKind, kind), inArray(responses.targetKey, keys)) as SQL);
  }
  return parts.length ? (or(...parts) as SQL) : sql`false`;
}

export interface UnitRow {
  id: number;
  contributionId: number;
  number: string;
  date: Date;
  kind: 'comment' | 'reply' | 'statement' | 'section' | 'group';
  channel: string;
  excerpt: string;
  language: string;
  targetKind: string;
  targetKey: string | null;
  status: ResponseStatus;
  verdict: Verdict | null;
}

export function excerptOf(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return [...flat].length > max ? `${[...flat].slice(0, max - 1).join('')}…` : flat;
}

export function unitNumber(c: { id: number; receiptNumber: string | null }, sectionPosition?: number | null): string {
  const base = c.receiptNumber ?? `#${c.id}`;
  return sectionPosition ? `${base}/${sectionPosition}` : base;
}

/**
 * One page of units with the filter's conditions, with the total by a window count: one query
 * (the field filter needs the distinct targets first: a second one).
 */
export async function loadUnits(db: DbOrTx, consultationId: number, filter: UnitFilter, plan: PlanStructure): Promise<{ rows: UnitRow[]; total: number }> {
  const conditions: SQL[] = [counting(consultationId)];
  if (filter.status) conditions.push(eq(responses.status, filter.status));
  if (filter.verdict === 'none') conditions.push(isNull(responses.verdict));
  else if (filter.verdict) conditions.push(eq(responses.verdict, filter.verdict));
  if (filter.channel === 'comment' || filter.channel === 'statement') conditions.push(eq(contributions.kind, filter.channel), eq(contributions.channel, 'online'));
  else if (filter.channel) conditions.push(eq(contributions.channel, filter.channel));
  if (filter.department !== null) {
    conditions.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(assignments)
          .where(and(eq(assignments.responseId, responses.id), eq(assignments.departmentId, filter.department), ne(assignments.status, 'withdrawn'))),
      ),
    );
  }
  if (filter.q) {
    const pattern = `%${escapeLike(filter.q)}%`;
    conditions.push(
      or(
        ilike(contributions.body, pattern),
        ilike(contributionSections.body, pattern),
        ilike(responses.answer, pattern),
        ilike(contributions.receiptNumber, pattern),
        ilike(contributionGroups.title, pattern),
      ) as SQL,
    );
  }
  if (filter.field) {
    const targets = await db
      .selectDistinct({ kind: responses.targetKind, key: responses.targetKey })
      .from(responses)
      .where(eq(responses.consultationId, consultationId));
    conditions.push(fieldCondition(plan, filter.field, targets));
  }
  const rows = await db
    .select({
      id: responses.id,
      contributionId: contributions.id,
      receiptNumber: contributions.receiptNumber,
      receivedAt: contributions.receivedAt,
      kind: contributions.kind,
      parentId: contributions.parentId,
      channel: contributions.channel,
      body: contributions.body,
      language: contributions.language,
      sectionBody: contributionSections.body,
      sectionPosition: contributionSections.position,
      groupId: responses.groupId,
      groupTitle: contributionGroups.title,
      targetKind: responses.targetKind,
      targetKey: responses.targetKey,
      status: responses.status,
      verdict: responses.verdict,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(responses)
    .innerJoin(contributions, eq(contributions.id, responses.contributionId))
    .leftJoin(contributionSections, eq(contributionSections.id, responses.sectionId))
    .leftJoin(contributionGroups, eq(contributionGroups.id, responses.groupId))
    .where(and(...conditions))
    .orderBy(asc(contributions.receivedAt), asc(contributions.id), asc(contributionSections.position), asc(responses.id))
    .limit(UNITS_PER_PAGE)
    .offset((filter.page - 1) * UNITS_PER_PAGE);
  return {
    total: rows[0]?.total ?? 0,
    rows: rows.map((r) => ({
      id: r.id,
      contributionId: r.contributionId,
      number: unitNumber({ id: r.contributionId, receiptNumber: r.receiptNumber }, r.sectionPosition),
      date: r.receivedAt,
      kind: r.groupId !== null ? 'group' : r.sectionBody !== null ? 'section' : r.parentId !== null ? 'reply' : r.kind,
      channel: r.channel,
      excerpt: excerptOf(r.sectionBody ?? r.body),
      language: r.language,
      targetKind: r.targetKind,
      targetKey: r.targetKey,
      status: r.status,
      verdict: r.verdict,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// One unit.
// ---------------------------------------------------------------------------------------------

const decider = alias(users, 'decider');
const approver = alias(users, 'approver');

export async function loadUnit(db: DbOrTx, id: number) {
  const [row] = await db
    .select({
      response: responses,
      contribution: {
        id: contributions.id,
        kind: contributions.kind,
        parentId: contributions.parentId,
        channel: contributions.channel,
        title: contributions.title,
        body: contributions.body,
        language: contributions.language,
        receiptNumber: contributions.receiptNumber,
        receivedAt: contributions.receivedAt,
        status: contributions.status,
        planVersionId: contributions.planVersionId,
        organisationName: organisations.name,
      },
      section: { id: contributionSections.id, position: contributionSections.position, body: contributionSections.body },
      group: { id: contributionGroups.id, title: contributionGroups.title },
      deciderName: decider.displayName,
      approverName: approver.displayName,
    })
    .from(responses)
    .innerJoin(contributions, eq(contributions.id, responses.contributionId))
    .leftJoin(organisations, eq(organisations.id, contributions.organisationId))
    .leftJoin(contributionSections, eq(contributionSections.id, responses.sectionId))
    .leftJoin(contributionGroups, eq(contributionGroups.id, responses.groupId))
    .leftJoin(decider, eq(decider.id, responses.decidedBy))
    .leftJoin(approver, eq(approver.id, responses.approvedBy))
    .where(eq(responses.id, id));
  if (!row) return null;
  return { ...row, section: row.response.sectionId !== null ? row.section : null, group: row.response.groupId !== null ? row.group : null };
}

export type Unit = NonNullable<Awaited<ReturnType<typeof loadUnit>>>;

/** The group's members (the lead first), the unit's drafts and the contribution's tags. */
export async function loadUnitDetails(db: DbOrTx, unit: Unit) {
  const [members, drafts, tagRows] = await Promise.all([
    unit.group
      ? db
          .select({ id: contributions.id, receiptNumber: contributions.receiptNumber, body: contributions.body, language: contributions.language, receivedAt: contributions.receivedAt })
          .from(contributionGroupMembers)
          .innerJoin(contributions, eq(contributions.id, contributionGroupMembers.contributionId))
          .where(eq(contributionGroupMembers.groupId, unit.group.id))
          .orderBy(asc(contributions.receivedAt), asc(contributions.id))
      : Promise.resolve([]),
    db
      .select({
        id: assignments.id,
        departmentName: departments.name,
        roundTitle: departmentRounds.title,
        status: assignments.status,
        draftAnswer: assignments.draftAnswer,
        proposedVerdict: assignments.proposedVerdict,
        draftedAt: assignments.draftedAt,
        assignedAt: assignments.assignedAt,
        note: assignments.note,
      })
      .from(assignments)
      .innerJoin(departments, eq(departments.id, assignments.departmentId))
      .innerJoin(departmentRounds, eq(departmentRounds.id, assignments.roundId))
      .where(eq(assignments.responseId, unit.response.id))
      .orderBy(asc(assignments.assignedAt), asc(assignments.id)),
    db
      .select({ label: tags.label })
      .from(contributionTags)
      .innerJoin(tags, eq(tags.id, contributionTags.tagId))
      .where(eq(contributionTags.contributionId, unit.contribution.id))
      .orderBy(asc(tags.label)),
  ]);
  const lead = unit.contribution.id;
  members.sort((a, b) => (a.id === lead ? -1 : b.id === lead ? 1 : 0));
  return { members, drafts, tags: tagRows.map((t) => t.label) };
}

export interface ChangeOption {
  value: string;
  kind: 'field' | 'goal' | 'measure';
  code: string;
  text: string;
}

export interface ChangeVersion {
  id: number;
  label: string;
  options: ChangeOption[];
}

/**
 * The items of the versions after the one the contribution was about (all but the first when it
 * names none), the choices for "the change it caused". Values read `<versionId>|<kind>|<key>`.
 */
export async function loadChangeVersions(db: DbOrTx, consultationId: number, aboutVersionId: number | null): Promise<ChangeVersion[]> {
  const versions = await db
    .select({ id: planVersions.id, label: planVersions.label, position: planVersions.position })
    .from(planVersions)
    .where(eq(planVersions.consultationId, consultationId))
    .orderBy(asc(planVersions.position));
  const about = versions.find((v) => v.id === aboutVersionId) ?? versions[0];
  const later = versions.filter((v) => about && v.position > about.position);
  if (later.length === 0) return [];
  const ids = later.map((v) => v.id);
  const [f, g, m] = await Promise.all([
    db.select({ v: fields.planVersionId, key: fields.key, code: fields.code, text: fields.title }).from(fields).where(inArray(fields.planVersionId, ids)),
    db.select({ v: goals.planVersionId, key: goals.key, code: goals.code, text: goals.text }).from(goals).where(inArray(goals.planVersionId, ids)),
    db.select({ v: measures.planVersionId, key: measures.key, code: measures.code, text: measures.text }).from(measures).where(inArray(measures.planVersionId, ids)),
  ]);
  const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code, 'de', { numeric: true });
  return later.map((v) => ({
    id: v.id,
    label: v.label,
    options: [
      ...f.filter((r) => r.v === v.id).sort(byCode).map((r) => ({ value: `${v.id}|field|${r.key}`, kind: 'field' as const, code: r.code, text: r.text })),
      ...g.filter((r) => r.v === v.id).sort(byCode).map((r) => ({ value: `${v.id}|goal|${r.key}`, kind: 'goal' as const, code: r.code, text: r.text })),
      ...m.filter((r) => r.v === v.id).sort(byCode).map((r) => ({ value: `${v.id}|measure|${r.key}`, kind: 'measure' as const, code: r.code, text: r.text })),
    ],
  }));
}

// ---------------------------------------------------------------------------------------------
// The version comparison: the contributions that led to each change.
// ---------------------------------------------------------------------------------------------

export interface LinkedUnit {
  responseId: number;
  contributionId: number;
  kind: string;
  receiptNumber: string | null;
  number: string;
  excerpt: string;
  verdict: Verdict | null;
  /** Whether the public may see the contribution (published, its text shown). */
  isPublic: boolean;
}

/**
 * Units whose plan change lies in a version after `from` up to `to`, keyed by the change's
 * target ("measure:m-…"). The public sees only approved answers once they are published, of
 * contributions it may read. One query.
 */
export async function linkedUnits(
  db: DbOrTx,
  consultationId: number,
  from: { position: number },
  to: { position: number },
  audience: 'public' | 'organiser',
): Promise<Map<string, LinkedUnit[]>> {
  const conditions: SQL[] = [
    eq(responses.consultationId, consultationId),
    eq(responses.superseded, false),
    isNotNull(responses.changeTargetKey),
    sql`${planVersions.position} > ${from.position}`,
    sql`${planVersions.position} <= ${to.position}`,
  ];
  if (audience === 'public') {
    conditions.push(
      eq(responses.status, 'approved'),
      eq(contributions.status, 'published'),
      exists(
        db
          .select({ one: sql`1` })
          .from(consolidationSettings)
          .where(and(eq(consolidationSettings.consultationId, consultationId), isNotNull(consolidationSettings.answersPublishedAt))),
      ),
    );
  } else {
    conditions.push(eligibleContribution as SQL);
  }
  const rows = await db
    .select({
      responseId: responses.id,
      kind: responses.changeTargetKind,
      key: responses.changeTargetKey,
      verdict: responses.verdict,
      contributionId: contributions.id,
      contributionKind: contributions.kind,
      receiptNumber: contributions.receiptNumber,
      status: contributions.status,
      publishText: contributions.publishText,
      body: contributions.body,
      redactedBody: contributions.redactedBody,
      sectionBody: contributionSections.body,
      sectionPosition: contributionSections.position,
    })
    .from(responses)
    .innerJoin(planVersions, eq(planVersions.id, responses.changeVersionId))
    .innerJoin(contributions, eq(contributions.id, responses.contributionId))
    .leftJoin(contributionSections, eq(contributionSections.id, responses.sectionId))
    .where(and(...conditions))
    .orderBy(asc(contributions.receivedAt), asc(contributions.id), asc(contributionSections.position));
  const linked = new Map<string, LinkedUnit[]>();
  for (const r of rows) {
    const isPublic = r.status === 'published' && (r.contributionKind === 'comment' || r.publishText);
    if (audience === 'public' && !isPublic) continue;
    const text = audience === 'public' ? (r.sectionBody ?? r.redactedBody ?? r.body) : (r.sectionBody ?? r.body);
    const key = `${r.kind}:${r.key}`;
    const list = linked.get(key) ?? [];
    list.push({
      responseId: r.responseId,
      contributionId: r.contributionId,
      kind: r.contributionKind,
      receiptNumber: r.receiptNumber,
      number: unitNumber({ id: r.contributionId, receiptNumber: r.receiptNumber }, r.sectionPosition),
      excerpt: excerptOf(text, 200),
      verdict: r.verdict,
      isPublic,
    });
    linked.set(key, list);
  }
  return linked;
}

/** The unit's history from the audit trail, newest first (its page shows the last ones). */
export async function loadUnitHistory(db: DbOrTx, id: number) {
  return db
    .select({ action: auditEntries.action, reason: auditEntries.reason, createdAt: auditEntries.createdAt, actorName: users.displayName })
    .from(auditEntries)
    .leftJoin(users, eq(users.id, auditEntries.actorId))
    .where(and(eq(auditEntries.subjectType, 'response'), eq(auditEntries.subjectId, String(id))))
    .orderBy(desc(auditEntries.createdAt), desc(auditEntries.id))
    .limit(20);
}
