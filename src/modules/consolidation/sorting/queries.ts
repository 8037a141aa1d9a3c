/**
 * Reading for the organisers' sorting: the plan outline targets are chosen from, a contribution
 * with everything its sort page shows, contributions with a similar text (pg_trgm), the sorting
 * list with its filters, tags with their counts, groups.
 */
import { and, asc, count, desc, eq, inArray, isNull, ne, or, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/index.js';
import { contributionChannels, contributionKinds, contributionReferences, contributions, organisations, type TargetKind } from '../../participation/schema.js';
import { loadPlanTree } from '../../plans/queries.js';
import { planVersions } from '../../plans/schema.js';
import { contributionGroupMembers, contributionGroups, contributionSections, contributionTags, responses, tags } from '../schema.js';
import { eligibleContribution } from '../service.js';

export const SORTING_PAGE_SIZE = 50;
export const GROUPS_PAGE_SIZE = 50;
/** How alike two texts must be (pg_trgm similarity, 0..1) to be suggested as a group. */
export const SIMILARITY_THRESHOLD = 0.4;
export const SIMILAR_LIMIT = 10;
/**
 * Texts are compared by their beginning: similarity() builds the trigrams of both texts on every
 * call, so a 50,000-character statement compared with a whole consultation would take a minute
 * (measured on PostgreSQL 15: 10,000 rows against 1,000 characters ≈ 1.8 s, against 50,000 ≈ 39 s).
 */
export const SIMILARITY_CHARS = 1000;
/** The duplicates page compares the newest this many contributions pairwise (bounded cost). */
export const DUPLICATES_WINDOW = 100;
export const DUPLICATES_CHARS = 400;
export const DUPLICATES_THRESHOLD = 0.6;
export const DUPLICATES_LIMIT = 50;

const c = contributions;

// ---------------------------------------------------------------------------------------------
// The plan outline
// ---------------------------------------------------------------------------------------------

export interface OutlineItem {
  kind: Exclude<TargetKind, 'consultation'>;
  key: string;
  code: string;
  text: string;
}

export interface OutlineGroup {
  /** null: the cross-cutting measures (no field). */
  field: OutlineItem | null;
  items: OutlineItem[];
}

export interface Outline {
  versionLabel: string | null;
  groups: OutlineGroup[];
  /** By target value ('measure:m-…'), for labels and to check a chosen target. */
  byValue: Map<string, OutlineItem>;
}

/** A target as one form value: 'consultation', 'field:<key>', 'goal:<key>', 'measure:<key>'. */
export function targetValue(kind: TargetKind, key: string | null): string {
  return kind === 'consultation' || !key ? 'consultation' : `${kind}:${key}`;
}

export function parseTargetValue(value: string): { kind: TargetKind; key: string | null } | null {
  if (value === 'consultation') return { kind: 'consultation', key: null };
  const m = /^(field|goal|measure):([\w.-]{1,200})$/.exec(value);
  return m ? { kind: m[1] as TargetKind, key: m[2] as string } : null;
}

/**
 * Fields → goals → measures of the consultation's newest plan version (by position, whatever
 * its status: during the Abwägung the draft of the next version may already exist, and stable
 * keys carry over), in the plan's order.
 */
export async function loadOutline(db: DbOrTx, consultationId: number): Promise<Outline> {
  const [version] = await db.select().from(planVersions).where(eq(planVersions.consultationId, consultationId)).orderBy(desc(planVersions.position)).limit(1);
  const outline: Outline = { versionLabel: version?.label ?? null, groups: [], byValue: new Map() };
  if (!version) return outline;
  const tree = await loadPlanTree(db, version);
  const add = (group: OutlineGroup, item: OutlineItem) => {
    group.items.push(item);
    outline.byValue.set(`${item.kind}:${item.key}`, item);
  };
  for (const f of tree.fields) {
    const field: OutlineItem = { kind: 'field', key: f.key, code: f.code, text: f.title };
    const group: OutlineGroup = { field, items: [] };
    add(group, field);
    for (const g of f.goals) {
      add(group, { kind: 'goal', key: g.key, code: g.code, text: g.text });
      for (const m of g.measures) add(group, { kind: 'measure', key: m.key, code: m.code, text: m.text });
    }
    for (const m of f.measures) add(group, { kind: 'measure', key: m.key, code: m.code, text: m.text });
    outline.groups.push(group);
  }
  if (tree.crossCutting.length) {
    const group: OutlineGroup = { field: null, items: [] };
    for (const m of tree.crossCutting) add(group, { kind: 'measure', key: m.key, code: m.code, text: m.text });
    outline.groups.push(group);
  }
  return outline;
}

// ---------------------------------------------------------------------------------------------
// One contribution and its sort page
// ---------------------------------------------------------------------------------------------

export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}

