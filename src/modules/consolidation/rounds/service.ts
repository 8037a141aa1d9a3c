/**
 * The department round (Ämterabfrage): organisers open rounds and assign units to departments;
 * departments draft an answer with a proposed Votum, use their text blocks, hand an item on to
 * another department; reminders go out before the deadline. Every write is one transaction with
 * its audit entry and mails; forms name the version they were loaded with (stale → 409).
 */
import { and, eq, inArray, isNull, lte, gt, sql } from 'drizzle-orm';
import type { AppContext } from '../../../core/context.js';
import { DomainError, type FieldErrors, type MessageParams, NotFoundError, ValidationError } from '../../../core/errors.js';
import { isLocale, type Locale } from '../../../core/i18n.js';
import type { DbOrTx } from '../../../db/index.js';
import { users } from '../../accounts/schema.js';
import { recordAudit } from '../../audit/service.js';
import { departments } from '../../departments/schema.js';
import { enqueueMail } from '../../mail/outbox.js';
import { checkText } from '../../participation/service.js';
import { consultations } from '../../plans/schema.js';
import { fromBerlin, toBerlinInputs } from '../../plans/editor/time.js';
import { assignments, departmentRounds, responses, textBlocks, type Verdict } from '../schema.js';
import { isVerdict } from '../service.js';
import { assignableIds, membersOf } from './queries.js';

export const TITLE_MAX = 200;
export const INSTRUCTIONS_MAX = 5000;
export const NOTE_MAX = 2000;
export const ANSWER_MAX = 20_000;
export const BLOCK_TITLE_MAX = 200;
export const BLOCK_BODY_MAX = 10_000;
export const REMIND_MAX_DAYS = 60;
/** Units assigned in one go at most (one page of the round's list is 50). */
export const ASSIGN_MAX = 200;

interface Actor {
  id: string;
}

/** Text checked like other texts, with this part's message when it is missing. */
function text(raw: string, errors: FieldErrors, params: Record<string, MessageParams>, name: string, max: number, requiredKey: string | null): string {
  const value = checkText(raw, errors, name, { max, required: requiredKey !== null }, params);
  if (errors[name] === 'participation.errors.textRequired' && requiredKey) errors[name] = requiredKey;
  return value;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** "30. Juni 2026": a deadline as a Berlin calendar date in the reader's language. */
export function formatDate(date: Date, locale: string): string {
  let f = dateFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' });
    dateFormats.set(locale, f);
  }
  return f.format(date);
}

// ---------------------------------------------------------------------------------------------
// Rounds
// ---------------------------------------------------------------------------------------------

export interface RoundInput {
  title: string;
  /** YYYY-MM-DD, a Berlin calendar date: the round ends at the end of that day. */
  deadline: string;
  instructions: string;
  remindDaysBefore: string;
}

export function checkRound(input: RoundInput, now = new Date()) {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const title = text(input.title, errors, params, 'title', TITLE_MAX, 'consolidation.rounds.errors.title');
  const instructions = text(input.instructions, errors, params, 'instructions', INSTRUCTIONS_MAX, null);
  let deadline: Date | null = null;
  const parsed = input.deadline.trim() ? fromBerlin(input.deadline.trim(), '23:59:59') : null;
  if (!input.deadline.trim()) errors.deadline = 'consolidation.rounds.errors.deadlineRequired';
  else if (!parsed?.ok) errors.deadline = 'consolidation.rounds.errors.deadlineInvalid';
  else if (input.deadline.trim() < toBerlinInputs(now).date) errors.deadline = 'consolidation.rounds.errors.deadlinePast';
  else deadline = parsed.date;
  const remindRaw = input.remindDaysBefore.trim();
  const remind = remindRaw === '' ? 0 : /^\d{1,3}$/.test(remindRaw) ? Number(remindRaw) : -1;
  if (remind < 0 || remind > REMIND_MAX_DAYS) {
    errors.remindDaysBefore = 'consolidation.rounds.errors.remind';
    params.remindDaysBefore = { max: REMIND_MAX_DAYS };
  }
  if (Object.keys(errors).length > 0 || !deadline) throw new ValidationError(errors, params);
  return { title, instructions, deadline, remindDaysBefore: remind };
}

