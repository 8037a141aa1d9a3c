/**
 * The Abwägung itself: an organiser saves a unit's answer, decides it with a Votum, a second
 * organiser approves it when the four-eyes rule is on, and a decided or approved unit can be
 * reopened with a reason. Each step is one transaction that names the unit's version (a stale
 * form changes nothing and gets a ResponseConflict), writes an audit entry and, once answers are
 * published, announces the public change and mails the contributors an answer they have not had.
 */
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { announceChange } from '../../../core/cache.js';
import type { AppContext } from '../../../core/context.js';
import { DomainError, type FieldErrors, NotFoundError, ValidationError } from '../../../core/errors.js';
import { isLocale } from '../../../core/i18n.js';
import type { DbOrTx } from '../../../db/index.js';
import { users } from '../../accounts/schema.js';
import { auditEntries } from '../../audit/schema.js';
import { recordAudit } from '../../audit/service.js';
import { enqueueMail } from '../../mail/outbox.js';
import { publicPath } from '../../moderation/service.js';
import { contributions } from '../../participation/schema.js';
import { CONTRIBUTIONS_TAG } from '../../participation/service.js';
import { consultations, fields, goals, measures, planVersions } from '../../plans/schema.js';
import { consolidationSettings, contributionGroupMembers, contributionSections, responses, type ResponseStatus, type Verdict } from '../schema.js';
import { isVerdict, loadSettings } from '../service.js';
import { excerptOf, loadProgress, type Progress } from './queries.js';

export const ANSWER_MAX_LENGTH = 20_000;
export const NOTE_MAX_LENGTH = 5_000;

/** Units by status, of the units that count (not superseded, of contributions that count). */
export async function consolidationProgress(db: DbOrTx, consultationId: number): Promise<Progress> {
  return loadProgress(db, consultationId);
}

/** Every unit that counts is approved: the Abwägungstabelle may be exported as final. */
export function isComplete(progress: Progress): boolean {
  return progress.approved === progress.total;
}

interface Actor {
  id: string;
}

/** What a stale form met: the unit as it is now, and the last step someone took on it. */
export interface ResponseState {
  id: number;
  status: ResponseStatus;
  version: number;
  answer: string;
  verdict: Verdict | null;
  lastAction: string | null;
  lastActor: string | null;
  lastAt: Date | null;
}

export class ResponseConflict extends DomainError {
  constructor(readonly current: ResponseState) {
    super(409, 'consolidation.review.conflict.text');
  }
}

export async function responseState(db: DbOrTx, id: number): Promise<ResponseState | null> {
  const [row] = await db
    .select({ id: responses.id, status: responses.status, version: responses.version, answer: responses.answer, verdict: responses.verdict, updatedAt: responses.updatedAt })
    .from(responses)
    .where(eq(responses.id, id));
  if (!row) return null;
  const [last] = await db
    .select({ action: auditEntries.action, createdAt: auditEntries.createdAt, name: users.displayName })
    .from(auditEntries)
    .leftJoin(users, eq(users.id, auditEntries.actorId))
    .where(and(eq(auditEntries.subjectType, 'response'), eq(auditEntries.subjectId, String(id))))
    .orderBy(desc(auditEntries.createdAt), desc(auditEntries.id))
    .limit(1);
  return {
    id: row.id,
    status: row.status,
    version: row.version,
    answer: row.answer,
    verdict: row.verdict,
    lastAction: last?.action ?? null,
    lastActor: last?.name ?? null,
    lastAt: last?.createdAt ?? row.updatedAt,
  };
}

export interface UnitInput {
  version: number;
  answer: string;
  verdict: string;
  translation: string;
  internalNote: string;
  /** `<versionId>|<kind>|<key>` of the item in a later plan version, or ''. */
  change: string;
  changeNote: string;
}

function checkLength(value: string, max: number, errors: FieldErrors, name: string): string {
  const text = value.replace(/\r\n/g, '\n').trim();
  if ([...text].length > max) errors[name] = 'consolidation.review.errors.tooLong';
  return text;
}

interface ParsedChange {
  versionId: number;
  kind: 'field' | 'goal' | 'measure';
  key: string;
}