/** The contribution if it counts in the Abwägung; null otherwise (unknown, withdrawn, waiting …). */
export async function loadEligible(db: DbOrTx, id: number) {
  const [row] = await db
    .select({
      id: c.id,
      consultationId: c.consultationId,
      kind: c.kind,
      status: c.status,
      channel: c.channel,
      targetKind: c.targetKind,
      targetKey: c.targetKey,
      parentId: c.parentId,
      title: c.title,
      body: c.body,
      language: c.language,
      receiptNumber: c.receiptNumber,
      receivedAt: c.receivedAt,
      createdAt: c.createdAt,
      organisationName: organisations.name,
    })
    .from(c)
    .leftJoin(organisations, eq(organisations.id, c.organisationId))
    .where(and(eq(c.id, id), eligibleContribution));
  return row ?? null;
}

export type EligibleContribution = NonNullable<Awaited<ReturnType<typeof loadEligible>>>;

export type Unit = typeof responses.$inferSelect;

/** The contribution's own unit (neither section nor group). */
export async function ownUnit(db: DbOrTx, contributionId: number): Promise<Unit | null> {
  const [row] = await db
    .select()
    .from(responses)
    .where(and(eq(responses.contributionId, contributionId), isNull(responses.sectionId), isNull(responses.groupId)));
  return row ?? null;
}

export interface SectionView {
  id: number;
  position: number;
  body: string;
  unit: Unit | null;
}

export async function loadSections(db: DbOrTx, contributionId: number): Promise<SectionView[]> {
  const rows = await db
    .select({ section: contributionSections, unit: responses })
    .from(contributionSections)
    .leftJoin(responses, eq(responses.sectionId, contributionSections.id))
    .where(eq(contributionSections.contributionId, contributionId))
    .orderBy(asc(contributionSections.position));
  return rows.map((r) => ({ id: r.section.id, position: r.section.position, body: r.section.body, unit: r.unit }));
}

export interface MemberView {
  id: number;
  kind: string;
  channel: string;
  language: string;
  receiptNumber: string | null;
  excerpt: string;
  isLead: boolean;
  createdAt: Date;
}

export interface GroupView {
  id: number;
  consultationId: number;
  title: string;
  leadContributionId: number;
  createdAt: Date;
  unit: Unit | null;
  members: MemberView[];
}

export async function loadGroup(db: DbOrTx, groupId: number): Promise<GroupView | null> {
  const [row] = await db
    .select({ group: contributionGroups, unit: responses })
    .from(contributionGroups)
    .leftJoin(responses, eq(responses.groupId, contributionGroups.id))
    .where(eq(contributionGroups.id, groupId));
  if (!row) return null;
  const members = await db
    .select({
      id: c.id,
      kind: c.kind,
      channel: c.channel,
      language: c.language,
      receiptNumber: c.receiptNumber,
      body: sql<string>`left(${c.body}, 400)`,
      createdAt: c.createdAt,
    })
    .from(contributionGroupMembers)
    .innerJoin(c, eq(c.id, contributionGroupMembers.contributionId))
    .where(eq(contributionGroupMembers.groupId, groupId))
    .orderBy(asc(contributionGroupMembers.addedAt), asc(c.id));
  const lead = row.group.leadContributionId;
  return {
    ...row.group,
    unit: row.unit,
    members: members
      .map((m) => ({ id: m.id, kind: m.kind, channel: m.channel, language: m.language, receiptNumber: m.receiptNumber, excerpt: shorten(m.body, 240), isLead: m.id === lead, createdAt: m.createdAt }))
      .sort((a, b) => Number(b.isLead) - Number(a.isLead)),
  };
}

/** The group a contribution is in, if any. */
export async function groupOf(db: DbOrTx, contributionId: number): Promise<number | null> {
  const [row] = await db.select({ groupId: contributionGroupMembers.groupId }).from(contributionGroupMembers).where(eq(contributionGroupMembers.contributionId, contributionId));
  return row?.groupId ?? null;
}

