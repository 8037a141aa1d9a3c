/**
 * Readers report published contributions. One report per reader and contribution (an account
 * counts by its id, an anonymous reader by a keyed hash of the client address). When open
 * reports from different readers reach the configured threshold, the contribution is taken
 * down at once (published → hidden, reason 'reported') until a moderator restores or rejects it.
 */
import { and, count, eq, isNull } from 'drizzle-orm';
import type { CurrentUser } from '../../core/access.js';
import { announceChange } from '../../core/cache.js';
import type { AppContext } from '../../core/context.js';
import { pseudonymise } from '../../core/crypto.js';
import { type FieldErrors, type MessageParams, NotFoundError, RateLimitedError, ValidationError } from '../../core/errors.js';
import type { DbOrTx } from '../../db/index.js';
import { recordAudit } from '../audit/service.js';
import { consultations } from '../plans/schema.js';
import { contributionReports, contributions, type ReportReason, reportReasons } from '../participation/schema.js';
import { CONTRIBUTIONS_TAG, checkText } from '../participation/service.js';
import { allow } from '../ratelimit/store.js';

export const REPORT_NOTE_MAX_LENGTH = 1000;
/** Reports one client may send per hour (a person reads a lot; a script reports a lot). */
export const REPORTS_PER_CLIENT_PER_HOUR = 20;

/** The house rules page (/netiquette) writes its rules' ids with hyphens; 'other' has no rule. */
export function netiquetteAnchor(reason: string): string | null {
  return reason === 'other' ? null : reason.replaceAll('_', '-');
}

/** House-rule reasons (reports' and moderators' ids) with their section title's message key. */
const RULES = new Set(['insult', 'discrimination', 'personal_data', 'spam', 'off_topic', 'duplicate', 'unlawful']);

export function ruleTitleKey(reason: string | null): string | null {
  return reason && RULES.has(reason) ? `participation.netiquette.reasons.${reason.replaceAll('_', '-')}.title` : null;
}

export function isReportReason(value: string): value is ReportReason {
  return (reportReasons as readonly string[]).includes(value);
}

/** Who a report counts for: one key per account, one per client address for anonymous readers. */
export function reporterKey(secret: string, user: CurrentUser | null, clientAddress: string): string {
  return user ? `user:${user.id}` : `addr:${pseudonymise(secret, clientAddress)}`;
}

export interface ReportInput {
  reason: string;
  note: string;
}

export type ReportOutcome = 'reported' | 'already' | 'hidden';

function checkReport(input: ReportInput): { reason: ReportReason; note: string } {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  if (!isReportReason(input.reason)) errors.reason = 'reports.errors.reason';
  const note = checkText(input.note, errors, 'note', { max: REPORT_NOTE_MAX_LENGTH, required: false }, params);
  if (input.reason === 'other' && note === '' && !errors.note) errors.note = 'reports.errors.otherNote';
  if (Object.keys(errors).length) throw new ValidationError(errors, params);
  return { reason: input.reason as ReportReason, note };
}

/** A published contribution a reader may report, or null. */
export async function reportable(db: DbOrTx, id: number) {
  const [row] = await db
    .select({ id: contributions.id, status: contributions.status })
    .from(contributions)
    .where(and(eq(contributions.id, id), eq(contributions.status, 'published')));
  return row ?? null;
}

/**
 * Records a report. 'already' when this reader reported it before (nothing changes); 'hidden'
 * when this report took the contribution down. A contribution that is no longer published
 * (hidden meanwhile, withdrawn) answers 404 like one that never was public.
 */
