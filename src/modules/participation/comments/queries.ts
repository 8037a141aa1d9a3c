/**
 * Reading comments for the public pages: one page of an item's top-level comments (with the
 * total, by a window count), their replies, and the organisations they were posted for, in three
 * queries whatever the page holds.
 */
import { and, asc, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/index.js';
import { users } from '../../accounts/schema.js';
import type { ItemKind, PlanVersion } from '../../plans/queries.js';
import { fields, goals, measures, planVersions } from '../../plans/schema.js';
import { type PublicAnswer, publicAnswers } from '../../consolidation/review/public.js';
import { contributions, organisations, type TargetKind } from '../schema.js';

export const COMMENTS_PER_PAGE = 20;

export type CommentOrder = 'newest' | 'oldest';

/** What a comment list is about: the whole consultation (key null) or one item. */
export interface CommentTarget {
  kind: TargetKind;
  key: string | null;
}

export interface CommentAuthor {
  /** 'person': a display name; 'private': a guest or a deleted account; 'organisation'. */
  type: 'person' | 'private' | 'organisation';
  name: string | null;
  verified: boolean;
}

export interface CommentView {
  id: number;
  parentId: number | null;
  body: string;
  language: string;
  status: 'published' | 'withdrawn';
  createdAt: Date;
  editedAt: Date | null;
  author: CommentAuthor;
  replies: CommentView[];
  /** The city's published answer (Abwägung), once answers are published. */
  answers: PublicAnswer[];
}

export interface CommentPage {
  target: CommentTarget;
  order: CommentOrder;
  page: number;
  pageCount: number;
  /** Top-level comments (published or withdrawn after publication) on the item. */
  total: number;
  comments: CommentView[];
}

/**
 * Visible in a list: published, or withdrawn after it had been public (its slot stays, so the
 * replies keep their context). Never-published contributions leave no trace.
 */
const shown = or(eq(contributions.status, 'published'), and(eq(contributions.status, 'withdrawn'), isNotNull(contributions.publishedAt)));

export function targetCondition(consultationId: number, target: CommentTarget): SQL {
  return and(
    eq(contributions.consultationId, consultationId),
    eq(contributions.kind, 'comment'),
    eq(contributions.targetKind, target.kind),
    target.key === null ? isNull(contributions.targetKey) : eq(contributions.targetKey, target.key),
  ) as SQL;
}

const columns = {
  id: contributions.id,
  parentId: contributions.parentId,
  body: contributions.body,
  redactedBody: contributions.redactedBody,
  language: contributions.language,
  status: contributions.status,
  createdAt: contributions.createdAt,
  editedAt: contributions.editedAt,
  displayName: users.displayName,
  deletedAt: users.deletedAt,
  organisationName: organisations.name,
  organisationVerifiedAt: organisations.verifiedAt,
};

type Row = {
  id: number;
  parentId: number | null;
  body: string;
  redactedBody: string | null;
  language: string;
  status: string;
  createdAt: Date;
  editedAt: Date | null;
  displayName: string | null;
  deletedAt: Date | null;
  organisationName: string | null;
  organisationVerifiedAt: Date | null;
};

export function authorOf(row: Pick<Row, 'displayName' | 'deletedAt' | 'organisationName' | 'organisationVerifiedAt'>): CommentAuthor {
  if (row.organisationName) return { type: 'organisation', name: row.organisationName, verified: row.organisationVerifiedAt !== null };
  if (row.displayName && !row.deletedAt) return { type: 'person', name: row.displayName, verified: false };
  return { type: 'private', name: null, verified: false };
}

function view(row: Row): CommentView {
  return {
    id: row.id,
    parentId: row.parentId,
    // A withdrawn comment's text is no longer shown anywhere public; where a moderator removed
    // a passage, the public sees the redacted text.
    body: row.status === 'withdrawn' ? '' : (row.redactedBody ?? row.body),
    language: row.language,
    status: row.status === 'withdrawn' ? 'withdrawn' : 'published',
    createdAt: row.createdAt,
    editedAt: row.editedAt,
    author: authorOf(row),
    replies: [],
    answers: [],
  };
}

/** `?order=` and `?page=` as the list understands them; anything odd falls back to the default. */
export function parseListQuery(query: unknown): { order: CommentOrder; page: number } {
  const q = (query ?? {}) as Record<string, unknown>;
  const order = q.order === 'oldest' ? 'oldest' : 'newest';
  const raw = typeof q.page === 'string' && /^\d{1,6}$/.test(q.page) ? Number(q.page) : 1;
  return { order, page: Math.max(1, raw) };
}

/**
 * One page of an item's comments with their replies (oldest first). Authors' names and
 * organisations come with each row by joins: two queries in all.
 */
export async function loadCommentPage(db: DbOrTx, consultationId: number, target: CommentTarget, order: CommentOrder = 'newest', page = 1): Promise<CommentPage> {
  const direction = order === 'newest' ? desc : asc;
  const rows = await db
    .select({ ...columns, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(contributions)
    .leftJoin(users, eq(users.id, contributions.authorId))
    .leftJoin(organisations, eq(organisations.id, contributions.organisationId))
    .where(and(targetCondition(consultationId, target), isNull(contributions.parentId), shown))
    .orderBy(direction(contributions.createdAt), direction(contributions.id))
    .limit(COMMENTS_PER_PAGE)
    .offset((page - 1) * COMMENTS_PER_PAGE);
  const comments = rows.map(view);
  if (comments.length > 0) {
    const replyRows = await db
      .select(columns)
      .from(contributions)
      .leftJoin(users, eq(users.id, contributions.authorId))
      .leftJoin(organisations, eq(organisations.id, contributions.organisationId))
      .where(
        and(
          inArray(
            contributions.parentId,
            comments.map((c) => c.id),
          ),
          shown,
        ),
      )
      .orderBy(asc(contributions.createdAt), asc(contributions.id));
    const byId = new Map(comments.map((c) => [c.id, c]));
    for (const row of replyRows) byId.get(row.parentId as number)?.replies.push(view(row));
    await withAnswers(db, comments);
  }
  // Past the last page there are no rows to carry the total: the pager then offers page 1.
  const total = rows[0]?.total ?? 0;
  return { target, order, page, total, pageCount: Math.max(1, Math.ceil(total / COMMENTS_PER_PAGE)), comments };
}

/** Adds the published answers to comments and their replies: one query for all of them. */
export async function withAnswers(db: DbOrTx, comments: CommentView[]): Promise<void> {
  const all = [...comments, ...comments.flatMap((c) => c.replies)].filter((c) => c.status === 'published');
  if (all.length === 0) return;
  const answers = await publicAnswers(
    db,
    all.map((c) => c.id),
  );
  for (const c of all) c.answers = answers.get(c.id) ?? [];
}

/** A plan item as the comment pages name it: its code and text in the newest public version holding it. */
export interface ItemRef {
  kind: ItemKind;
  key: string;
  code: string;
  text: string;
}

export async function findItem(db: DbOrTx, kind: ItemKind, key: string, versions: PlanVersion[]): Promise<ItemRef | null> {
  if (versions.length === 0) return null;
  const ids = versions.map((v) => v.id);
  const table = { field: fields, goal: goals, measure: measures }[kind];
  const text = kind === 'field' ? fields.title : kind === 'goal' ? goals.text : measures.text;
  const [row] = await db
    .select({ code: table.code, text })
    .from(table)
    .innerJoin(planVersions, eq(planVersions.id, table.planVersionId))
    .where(and(eq(table.key, key), inArray(table.planVersionId, ids)))
    .orderBy(desc(planVersions.position))
    .limit(1);
  return row ? { kind, key, code: row.code, text: row.text } : null;
}

/** One contribution with what its own page shows; null when it does not exist. */
export async function loadContribution(db: DbOrTx, id: number) {
  const [row] = await db
    .select({
      ...columns,
      kind: contributions.kind,
      consultationId: contributions.consultationId,
      targetKind: contributions.targetKind,
      targetKey: contributions.targetKey,
      title: contributions.title,
      authorId: contributions.authorId,
      organisationId: contributions.organisationId,
      publishedAt: contributions.publishedAt,
      publishText: contributions.publishText,
      statusReason: contributions.statusReason,
      receiptNumber: contributions.receiptNumber,
    })
    .from(contributions)
    .leftJoin(users, eq(users.id, contributions.authorId))
    .leftJoin(organisations, eq(organisations.id, contributions.organisationId))
    .where(eq(contributions.id, id));
  return row ?? null;
}

/** Visible replies of one comment, oldest first. */
export async function loadReplies(db: DbOrTx, parentId: number): Promise<CommentView[]> {
  const rows = await db
    .select(columns)
    .from(contributions)
    .leftJoin(users, eq(users.id, contributions.authorId))
    .leftJoin(organisations, eq(organisations.id, contributions.organisationId))
    .where(and(eq(contributions.parentId, parentId), shown))
    .orderBy(asc(contributions.createdAt), asc(contributions.id));
  return rows.map(view);
}

export { view as commentView };