/** Tags of the consultation, with whether the contribution carries each. */
export async function tagsFor(db: DbOrTx, consultationId: number, contributionId: number) {
  return db
    .select({
      id: tags.id,
      label: tags.label,
      checked: sql<boolean>`exists (select 1 from ${contributionTags} ct where ct.tag_id = ${tags.id} and ct.contribution_id = ${contributionId})`,
    })
    .from(tags)
    .where(eq(tags.consultationId, consultationId))
    .orderBy(asc(sql`lower(${tags.label})`), asc(tags.id));
}

/** The goals and measures a written statement names. */
export async function referencesOf(db: DbOrTx, contributionId: number) {
  return db
    .select({ kind: contributionReferences.targetKind, key: contributionReferences.targetKey })
    .from(contributionReferences)
    .where(eq(contributionReferences.contributionId, contributionId));
}

export interface SimilarRow {
  id: number;
  kind: string;
  channel: string;
  language: string;
  receiptNumber: string | null;
  excerpt: string;
  similarity: number;
  groupId: number | null;
  hasSections: boolean;
}

/**
 * Contributions of the same consultation whose text is like this one (pg_trgm similarity at
 * least the threshold), most alike first. A sequential scan over one consultation: there is
 * deliberately no trigram index.
 */
export async function similarContributions(db: DbOrTx, contribution: { id: number; consultationId: number; body: string }, limit = SIMILAR_LIMIT): Promise<SimilarRow[]> {
  const text = [...contribution.body].slice(0, SIMILARITY_CHARS).join('');
  const score = sql<number>`similarity(left(${c.body}, ${SIMILARITY_CHARS}), ${text})`;
  const rows = await db
    .select({
      id: c.id,
      kind: c.kind,
      channel: c.channel,
      language: c.language,
      receiptNumber: c.receiptNumber,
      body: sql<string>`left(${c.body}, 400)`,
      similarity: score.mapWith(Number),
      groupId: contributionGroupMembers.groupId,
      hasSections: sql<boolean>`exists (select 1 from ${contributionSections} s where s.contribution_id = ${c.id})`,
    })
    .from(c)
    .leftJoin(contributionGroupMembers, eq(contributionGroupMembers.contributionId, c.id))
    .where(and(eq(c.consultationId, contribution.consultationId), ne(c.id, contribution.id), eligibleContribution, sql`${score} >= ${SIMILARITY_THRESHOLD}`))
    .orderBy(desc(score), asc(c.id))
    .limit(limit);
  return rows.map((r) => ({ ...r, excerpt: shorten(r.body, 240), hasSections: Boolean(r.hasSections) }));
}

export interface DuplicatePair {
  a: { id: number; excerpt: string; language: string; groupId: number | null };
  b: { id: number; excerpt: string; language: string; groupId: number | null };
  similarity: number;
}

/**
 * Pairs of alike contributions among the newest DUPLICATES_WINDOW of the consultation, by the
 * first DUPLICATES_CHARS characters: at most window² / 2 short comparisons (≈ 0.25 s on
 * PostgreSQL), whatever the consultation's size.
 */
export async function duplicatePairs(db: DbOrTx, consultationId: number): Promise<DuplicatePair[]> {
  const newest = db
    .select({ id: c.id, body: sql<string>`left(${c.body}, ${DUPLICATES_CHARS})`.as('body') })
    .from(c)
    .where(and(eq(c.consultationId, consultationId), eligibleContribution))
    .orderBy(desc(c.createdAt), desc(c.id))
    .limit(DUPLICATES_WINDOW)
    .as('n');
  const other = db
    .select({ id: sql<number>`${c.id}`.as('other_id'), body: sql<string>`left(${c.body}, ${DUPLICATES_CHARS})`.as('other_body') })
    .from(c)
    .where(and(eq(c.consultationId, consultationId), eligibleContribution))
    .orderBy(desc(c.createdAt), desc(c.id))
    .limit(DUPLICATES_WINDOW)
    .as('o');
  const score = sql<number>`similarity(${newest.body}, ${other.body})`;
  const pairs = await db
    .select({ a: newest.id, b: other.id, similarity: score.mapWith(Number) })
    .from(newest)
    .innerJoin(other, sql`${newest.id} < ${other.id}`)
    .where(sql`${score} >= ${DUPLICATES_THRESHOLD}`)
    .orderBy(desc(score), asc(newest.id), asc(other.id))
    .limit(DUPLICATES_LIMIT);
  if (pairs.length === 0) return [];
  const ids = [...new Set(pairs.flatMap((p) => [Number(p.a), Number(p.b)]))];
  const rows = await db
    .select({ id: c.id, body: sql<string>`left(${c.body}, 300)`, language: c.language, groupId: contributionGroupMembers.groupId })
    .from(c)
    .leftJoin(contributionGroupMembers, eq(contributionGroupMembers.contributionId, c.id))
    .where(inArray(c.id, ids));
  const byId = new Map(rows.map((r) => [r.id, { id: r.id, excerpt: shorten(r.body, 200), language: r.language, groupId: r.groupId }]));
  return pairs
    .map((p) => ({ a: byId.get(Number(p.a)), b: byId.get(Number(p.b)), similarity: p.similarity }))
    .filter((p): p is DuplicatePair => p.a !== undefined && p.b !== undefined);
}

