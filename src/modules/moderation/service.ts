/**
 * Moderation decisions. Each one is a single UPDATE that names the moderation version it was
 * made on and the statuses it may start from; when another moderator decided first, nothing
 * changes and the caller gets a ModerationConflict describing the current state. In the same
 * transaction: the audit entry, the reports it settles, the author's mail and the page-cache
 * announcement when something public changed.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { announceChange } from '../../core/cache.js';
import type { AppContext } from '../../core/context.js';
import { DomainError, type FieldErrors, NotFoundError, ValidationError } from '../../core/errors.js';
import { isLocale } from '../../core/i18n.js';
import type { DbOrTx } from '../../db/index.js';
import { users } from '../accounts/schema.js';
import { recordAudit } from '../audit/service.js';
import { enqueueMail } from '../mail/outbox.js';
import { consultations } from '../plans/schema.js';
import { type ContributionStatus, contributionReports, contributions } from '../participation/schema.js';
import { COMMENT_MAX_LENGTH, CONTRIBUTIONS_TAG, checkText, issueReviseLink, STATEMENT_MAX_LENGTH } from '../participation/service.js';

/**
 * Why a contribution is not (or no longer) published: the house rules' removal reasons. The ids
 * are stored in contribution.status_reason and audit entries; `netiquetteAnchor` names the
 * section of /netiquette that explains each.
 */
export const decisionReasons = ['insult', 'discrimination', 'personal_data', 'spam', 'off_topic', 'duplicate', 'unlawful'] as const;
export type DecisionReason = (typeof decisionReasons)[number];

export function isDecisionReason(value: string): value is DecisionReason {
  return (decisionReasons as readonly string[]).includes(value);
}

/** The id of the reason's section on /netiquette (the page's ids are written with hyphens). */
export function netiquetteAnchor(reason: string): string {
  return reason.replaceAll('_', '-');
}

export const decisions = ['approve', 'reject', 'revise', 'hide', 'restore', 'redact', 'keep', 'resolve'] as const;
export type Decision = (typeof decisions)[number];

export function isDecision(value: string): value is Decision {
  return (decisions as readonly string[]).includes(value);
}

/** The statuses each decision may start from, and where it leads (null: the status stays). */
const transitions: Record<Decision, { from: readonly ContributionStatus[]; to: ContributionStatus | null }> = {
  approve: { from: ['pending', 'rejected', 'revision_requested'], to: 'published' },
  reject: { from: ['pending', 'published', 'hidden', 'revision_requested'], to: 'rejected' },
  revise: { from: ['pending', 'published', 'hidden'], to: 'revision_requested' },
  hide: { from: ['published'], to: 'hidden' },
  restore: { from: ['hidden'], to: 'published' },
  redact: { from: ['pending', 'published', 'hidden', 'rejected', 'revision_requested'], to: null },
  keep: { from: ['rejected'], to: null },
  resolve: { from: ['published', 'pending', 'hidden'], to: null },
};

/** Whether a decision can be taken on a contribution in this status (the item page's forms). */
export function allowedFrom(decision: Decision, status: ContributionStatus): boolean {
  return transitions[decision].from.includes(status);
}

/** Decisions the author hears about by mail. */
const mailed: ReadonlySet<Decision> = new Set(['approve', 'reject', 'revise', 'hide', 'restore']);
/** Decisions that settle the open reports: a moderator has looked. */
const settling: ReadonlySet<Decision> = new Set(['approve', 'reject', 'revise', 'hide', 'restore', 'resolve']);

export const NOTE_MAX_LENGTH = 2000;

export interface DecisionInput {
  decision: Decision;
  /** The moderation version the moderator saw. */
  version: number;
  reason?: string;
  /** To the author (reject, revise) or for the record (hide). */
  note?: string;
  /** redact: the text as the public should see it. */
  text?: string;
  /** keep: keep for the consolidation or not. */
  keep?: boolean;
}

/** The state a refused decision met: who decided what, when. */
export interface CurrentState {
  id: number;
  status: ContributionStatus;
  version: number;
  moderatedAt: Date | null;
  moderatorName: string | null;
}

/** Someone else decided first (or the item is in a state the decision does not apply to). */
export class ModerationConflict extends DomainError {
  constructor(readonly current: CurrentState | null) {
    super(409, 'moderation.conflict.text');
  }
}

export interface DecisionResult {
  id: number;
  status: ContributionStatus;
  version: number;
}

interface Actor {
  id: string;
}

const moderator = sql<string | null>`(select coalesce(${users.displayName}, '') from ${users} where ${users.id} = ${contributions.moderatedBy})`;