/** Opens a round; returns its id. */
export async function openRound(ctx: AppContext, actor: Actor, consultationId: number, input: RoundInput, now = new Date()): Promise<number> {
  const values = checkRound(input, now);
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(departmentRounds)
      .values({ consultationId, ...values, openedBy: actor.id })
      .returning({ id: departmentRounds.id });
    if (!row) throw new Error('round insert returned nothing');
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.round.open',
      subjectType: 'department_round',
      subjectId: row.id,
      after: { consultationId, title: values.title, deadline: values.deadline.toISOString(), remindDaysBefore: values.remindDaysBefore },
    });
    return row.id;
  });
}

export async function closeRound(ctx: AppContext, actor: Actor, roundId: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(departmentRounds)
      .set({ status: 'closed', closedAt: new Date() })
      .where(and(eq(departmentRounds.id, roundId), eq(departmentRounds.status, 'open')))
      .returning({ id: departmentRounds.id });
    if (!row) return;
    await recordAudit(tx, { actorId: actor.id, action: 'consolidation.round.close', subjectType: 'department_round', subjectId: roundId, before: { status: 'open' }, after: { status: 'closed' } });
  });
}

// ---------------------------------------------------------------------------------------------
// Assigning
// ---------------------------------------------------------------------------------------------

/** The round of an assignment or a page is closed: nothing can be assigned or drafted any more. */
export class RoundClosedError extends DomainError {
  constructor() {
    super(409, 'consolidation.rounds.errors.closed');
  }
}

export interface AssignItem {
  responseId: number;
  departmentId: number;
}

/**
 * Mails every member of each department once: "n new items in round …". Returns whether a mail
 * was queued. Called inside the transaction that assigned them.
 */
async function mailAssigned(ctx: AppContext, tx: DbOrTx, round: { title: string; deadline: Date; consultationId: number; instructions: string }, perDepartment: Map<number, number>, from: string | null): Promise<boolean> {
  const ids = [...perDepartment.keys()];
  if (ids.length === 0) return false;
  const [members, names, [consultation]] = await Promise.all([
    membersOf(tx, ids),
    tx.select({ id: departments.id, name: departments.name }).from(departments).where(inArray(departments.id, ids)),
    tx.select({ title: consultations.title }).from(consultations).where(eq(consultations.id, round.consultationId)),
  ]);
  const nameOf = new Map(names.map((d) => [d.id, d.name]));
  for (const m of members) {
    if (!m.email) continue;
    const locale: Locale = isLocale(m.locale) ? m.locale : 'de';
    await enqueueMail(tx, {
      to: m.email,
      template: 'round_assigned',
      locale,
      payload: {
        roundTitle: round.title,
        consultationTitle: consultation?.title ?? '',
        departmentName: nameOf.get(m.departmentId) ?? '',
        count: perDepartment.get(m.departmentId) ?? 0,
        deadline: formatDate(round.deadline, locale),
        instructions: round.instructions || null,
        handedOverFrom: from,
        url: `${ctx.config.baseUrl}/department/inbox`,
      },
    });
  }
  return members.length > 0;
}

/**
 * Assigns units to departments in one transaction. Units no longer assignable (assigned by
 * someone else meanwhile, approved, superseded) are skipped and counted. Mails each department's
 * members once for the batch.
 */
export async function assignUnits(ctx: AppContext, actor: Actor, roundId: number, items: AssignItem[], noteRaw: string): Promise<{ assigned: number; skipped: number }> {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const note = text(noteRaw, errors, params, 'note', NOTE_MAX, null);
  if (items.length === 0) errors.units = 'consolidation.rounds.errors.noUnits';
  if (items.length > ASSIGN_MAX) {
    errors.units = 'consolidation.rounds.errors.tooMany';
    params.units = { max: ASSIGN_MAX };
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors, params);
  const outcome = await ctx.db.transaction(async (tx) => {
    const [round] = await tx.select().from(departmentRounds).where(eq(departmentRounds.id, roundId)).for('update');
    if (!round) throw new NotFoundError();
    if (round.status !== 'open') throw new RoundClosedError();
    const known = new Set((await tx.select({ id: departments.id }).from(departments).where(inArray(departments.id, [...new Set(items.map((i) => i.departmentId))]))).map((d) => d.id));
    if (items.some((i) => !known.has(i.departmentId))) throw new ValidationError({ department: 'consolidation.rounds.errors.department' });
    const unique = [...new Map(items.map((i) => [i.responseId, i])).values()];
    const free = new Set((await assignableIds(tx, round.consultationId, roundId, unique.map((i) => i.responseId))).map((r) => r.id));
    const taking = unique.filter((i) => free.has(i.responseId));
    if (taking.length > 0) {
      const rows = await tx
        .insert(assignments)
        .values(taking.map((i) => ({ roundId, responseId: i.responseId, departmentId: i.departmentId, note, assignedBy: actor.id })))
        .returning({ id: assignments.id, responseId: assignments.responseId, departmentId: assignments.departmentId });
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'consolidation.round.assign',
        subjectType: 'department_round',
        subjectId: roundId,
        after: { assignments: rows.map((r) => ({ id: r.id, responseId: r.responseId, departmentId: r.departmentId })), ...(note ? { note } : {}) },
      });
    }
    const perDepartment = new Map<number, number>();
    for (const i of taking) perDepartment.set(i.departmentId, (perDepartment.get(i.departmentId) ?? 0) + 1);
    const queued = await mailAssigned(ctx, tx, round, perDepartment, null);
    return { assigned: taking.length, skipped: items.length - taking.length, queued };
  });
  if (outcome.queued) ctx.mailQueued();
  return { assigned: outcome.assigned, skipped: outcome.skipped };
}