// ---------------------------------------------------------------------------------------------
// The sorting list
// ---------------------------------------------------------------------------------------------

export interface SortingFilter {
  tag: number | null;
  /** '' (any) or a target value. */
  target: string;
  channel: '' | (typeof contributionChannels)[number];
  kind: '' | (typeof contributionKinds)[number];
  unsorted: boolean;
  page: number;
}

const str = (q: Record<string, unknown>, name: string) => (typeof q[name] === 'string' ? (q[name] as string).replace(/\u0000/g, '') : '');
const idOf = (raw: string) => (/^\d{1,9}$/.test(raw) ? Number(raw) : null);

export function parseSortingFilter(query: unknown): SortingFilter {
  const q = (query ?? {}) as Record<string, unknown>;
  const pick = <T extends string>(value: string, list: readonly T[]): T | '' => ((list as readonly string[]).includes(value) ? (value as T) : '');
  const target = str(q, 'target');
  return {
    tag: idOf(str(q, 'tag')),
    target: parseTargetValue(target) ? target : '',
    channel: pick(str(q, 'channel'), contributionChannels),
    kind: pick(str(q, 'kind'), contributionKinds),
    unsorted: str(q, 'unsorted') === 'yes',
    page: Math.max(1, Math.min(idOf(str(q, 'page')) ?? 1, 100_000)),
  };
}

