/**
 * The author's side of "please revise": the moderators asked for changes (status
 * revision_requested, with a note); the author edits text, heading and language and resubmits.
 * The contribution always goes back to the moderators (pending), whatever the phase's mode.
 */
import { and, desc, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { AppContext } from '../../core/context.js';
import { hashToken } from '../../core/crypto.js';
import { DomainError, type FieldErrors, type MessageParams, NotFoundError, ValidationError } from '../../core/errors.js';
import type { DbOrTx } from '../../db/index.js';
import { auditEntries } from '../audit/schema.js';
import { recordAudit } from '../audit/service.js';
import { consultations } from '../plans/schema.js';
import { contributions, guestTokens } from '../participation/schema.js';
import {
  COMMENT_MAX_LENGTH,
  type ContributionOwner,
  checkLanguage,
  checkText,
  ownerCondition,
  STATEMENT_MAX_LENGTH,
  TITLE_MAX_LENGTH,
} from '../participation/service.js';

export class NotRequestedError extends DomainError {
  constructor() {
    super(409, 'revise.notRequested.text');
  }
}

const columns = {
  id: contributions.id,
  kind: contributions.kind,
  status: contributions.status,
  statusReason: contributions.statusReason,
  title: contributions.title,
  body: contributions.body,
  language: contributions.language,
  parentId: contributions.parentId,
  targetKind: contributions.targetKind,
  targetKey: contributions.targetKey,
  authorId: contributions.authorId,
  guestEmail: contributions.guestEmail,
  moderationVersion: contributions.moderationVersion,
  receiptNumber: contributions.receiptNumber,
  createdAt: contributions.createdAt,
  slug: consultations.slug,
  consultationTitle: consultations.title,
};

export type ReviseRow = NonNullable<Awaited<ReturnType<typeof loadOwned>>>;

/** One of the owner's contributions, whatever its status; null when not theirs. */
export async function loadOwned(db: DbOrTx, id: number, owner: ContributionOwner) {
  const [row] = await db
    .select(columns)
    .from(contributions)
    .innerJoin(consultations, eq(consultations.id, contributions.consultationId))
    .where(and(eq(contributions.id, id), ownerCondition(owner)));
  return row ?? null;
}

/** The guest a valid, unused revise token belongs to and its contribution, without using it. */
export async function peekReviseToken(db: DbOrTx, token: string): Promise<{ contributionId: number; email: string } | null> {
  if (!token || token.length > 100) return null;
  const [row] = await db
    .select({ contributionId: guestTokens.contributionId, email: guestTokens.email })
    .from(guestTokens)
    .where(and(eq(guestTokens.tokenHash, hashToken(token)), eq(guestTokens.purpose, 'revise'), isNull(guestTokens.usedAt), gt(guestTokens.expiresAt, new Date())));
  if (!row || row.contributionId === null) return null;
  return { contributionId: row.contributionId, email: row.email };
}

/**
 * What the moderators wrote to the author with their latest reject, revise or hide decision on
 * each contribution (the decisions service keeps the note in the audit entry's `after.note`).
 */
export async function moderatorNotes(db: DbOrTx, ids: number[]): Promise<Map<number, string>> {
  const notes = new Map<number, string>();
  if (ids.length === 0) return notes;
  const rows = await db
    .select({ subjectId: auditEntries.subjectId, reason: auditEntries.reason, after: auditEntries.after })
    .from(auditEntries)
    .where(and(eq(auditEntries.subjectType, 'contribution'), inArray(auditEntries.subjectId, ids.map(String)), inArray(auditEntries.action, ['moderation.reject', 'moderation.revise', 'moderation.hide'])))
    .orderBy(desc(auditEntries.id));
  for (const row of rows) {
    const id = Number(row.subjectId);
    if (notes.has(id)) continue;
    const after = (row.after ?? {}) as Record<string, unknown>;
    const note = typeof after.note === 'string' ? after.note : '';
    notes.set(id, note);
  }
  for (const [id, note] of notes) if (note.trim() === '') notes.delete(id);
  return notes;
}

export interface ReviseInput {
  title: string;
  body: string;
  language: string;
}

function checkRevision(kind: 'comment' | 'statement', input: ReviseInput): ReviseInput {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const body = checkText(input.body, errors, 'body', { max: kind === 'statement' ? STATEMENT_MAX_LENGTH : COMMENT_MAX_LENGTH }, params);
  const title = kind === 'statement' ? checkText(input.title, errors, 'title', { max: TITLE_MAX_LENGTH, required: false }, params) : '';
  checkLanguage(input.language, errors);
  if (Object.keys(errors).length) throw new ValidationError(errors, params);
  return { title, body, language: input.language };
}

/**
 * Resubmits a revised contribution: only while revision_requested, only by its owner. A guest's
 * revise token (when given) is used up in the same transaction. Back to pending, with the
 * text before and after in the audit trail; the moderation version moves on, so a decision made
 * on the old text is refused.
 */
export async function reviseContribution(ctx: AppContext, id: number, owner: ContributionOwner, input: ReviseInput, token?: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ status: contributions.status, kind: contributions.kind, title: contributions.title, body: contributions.body, language: contributions.language, version: contributions.moderationVersion })
      .from(contributions)
      .where(and(eq(contributions.id, id), ownerCondition(owner)))
      .for('update');
    if (!before) throw new NotFoundError();
    if (before.status !== 'revision_requested') throw new NotRequestedError();
    const values = checkRevision(before.kind, input);
    if (token !== undefined) {
      const [used] = await tx
        .update(guestTokens)
        .set({ usedAt: new Date() })
        .where(
          and(
            eq(guestTokens.tokenHash, hashToken(token)),
            eq(guestTokens.purpose, 'revise'),
            eq(guestTokens.contributionId, id),
            isNull(guestTokens.usedAt),
            gt(guestTokens.expiresAt, new Date()),
          ),
        )
        .returning({ email: guestTokens.email });
      if (!used) throw new NotFoundError();
    }
    const title = before.kind === 'statement' ? values.title || null : before.title;
    await tx
      .update(contributions)
      .set({
        status: 'pending',
        title,
        body: values.body,
        language: values.language,
        // The moderators' redaction was of the old text.
        redactedBody: null,
        editedAt: new Date(),
        claimedBy: null,
        claimedAt: null,
        moderationVersion: before.version + 1,
      })
      .where(eq(contributions.id, id));
    await recordAudit(tx, {
      actorId: 'userId' in owner ? owner.userId : null,
      action: 'contribution.revised',
      subjectType: 'contribution',
      subjectId: id,
      before: { status: before.status, title: before.title, body: before.body, language: before.language, moderationVersion: before.version },
      after: { status: 'pending', title, body: values.body, language: values.language, moderationVersion: before.version + 1 },
    });
  });
}