// ---------------------------------------------------------------------------------------------
// Working an assignment
// ---------------------------------------------------------------------------------------------

export interface AssignmentState {
  id: number;
  status: string;
  version: number;
  draftAnswer: string;
  proposedVerdict: string | null;
  draftedAt: Date | null;
  draftedByName: string | null;
}

/** Somebody changed the assignment since the form was loaded; nothing was saved. */
export class AssignmentConflict extends DomainError {
  constructor(readonly current: AssignmentState | null) {
    super(409, 'consolidation.rounds.conflict.text');
  }
}

export async function assignmentState(db: DbOrTx, id: number): Promise<AssignmentState | null> {
  const [row] = await db
    .select({
      id: assignments.id,
      status: assignments.status,
      version: assignments.version,
      draftAnswer: assignments.draftAnswer,
      proposedVerdict: assignments.proposedVerdict,
      draftedAt: assignments.draftedAt,
      draftedByName: users.displayName,
    })
    .from(assignments)
    .leftJoin(users, eq(users.id, assignments.draftedBy))
    .where(eq(assignments.id, id));
  return row ?? null;
}

/** Loads an assignment for a department editor: 404 unless it is one of their departments'. */
async function ownAssignment(tx: DbOrTx, id: number, departmentIds: readonly number[]) {
  const [row] = await tx
    .select({ a: assignments, roundStatus: departmentRounds.status, responseStatus: responses.status, consultationId: departmentRounds.consultationId, round: departmentRounds })
    .from(assignments)
    .innerJoin(departmentRounds, eq(departmentRounds.id, assignments.roundId))
    .innerJoin(responses, eq(responses.id, assignments.responseId))
    .where(eq(assignments.id, id))
    .for('update', { of: assignments });
  if (!row || !departmentIds.includes(row.a.departmentId)) throw new NotFoundError();
  return row;
}

/** Whether a department may still change its draft: see `editable` on the item page. */
export function canEdit(a: { status: string; roundStatus: string; responseStatus: string }): boolean {
  return (a.status === 'open' || a.status === 'drafted') && a.roundStatus === 'open' && a.responseStatus !== 'decided' && a.responseStatus !== 'approved';
}

/** The reason a department can no longer change its draft, as a message key (null: it can). */
export function lockedReason(a: { status: string; roundStatus: string; responseStatus: string }): string | null {
  if (a.responseStatus === 'decided' || a.responseStatus === 'approved') return 'consolidation.rounds.item.decided';
  if (a.status === 'handed_over') return 'consolidation.rounds.item.handedOver';
  if (a.status === 'withdrawn') return 'consolidation.rounds.item.withdrawn';
  if (a.roundStatus !== 'open') return 'consolidation.rounds.item.roundClosed';
  return null;
}

export interface DraftInput {
  version: number;
  draftAnswer: string;
  proposedVerdict: string;
  /** Hand in (status drafted) rather than save for later. */
  handIn: boolean;
}

export class LockedError extends DomainError {
  constructor(messageKey: string) {
    super(409, messageKey);
  }
}

/**
 * Saves the department's draft, or hands it in: the assignment becomes 'drafted' (who and when
 * recorded) and an open unit 'drafted' too. A handed-in draft can be revised until the organiser
 * decided the unit.
 */
