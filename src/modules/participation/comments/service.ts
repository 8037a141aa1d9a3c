/**
 * Writing comments: a new comment or reply (validated, phase and rate limits checked, stored once
 * per form, a guest's confirmation mailed in the same transaction) and the author's correction
 * within EDIT_MINUTES.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { CurrentUser } from '../../../core/access.js';
import { announceChange } from '../../../core/cache.js';
import type { AppContext } from '../../../core/context.js';
import { DomainError, type FieldErrors, type MessageParams, NotFoundError, ValidationError } from '../../../core/errors.js';
import type { Locale } from '../../../core/i18n.js';
import type { DbOrTx } from '../../../db/index.js';
import { recordAudit } from '../../audit/service.js';
import type { Phase } from '../../plans/queries.js';
import { type ContributionStatus, contributions, organisationMembers, organisations } from '../schema.js';
import {
  CONTRIBUTIONS_TAG,
  COMMENT_MAX_LENGTH,
  checkGuestEmail,
  checkLanguage,
  checkRateLimits,
  checkText,
  EDIT_MINUTES,
  initialStatus,
  insertContributionAtOnce,
  openPhaseFor,
} from '../service.js';
import type { CommentTarget } from './queries.js';

/** The organisations a person may speak for: their representation was verified. */
export async function representedOrganisations(db: DbOrTx, userId: string): Promise<Array<{ id: number; name: string }>> {
  return db
    .select({ id: organisations.id, name: organisations.name })
    .from(organisationMembers)
    .innerJoin(organisations, eq(organisations.id, organisationMembers.organisationId))
    .where(and(eq(organisationMembers.userId, userId), eq(organisationMembers.status, 'verified')))
    .orderBy(organisations.name);
}

export interface CommentInput {
  body: string;
  language: string;
  /** Guests only. */
  email: string;
  /** Guests only: agreed to the privacy notice. */
  consent: boolean;
  /** 'self' or an organisation id the person represents. */
  onBehalf: string;
  /** The comment answered (a reply), or null. */
  replyTo: number | null;
  formToken: string;
}

export interface CommentContext {
  consultation: { id: number; title: string; phases: Phase[] };
  target: CommentTarget;
  /** The public address of an item, for the guest's mail. */
  itemUrl: (target: CommentTarget) => string;
  user: CurrentUser | null;
  locale: Locale;
  clientAddress: string;
}

export interface CommentResult {
  id: number;
  status: ContributionStatus;
  created: boolean;
  /** What it is on: a reply is on its comment's item, whichever page the form was on. */
  target: CommentTarget;
}

/** Guests, and accounts whose address is not confirmed yet, confirm by mail. */
export function confirmsByMail(user: CurrentUser | null): boolean {
  return !user?.emailConfirmed;
}

/**
 * Checks and stores a comment. Throws ValidationError (what to correct), PhaseClosedError (no
 * phase takes comments now) or RateLimitedError; the route keeps the text in each case.
 */
export async function createComment(ctx: AppContext, context: CommentContext, input: CommentInput): Promise<CommentResult> {
  const { user } = context;
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const body = checkText(input.body, errors, 'body', { max: COMMENT_MAX_LENGTH }, params);
  checkLanguage(input.language, errors);
  let email: string | null = null;
  if (!user) {
    email = checkGuestEmail(input.email, errors);
    if (!input.consent) errors.consent = 'comments.errors.consent';
  } else if (confirmsByMail(user)) {
    email = user.email;
  }
  let organisationId: number | null = null;
  if (user && input.onBehalf !== '' && input.onBehalf !== 'self') {
    const allowed = await representedOrganisations(ctx.db, user.id);
    const chosen = allowed.find((o) => String(o.id) === input.onBehalf);
    if (chosen) organisationId = chosen.id;
    else errors.onBehalf = 'comments.errors.onBehalf';
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors, params);
  const phase = openPhaseFor(context.consultation.phases, 'comment');

  const existing = async (): Promise<CommentResult | null> => {
    const [row] = await ctx.db
      .select({ id: contributions.id, status: contributions.status, kind: contributions.targetKind, key: contributions.targetKey })
      .from(contributions)
      .where(eq(contributions.formToken, input.formToken));
    return row ? { id: row.id, status: row.status, created: false, target: { kind: row.kind, key: row.key } } : null;
  };
  const { perAddressPerHour, perEmailPerHour } = ctx.config.participation;
  if (perAddressPerHour > 0 || perEmailPerHour > 0) {
    // The same form sent again (a double click, a reload after the redirect was lost) gets the
    // first submission's answer before anything counts against the rate limits.
    const again = await existing();
    if (again) return again;
    await checkRateLimits(ctx, ctx.db, context.clientAddress, email ?? user?.email ?? null);
  }

  let target = context.target;
  let parentId: number | null = null;
  if (input.replyTo !== null) {
    const parent = await replyParent(ctx.db, context.consultation.id, input.replyTo);
    if (!parent) throw new ValidationError({ form: 'comments.errors.parentGone' });
    parentId = parent.id;
    target = { kind: parent.targetKind, key: parent.targetKey };
  }
  const status = confirmsByMail(user) ? 'unconfirmed' : initialStatus(user, phase);
  const now = new Date();
  const mail = status === 'unconfirmed' && email !== null;
  // The contribution and a guest's confirmation are written by one statement.
  const id = await insertContributionAtOnce(
    ctx,
    ctx.db,
    {
      consultationId: context.consultation.id,
      phaseId: phase.id,
      kind: 'comment',
      targetKind: target.kind,
      targetKey: target.key,
      parentId,
      body,
      language: input.language,
      pageLocale: context.locale,
      authorId: user?.id ?? null,
      guestEmail: user ? null : email,
      organisationId,
      status,
      // Signed-in people agreed to the privacy notice when they registered.
      consentPrivacyAt: now,
      formToken: input.formToken,
      publishedAt: status === 'published' ? now : null,
    },
    {
      confirmation: mail && email
        ? { email, locale: context.locale, consultationTitle: context.consultation.title, excerpt: excerpt(body), itemUrl: context.itemUrl(target) }
        : undefined,
    },
  );
  if (id === null) {
    const first = await existing();
    if (!first) throw new Error('contribution with form token vanished');
    return first;
  }
  if (mail) ctx.mailQueued();
  return { id, status, created: true, target };
}

