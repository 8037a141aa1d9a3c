/**
 * Reading for the department round: rounds with their counts, the units a round can still ask
 * for with the suggested lead department, assignments by department, the overdue list, and the
 * departments' inbox and item. Every list is one page of rows plus a fixed number of queries.
 */
import { and, asc, count, desc, eq, inArray, isNull, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/index.js';
import { users } from '../../accounts/schema.js';
import { departmentMembers, departments } from '../../departments/schema.js';
import { contributions, organisations, type TargetKind } from '../../participation/schema.js';
import { consultations, fields, goals, measureDepartments, measures, planVersions } from '../../plans/schema.js';
import { assignments, contributionGroups, contributionSections, departmentRounds, responses, textBlocks } from '../schema.js';

export const UNITS_PAGE_SIZE = 50;
export const ASSIGNMENTS_PAGE_SIZE = 100;
export const INBOX_PAGE_SIZE = 25;
export const OVERDUE_PAGE_SIZE = 100;
export const EXCERPT_CHARS = 240;

export type Round = typeof departmentRounds.$inferSelect;

export function shorten(text: string, max = EXCERPT_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}

/** A page number from the query string (1 when absent or odd). */
export function pageParam(query: unknown, name = 'page'): number {
  const raw = query && typeof query === 'object' ? (query as Record<string, unknown>)[name] : undefined;
  return typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Math.max(1, Number(raw)) : 1;
}

export function pages(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

// ---------------------------------------------------------------------------------------------
// What a unit is, for every list: a contribution, a section of a statement, or a group.
// ---------------------------------------------------------------------------------------------

const c = contributions;

/** The unit's columns; `full` sends the whole text, lists only the start of it. */
function unitColumns(full: boolean) {
  const text = sql<string>`coalesce(${contributionSections.body}, coalesce(${c.redactedBody}, ${c.body}))`;
  return {
    responseId: responses.id,
    responseStatus: responses.status,
    responseVersion: responses.version,
    targetKind: responses.targetKind,
    targetKey: responses.targetKey,
    consultationId: responses.consultationId,
    contributionId: responses.contributionId,
    sectionId: responses.sectionId,
    sectionPosition: contributionSections.position,
    groupId: responses.groupId,
    groupTitle: contributionGroups.title,
    groupMembers: sql<number>`(select count(*) from contribution_group_member gm where gm.group_id = ${responses.groupId})`.mapWith(Number),
    kind: c.kind,
    receiptNumber: c.receiptNumber,
    title: c.title,
    text: full ? text : sql<string>`left(${text}, 400)`,
    language: c.language,
    channel: c.channel,
    receivedAt: c.receivedAt,
    publishName: c.publishName,
    organisationName: organisations.name,
  };
}

type UnitRow = {
  responseId: number;
  responseStatus: string;
  responseVersion: number;
  targetKind: TargetKind;
  targetKey: string | null;
  consultationId: number;
  contributionId: number;
  sectionId: number | null;
  sectionPosition: number | null;
  groupId: number | null;
  groupTitle: string | null;
  groupMembers: number;
  kind: 'comment' | 'statement';
  receiptNumber: string | null;
  title: string | null;
  text: string;
  language: string;
  channel: string;
  receivedAt: Date;
  publishName: boolean;
  organisationName: string | null;
};

export interface Unit {
  responseId: number;
  responseStatus: string;
  responseVersion: number;
  subject: 'contribution' | 'section' | 'group';
  targetKind: TargetKind;
  targetKey: string | null;
  consultationId: number;
  contributionId: number;
  sectionPosition: number | null;
  groupTitle: string | null;
  groupMembers: number;
  kind: 'comment' | 'statement';
  receiptNumber: string | null;
  title: string | null;
  text: string;
  excerpt: string;
  language: string;
  channel: string;
  receivedAt: Date;
  /**
   * Who it is from, as departments may see it: the organisation's name where it agreed to be
   * named (statements) or spoke openly (comments); null reads "Privatperson". Never a person's
   * name or address.
   */
  submitter: string | null;
}

function toUnit(r: UnitRow): Unit {
  const named = r.organisationName !== null && (r.kind === 'comment' || r.publishName);
  return {
    responseId: r.responseId,
    responseStatus: r.responseStatus,
    responseVersion: r.responseVersion,
    subject: r.groupId !== null ? 'group' : r.sectionId !== null ? 'section' : 'contribution',
    targetKind: r.targetKind,
    targetKey: r.targetKey,
    consultationId: r.consultationId,
    contributionId: r.contributionId,
    sectionPosition: r.sectionPosition,
    groupTitle: r.groupTitle,
    groupMembers: r.groupMembers,
    kind: r.kind,
    receiptNumber: r.receiptNumber,
    title: r.title,
    text: r.text,
    excerpt: shorten(r.text),
    language: r.language,
    channel: r.channel,
    receivedAt: r.receivedAt,
    submitter: named ? r.organisationName : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Where a unit refers to in the plan: code and text of the item in the newest version.
// ---------------------------------------------------------------------------------------------

export interface TargetLabel {
  kind: TargetKind;
  key: string | null;
  code: string | null;
  text: string | null;
}

const targetId = (consultationId: number, kind: string, key: string | null) => `${consultationId}|${kind}|${key ?? ''}`;

/**
 * Labels of the targets of many units in three queries (one per kind of item), each from the
 * newest version of its consultation that has the item.
 */
export async function loadTargets(db: DbOrTx, units: Array<{ consultationId: number; targetKind: TargetKind; targetKey: string | null }>): Promise<(u: { consultationId: number; targetKind: TargetKind; targetKey: string | null }) => TargetLabel> {
  const found = new Map<string, { code: string; text: string; position: number }>();
  const consultationIds = [...new Set(units.map((u) => u.consultationId))];
  const tables = [
    { kind: 'field' as const, table: fields, text: fields.title },
    { kind: 'goal' as const, table: goals, text: goals.text },
    { kind: 'measure' as const, table: measures, text: measures.text },
  ];
  await Promise.all(
    tables.map(async ({ kind, table, text }) => {
      const keys = [...new Set(units.filter((u) => u.targetKind === kind && u.targetKey).map((u) => u.targetKey as string))];
      if (keys.length === 0 || consultationIds.length === 0) return;
      const rows = await db
        .select({ key: table.key, code: table.code, text, consultationId: planVersions.consultationId, position: planVersions.position })
        .from(table)
        .innerJoin(planVersions, eq(planVersions.id, table.planVersionId))
        .where(and(inArray(table.key, keys), inArray(planVersions.consultationId, consultationIds)));
      for (const r of rows) {
        const id = targetId(r.consultationId, kind, r.key);
        const seen = found.get(id);
        if (!seen || seen.position < r.position) found.set(id, { code: r.code, text: r.text, position: r.position });
      }
    }),
  );
  return (u) => {
    const hit = found.get(targetId(u.consultationId, u.targetKind, u.targetKey));
    return { kind: u.targetKind, key: u.targetKey, code: hit?.code ?? null, text: hit?.text ?? null };
  };
}

// ---------------------------------------------------------------------------------------------
// Organiser side
// ---------------------------------------------------------------------------------------------

export interface RoundSummary extends Round {
  assigned: number;
  drafted: number;
  overdue: number;
}

/** Rounds of a consultation, newest first, with their counts in one grouped query. */
export async function listRounds(db: DbOrTx, consultationId: number, now = new Date()): Promise<RoundSummary[]> {
  const [rounds, counts] = await Promise.all([
    db.select().from(departmentRounds).where(eq(departmentRounds.consultationId, consultationId)).orderBy(desc(departmentRounds.createdAt), desc(departmentRounds.id)),
    db
      .select({
        roundId: assignments.roundId,
        assigned: sql<number>`count(*) filter (where ${assignments.status} in ('open', 'drafted'))`.mapWith(Number),
        drafted: sql<number>`count(*) filter (where ${assignments.status} = 'drafted')`.mapWith(Number),
        overdue: sql<number>`count(*) filter (where ${assignments.status} = 'open' and ${departmentRounds.status} = 'open' and ${departmentRounds.deadline} < ${now.toISOString()}::timestamptz)`.mapWith(Number),
      })
      .from(assignments)
      .innerJoin(departmentRounds, eq(departmentRounds.id, assignments.roundId))
      .where(eq(departmentRounds.consultationId, consultationId))
      .groupBy(assignments.roundId),
  ]);
  const byRound = new Map(counts.map((r) => [r.roundId, r]));
  return rounds.map((r) => ({ ...r, assigned: byRound.get(r.id)?.assigned ?? 0, drafted: byRound.get(r.id)?.drafted ?? 0, overdue: byRound.get(r.id)?.overdue ?? 0 }));
}

export async function loadRound(db: DbOrTx, id: number) {
  const [row] = await db
    .select({ round: departmentRounds, consultation: { id: consultations.id, slug: consultations.slug, title: consultations.title } })
    .from(departmentRounds)
    .innerJoin(consultations, eq(consultations.id, departmentRounds.consultationId))
    .where(eq(departmentRounds.id, id));
  return row ?? null;
}

/** A unit is taken in a round while an assignment for it is open or drafted there. */
function takenIn(roundId: number): SQL {
  return sql`exists (select 1 from assignment a where a.round_id = ${roundId} and a.response_id = ${responses.id} and a.status in ('open', 'drafted'))`;
}

/** Its contribution still counts (withdrawn or taken down since: nothing to ask about). */
const stillCounts = sql`exists (select 1 from contribution ec where ec.id = ${responses.contributionId} and ec.status <> 'withdrawn' and (ec.status = 'published' or ec.keep_for_consolidation))`;

function assignable(consultationId: number, roundId: number): SQL {
  return and(eq(responses.consultationId, consultationId), eq(responses.superseded, false), ne(responses.status, 'approved'), stillCounts, sql`not ${takenIn(roundId)}`) as SQL;
}

function unitQuery(db: DbOrTx, full: boolean) {
  return db
    .select(unitColumns(full))
    .from(responses)
    .innerJoin(c, eq(c.id, responses.contributionId))
    .leftJoin(contributionSections, eq(contributionSections.id, responses.sectionId))
    .leftJoin(contributionGroups, eq(contributionGroups.id, responses.groupId))
    .leftJoin(organisations, eq(organisations.id, c.organisationId));
}

/** One page of the units the round can still ask for, oldest first. */
export async function loadAssignable(db: DbOrTx, consultationId: number, roundId: number, page: number): Promise<{ rows: Unit[]; total: number }> {
  const where = assignable(consultationId, roundId);
  const [rows, [total]] = await Promise.all([
    unitQuery(db, false)
      .where(where)
      .orderBy(asc(c.receivedAt), asc(responses.id))
      .limit(UNITS_PAGE_SIZE)
      .offset((page - 1) * UNITS_PAGE_SIZE),
    db.select({ n: count() }).from(responses).where(where),
  ]);
  return { rows: (rows as UnitRow[]).map(toUnit), total: total?.n ?? 0 };
}

/** The units (by id) a round may still ask for, locked for the assigning transaction. */
export async function assignableIds(db: DbOrTx, consultationId: number, roundId: number, ids: number[]): Promise<Array<{ id: number; targetKind: TargetKind; targetKey: string | null }>> {
  if (ids.length === 0) return [];
  return db
    .select({ id: responses.id, targetKind: responses.targetKind, targetKey: responses.targetKey })
    .from(responses)
    .where(and(inArray(responses.id, ids), assignable(consultationId, roundId)))
    .for('update');
}

/**
 * The suggested department of each target, in one query: the lead department of the measure
 * the target names (by stable key in the newest plan version); for a goal or field the lead
 * departments of its measures, most frequent first (then by name); none for the whole plan.
 * Returns, per "kind|key", the departments in that order.
 */
export async function suggestDepartments(db: DbOrTx, consultationId: number, targets: Array<{ targetKind: TargetKind; targetKey: string | null }>): Promise<Map<string, number[]>> {
  const wanted = { measure: new Set<string>(), goal: new Set<string>(), field: new Set<string>() };
  for (const t of targets) if (t.targetKey && t.targetKind !== 'consultation') wanted[t.targetKind].add(t.targetKey);
  const result = new Map<string, number[]>();
  if (wanted.measure.size + wanted.goal.size + wanted.field.size === 0) return result;
  const newest = sql`(select pv.id from plan_version pv where pv.consultation_id = ${consultationId} order by pv.position desc limit 1)`;
  const matches = [
    wanted.measure.size ? inArray(measures.key, [...wanted.measure]) : undefined,
    wanted.goal.size ? inArray(goals.key, [...wanted.goal]) : undefined,
    wanted.field.size ? inArray(fields.key, [...wanted.field]) : undefined,
  ].filter((x): x is SQL => x !== undefined);
  const rows = await db
    .select({ measureKey: measures.key, goalKey: goals.key, fieldKey: fields.key, departmentId: measureDepartments.departmentId, name: departments.name })
    .from(measures)
    .innerJoin(measureDepartments, and(eq(measureDepartments.measureId, measures.id), eq(measureDepartments.role, 'lead')))
    .innerJoin(departments, eq(departments.id, measureDepartments.departmentId))
    .leftJoin(goals, eq(goals.id, measures.goalId))
    .leftJoin(fields, eq(fields.id, measures.fieldId))
    .where(and(sql`${measures.planVersionId} = ${newest}`, or(...matches)));
  const tally = new Map<string, Map<number, { n: number; name: string }>>();
  const add = (kind: string, key: string | null, departmentId: number, name: string) => {
    if (!key || !wanted[kind as keyof typeof wanted].has(key)) return;
    const id = `${kind}|${key}`;
    let m = tally.get(id);
    if (!m) {
      m = new Map();
      tally.set(id, m);
    }
    const e = m.get(departmentId) ?? { n: 0, name };
    e.n++;
    m.set(departmentId, e);
  };
  for (const r of rows) {
    add('measure', r.measureKey, r.departmentId, r.name);
    add('goal', r.goalKey, r.departmentId, r.name);
    add('field', r.fieldKey, r.departmentId, r.name);
  }
  for (const [id, m] of tally) {
    result.set(
      id,
      [...m.entries()].sort((a, b) => b[1].n - a[1].n || a[1].name.localeCompare(b[1].name, 'de')).map(([departmentId]) => departmentId),
    );
  }
  return result;
}

export function suggestionOf(suggestions: Map<string, number[]>, u: { targetKind: TargetKind; targetKey: string | null }): number | null {
  return suggestions.get(`${u.targetKind}|${u.targetKey ?? ''}`)?.[0] ?? null;
}

export async function listDepartments(db: DbOrTx) {
  return db.select({ id: departments.id, name: departments.name, shortName: departments.shortName }).from(departments).orderBy(asc(departments.name));
}

export interface AssignmentRow {
  id: number;
  roundId: number;
  status: 'open' | 'drafted' | 'handed_over' | 'withdrawn';
  version: number;
  departmentId: number;
  departmentName: string;
  note: string;
  handedOverFrom: number | null;
  draftAnswer: string;
  proposedVerdict: string | null;
  draftedAt: Date | null;
  assignedAt: Date;
  deadline: Date;
  roundStatus: 'open' | 'closed';
  roundTitle: string;
  overdue: boolean;
  unit: Unit;
}

function assignmentQuery(db: DbOrTx, now: Date, full = false) {
  return db
    .select({
      id: assignments.id,
      roundId: assignments.roundId,
      status: assignments.status,
      version: assignments.version,
      departmentId: assignments.departmentId,
      departmentName: departments.name,
      note: assignments.note,
      handedOverFrom: assignments.handedOverFrom,
      draftAnswer: full ? assignments.draftAnswer : sql<string>`''`,
      proposedVerdict: assignments.proposedVerdict,
      draftedAt: assignments.draftedAt,
      assignedAt: assignments.assignedAt,
      deadline: departmentRounds.deadline,
      roundStatus: departmentRounds.status,
      roundTitle: departmentRounds.title,
      overdue: sql<boolean>`(${assignments.status} = 'open' and ${departmentRounds.status} = 'open' and ${departmentRounds.deadline} < ${now.toISOString()}::timestamptz)`,
      ...unitColumns(full),
    })
    .from(assignments)
    .innerJoin(departmentRounds, eq(departmentRounds.id, assignments.roundId))
    .innerJoin(departments, eq(departments.id, assignments.departmentId))
    .innerJoin(responses, eq(responses.id, assignments.responseId))
    .innerJoin(c, eq(c.id, responses.contributionId))
    .leftJoin(contributionSections, eq(contributionSections.id, responses.sectionId))
    .leftJoin(contributionGroups, eq(contributionGroups.id, responses.groupId))
    .leftJoin(organisations, eq(organisations.id, c.organisationId));
}

type RawAssignment = Omit<AssignmentRow, 'unit'> & UnitRow;

function toAssignment(r: RawAssignment): AssignmentRow {
  return {
    id: r.id,
    roundId: r.roundId,
    status: r.status,
    version: r.version,
    departmentId: r.departmentId,
    departmentName: r.departmentName,
    note: r.note,
    handedOverFrom: r.handedOverFrom,
    draftAnswer: r.draftAnswer,
    proposedVerdict: r.proposedVerdict,
    draftedAt: r.draftedAt,
    assignedAt: r.assignedAt,
    deadline: r.deadline,
    roundStatus: r.roundStatus,
    roundTitle: r.roundTitle,
    overdue: r.overdue === true || (r.overdue as unknown) === 't',
    unit: toUnit(r),
  };
}

/** One page of a round's assignments, by department, with the count per department and status. */
export async function loadRoundAssignments(db: DbOrTx, roundId: number, page: number, now = new Date()) {
  const [rows, perDepartment] = await Promise.all([
    assignmentQuery(db, now)
      .where(eq(assignments.roundId, roundId))
      .orderBy(asc(departments.name), asc(assignments.id))
      .limit(ASSIGNMENTS_PAGE_SIZE)
      .offset((page - 1) * ASSIGNMENTS_PAGE_SIZE),
    db
      .select({
        departmentId: assignments.departmentId,
        name: departments.name,
        open: sql<number>`count(*) filter (where ${assignments.status} = 'open')`.mapWith(Number),
        drafted: sql<number>`count(*) filter (where ${assignments.status} = 'drafted')`.mapWith(Number),
        other: sql<number>`count(*) filter (where ${assignments.status} in ('handed_over', 'withdrawn'))`.mapWith(Number),
      })
      .from(assignments)
      .innerJoin(departments, eq(departments.id, assignments.departmentId))
      .where(eq(assignments.roundId, roundId))
      .groupBy(assignments.departmentId, departments.name)
      .orderBy(asc(departments.name)),
  ]);
  const total = perDepartment.reduce((n, d) => n + d.open + d.drafted + d.other, 0);
  return { rows: (rows as RawAssignment[]).map(toAssignment), perDepartment, total };
}

/** Open assignments past their deadline in open rounds: of one round, or of a consultation. */
export async function loadOverdue(db: DbOrTx, scope: { roundId?: number; consultationId?: number }, page: number, now = new Date()) {
  const where = and(
    eq(assignments.status, 'open'),
    eq(departmentRounds.status, 'open'),
    lt(departmentRounds.deadline, now),
    scope.roundId !== undefined ? eq(assignments.roundId, scope.roundId) : undefined,
    scope.consultationId !== undefined ? eq(departmentRounds.consultationId, scope.consultationId) : undefined,
  );
  const [rows, [total]] = await Promise.all([
    assignmentQuery(db, now)
      .where(where)
      .orderBy(asc(departments.name), asc(departmentRounds.deadline), asc(assignments.id))
      .limit(OVERDUE_PAGE_SIZE)
      .offset((page - 1) * OVERDUE_PAGE_SIZE),
    db.select({ n: count() }).from(assignments).innerJoin(departmentRounds, eq(departmentRounds.id, assignments.roundId)).where(where),
  ]);
  return { rows: (rows as RawAssignment[]).map(toAssignment), total: total?.n ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// Department side
// ---------------------------------------------------------------------------------------------

export const inboxFilters = ['open', 'drafted', 'overdue', 'all'] as const;
export type InboxFilter = (typeof inboxFilters)[number];

export function parseInboxFilter(query: unknown): InboxFilter {
  const raw = query && typeof query === 'object' ? (query as Record<string, unknown>).status : undefined;
  return typeof raw === 'string' && (inboxFilters as readonly string[]).includes(raw) ? (raw as InboxFilter) : 'open';
}

function inboxCondition(filter: InboxFilter, now: Date): SQL | undefined {
  const openRound = eq(departmentRounds.status, 'open');
  if (filter === 'open') return and(eq(assignments.status, 'open'), openRound);
  if (filter === 'drafted') return eq(assignments.status, 'drafted');
  if (filter === 'overdue') return and(eq(assignments.status, 'open'), openRound, lt(departmentRounds.deadline, now));
  return undefined;
}

/** The inbox of a department editor: assignments of their departments across rounds. */
export async function loadInbox(db: DbOrTx, departmentIds: readonly number[], filter: InboxFilter, page: number, now = new Date()) {
  if (departmentIds.length === 0) return { rows: [] as AssignmentRow[], total: 0, counts: { open: 0, drafted: 0, overdue: 0, all: 0 } };
  const mine = inArray(assignments.departmentId, [...departmentIds]);
  const iso = now.toISOString();
  const [rows, [counts]] = await Promise.all([
    assignmentQuery(db, now)
      .where(and(mine, inboxCondition(filter, now)))
      .orderBy(sql`case when ${assignments.status} = 'open' and ${departmentRounds.status} = 'open' then 0 else 1 end`, asc(departmentRounds.deadline), asc(assignments.id))
      .limit(INBOX_PAGE_SIZE)
      .offset((page - 1) * INBOX_PAGE_SIZE),
    db
      .select({
        open: sql<number>`count(*) filter (where ${assignments.status} = 'open' and ${departmentRounds.status} = 'open')`.mapWith(Number),
        drafted: sql<number>`count(*) filter (where ${assignments.status} = 'drafted')`.mapWith(Number),
        overdue: sql<number>`count(*) filter (where ${assignments.status} = 'open' and ${departmentRounds.status} = 'open' and ${departmentRounds.deadline} < ${iso}::timestamptz)`.mapWith(Number),
        all: sql<number>`count(*)`.mapWith(Number),
      })
      .from(assignments)
      .innerJoin(departmentRounds, eq(departmentRounds.id, assignments.roundId))
      .where(mine),
  ]);
  const c0 = counts ?? { open: 0, drafted: 0, overdue: 0, all: 0 };
  return { rows: (rows as RawAssignment[]).map(toAssignment), total: c0[filter], counts: c0 };
}

/** One assignment with the unit's whole text; null when it does not exist. */
export async function loadAssignment(db: DbOrTx, id: number, now = new Date()): Promise<(AssignmentRow & { instructions: string; handedOverFromName: string | null }) | null> {
  const [row] = await assignmentQuery(db, now, true).where(eq(assignments.id, id));
  if (!row) return null;
  const a = toAssignment(row as RawAssignment);
  const [round] = await db.select({ instructions: departmentRounds.instructions }).from(departmentRounds).where(eq(departmentRounds.id, a.roundId));
  let handedOverFromName: string | null = null;
  if (a.handedOverFrom !== null) {
    const [from] = await db
      .select({ name: departments.name })
      .from(assignments)
      .innerJoin(departments, eq(departments.id, assignments.departmentId))
      .where(eq(assignments.id, a.handedOverFrom));
    handedOverFromName = from?.name ?? null;
  }
  return { ...a, instructions: round?.instructions ?? '', handedOverFromName };
}

/** Text blocks a department can use: its own and the participation office's (no department). */
export async function blocksFor(db: DbOrTx, departmentIds: readonly number[]) {
  return db
    .select({ id: textBlocks.id, departmentId: textBlocks.departmentId, title: textBlocks.title, body: textBlocks.body, updatedAt: textBlocks.updatedAt })
    .from(textBlocks)
    .where(departmentIds.length ? or(inArray(textBlocks.departmentId, [...departmentIds]), isNull(textBlocks.departmentId)) : isNull(textBlocks.departmentId))
    .orderBy(asc(textBlocks.title), asc(textBlocks.id));
}

/** The text blocks of a user's departments (only those they may edit), with department names. */
export async function ownBlocks(db: DbOrTx, departmentIds: readonly number[]) {
  if (departmentIds.length === 0) return [];
  return db
    .select({ id: textBlocks.id, departmentId: textBlocks.departmentId, departmentName: departments.name, title: textBlocks.title, body: textBlocks.body, updatedAt: textBlocks.updatedAt })
    .from(textBlocks)
    .innerJoin(departments, eq(departments.id, textBlocks.departmentId))
    .where(inArray(textBlocks.departmentId, [...departmentIds]))
    .orderBy(asc(departments.name), asc(textBlocks.title), asc(textBlocks.id));
}

export async function departmentsByIds(db: DbOrTx, ids: readonly number[]) {
  if (ids.length === 0) return [];
  return db.select({ id: departments.id, name: departments.name }).from(departments).where(inArray(departments.id, [...ids])).orderBy(asc(departments.name));
}

/** Members of departments who can be mailed (not deleted), with their language. */
export async function membersOf(db: DbOrTx, departmentIds: number[]) {
  if (departmentIds.length === 0) return [];
  return db
    .select({ userId: users.id, email: users.email, locale: users.locale, departmentId: departmentMembers.departmentId })
    .from(departmentMembers)
    .innerJoin(users, eq(users.id, departmentMembers.userId))
    .where(and(inArray(departmentMembers.departmentId, departmentIds), isNull(users.deletedAt), sql`${users.email} is not null`));
}