export async function saveDraft(ctx: AppContext, actor: Actor & { departmentIds: readonly number[] }, id: number, input: DraftInput): Promise<{ status: string; version: number }> {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const answer = text(input.draftAnswer, errors, params, 'draftAnswer', ANSWER_MAX, input.handIn ? 'consolidation.rounds.errors.answer' : null);
  let verdict: Verdict | null = null;
  if (input.proposedVerdict !== '') {
    if (isVerdict(input.proposedVerdict)) verdict = input.proposedVerdict;
    else errors.proposedVerdict = 'consolidation.rounds.errors.verdict';
  } else if (input.handIn) errors.proposedVerdict = 'consolidation.rounds.errors.verdict';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors, params);

  return ctx.db.transaction(async (tx) => {
    const seen = await ownAssignment(tx, id, actor.departmentIds);
    const locked = lockedReason({ status: seen.a.status, roundStatus: seen.roundStatus, responseStatus: seen.responseStatus });
    if (seen.a.version !== input.version) throw new AssignmentConflict(await assignmentState(tx, id));
    if (locked) throw new LockedError(locked);
    const now = new Date();
    const handIn = input.handIn;
    const [row] = await tx
      .update(assignments)
      .set({
        draftAnswer: answer,
        proposedVerdict: verdict,
        version: sql`${assignments.version} + 1`,
        ...(handIn ? { status: 'drafted' as const, draftedBy: actor.id, draftedAt: now } : {}),
      })
      .where(and(eq(assignments.id, id), eq(assignments.version, input.version)))
      .returning({ status: assignments.status, version: assignments.version, responseId: assignments.responseId });
    if (!row) throw new AssignmentConflict(await assignmentState(tx, id));
    if (handIn) {
      // The unit has a draft now; its version moves, so a review form loaded before is stale.
      await tx
        .update(responses)
        .set({ status: 'drafted', version: sql`${responses.version} + 1`, updatedAt: now })
        .where(and(eq(responses.id, row.responseId), eq(responses.status, 'open')));
    }
    await recordAudit(tx, {
      actorId: actor.id,
      action: handIn ? 'consolidation.assignment.handIn' : 'consolidation.assignment.save',
      subjectType: 'assignment',
      subjectId: id,
      before: { status: seen.a.status, version: seen.a.version, draftAnswer: seen.a.draftAnswer, proposedVerdict: seen.a.proposedVerdict },
      after: { status: row.status, version: row.version, draftAnswer: answer, proposedVerdict: verdict, responseId: row.responseId },
    });
    return { status: row.status, version: row.version };
  });
}

export interface HandOverInput {
  version: number;
  departmentId: string;
  note: string;
}

/** Passes an item on to another department of the administration, with a note; returns the new assignment's id. */
export async function handOver(ctx: AppContext, actor: Actor & { departmentIds: readonly number[] }, id: number, input: HandOverInput): Promise<number> {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const note = text(input.note, errors, params, 'handOverNote', NOTE_MAX, 'consolidation.rounds.errors.handOverNote');
  const target = /^\d{1,9}$/.test(input.departmentId) ? Number(input.departmentId) : null;
  if (target === null) errors.handOverDepartment = 'consolidation.rounds.errors.handOverDepartment';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors, params);

  const outcome = await ctx.db.transaction(async (tx) => {
    const seen = await ownAssignment(tx, id, actor.departmentIds);
    if (seen.a.version !== input.version) throw new AssignmentConflict(await assignmentState(tx, id));
    const locked = lockedReason({ status: seen.a.status, roundStatus: seen.roundStatus, responseStatus: seen.responseStatus });
    if (locked) throw new LockedError(locked);
    if (seen.a.status !== 'open') throw new LockedError('consolidation.rounds.errors.handOverDrafted');
    if (target === seen.a.departmentId) throw new ValidationError({ handOverDepartment: 'consolidation.rounds.errors.handOverSelf' });
    const [other] = await tx.select({ id: departments.id, name: departments.name }).from(departments).where(eq(departments.id, target as number));
    if (!other) throw new ValidationError({ handOverDepartment: 'consolidation.rounds.errors.handOverDepartment' });
    const [already] = await tx
      .select({ id: assignments.id })
      .from(assignments)
      .where(and(eq(assignments.roundId, seen.a.roundId), eq(assignments.responseId, seen.a.responseId), eq(assignments.departmentId, other.id), inArray(assignments.status, ['open', 'drafted'])));
    if (already) throw new ValidationError({ handOverDepartment: 'consolidation.rounds.errors.handOverTaken' });
    const [row] = await tx
      .update(assignments)
      .set({ status: 'handed_over', version: sql`${assignments.version} + 1` })
      .where(and(eq(assignments.id, id), eq(assignments.version, input.version)))
      .returning({ id: assignments.id });
    if (!row) throw new AssignmentConflict(await assignmentState(tx, id));
    const [created] = await tx
      .insert(assignments)
      .values({ roundId: seen.a.roundId, responseId: seen.a.responseId, departmentId: other.id, note, handedOverFrom: id, assignedBy: actor.id })
      .returning({ id: assignments.id });
    if (!created) throw new Error('assignment insert returned nothing');
    const [from] = await tx.select({ name: departments.name }).from(departments).where(eq(departments.id, seen.a.departmentId));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.assignment.handOver',
      subjectType: 'assignment',
      subjectId: id,
      before: { status: seen.a.status, departmentId: seen.a.departmentId },
      after: { status: 'handed_over', newAssignmentId: created.id, departmentId: other.id, note },
    });
    const queued = await mailAssigned(ctx, tx, seen.round, new Map([[other.id, 1]]), from?.name ?? null);
    return { id: created.id, queued };
  });
  if (outcome.queued) ctx.mailQueued();
  return outcome.id;
}