/** A few words of the text for a mail: the start, cut at a word boundary. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ');
  if (flat.length <= max) return flat;
  const cut = flat.lastIndexOf(' ', max);
  return `${flat.slice(0, cut > max / 2 ? cut : max)} …`;
}

/**
 * The comment a reply attaches to: a published top-level comment of the same consultation. A
 * reply to a reply attaches to that reply's comment (replies are one level deep).
 */
export async function replyParent(db: DbOrTx, consultationId: number, id: number) {
  const select = (commentId: number) =>
    db
      .select({
        id: contributions.id,
        parentId: contributions.parentId,
        consultationId: contributions.consultationId,
        kind: contributions.kind,
        status: contributions.status,
        targetKind: contributions.targetKind,
        targetKey: contributions.targetKey,
      })
      .from(contributions)
      .where(eq(contributions.id, commentId));
  let [parent] = await select(id);
  if (parent?.parentId) [parent] = await select(parent.parentId);
  if (parent?.kind !== 'comment' || parent.status !== 'published' || parent.consultationId !== consultationId) return null;
  return parent;
}

/**
 * Whether the author may still correct a comment (time aside): not once a moderator acted on it
 * (hidden, rejected, a revision requested, a passage redacted) or it was withdrawn.
 */
export function isEditable(row: { status: ContributionStatus; redactedBody: string | null }): boolean {
  return ['published', 'pending', 'unconfirmed'].includes(row.status) && row.redactedBody === null;
}

/** Until when a comment written at `createdAt` can be corrected. */
export function editableUntil(createdAt: Date): Date {
  return new Date(createdAt.getTime() + EDIT_MINUTES * 60_000);
}

/**
 * The author corrects a comment within EDIT_MINUTES of writing it. Later attempts (also from a
 * form opened in time and sent too late) are refused with a message; the route keeps the text.
 */
export async function editComment(ctx: AppContext, id: number, userId: string, input: { body: string; language: string }, now = new Date()): Promise<void> {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const body = checkText(input.body, errors, 'body', { max: COMMENT_MAX_LENGTH }, params);
  checkLanguage(input.language, errors);
  await ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .select({
        status: contributions.status,
        body: contributions.body,
        redactedBody: contributions.redactedBody,
        language: contributions.language,
        createdAt: contributions.createdAt,
        kind: contributions.kind,
      })
      .from(contributions)
      .where(and(eq(contributions.id, id), eq(contributions.authorId, userId)))
      .for('update');
    if (before?.kind !== 'comment') throw new NotFoundError();
    if (!isEditable(before)) throw new DomainError(409, 'comments.errors.notEditable');
    if (editableUntil(before.createdAt) < now) {
      throw new ValidationError({ body: 'comments.errors.editExpired' }, { body: { minutes: EDIT_MINUTES } });
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors, params);
    // A moderator deciding on the text they saw before this edit gets a conflict, not a decision
    // on words they never read.
    await tx
      .update(contributions)
      .set({ body, language: input.language, editedAt: now, moderationVersion: sql`${contributions.moderationVersion} + 1` })
      .where(eq(contributions.id, id));
    await recordAudit(tx, {
      actorId: userId,
      action: 'contribution.edit',
      subjectType: 'contribution',
      subjectId: id,
      before: { body: before.body, language: before.language },
      after: { body, language: input.language },
    });
    if (before.status === 'published') await announceChange(tx, CONTRIBUTIONS_TAG);
  });
}