function parseChange(value: string): ParsedChange | null | 'bad' {
  if (value === '') return null;
  const m = /^(\d{1,9})\|(field|goal|measure)\|([^|]{1,200})$/.exec(value);
  if (!m) return 'bad';
  return { versionId: Number(m[1]), kind: m[2] as ParsedChange['kind'], key: m[3] as string };
}

/** Whether the item exists in that version of this consultation, newer than the one read. */
async function changeExists(db: DbOrTx, consultationId: number, change: ParsedChange): Promise<boolean> {
  const table = { field: fields, goal: goals, measure: measures }[change.kind];
  const [row] = await db
    .select({ id: table.id })
    .from(table)
    .innerJoin(planVersions, eq(planVersions.id, table.planVersionId))
    .where(and(eq(table.planVersionId, change.versionId), eq(table.key, change.key), eq(planVersions.consultationId, consultationId)));
  return row !== undefined;
}

const locked: ReadonlySet<ResponseStatus> = new Set(['decided', 'approved']);

/**
 * Saves the form as a draft (status drafted) or decides it (answer and Votum required): the
 * unit is then decided, or approved at once when the four-eyes rule is off.
 */
export async function saveUnit(ctx: AppContext, actor: Actor, id: number, input: UnitInput, action: 'save' | 'decide'): Promise<ResponseStatus> {
  const errors: FieldErrors = {};
  const answer = checkLength(input.answer, ANSWER_MAX_LENGTH, errors, 'answer');
  const translation = checkLength(input.translation, ANSWER_MAX_LENGTH, errors, 'translation');
  const internalNote = checkLength(input.internalNote, NOTE_MAX_LENGTH, errors, 'internalNote');
  const changeNote = checkLength(input.changeNote, NOTE_MAX_LENGTH, errors, 'changeNote');
  let verdict: Verdict | null = null;
  if (input.verdict !== '') {
    if (isVerdict(input.verdict)) verdict = input.verdict;
    else errors.verdict = 'consolidation.review.errors.verdict';
  }
  if (action === 'decide') {
    if (!answer) errors.answer = 'consolidation.review.errors.answerRequired';
    if (!verdict && !errors.verdict) errors.verdict = 'consolidation.review.errors.verdictRequired';
  }
  const change = parseChange(input.change);
  if (change === 'bad') errors.change = 'consolidation.review.errors.change';

  let queued = false;
  const status = await ctx.db.transaction(async (tx) => {
    const [seen] = await tx.select().from(responses).where(eq(responses.id, id)).for('update');
    if (!seen) throw new NotFoundError();
    if (change && change !== 'bad' && !(await changeExists(tx, seen.consultationId, change))) errors.change = 'consolidation.review.errors.change';
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    if (seen.version !== input.version) throw new ResponseConflict((await responseState(tx, id)) as ResponseState);
    if (locked.has(seen.status)) throw new DomainError(409, 'consolidation.review.errors.locked');
    const settings = await loadSettings(tx, seen.consultationId);
    const now = new Date();
    const next: ResponseStatus = action === 'save' ? 'drafted' : settings.requireSecondApproval ? 'decided' : 'approved';
    const validChange = change && change !== 'bad' ? change : null;
    const [row] = await tx
      .update(responses)
      .set({
        answer,
        verdict,
        translation: translation || null,
        internalNote,
        changeVersionId: validChange?.versionId ?? null,
        changeTargetKind: validChange?.kind ?? null,
        changeTargetKey: validChange?.key ?? null,
        changeNote,
        status: next,
        decidedBy: action === 'decide' ? actor.id : null,
        decidedAt: action === 'decide' ? now : null,
        approvedBy: next === 'approved' ? actor.id : null,
        approvedAt: next === 'approved' ? now : null,
        version: sql`${responses.version} + 1`,
        updatedAt: now,
      })
      .where(and(eq(responses.id, id), eq(responses.version, input.version)))
      .returning({ version: responses.version });
    if (!row) throw new ResponseConflict((await responseState(tx, id)) as ResponseState);
    await recordAudit(tx, {
      actorId: actor.id,
      action: `consolidation.response.${action}`,
      subjectType: 'response',
      subjectId: id,
      before: { status: seen.status, answer: seen.answer, verdict: seen.verdict, version: seen.version },
      after: {
        status: next,
        answer,
        verdict,
        version: row.version,
        consultationId: seen.consultationId,
        ...(validChange ? { change: `${validChange.versionId}|${validChange.kind}|${validChange.key}` } : {}),
        ...(next === 'approved' ? { approved: true } : {}),
      },
    });
    if (next === 'approved' && settings.answersPublishedAt) {
      await announceChange(tx, CONTRIBUTIONS_TAG);
      queued = (await notifyUnits(ctx, tx, seen.consultationId, [id])) > 0;
    }
    return next;
  });
  if (queued) ctx.mailQueued();
  return status;
}