/**
 * The organiser takes an item back. A withdrawn handed-in draft no longer counts: an unit left
 * with no other handed-in draft goes back to open.
 */
export async function withdrawAssignment(ctx: AppContext, actor: Actor, id: number, version: number): Promise<{ roundId: number }> {
  return ctx.db.transaction(async (tx) => {
    const [seen] = await tx.select().from(assignments).where(eq(assignments.id, id)).for('update');
    if (!seen) throw new NotFoundError();
    if (seen.version !== version || (seen.status !== 'open' && seen.status !== 'drafted')) throw new AssignmentConflict(await assignmentState(tx, id));
    await tx
      .update(assignments)
      .set({ status: 'withdrawn', version: sql`${assignments.version} + 1` })
      .where(eq(assignments.id, id));
    if (seen.status === 'drafted') {
      await tx
        .update(responses)
        .set({ status: 'open', version: sql`${responses.version} + 1`, updatedAt: new Date() })
        .where(
          and(
            eq(responses.id, seen.responseId),
            eq(responses.status, 'drafted'),
            sql`not exists (select 1 from assignment a where a.response_id = ${seen.responseId} and a.status = 'drafted' and a.id <> ${id})`,
          ),
        );
    }
    await recordAudit(tx, { actorId: actor.id, action: 'consolidation.assignment.withdraw', subjectType: 'assignment', subjectId: id, before: { status: seen.status, version }, after: { status: 'withdrawn' } });
    return { roundId: seen.roundId };
  });
}

// ---------------------------------------------------------------------------------------------
// Text blocks
// ---------------------------------------------------------------------------------------------

export interface BlockInput {
  departmentId: string;
  title: string;
  body: string;
}

function checkBlock(input: BlockInput, departmentIds: readonly number[]) {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const title = text(input.title, errors, params, 'title', BLOCK_TITLE_MAX, 'consolidation.rounds.errors.blockTitle');
  const body = text(input.body, errors, params, 'body', BLOCK_BODY_MAX, 'consolidation.rounds.errors.blockBody');
  const departmentId = /^\d{1,9}$/.test(input.departmentId) ? Number(input.departmentId) : departmentIds.length === 1 ? departmentIds[0] : null;
  if (departmentId === null || departmentId === undefined || !departmentIds.includes(departmentId)) errors.departmentId = 'consolidation.rounds.errors.blockDepartment';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors, params);
  return { title, body, departmentId: departmentId as number };
}

export async function createBlock(ctx: AppContext, actor: Actor & { departmentIds: readonly number[] }, input: BlockInput): Promise<number> {
  const values = checkBlock(input, actor.departmentIds);
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.insert(textBlocks).values({ ...values, createdBy: actor.id }).returning({ id: textBlocks.id });
    if (!row) throw new Error('text block insert returned nothing');
    await recordAudit(tx, { actorId: actor.id, action: 'consolidation.textBlock.create', subjectType: 'text_block', subjectId: row.id, after: values });
    return row.id;
  });
}

/** A text block of one of the user's departments, or 404. */
export async function ownBlock(db: DbOrTx, id: number, departmentIds: readonly number[]) {
  const [row] = await db.select().from(textBlocks).where(eq(textBlocks.id, id));
  if (!row || row.departmentId === null || !departmentIds.includes(row.departmentId)) throw new NotFoundError();
  return row;
}