export async function reportContribution(
  ctx: AppContext,
  contributionId: number,
  reader: { user: CurrentUser | null; clientAddress: string },
  input: ReportInput,
): Promise<ReportOutcome> {
  const { reason, note } = checkReport(input);
  const key = reporterKey(ctx.secret, reader.user, reader.clientAddress);
  if (!(await allow(ctx.db, `report:${key}`, REPORTS_PER_CLIENT_PER_HOUR, 3_600_000))) throw new RateLimitedError();
  const threshold = ctx.config.moderation.reportHideThreshold;
  return ctx.db.transaction(async (tx) => {
    // The row lock orders concurrent reports of one contribution: the one that reaches the
    // threshold sees every report before it.
    const [row] = await tx
      .select({ id: contributions.id, status: contributions.status, version: contributions.moderationVersion })
      .from(contributions)
      .where(eq(contributions.id, contributionId))
      .for('update');
    if (row?.status !== 'published') {
      // Reporting something already taken down is no mistake of the reader's.
      if (row?.status === 'hidden') {
        const [mine] = await tx
          .select({ id: contributionReports.id })
          .from(contributionReports)
          .where(and(eq(contributionReports.contributionId, contributionId), eq(contributionReports.reporterKey, key)));
        if (mine) return 'already';
      }
      throw new NotFoundError();
    }
    const [inserted] = await tx
      .insert(contributionReports)
      .values({ contributionId, reason, note, reporterId: reader.user?.id ?? null, reporterKey: key })
      .onConflictDoNothing({ target: [contributionReports.contributionId, contributionReports.reporterKey] })
      .returning({ id: contributionReports.id });
    if (!inserted) return 'already';
    if (threshold <= 0) return 'reported';
    const [open] = await tx
      .select({ n: count() })
      .from(contributionReports)
      .where(and(eq(contributionReports.contributionId, contributionId), isNull(contributionReports.resolvedAt)));
    if ((open?.n ?? 0) < threshold) return 'reported';
    const [hidden] = await tx
      .update(contributions)
      .set({ status: 'hidden', statusReason: 'reported', moderationVersion: row.version + 1 })
      .where(and(eq(contributions.id, contributionId), eq(contributions.status, 'published'), eq(contributions.moderationVersion, row.version)))
      .returning({ id: contributions.id });
    if (!hidden) return 'reported';
    await recordAudit(tx, {
      actorId: null,
      action: 'moderation.auto_hide',
      subjectType: 'contribution',
      subjectId: contributionId,
      reason: 'reported',
      before: { status: 'published', moderationVersion: row.version },
      after: { status: 'hidden', statusReason: 'reported', moderationVersion: row.version + 1, openReports: open?.n ?? 0, threshold },
    });
    await announceChange(tx, CONTRIBUTIONS_TAG);
    return 'hidden';
  });
}

/** What the report page shows of a contribution (the public text: redacted when redacted). */
export async function loadReportTarget(db: DbOrTx, id: number) {
  const [row] = await db
    .select({
      id: contributions.id,
      kind: contributions.kind,
      status: contributions.status,
      title: contributions.title,
      body: contributions.body,
      redactedBody: contributions.redactedBody,
      language: contributions.language,
      publishText: contributions.publishText,
      parentId: contributions.parentId,
      targetKind: contributions.targetKind,
      targetKey: contributions.targetKey,
      receiptNumber: contributions.receiptNumber,
      createdAt: contributions.createdAt,
      slug: consultations.slug,
      consultationTitle: consultations.title,
    })
    .from(contributions)
    .innerJoin(consultations, eq(consultations.id, contributions.consultationId))
    .where(eq(contributions.id, id));
  if (!row) return null;
  const { body, redactedBody, ...rest } = row;
  return { ...rest, text: redactedBody ?? body };
}

export type ReportTarget = NonNullable<Awaited<ReturnType<typeof loadReportTarget>>>;

/** Where a contribution is read publicly: a comment on its item's page, a statement on its own. */
export function publicPlace(c: Pick<ReportTarget, 'id' | 'kind' | 'targetKind' | 'targetKey' | 'receiptNumber' | 'slug' | 'parentId'>): { item: string; anchored: string } {
  const base = `/consultations/${encodeURIComponent(c.slug)}`;
  if (c.kind === 'statement' && c.receiptNumber) {
    const url = `${base}/statements/${encodeURIComponent(c.receiptNumber)}`;
    return { item: url, anchored: url };
  }
  const item = c.targetKind === 'consultation' || !c.targetKey ? base : `${base}/${c.targetKind}s/${encodeURIComponent(c.targetKey)}`;
  return { item, anchored: `${item}#comment-${c.id}` };
}