export async function currentState(db: DbOrTx, id: number): Promise<CurrentState | null> {
  const [row] = await db
    .select({
      id: contributions.id,
      status: contributions.status,
      version: contributions.moderationVersion,
      moderatedAt: contributions.moderatedAt,
      moderatorName: moderator,
    })
    .from(contributions)
    .where(eq(contributions.id, id));
  return row ?? null;
}

function checkInput(input: DecisionInput, body: { kind: string; body: string } | null): { reason: string | null; note: string; text: string | null } {
  const errors: FieldErrors = {};
  let reason: string | null = null;
  if (input.decision === 'reject' || input.decision === 'hide') {
    if (!input.reason || !isDecisionReason(input.reason)) errors.reason = 'moderation.errors.reason';
    else reason = input.reason;
  }
  const note = checkText(input.note ?? '', errors, 'note', { max: NOTE_MAX_LENGTH, required: input.decision === 'revise' });
  if (errors.note === 'participation.errors.textRequired') errors.note = 'moderation.errors.reviseNote';
  let text: string | null = null;
  if (input.decision === 'redact') {
    const max = body?.kind === 'statement' ? STATEMENT_MAX_LENGTH : COMMENT_MAX_LENGTH;
    text = checkText(input.text ?? '', errors, 'text', { max: Math.max(max, [...(body?.body ?? '')].length) });
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { reason, note, text };
}

/**
 * Takes one decision. Throws ValidationError (a reason or note missing), ModerationConflict
 * (decided by someone else meanwhile, or not applicable in the current state: nothing changed).
 */
export async function decide(ctx: AppContext, actor: Actor, id: number, input: DecisionInput): Promise<DecisionResult> {
  const transition = transitions[input.decision];
  const result = await ctx.db.transaction(async (tx) => {
    // The row as it is, locked until this transaction ends: the status before goes to the audit.
    const [seen] = await tx
      .select({ status: contributions.status, kind: contributions.kind, body: contributions.body, redactedBody: contributions.redactedBody })
      .from(contributions)
      .where(eq(contributions.id, id))
      .for('update');
    if (!seen) throw new NotFoundError();
    const { reason, note, text } = checkInput(input, seen);
    const now = new Date();
    const set: Record<string, unknown> = {
      moderatedBy: actor.id,
      moderatedAt: now,
      moderationVersion: sql`${contributions.moderationVersion} + 1`,
      claimedBy: null,
      claimedAt: null,
    };
    if (transition.to) {
      set.status = transition.to;
      set.statusReason = transition.to === 'published' ? null : reason;
    }
    if (transition.to === 'published') set.publishedAt = sql`coalesce(${contributions.publishedAt}, ${now.toISOString()}::timestamptz)`;
    if (input.decision === 'redact') set.redactedBody = text === null || text === seen.body ? null : text;
    if (input.decision === 'keep') set.keepForConsolidation = input.keep === true;
    if (input.decision === 'reject' && input.keep !== undefined) set.keepForConsolidation = input.keep;

    // The guard: the version the moderator saw, and a status this decision starts from.
    const [row] = await tx
      .update(contributions)
      .set(set as Partial<typeof contributions.$inferInsert>)
      .where(and(eq(contributions.id, id), eq(contributions.moderationVersion, input.version), inArray(contributions.status, [...transition.from])))
      .returning({
        id: contributions.id,
        status: contributions.status,
        version: contributions.moderationVersion,
        authorId: contributions.authorId,
        guestEmail: contributions.guestEmail,
        pageLocale: contributions.pageLocale,
        consultationId: contributions.consultationId,
        kind: contributions.kind,
        targetKind: contributions.targetKind,
        targetKey: contributions.targetKey,
        receiptNumber: contributions.receiptNumber,
        parentId: contributions.parentId,
        body: contributions.body,
        redactedBody: contributions.redactedBody,
      });
    if (!row) throw new ModerationConflict(await currentState(tx, id));

    if (settling.has(input.decision)) {
      await tx
        .update(contributionReports)
        .set({ resolvedAt: now, resolvedBy: actor.id })
        .where(and(eq(contributionReports.contributionId, id), isNull(contributionReports.resolvedAt)));
    }

    await recordAudit(tx, {
      actorId: actor.id,
      action: `moderation.${input.decision}`,
      subjectType: 'contribution',
      subjectId: id,
      reason,
      before: {
        version: input.version,
        status: seen.status,
        ...(input.decision === 'redact' ? { text: seen.redactedBody ?? seen.body } : {}),
      },
      after: {
        status: row.status,
        version: row.version,
        consultationId: row.consultationId,
        ...(note ? { note } : {}),
        ...(input.decision === 'redact' ? { text: row.redactedBody ?? row.body } : {}),
        ...(input.decision === 'keep' || (input.decision === 'reject' && input.keep !== undefined) ? { keepForConsolidation: input.keep === true } : {}),
      },
    });

    const publicChange = transition.to === 'published' || input.decision === 'hide' || input.decision === 'reject' || input.decision === 'revise' || (input.decision === 'redact' && row.status === 'published');
    if (publicChange) await announceChange(tx, CONTRIBUTIONS_TAG);

    let queued = false;
    if (mailed.has(input.decision)) queued = await mailAuthor(ctx, tx, row, input.decision, reason, note);
    return { result: { id: row.id, status: row.status, version: row.version }, queued };
  });
  if (result.queued) ctx.mailQueued();
  return result.result;
}

/** Where a contribution can be seen: its own page (comments) or the statement's public page. */
export function publicPath(row: { id: number; kind: string; receiptNumber: string | null }, slug: string): string {
  if (row.kind === 'statement' && row.receiptNumber) return `/consultations/${encodeURIComponent(slug)}/statements/${encodeURIComponent(row.receiptNumber)}`;
  return `/contributions/${row.id}`;
}

function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return [...flat].length > max ? `${[...flat].slice(0, max - 1).join('')}…` : flat;
}