/** Four-eyes rule: the decider may not approve their own decision. */
export class SameApproverError extends DomainError {
  constructor() {
    super(403, 'consolidation.review.errors.sameApprover');
  }
}

/** A second organiser approves a decided unit. */
export async function approveUnit(ctx: AppContext, actor: Actor, id: number, version: number): Promise<void> {
  let queued = false;
  await ctx.db.transaction(async (tx) => {
    const [seen] = await tx.select().from(responses).where(eq(responses.id, id)).for('update');
    if (!seen) throw new NotFoundError();
    if (seen.version !== version) throw new ResponseConflict((await responseState(tx, id)) as ResponseState);
    if (seen.status !== 'decided') throw new DomainError(409, 'consolidation.review.errors.notDecided');
    const settings = await loadSettings(tx, seen.consultationId);
    if (settings.requireSecondApproval && seen.decidedBy === actor.id) throw new SameApproverError();
    const now = new Date();
    const [row] = await tx
      .update(responses)
      .set({ status: 'approved', approvedBy: actor.id, approvedAt: now, version: sql`${responses.version} + 1`, updatedAt: now })
      .where(and(eq(responses.id, id), eq(responses.version, version)))
      .returning({ version: responses.version });
    if (!row) throw new ResponseConflict((await responseState(tx, id)) as ResponseState);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.response.approve',
      subjectType: 'response',
      subjectId: id,
      before: { status: seen.status, answer: seen.answer, verdict: seen.verdict, version: seen.version, decidedBy: seen.decidedBy },
      after: { status: 'approved', answer: seen.answer, verdict: seen.verdict, version: row.version, consultationId: seen.consultationId },
    });
    if (settings.answersPublishedAt) {
      await announceChange(tx, CONTRIBUTIONS_TAG);
      queued = (await notifyUnits(ctx, tx, seen.consultationId, [id])) > 0;
    }
  });
  if (queued) ctx.mailQueued();
}

export const REASON_MAX_LENGTH = 2_000;

/** Takes a decided or approved unit back to a draft, with the reason for the record. */
export async function reopenUnit(ctx: AppContext, actor: Actor, id: number, version: number, reasonRaw: string): Promise<void> {
  const errors: FieldErrors = {};
  const reason = checkLength(reasonRaw, REASON_MAX_LENGTH, errors, 'reason');
  if (!reason) errors.reason = 'consolidation.review.errors.reasonRequired';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  await ctx.db.transaction(async (tx) => {
    const [seen] = await tx.select().from(responses).where(eq(responses.id, id)).for('update');
    if (!seen) throw new NotFoundError();
    if (seen.version !== version) throw new ResponseConflict((await responseState(tx, id)) as ResponseState);
    if (!locked.has(seen.status)) throw new DomainError(409, 'consolidation.review.errors.notLocked');
    const now = new Date();
    const [row] = await tx
      .update(responses)
      .set({ status: 'drafted', decidedBy: null, decidedAt: null, approvedBy: null, approvedAt: null, version: sql`${responses.version} + 1`, updatedAt: now })
      .where(and(eq(responses.id, id), eq(responses.version, version)))
      .returning({ version: responses.version });
    if (!row) throw new ResponseConflict((await responseState(tx, id)) as ResponseState);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.response.reopen',
      subjectType: 'response',
      subjectId: id,
      reason,
      before: { status: seen.status, answer: seen.answer, verdict: seen.verdict, version: seen.version },
      after: { status: 'drafted', answer: seen.answer, verdict: seen.verdict, version: row.version, consultationId: seen.consultationId },
    });
    const settings = await loadSettings(tx, seen.consultationId);
    // An approved answer that was public is no longer: the pages showing it must drop it.
    if (seen.status === 'approved' && settings.answersPublishedAt) await announceChange(tx, CONTRIBUTIONS_TAG);
  });
}