export function sortingQuery(filter: SortingFilter, change: Partial<SortingFilter> = {}): string {
  const f = { ...filter, ...change };
  const params = new URLSearchParams();
  if (f.tag !== null) params.set('tag', String(f.tag));
  if (f.target) params.set('target', f.target);
  if (f.channel) params.set('channel', f.channel);
  if (f.kind) params.set('kind', f.kind);
  if (f.unsorted) params.set('unsorted', 'yes');
  if (f.page > 1) params.set('page', String(f.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

const own = and(isNull(responses.sectionId), isNull(responses.groupId));

function targetCondition(value: string): SQL | undefined {
  const target = parseTargetValue(value);
  if (!target) return undefined;
  const unitMatches = (alias: string) =>
    target.key === null ? sql.raw(`${alias}.target_kind = 'consultation'`) : sql`${sql.raw(alias)}.target_kind = ${target.kind} and ${sql.raw(alias)}.target_key = ${target.key}`;
  // The contribution's own unit, or one of its sections, or the group it is in.
  return or(
    target.key === null ? eq(responses.targetKind, 'consultation') : and(eq(responses.targetKind, target.kind), eq(responses.targetKey, target.key)),
    sql`exists (select 1 from response sr where sr.contribution_id = ${c.id} and sr.section_id is not null and ${unitMatches('sr')})`,
    sql`exists (select 1 from contribution_group_member gm join response gr on gr.group_id = gm.group_id where gm.contribution_id = ${c.id} and ${unitMatches('gr')})`,
  );
}

export interface SortingRow {
  id: number;
  kind: string;
  channel: string;
  language: string;
  receiptNumber: string | null;
  title: string | null;
  excerpt: string;
  createdAt: Date;
  targetKind: TargetKind;
  targetKey: string | null;
  superseded: boolean;
  groupId: number | null;
  sections: number;
  tagLabels: string[];
}

/** One page of the consultation's contributions that count, newest first, with the total. */
export async function loadSortingList(db: DbOrTx, consultationId: number, filter: SortingFilter): Promise<{ rows: SortingRow[]; total: number }> {
  const parts: Array<SQL | undefined> = [
    eq(c.consultationId, consultationId),
    eligibleContribution,
    filter.tag === null ? undefined : sql`exists (select 1 from ${contributionTags} ct where ct.contribution_id = ${c.id} and ct.tag_id = ${filter.tag})`,
    filter.target ? targetCondition(filter.target) : undefined,
    filter.channel ? eq(c.channel, filter.channel) : undefined,
    filter.kind ? eq(c.kind, filter.kind) : undefined,
    // Not yet sorted: no tag, no group, no sections, and its unit untouched since it was made.
    filter.unsorted ? and(sql`not exists (select 1 from ${contributionTags} ct where ct.contribution_id = ${c.id})`, eq(responses.version, 0), eq(responses.superseded, false)) : undefined,
  ];
  const rows = await db
    .select({
      id: c.id,
      kind: c.kind,
      channel: c.channel,
      language: c.language,
      receiptNumber: c.receiptNumber,
      title: c.title,
      body: sql<string>`left(${c.body}, 400)`,
      createdAt: c.createdAt,
      targetKind: responses.targetKind,
      targetKey: responses.targetKey,
      superseded: responses.superseded,
      groupId: contributionGroupMembers.groupId,
      sections: sql<number>`(select count(*) from ${contributionSections} s where s.contribution_id = ${c.id})`.mapWith(Number),
      tagLabels: sql<string[] | null>`(select array_agg(t.label order by lower(t.label)) from ${contributionTags} ct join ${tags} t on t.id = ct.tag_id where ct.contribution_id = ${c.id})`,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(c)
    .innerJoin(responses, and(eq(responses.contributionId, c.id), own))
    .leftJoin(contributionGroupMembers, eq(contributionGroupMembers.contributionId, c.id))
    .where(and(...parts.filter((p): p is SQL => p !== undefined)))
    .orderBy(desc(c.createdAt), desc(c.id))
    .limit(SORTING_PAGE_SIZE)
    .offset((filter.page - 1) * SORTING_PAGE_SIZE);
  return {
    total: rows[0]?.total ?? 0,
    rows: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      channel: r.channel,
      language: r.language,
      receiptNumber: r.receiptNumber,
      title: r.title,
      excerpt: shorten(r.body, 200),
      createdAt: r.createdAt,
      targetKind: r.targetKind,
      targetKey: r.targetKey,
      superseded: r.superseded,
      groupId: r.groupId,
      sections: r.sections,
      tagLabels: (r.tagLabels ?? []).filter((x): x is string => typeof x === 'string'),
    })),
  };
}

/** Tags of a consultation with how many contributions carry each. */
export async function listTags(db: DbOrTx, consultationId: number) {
  return db
    .select({ id: tags.id, label: tags.label, uses: sql<number>`(select count(*) from ${contributionTags} ct where ct.tag_id = ${tags.id})`.mapWith(Number) })
    .from(tags)
    .where(eq(tags.consultationId, consultationId))
    .orderBy(asc(sql`lower(${tags.label})`), asc(tags.id));
}

export async function findTag(db: DbOrTx, id: number) {
  const [row] = await db.select().from(tags).where(eq(tags.id, id));
  return row ?? null;
}

/** Groups of a consultation (a page), with lead, member count and their unit. */
export async function listGroups(db: DbOrTx, consultationId: number, page: number) {
  const rows = await db
    .select({
      id: contributionGroups.id,
      title: contributionGroups.title,
      leadContributionId: contributionGroups.leadContributionId,
      leadExcerpt: sql<string>`(select left(body, 300) from contribution l where l.id = ${contributionGroups.leadContributionId})`,
      leadLanguage: sql<string>`(select language from contribution l where l.id = ${contributionGroups.leadContributionId})`,
      members: sql<number>`(select count(*) from ${contributionGroupMembers} m where m.group_id = ${contributionGroups.id})`.mapWith(Number),
      targetKind: responses.targetKind,
      targetKey: responses.targetKey,
      status: responses.status,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(contributionGroups)
    .leftJoin(responses, eq(responses.groupId, contributionGroups.id))
    .where(eq(contributionGroups.consultationId, consultationId))
    .orderBy(desc(contributionGroups.createdAt), desc(contributionGroups.id))
    .limit(GROUPS_PAGE_SIZE)
    .offset((page - 1) * GROUPS_PAGE_SIZE);
  return { total: rows[0]?.total ?? 0, rows: rows.map((r) => ({ ...r, leadExcerpt: shorten(r.leadExcerpt ?? '', 200) })) };
}

/** How many contributions a consultation's sorting list holds in all (for the page heading). */
export async function countEligible(db: DbOrTx, consultationId: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(c).where(and(eq(c.consultationId, consultationId), eligibleContribution));
  return row?.n ?? 0;
}
