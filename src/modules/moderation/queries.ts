/**
 * Reading for moderators: the queue with its filters and the counts beside each filter value
 * (one grouped query per dimension, each with every other filter applied), an item with its
 * context, reports and history, and the moderation audit trail.
 */
import { and, asc, count, desc, eq, gte, ilike, inArray, isNull, like, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/index.js';
import { users } from '../accounts/schema.js';
import { auditEntries } from '../audit/schema.js';
import { itemCodes } from '../participation/mine/service.js';
import {
  type ContributionStatus,
  contributionChannels,
  contributionKinds,
  contributionReports,
  contributions,
  organisations,
  type TargetKind,
} from '../participation/schema.js';
import { consultations, phases } from '../plans/schema.js';

export const QUEUE_PAGE_SIZE = 25;
export const AUDIT_PAGE_SIZE = 50;

/** 'open': needs a decision (waiting, or public/hidden with open reports). */
export const queueStatuses = ['open', 'pending', 'published', 'hidden', 'rejected', 'revision_requested', 'withdrawn', 'all'] as const;
export type QueueStatus = (typeof queueStatuses)[number];
export const ages = ['1', '3', '7'] as const;

export interface QueueFilter {
  status: QueueStatus;
  consultation: number | null;
  phase: number | null;
  /** '' (any), 'consultation' (the whole consultation) or 'measure:<key>', 'goal:<key>', 'field:<key>'. */
  target: string;
  kind: '' | (typeof contributionKinds)[number];
  channel: '' | (typeof contributionChannels)[number];
  language: string;
  reported: '' | 'yes' | 'no';
  age: '' | (typeof ages)[number];
  q: string;
  sort: 'oldest' | 'newest';
  page: number;
}

export type Dimension = 'status' | 'consultation' | 'phase' | 'target' | 'kind' | 'channel' | 'language' | 'reported' | 'age';

const str = (q: Record<string, unknown>, name: string) => (typeof q[name] === 'string' ? (q[name] as string).replace(/\u0000/g, '') : '');
const id = (raw: string) => (/^\d{1,9}$/.test(raw) ? Number(raw) : null);

/** The filter from the query string; anything unknown falls back to "any". */
export function parseFilter(query: unknown): QueueFilter {
  const q = (query ?? {}) as Record<string, unknown>;
  const pick = <T extends string>(value: string, list: readonly T[], fallback: T | '') => ((list as readonly string[]).includes(value) ? (value as T) : fallback);
  const target = str(q, 'target');
  const page = id(str(q, 'page')) ?? 1;
  return {
    status: pick(str(q, 'status'), queueStatuses, 'open') || 'open',
    consultation: id(str(q, 'consultation')),
    phase: id(str(q, 'phase')),
    target: target === 'consultation' || /^(field|goal|measure):[\w-]{1,120}$/.test(target) ? target : '',
    kind: pick(str(q, 'kind'), contributionKinds, ''),
    channel: pick(str(q, 'channel'), contributionChannels, ''),
    language: /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(str(q, 'language')) ? str(q, 'language') : '',
    reported: pick(str(q, 'reported'), ['yes', 'no'] as const, ''),
    age: pick(str(q, 'age'), ages, ''),
    q: str(q, 'q').trim().slice(0, 200),
    sort: str(q, 'sort') === 'newest' ? 'newest' : 'oldest',
    page: Math.max(1, Math.min(page, 100_000)),
  };
}

/** The filter as a query string (defaults left out), with `change` applied. */
export function filterQuery(filter: QueueFilter, change: Partial<QueueFilter> = {}): string {
  const f = { ...filter, ...change };
  const params = new URLSearchParams();
  if (f.status !== 'open') params.set('status', f.status);
  if (f.consultation !== null) params.set('consultation', String(f.consultation));
  if (f.phase !== null) params.set('phase', String(f.phase));
  for (const name of ['target', 'kind', 'channel', 'language', 'reported', 'age', 'q'] as const) if (f[name]) params.set(name, f[name]);
  if (f.sort !== 'oldest') params.set('sort', f.sort);
  if (f.page > 1) params.set('page', String(f.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

const c = contributions;

/** Open reports exist for the row (a reader thinks it breaks the house rules). */
export const hasOpenReport = sql<boolean>`exists (select 1 from ${contributionReports} where ${contributionReports.contributionId} = ${c.id} and ${contributionReports.resolvedAt} is null)`;

function statusCondition(status: QueueStatus): SQL | undefined {
  if (status === 'all') return undefined;
  if (status === 'open') return or(eq(c.status, 'pending'), and(inArray(c.status, ['published', 'hidden']), hasOpenReport));
  return eq(c.status, status);
}

/**
 * Full-text search on the GIN expression index (the same expression, so PostgreSQL uses it);
 * one character is too short for words, so it is looked for as a substring.
 */
function searchCondition(q: string): SQL | undefined {
  if (q === '') return undefined;
  if ([...q].length === 1) {
    const pattern = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    return or(ilike(c.body, pattern), ilike(sql`coalesce(${c.title}, '')`, pattern));
  }
  return sql`to_tsvector('simple', coalesce(${c.title}, '') || ' ' || ${c.body}) @@ plainto_tsquery('simple', ${q})`;
}

function ageCondition(age: QueueFilter['age'], now: Date): SQL | undefined {
  return age ? lt(c.createdAt, new Date(now.getTime() - Number(age) * 86_400_000)) : undefined;
}

function targetCondition(target: string): SQL | undefined {
  if (!target) return undefined;
  if (target === 'consultation') return eq(c.targetKind, 'consultation');
  const [kind, key] = target.split(':') as [TargetKind, string];
  return and(eq(c.targetKind, kind), eq(c.targetKey, key));
}

/** Every filter except `except`, so a dimension's counts show what choosing a value would give. */
export function conditions(filter: QueueFilter, now: Date, except?: Dimension): SQL {
  const parts: Array<SQL | undefined> = [
    // Unconfirmed guest contributions are not anyone's to moderate yet.
    ne(c.status, 'unconfirmed'),
    except === 'status' ? undefined : statusCondition(filter.status),
    except === 'consultation' || filter.consultation === null ? undefined : eq(c.consultationId, filter.consultation),
    except === 'phase' || filter.phase === null ? undefined : eq(c.phaseId, filter.phase),
    except === 'target' ? undefined : targetCondition(filter.target),
    except === 'kind' || !filter.kind ? undefined : eq(c.kind, filter.kind),
    except === 'channel' || !filter.channel ? undefined : eq(c.channel, filter.channel),
    except === 'language' || !filter.language ? undefined : eq(c.language, filter.language),
    except === 'reported' || !filter.reported ? undefined : filter.reported === 'yes' ? hasOpenReport : sql`not ${hasOpenReport}`,
    except === 'age' ? undefined : ageCondition(filter.age, now),
    searchCondition(filter.q),
  ];
  return and(...parts.filter((p): p is SQL => p !== undefined)) as SQL;
}

export interface QueueRow {
  id: number;
  kind: 'comment' | 'statement';
  status: ContributionStatus;
  version: number;
  consultationId: number;
  consultationSlug: string;
  targetKind: TargetKind;
  targetKey: string | null;
  targetCode: string | null;
  parentId: number | null;
  receiptNumber: string | null;
  title: string | null;
  excerpt: string;
  language: string;
  channel: string;
  createdAt: Date;
  author: 'account' | 'guest' | 'organisation' | 'staff';
  authorName: string | null;
  claimedByName: string | null;
  claimedByMe: boolean;
  claimedAt: Date | null;
  reports: number;
  reasons: string[];
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}

const claimer = sql<string | null>`(select coalesce(u.display_name, '') from "user" u where u.id = ${c.claimedBy})`;

/** One page of the queue, oldest (or newest) first, with the total by a window count. */
export async function loadQueue(db: DbOrTx, filter: QueueFilter, me: string, now = new Date()): Promise<{ rows: QueueRow[]; total: number }> {
  const direction = filter.sort === 'newest' ? desc : asc;
  const rows = await db
    .select({
      id: c.id,
      kind: c.kind,
      status: c.status,
      version: c.moderationVersion,
      consultationId: c.consultationId,
      consultationSlug: consultations.slug,
      targetKind: c.targetKind,
      targetKey: c.targetKey,
      parentId: c.parentId,
      receiptNumber: c.receiptNumber,
      title: c.title,
      // Enough for the excerpt: long statements are not sent whole to be cut here.
      body: sql<string>`left(${c.body}, 400)`,
      language: c.language,
      channel: c.channel,
      createdAt: c.createdAt,
      authorId: c.authorId,
      guestEmail: sql<boolean>`${c.guestEmail} is not null`,
      displayName: users.displayName,
      deletedAt: users.deletedAt,
      organisationName: organisations.name,
      claimedBy: c.claimedBy,
      claimedAt: c.claimedAt,
      claimedByName: claimer,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(c)
    .innerJoin(consultations, eq(consultations.id, c.consultationId))
    .leftJoin(users, eq(users.id, c.authorId))
    .leftJoin(organisations, eq(organisations.id, c.organisationId))
    .where(conditions(filter, now))
    .orderBy(direction(c.createdAt), direction(c.id))
    .limit(QUEUE_PAGE_SIZE)
    .offset((filter.page - 1) * QUEUE_PAGE_SIZE);
  const ids = rows.map((r) => r.id);
  const [reports, codes] = await Promise.all([
    ids.length
      ? db
          .select({ id: contributionReports.contributionId, n: count(), reasons: sql<string[]>`array_agg(distinct ${contributionReports.reason})` })
          .from(contributionReports)
          .where(and(inArray(contributionReports.contributionId, ids), isNull(contributionReports.resolvedAt)))
          .groupBy(contributionReports.contributionId)
      : Promise.resolve([]),
    itemCodes(db, [...new Set(rows.map((r) => r.consultationId))]),
  ]);
  const byId = new Map(reports.map((r) => [r.id, r]));
  return {
    total: rows[0]?.total ?? 0,
    rows: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      version: r.version,
      consultationId: r.consultationId,
      consultationSlug: r.consultationSlug,
      targetKind: r.targetKind,
      targetKey: r.targetKey,
      targetCode: r.targetKey ? (codes.get(`${r.consultationId}|${r.targetKind}:${r.targetKey}`) ?? null) : null,
      parentId: r.parentId,
      receiptNumber: r.receiptNumber,
      title: r.title,
      excerpt: shorten(r.body, 240),
      language: r.language,
      channel: r.channel,
      createdAt: r.createdAt,
      ...authorOf(r),
      claimedByName: r.claimedBy ? r.claimedByName || null : null,
      claimedByMe: r.claimedBy === me,
      claimedAt: r.claimedAt,
      reports: byId.get(r.id)?.n ?? 0,
      reasons: (byId.get(r.id)?.reasons ?? []).filter((x): x is string => typeof x === 'string'),
    })),
  };
}

/** Who wrote it, as moderators may see it: never a guest's address. */
function authorOf(r: { authorId: string | null; guestEmail: boolean; displayName: string | null; deletedAt: Date | null; organisationName: string | null }): {
  author: QueueRow['author'];
  authorName: string | null;
} {
  if (r.organisationName) return { author: 'organisation', authorName: r.organisationName };
  if (r.authorId) return { author: 'account', authorName: r.deletedAt ? null : r.displayName };
  if (r.guestEmail) return { author: 'guest', authorName: null };
  return { author: 'staff', authorName: null };
}

export interface Facets {
  status: Record<string, number>;
  consultation: Array<{ value: number; label: string; n: number }>;
  phase: Array<{ value: number; label: string; n: number }>;
  target: Array<{ value: string; kind: TargetKind; code: string | null; key: string | null; n: number }>;
  kind: Record<string, number>;
  channel: Record<string, number>;
  language: Record<string, number>;
  reported: Record<string, number>;
  age: Record<string, number>;
}

/** The counts beside each filter value: one grouped query per dimension. */
export async function loadFacets(db: DbOrTx, filter: QueueFilter, now = new Date()): Promise<Facets> {
  const where = (d: Dimension) => conditions(filter, now, d);
  const grouped = <T extends SQL | typeof c.kind>(column: T, d: Dimension) =>
    db.select({ value: column, n: count() }).from(c).where(where(d)).groupBy(column);
  const day = 86_400_000;
  const [status, consultationRows, phaseRows, targetRows, kind, channel, language, reported, age] = await Promise.all([
    db
      .select({ value: c.status, n: count(), reported: sql<number>`count(*) filter (where ${hasOpenReport})`.mapWith(Number) })
      .from(c)
      .where(where('status'))
      .groupBy(c.status),
    db
      .select({ value: c.consultationId, label: consultations.title, n: count() })
      .from(c)
      .innerJoin(consultations, eq(consultations.id, c.consultationId))
      .where(where('consultation'))
      .groupBy(c.consultationId, consultations.title)
      .orderBy(consultations.title),
    db
      .select({ value: c.phaseId, label: phases.title, consultation: consultations.title, n: count() })
      .from(c)
      .innerJoin(phases, eq(phases.id, c.phaseId))
      .innerJoin(consultations, eq(consultations.id, c.consultationId))
      .where(where('phase'))
      .groupBy(c.phaseId, phases.title, consultations.title, phases.position)
      .orderBy(consultations.title, phases.position),
    db
      .select({ consultationId: c.consultationId, kind: c.targetKind, key: c.targetKey, n: count() })
      .from(c)
      .where(where('target'))
      .groupBy(c.consultationId, c.targetKind, c.targetKey),
    grouped(c.kind, 'kind'),
    grouped(c.channel as unknown as typeof c.kind, 'channel'),
    grouped(c.language as unknown as typeof c.kind, 'language'),
    db
      .select({ value: sql<boolean>`${hasOpenReport}`, n: count() })
      .from(c)
      .where(where('reported'))
      .groupBy(sql`1`),
    db
      .select({
        all: count(),
        d1: sql<number>`count(*) filter (where ${c.createdAt} < ${new Date(now.getTime() - day).toISOString()}::timestamptz)`.mapWith(Number),
        d3: sql<number>`count(*) filter (where ${c.createdAt} < ${new Date(now.getTime() - 3 * day).toISOString()}::timestamptz)`.mapWith(Number),
        d7: sql<number>`count(*) filter (where ${c.createdAt} < ${new Date(now.getTime() - 7 * day).toISOString()}::timestamptz)`.mapWith(Number),
      })
      .from(c)
      .where(where('age')),
  ]);
  const statusCounts: Record<string, number> = { open: 0, all: 0 };
  for (const r of status) {
    statusCounts[r.value] = r.n;
    statusCounts.all = (statusCounts.all ?? 0) + r.n;
    if (r.value === 'pending') statusCounts.open = (statusCounts.open ?? 0) + r.n;
    else if (r.value === 'published' || r.value === 'hidden') statusCounts.open = (statusCounts.open ?? 0) + r.reported;
  }
  // Targets are summed over consultations (a key is unique within one) and named by their code.
  const codes = await itemCodes(db, [...new Set(targetRows.map((r) => r.consultationId))]);
  const targets = new Map<string, Facets['target'][number]>();
  for (const r of targetRows) {
    const value = r.kind === 'consultation' || r.key === null ? 'consultation' : `${r.kind}:${r.key}`;
    const entry = targets.get(value) ?? { value, kind: r.kind, key: r.key, code: r.key ? (codes.get(`${r.consultationId}|${r.kind}:${r.key}`) ?? null) : null, n: 0 };
    entry.n += r.n;
    targets.set(value, entry);
  }
  const order: Record<string, number> = { consultation: 0, field: 1, goal: 2, measure: 3 };
  const record = (rows: Array<{ value: unknown; n: number }>) => Object.fromEntries(rows.map((r) => [String(r.value), r.n]));
  const ages0 = age[0];
  return {
    status: statusCounts,
    consultation: consultationRows.map((r) => ({ value: r.value, label: r.label, n: r.n })),
    phase: phaseRows.filter((r) => r.value !== null).map((r) => ({ value: r.value as number, label: `${r.consultation}: ${r.label}`, n: r.n })),
    target: [...targets.values()].sort(
      (a, b) => (order[a.kind] ?? 9) - (order[b.kind] ?? 9) || (a.code ?? a.key ?? '').localeCompare(b.code ?? b.key ?? '', 'de', { numeric: true }),
    ),
    kind: record(kind),
    channel: record(channel),
    language: record(language),
    reported: Object.fromEntries(reported.map((r) => [r.value ? 'yes' : 'no', r.n])),
    age: { '': ages0?.all ?? 0, '1': ages0?.d1 ?? 0, '3': ages0?.d3 ?? 0, '7': ages0?.d7 ?? 0 },
  };
}

/** The neighbours of an item in the filtered queue: previous and next by the list's order. */
export async function neighbours(db: DbOrTx, filter: QueueFilter, item: { id: number; createdAt: Date }, now = new Date()): Promise<{ prev: number | null; next: number | null }> {
  // Compared with the stored time itself: PostgreSQL keeps microseconds, a JavaScript Date only
  // milliseconds, and the item must never count as its own neighbour.
  const position = sql`(select p.created_at, p.id from ${c} p where p.id = ${item.id})`;
  const after = sql`(${c.createdAt}, ${c.id}) > ${position}`;
  const before = sql`(${c.createdAt}, ${c.id}) < ${position}`;
  const newest = filter.sort === 'newest';
  const where = conditions(filter, now);
  const [nextRows, prevRows] = await Promise.all([
    db
      .select({ id: c.id })
      .from(c)
      .where(and(where, newest ? before : after))
      .orderBy(newest ? desc(c.createdAt) : asc(c.createdAt), newest ? desc(c.id) : asc(c.id))
      .limit(1),
    db
      .select({ id: c.id })
      .from(c)
      .where(and(where, newest ? after : before))
      .orderBy(newest ? asc(c.createdAt) : desc(c.createdAt), newest ? asc(c.id) : desc(c.id))
      .limit(1),
  ]);
  return { prev: prevRows[0]?.id ?? null, next: nextRows[0]?.id ?? null };
}

/** Everything the item page shows about one contribution; null when there is none to moderate. */
export async function loadItem(db: DbOrTx, id: number) {
  const [row] = await db
    .select({
      contribution: c,
      consultationSlug: consultations.slug,
      consultationTitle: consultations.title,
      phaseTitle: phases.title,
      moderationMode: phases.moderationMode,
      displayName: users.displayName,
      deletedAt: users.deletedAt,
      organisationName: organisations.name,
      claimedByName: claimer,
      moderatedByName: sql<string | null>`(select coalesce(u.display_name, '') from "user" u where u.id = ${c.moderatedBy})`,
    })
    .from(c)
    .innerJoin(consultations, eq(consultations.id, c.consultationId))
    .leftJoin(phases, eq(phases.id, c.phaseId))
    .leftJoin(users, eq(users.id, c.authorId))
    .leftJoin(organisations, eq(organisations.id, c.organisationId))
    .where(eq(c.id, id));
  if (!row || row.contribution.status === 'unconfirmed') return null;
  const r = row.contribution;
  const [parent, reports, others, history, codes] = await Promise.all([
    r.parentId
      ? db
          .select({ id: c.id, body: c.body, redactedBody: c.redactedBody, language: c.language, status: c.status })
          .from(c)
          .where(eq(c.id, r.parentId))
          .then((rows) => rows[0] ?? null)
      : Promise.resolve(null),
    db
      .select({ id: contributionReports.id, reason: contributionReports.reason, note: contributionReports.note, createdAt: contributionReports.createdAt, resolvedAt: contributionReports.resolvedAt })
      .from(contributionReports)
      .where(eq(contributionReports.contributionId, id))
      .orderBy(asc(contributionReports.createdAt)),
    r.authorId || r.guestEmail
      ? db
          .select({ n: count() })
          .from(c)
          .where(and(ne(c.id, id), r.authorId ? eq(c.authorId, r.authorId) : and(isNull(c.authorId), eq(c.guestEmail, r.guestEmail as string))))
          .then((rows) => rows[0]?.n ?? 0)
      : Promise.resolve(null),
    loadHistory(db, id),
    itemCodes(db, [r.consultationId]),
  ]);
  return {
    ...row,
    author: authorOf({ authorId: r.authorId, guestEmail: r.guestEmail !== null, displayName: row.displayName, deletedAt: row.deletedAt, organisationName: row.organisationName }),
    targetCode: r.targetKey ? (codes.get(`${r.consultationId}|${r.targetKind}:${r.targetKey}`) ?? null) : null,
    parent,
    reports,
    otherContributions: others,
    history,
  };
}

export interface HistoryEntry {
  action: string;
  reason: string | null;
  note: string | null;
  actorName: string | null;
  createdAt: Date;
  statusBefore: string | null;
  statusAfter: string | null;
  textBefore: string | null;
  textAfter: string | null;
}

const actorName = sql<string | null>`case when ${users.deletedAt} is null then ${users.displayName} end`;

/** The audit entries of one contribution, newest first (moderation and the author's own steps). */
export async function loadHistory(db: DbOrTx, id: number): Promise<HistoryEntry[]> {
  const rows = await db
    .select({ action: auditEntries.action, reason: auditEntries.reason, before: auditEntries.before, after: auditEntries.after, createdAt: auditEntries.createdAt, actorName })
    .from(auditEntries)
    .leftJoin(users, eq(users.id, auditEntries.actorId))
    .where(and(eq(auditEntries.subjectType, 'contribution'), eq(auditEntries.subjectId, String(id))))
    .orderBy(desc(auditEntries.createdAt), desc(auditEntries.id));
  return rows.map(historyEntry);
}

function historyEntry(r: { action: string; reason: string | null; before: unknown; after: unknown; createdAt: Date; actorName: string | null }): HistoryEntry {
  const b = (r.before ?? {}) as Record<string, unknown>;
  const a = (r.after ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    action: r.action,
    reason: r.reason,
    note: text(a.note),
    actorName: r.actorName,
    createdAt: r.createdAt,
    statusBefore: text(b.status),
    statusAfter: text(a.status),
    textBefore: text(b.text),
    textAfter: text(a.text),
  };
}

export interface AuditFilter {
  consultation: number | null;
  moderator: string;
  from: string;
  to: string;
  page: number;
}

export function parseAuditFilter(query: unknown): AuditFilter {
  const q = (query ?? {}) as Record<string, unknown>;
  const date = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? v : '');
  const moderator = str(q, 'moderator');
  return {
    consultation: id(str(q, 'consultation')),
    moderator: /^[0-9a-f-]{36}$/.test(moderator) ? moderator : '',
    from: date(str(q, 'from')),
    to: date(str(q, 'to')),
    page: Math.max(1, Math.min(id(str(q, 'page')) ?? 1, 100_000)),
  };
}

export function auditQuery(filter: AuditFilter, change: Partial<AuditFilter> = {}): string {
  const f = { ...filter, ...change };
  const params = new URLSearchParams();
  if (f.consultation !== null) params.set('consultation', String(f.consultation));
  if (f.moderator) params.set('moderator', f.moderator);
  if (f.from) params.set('from', f.from);
  if (f.to) params.set('to', f.to);
  if (f.page > 1) params.set('page', String(f.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Midnight in Berlin at the start of a calendar day (dates in the filter are Berlin dates). */
function berlinMidnight(date: string, plusDays = 0): Date {
  const utc = new Date(`${date}T00:00:00Z`);
  utc.setUTCDate(utc.getUTCDate() + plusDays);
  const offset = new Date(utc.toLocaleString('en-US', { timeZone: 'Europe/Berlin' })).getTime() - new Date(utc.toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
  return new Date(utc.getTime() - offset);
}

function auditConditions(filter: AuditFilter): SQL {
  return and(
    eq(auditEntries.subjectType, 'contribution'),
    like(auditEntries.action, 'moderation.%'),
    filter.consultation !== null ? eq(c.consultationId, filter.consultation) : undefined,
    filter.moderator ? eq(auditEntries.actorId, filter.moderator) : undefined,
    filter.from ? gte(auditEntries.createdAt, berlinMidnight(filter.from)) : undefined,
    filter.to ? lt(auditEntries.createdAt, berlinMidnight(filter.to, 1)) : undefined,
  ) as SQL;
}

export interface AuditRow extends HistoryEntry {
  id: number;
  contributionId: number;
  consultationSlug: string;
}

function auditSelect(db: DbOrTx) {
  return db
    .select({
      id: auditEntries.id,
      action: auditEntries.action,
      reason: auditEntries.reason,
      before: auditEntries.before,
      after: auditEntries.after,
      createdAt: auditEntries.createdAt,
      actorName,
      contributionId: c.id,
      consultationSlug: consultations.slug,
    })
    .from(auditEntries)
    .innerJoin(c, sql`${c.id}::text = ${auditEntries.subjectId}`)
    .innerJoin(consultations, eq(consultations.id, c.consultationId))
    .leftJoin(users, eq(users.id, auditEntries.actorId));
}

type AuditSelectRow = { id: number; contributionId: number; consultationSlug: string } & Parameters<typeof historyEntry>[0];
const toAuditRow = (r: AuditSelectRow): AuditRow => ({ ...historyEntry(r), id: r.id, contributionId: r.contributionId, consultationSlug: r.consultationSlug });

/** One page of moderation audit entries, newest first. */
export async function loadAudit(db: DbOrTx, filter: AuditFilter): Promise<{ rows: AuditRow[]; total: number }> {
  const [rows, [total]] = await Promise.all([
    auditSelect(db)
      .where(auditConditions(filter))
      .orderBy(desc(auditEntries.createdAt), desc(auditEntries.id))
      .limit(AUDIT_PAGE_SIZE)
      .offset((filter.page - 1) * AUDIT_PAGE_SIZE),
    db
      .select({ n: count() })
      .from(auditEntries)
      .innerJoin(c, sql`${c.id}::text = ${auditEntries.subjectId}`)
      .where(auditConditions(filter)),
  ]);
  return { rows: rows.map(toAuditRow), total: total?.n ?? 0 };
}

/** All entries matching the filter, a batch at a time by id (keyset), newest first: for the CSV. */
export async function* auditBatches(db: DbOrTx, filter: AuditFilter, size = 500): AsyncGenerator<AuditRow[]> {
  let before: number | null = null;
  for (;;) {
    const rows: AuditSelectRow[] = await auditSelect(db)
      .where(and(auditConditions(filter), before === null ? undefined : lt(auditEntries.id, before)))
      .orderBy(desc(auditEntries.id))
      .limit(size);
    if (rows.length === 0) return;
    before = rows.at(-1)?.id ?? null;
    yield rows.map(toAuditRow);
    if (rows.length < size) return;
  }
}

/** The people who took moderation decisions (for the audit filter), by display name. */
export async function listModerators(db: DbOrTx): Promise<Array<{ id: string; name: string }>> {
  const rows = await db
    .selectDistinct({ id: users.id, name: users.displayName })
    .from(auditEntries)
    .innerJoin(users, eq(users.id, auditEntries.actorId))
    .where(and(eq(auditEntries.subjectType, 'contribution'), like(auditEntries.action, 'moderation.%')));
  return rows.map((r) => ({ id: r.id, name: r.name ?? '' })).sort((a, b) => a.name.localeCompare(b.name, 'de'));
}

export async function listConsultations(db: DbOrTx): Promise<Array<{ id: number; title: string }>> {
  return db.select({ id: consultations.id, title: consultations.title }).from(consultations).orderBy(consultations.title);
}