/** The four-eyes rule on or off for a consultation. */
export async function updateSettings(ctx: AppContext, actor: Actor, consultationId: number, requireSecondApproval: boolean): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const before = await loadSettings(tx, consultationId);
    await tx
      .insert(consolidationSettings)
      .values({ consultationId, requireSecondApproval })
      .onConflictDoUpdate({ target: consolidationSettings.consultationId, set: { requireSecondApproval, updatedAt: new Date() } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.settings',
      subjectType: 'consultation',
      subjectId: consultationId,
      before: { requireSecondApproval: before.requireSecondApproval },
      after: { requireSecondApproval },
    });
  });
}

export class NothingToPublishError extends DomainError {
  constructor() {
    super(409, 'consolidation.review.publish.nothing');
  }
}

/**
 * Publishes the approved answers: from now on they are shown under the contributions, and every
 * contributor with an address gets one mail per contribution (those mailed before are not mailed
 * again). Returns the number of mails queued.
 */
export async function publishAnswers(ctx: AppContext, actor: Actor, consultationId: number): Promise<number> {
  const mails = await ctx.db.transaction(async (tx) => {
    const progress = await loadProgress(tx, consultationId);
    if (progress.approved === 0) throw new NothingToPublishError();
    const now = new Date();
    const before = await loadSettings(tx, consultationId);
    await tx
      .insert(consolidationSettings)
      .values({ consultationId, answersPublishedAt: now, answersPublishedBy: actor.id })
      .onConflictDoUpdate({
        target: consolidationSettings.consultationId,
        set: { answersPublishedAt: sql`coalesce(${consolidationSettings.answersPublishedAt}, ${now.toISOString()}::timestamptz)`, answersPublishedBy: sql`coalesce(${consolidationSettings.answersPublishedBy}, ${actor.id}::uuid)`, updatedAt: now },
      });
    await announceChange(tx, CONTRIBUTIONS_TAG);
    const due = await tx
      .select({ id: responses.id })
      .from(responses)
      .innerJoin(contributions, eq(contributions.id, responses.contributionId))
      .where(and(eq(responses.consultationId, consultationId), eq(responses.status, 'approved'), eq(responses.superseded, false), isNull(responses.notifiedAt)));
    const queued = await notifyUnits(ctx, tx, consultationId, due.map((d) => d.id));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.answers.publish',
      subjectType: 'consultation',
      subjectId: consultationId,
      before: { answersPublishedAt: before.answersPublishedAt?.toISOString() ?? null },
      after: { approved: progress.approved, total: progress.total, mails: queued },
    });
    return queued;
  });
  if (mails > 0) ctx.mailQueued();
  return mails;
}

export interface MailedAnswer {
  passage: string | null;
  answer: string;
  verdict: Verdict | null;
}

/**
 * Queues the `consolidation_answer` mails for approved units not mailed yet: one mail per
 * contribution they answer (a group's members each get theirs; a statement's sections answered
 * together go in one mail), to the account's or the guest's address, in the page's language.
 * Marks the units as notified. Returns the number of mails queued.
 */
export async function notifyUnits(ctx: AppContext, tx: DbOrTx, consultationId: number, unitIds: number[]): Promise<number> {
  if (unitIds.length === 0) return 0;
  const units = await tx
    .select({
      id: responses.id,
      contributionId: responses.contributionId,
      groupId: responses.groupId,
      answer: responses.answer,
      verdict: responses.verdict,
      passage: contributionSections.body,
      position: contributionSections.position,
    })
    .from(responses)
    .leftJoin(contributionSections, eq(contributionSections.id, responses.sectionId))
    .where(and(inArray(responses.id, unitIds), eq(responses.status, 'approved'), isNull(responses.notifiedAt)))
    .orderBy(asc(contributionSections.position), asc(responses.id))
    .for('update', { of: responses });
  if (units.length === 0) return 0;
  const groupIds = units.filter((u) => u.groupId !== null).map((u) => u.groupId as number);
  const members = groupIds.length
    ? await tx.select().from(contributionGroupMembers).where(inArray(contributionGroupMembers.groupId, groupIds))
    : [];
  const answersFor = new Map<number, MailedAnswer[]>();
  const add = (contributionId: number, a: MailedAnswer) => answersFor.set(contributionId, [...(answersFor.get(contributionId) ?? []), a]);
  for (const u of units) {
    const answer = { passage: u.passage, answer: u.answer, verdict: u.verdict };
    if (u.groupId !== null) for (const m of members.filter((x) => x.groupId === u.groupId)) add(m.contributionId, answer);
    else add(u.contributionId, answer);
  }
  const queued = await mailAnswers(ctx, tx, consultationId, answersFor);
  await tx
    .update(responses)
    .set({ notifiedAt: new Date() })
    .where(inArray(responses.id, units.map((u) => u.id)));
  return queued;
}