export async function updateBlock(ctx: AppContext, actor: Actor & { departmentIds: readonly number[] }, id: number, input: BlockInput): Promise<void> {
  const values = checkBlock(input, actor.departmentIds);
  await ctx.db.transaction(async (tx) => {
    const before = await ownBlock(tx, id, actor.departmentIds);
    await tx.update(textBlocks).set({ ...values, updatedAt: new Date() }).where(eq(textBlocks.id, id));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.textBlock.update',
      subjectType: 'text_block',
      subjectId: id,
      before: { title: before.title, body: before.body, departmentId: before.departmentId },
      after: values,
    });
  });
}

export async function deleteBlock(ctx: AppContext, actor: Actor & { departmentIds: readonly number[] }, id: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const before = await ownBlock(tx, id, actor.departmentIds);
    await tx.delete(textBlocks).where(eq(textBlocks.id, id));
    await recordAudit(tx, { actorId: actor.id, action: 'consolidation.textBlock.delete', subjectType: 'text_block', subjectId: id, before: { title: before.title, body: before.body, departmentId: before.departmentId } });
  });
}

/** The draft with a text block appended after what was typed so far (a blank line between). */
export function appendBlock(typed: string, block: string): string {
  const head = typed.replace(/\s+$/, '');
  return head ? `${head}\n\n${block}` : block;
}

// ---------------------------------------------------------------------------------------------
// Reminders
// ---------------------------------------------------------------------------------------------

/**
 * Sends each open round's reminder once, when its deadline is at most `remindDaysBefore` days
 * away: the round is claimed with a conditional UPDATE (only one instance or call wins it), and
 * in the same transaction every member of each department with open items in it is mailed.
 * Returns the number of mails queued.
 */
export async function sendRoundReminders(ctx: AppContext, now = new Date()): Promise<number> {
  const due = await ctx.db
    .select({ id: departmentRounds.id })
    .from(departmentRounds)
    .where(
      and(
        eq(departmentRounds.status, 'open'),
        isNull(departmentRounds.reminderSentAt),
        gt(departmentRounds.remindDaysBefore, 0),
        gt(departmentRounds.deadline, now),
        lte(departmentRounds.deadline, sql`${now.toISOString()}::timestamptz + make_interval(days => ${departmentRounds.remindDaysBefore})`),
      ),
    );
  let mails = 0;
  for (const { id } of due) {
    const sent = await ctx.db.transaction(async (tx) => {
      const [round] = await tx
        .update(departmentRounds)
        .set({ reminderSentAt: now })
        .where(and(eq(departmentRounds.id, id), isNull(departmentRounds.reminderSentAt), eq(departmentRounds.status, 'open')))
        .returning();
      if (!round) return 0;
      const open = await tx
        .select({ departmentId: assignments.departmentId, n: sql<number>`count(*)`.mapWith(Number) })
        .from(assignments)
        .where(and(eq(assignments.roundId, id), eq(assignments.status, 'open')))
        .groupBy(assignments.departmentId);
      const perDepartment = new Map(open.map((r) => [r.departmentId, r.n]));
      const [members, [consultation]] = await Promise.all([
        membersOf(tx, [...perDepartment.keys()]),
        tx.select({ title: consultations.title }).from(consultations).where(eq(consultations.id, round.consultationId)),
      ]);
      // One mail per person, counting the open items of all their departments in the round.
      const perUser = new Map<string, { email: string; locale: Locale; count: number }>();
      for (const m of members) {
        if (!m.email) continue;
        const entry = perUser.get(m.userId) ?? { email: m.email, locale: isLocale(m.locale) ? m.locale : 'de', count: 0 };
        entry.count += perDepartment.get(m.departmentId) ?? 0;
        perUser.set(m.userId, entry);
      }
      for (const u of perUser.values()) {
        await enqueueMail(tx, {
          to: u.email,
          template: 'round_reminder',
          locale: u.locale,
          payload: {
            roundTitle: round.title,
            consultationTitle: consultation?.title ?? '',
            count: u.count,
            deadline: formatDate(round.deadline, u.locale),
            url: `${ctx.config.baseUrl}/department/inbox?status=open`,
          },
        });
      }
      await recordAudit(tx, { actorId: null, action: 'consolidation.round.remind', subjectType: 'department_round', subjectId: id, after: { mails: perUser.size } });
      return perUser.size;
    });
    mails += sent;
  }
  if (mails > 0) ctx.mailQueued();
  return mails;
}