/** Queues the author's mail; false when there is nobody to write to (a letter, a deleted account). */
async function mailAuthor(
  ctx: AppContext,
  tx: DbOrTx,
  row: {
    id: number;
    authorId: string | null;
    guestEmail: string | null;
    pageLocale: string;
    consultationId: number;
    kind: string;
    receiptNumber: string | null;
    body: string;
    redactedBody: string | null;
  },
  decision: Decision,
  reason: string | null,
  note: string,
): Promise<boolean> {
  let to = row.guestEmail;
  if (row.authorId) {
    const [author] = await tx.select({ email: users.email, deletedAt: users.deletedAt }).from(users).where(eq(users.id, row.authorId));
    to = author && !author.deletedAt ? author.email : null;
  }
  if (!to) return false;
  const [consultation] = await tx
    .select({ slug: consultations.slug, title: consultations.title, contact: consultations.contact })
    .from(consultations)
    .where(eq(consultations.id, row.consultationId));
  if (!consultation) return false;
  const base = ctx.config.baseUrl;
  const reviseUrl = decision === 'revise' ? await issueReviseLink(ctx, tx, row) : null;
  await enqueueMail(tx, {
    to,
    template: 'moderation_decision',
    locale: isLocale(row.pageLocale) ? row.pageLocale : 'de',
    payload: {
      decision,
      kind: row.kind,
      reason,
      note: note || null,
      consultationTitle: consultation.title,
      contact: consultation.contact || null,
      excerpt: excerpt(row.redactedBody ?? row.body),
      url: decision === 'approve' || decision === 'restore' ? `${base}${publicPath(row, consultation.slug)}` : null,
      reviseUrl,
      netiquetteUrl: reason ? `${base}/netiquette#${netiquetteAnchor(reason)}` : `${base}/netiquette`,
      // Accounts see their contributions signed in; guests ask for a link by mail.
      mineUrl: row.authorId ? `${base}/my/contributions` : `${base}/contributions/access`,
    },
  });
  return true;
}

/** Claims an item ("I am on it"). Never blocks anyone: others see it and may take it over. */
export async function claim(ctx: AppContext, actor: Actor, id: number, release = false): Promise<boolean> {
  const [row] = await ctx.db
    .update(contributions)
    .set(release ? { claimedBy: null, claimedAt: null } : { claimedBy: actor.id, claimedAt: new Date() })
    .where(and(eq(contributions.id, id), release ? eq(contributions.claimedBy, actor.id) : sql`true`))
    .returning({ id: contributions.id });
  return row !== undefined;
}

export interface BulkOutcome {
  done: number[];
  /** Decided by someone else since the list was loaded, or no longer in a state it applies to. */
  taken: number[];
}

/**
 * Approves or rejects a selection, each item on the version the moderator saw in the list and
 * in a transaction of its own: one taken by someone else does not undo the others.
 */
export async function decideMany(ctx: AppContext, actor: Actor, items: Array<{ id: number; version: number }>, input: { decision: 'approve' | 'reject'; reason?: string; note?: string }): Promise<BulkOutcome> {
  if (input.decision === 'reject' && (!input.reason || !isDecisionReason(input.reason))) throw new ValidationError({ reason: 'moderation.errors.reason' });
  const outcome: BulkOutcome = { done: [], taken: [] };
  for (const item of items) {
    try {
      await decide(ctx, actor, item.id, { ...input, version: item.version });
      outcome.done.push(item.id);
    } catch (error) {
      if (error instanceof ModerationConflict) outcome.taken.push(item.id);
      else throw error;
    }
  }
  return outcome;
}