/**
 * A contribution joins a group whose answer was published and mailed already: its author gets
 * that answer too (unless their contribution was answered and mailed on its own before). The
 * other members were mailed when the answer was published, so only this one is. Returns
 * whether a mail was queued.
 */
export async function notifyJoinedMember(ctx: AppContext, tx: DbOrTx, groupId: number, contributionId: number): Promise<boolean> {
  const [unit] = await tx
    .select({ consultationId: responses.consultationId, answer: responses.answer, verdict: responses.verdict, notifiedAt: responses.notifiedAt })
    .from(responses)
    .where(and(eq(responses.groupId, groupId), eq(responses.status, 'approved')));
  if (!unit?.notifiedAt) return false;
  const settings = await loadSettings(tx, unit.consultationId);
  if (!settings.answersPublishedAt) return false;
  const [own] = await tx
    .select({ notifiedAt: responses.notifiedAt })
    .from(responses)
    .where(and(eq(responses.contributionId, contributionId), isNull(responses.groupId), isNull(responses.sectionId)));
  if (own?.notifiedAt) return false;
  const answers = new Map([[contributionId, [{ passage: null, answer: unit.answer, verdict: unit.verdict }]]]);
  return (await mailAnswers(ctx, tx, unit.consultationId, answers)) > 0;
}

/** One `consolidation_answer` mail per contribution with its answers; returns how many were queued. */
async function mailAnswers(ctx: AppContext, tx: DbOrTx, consultationId: number, answersFor: Map<number, MailedAnswer[]>): Promise<number> {
  const ids = [...answersFor.keys()];
  const [rows, [consultation]] = await Promise.all([
    tx
      .select({
        id: contributions.id,
        kind: contributions.kind,
        status: contributions.status,
        receiptNumber: contributions.receiptNumber,
        body: contributions.body,
        redactedBody: contributions.redactedBody,
        pageLocale: contributions.pageLocale,
        guestEmail: contributions.guestEmail,
        authorId: contributions.authorId,
        authorEmail: users.email,
        authorDeletedAt: users.deletedAt,
      })
      .from(contributions)
      .leftJoin(users, eq(users.id, contributions.authorId))
      .where(inArray(contributions.id, ids)),
    tx.select({ slug: consultations.slug, title: consultations.title }).from(consultations).where(eq(consultations.id, consultationId)),
  ]);
  if (!consultation) return 0;
  const base = ctx.config.baseUrl;
  let queued = 0;
  for (const c of rows) {
    if (c.status === 'withdrawn') continue;
    const to = c.authorId ? (c.authorDeletedAt ? null : c.authorEmail) : c.guestEmail;
    if (!to) continue;
    const items = answersFor.get(c.id) ?? [];
    await enqueueMail(tx, {
      to,
      template: 'consolidation_answer',
      locale: isLocale(c.pageLocale) ? c.pageLocale : 'de',
      payload: {
        consultationTitle: consultation.title,
        kind: c.kind,
        number: c.receiptNumber ?? `#${c.id}`,
        excerpt: excerptOf(c.body, 300),
        items: JSON.stringify(items),
        url: c.status === 'published' ? `${base}${publicPath(c, consultation.slug)}` : null,
        mineUrl: c.authorId ? `${base}/my/contributions` : `${base}/contributions/access`,
      },
    });
    queued++;
  }
  return queued;
}
