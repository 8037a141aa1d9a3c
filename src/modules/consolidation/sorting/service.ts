/**
 * Sorting what came in, before and during the Abwägung: tags, the target a unit is really
 * about, sections of long written statements, groups of equal contributions. Each write is one
 * transaction with its audit entry; a form that edits a unit names the unit's version, and a
 * stale one is refused with a SortingConflict that carries the unit as it is now.
 */
import { and, asc, count, eq, inArray, isNull, max, ne, sql } from 'drizzle-orm';
import type { AppContext } from '../../../core/context.js';
import { DomainError, type FieldErrors, type MessageParams, NotFoundError, ValidationError } from '../../../core/errors.js';
import type { DbOrTx } from '../../../db/index.js';
import { recordAudit } from '../../audit/service.js';
import { contributions, type TargetKind } from '../../participation/schema.js';
import { checkText, STATEMENT_MAX_LENGTH } from '../../participation/service.js';
import { contributionGroupMembers, contributionGroups, contributionSections, contributionTags, responses, tags } from '../schema.js';
import { notifyJoinedMember } from '../review/service.js';
import { eligibleContribution, syncResponses } from '../service.js';
import { loadOutline, type Outline, parseTargetValue, shorten, type Unit } from './queries.js';

export const TAG_MAX_LENGTH = 60;
export const GROUP_TITLE_MAX_LENGTH = 200;

interface Actor {
  id: string;
}

/** The unit was changed by someone else since the form was loaded: nothing was written. */
export class SortingConflict extends DomainError {
  constructor(readonly current: Unit | null) {
    super(409, 'consolidation.sorting.conflict.text');
  }
}

const own = and(isNull(responses.sectionId), isNull(responses.groupId));

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

function fail(field: string, key: string, params?: MessageParams): never {
  throw new ValidationError({ [field]: key }, params ? { [field]: params } : {});
}

/** A passage or label as typed, with the participation checks and this part's messages. */
function checkPassage(raw: string, errors: FieldErrors, params: Record<string, MessageParams>, name: string, max: number): string {
  const text = checkText(raw, errors, name, { max }, params);
  const key = errors[name];
  if (key) errors[name] = key.replace('participation.errors.text', 'consolidation.sorting.errors.text');
  return text;
}

function checkLabel(raw: string): string {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const label = checkPassage(raw.replace(/\s+/g, ' '), errors, params, 'label', TAG_MAX_LENGTH);
  if (errors.label === 'consolidation.sorting.errors.textRequired') errors.label = 'consolidation.sorting.errors.tagRequired';
  if (Object.keys(errors).length) throw new ValidationError(errors, params);
  return label;
}

/** The chosen target, which must be in the outline (or stay what the unit already has). */
function checkTarget(value: string, outline: Outline, field: string, current?: { kind: TargetKind; key: string | null }): { kind: TargetKind; key: string | null } {
  const target = parseTargetValue(value);
  const known = target && (target.kind === 'consultation' || outline.byValue.has(value) || (current && current.kind === target.kind && current.key === target.key));
  if (!target || !known) fail(field, 'consolidation.sorting.errors.target');
  return target;
}

async function lockEligible(tx: DbOrTx, id: number) {
  const [row] = await tx
    .select({ id: contributions.id, consultationId: contributions.consultationId, kind: contributions.kind, body: contributions.body })
    .from(contributions)
    .where(and(eq(contributions.id, id), eligibleContribution))
    .for('update');
  return row ?? null;
}

async function lockOwnUnit(tx: DbOrTx, consultationId: number, contributionId: number): Promise<Unit> {
  let [unit] = await tx.select().from(responses).where(and(eq(responses.contributionId, contributionId), own)).for('update');
  if (!unit) {
    await syncResponses(tx, consultationId);
    [unit] = await tx.select().from(responses).where(and(eq(responses.contributionId, contributionId), own)).for('update');
  }
  if (!unit) throw new NotFoundError();
  return unit;
}

async function setSuperseded(tx: DbOrTx, contributionIds: number[], superseded: boolean): Promise<void> {
  if (contributionIds.length === 0) return;
  await tx
    .update(responses)
    .set({ superseded, version: sql`${responses.version} + 1`, updatedAt: new Date() })
    .where(and(inArray(responses.contributionId, contributionIds), own, ne(responses.superseded, superseded)));
}

async function hasSections(tx: DbOrTx, contributionId: number): Promise<boolean> {
  const [row] = await tx.select({ n: count() }).from(contributionSections).where(eq(contributionSections.contributionId, contributionId));
  return (row?.n ?? 0) > 0;
}

async function groupOfLocked(tx: DbOrTx, contributionId: number): Promise<number | null> {
  const [row] = await tx.select({ groupId: contributionGroupMembers.groupId }).from(contributionGroupMembers).where(eq(contributionGroupMembers.contributionId, contributionId));
  return row?.groupId ?? null;
}

const unitState = (u: Unit) => ({ targetKind: u.targetKind, targetKey: u.targetKey, version: u.version, superseded: u.superseded, status: u.status });

// ---------------------------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------------------------

async function labelTaken(tx: DbOrTx, consultationId: number, label: string, except: number | null): Promise<boolean> {
  const [row] = await tx
    .select({ id: tags.id })
    .from(tags)
    .where(and(eq(tags.consultationId, consultationId), sql`lower(${tags.label}) = lower(${label})`, except === null ? undefined : ne(tags.id, except)));
  return row !== undefined;
}

export async function createTag(ctx: AppContext, actor: Actor, consultationId: number, raw: string): Promise<number> {
  const label = checkLabel(raw);
  try {
    return await ctx.db.transaction(async (tx) => {
      if (await labelTaken(tx, consultationId, label, null)) fail('label', 'consolidation.sorting.errors.tagTaken', { label });
      const [row] = await tx.insert(tags).values({ consultationId, label }).returning({ id: tags.id });
      if (!row) throw new Error('tag insert returned nothing');
      await recordAudit(tx, { actorId: actor.id, action: 'consolidation.tag.create', subjectType: 'tag', subjectId: row.id, after: { consultationId, label } });
      return row.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) fail('label', 'consolidation.sorting.errors.tagTaken', { label });
    throw error;
  }
}

export async function renameTag(ctx: AppContext, actor: Actor, tagId: number, raw: string): Promise<void> {
  const label = checkLabel(raw);
  try {
    await ctx.db.transaction(async (tx) => {
      const [tag] = await tx.select().from(tags).where(eq(tags.id, tagId)).for('update');
      if (!tag) throw new NotFoundError();
      if (tag.label === label) return;
      if (await labelTaken(tx, tag.consultationId, label, tag.id)) fail('label', 'consolidation.sorting.errors.tagTaken', { label });
      await tx.update(tags).set({ label }).where(eq(tags.id, tagId));
      await recordAudit(tx, { actorId: actor.id, action: 'consolidation.tag.rename', subjectType: 'tag', subjectId: tagId, before: { label: tag.label }, after: { label, consultationId: tag.consultationId } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) fail('label', 'consolidation.sorting.errors.tagTaken', { label });
    throw error;
  }
}

export async function deleteTag(ctx: AppContext, actor: Actor, tagId: number): Promise<{ consultationId: number }> {
  return ctx.db.transaction(async (tx) => {
    const [tag] = await tx.select().from(tags).where(eq(tags.id, tagId)).for('update');
    if (!tag) throw new NotFoundError();
    const [uses] = await tx.select({ n: count() }).from(contributionTags).where(eq(contributionTags.tagId, tagId));
    await tx.delete(tags).where(eq(tags.id, tagId));
    await recordAudit(tx, { actorId: actor.id, action: 'consolidation.tag.delete', subjectType: 'tag', subjectId: tagId, before: { label: tag.label, consultationId: tag.consultationId, uses: uses?.n ?? 0 } });
    return { consultationId: tag.consultationId };
  });
}

async function labelsOf(tx: DbOrTx, contributionId: number): Promise<Array<{ id: number; label: string }>> {
  return tx
    .select({ id: tags.id, label: tags.label })
    .from(contributionTags)
    .innerJoin(tags, eq(tags.id, contributionTags.tagId))
    .where(eq(contributionTags.contributionId, contributionId))
    .orderBy(asc(tags.label));
}

/** Sets exactly these tags (of the contribution's consultation) on a contribution. */
export async function setTags(ctx: AppContext, actor: Actor, contributionId: number, tagIds: number[]): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const contribution = await lockEligible(tx, contributionId);
    if (!contribution) throw new NotFoundError();
    const wanted = tagIds.length
      ? (await tx.select({ id: tags.id }).from(tags).where(and(eq(tags.consultationId, contribution.consultationId), inArray(tags.id, tagIds)))).map((r) => r.id)
      : [];
    const before = await labelsOf(tx, contributionId);
    const had = new Set(before.map((b) => b.id));
    const keep = new Set(wanted);
    const removed = before.filter((b) => !keep.has(b.id)).map((b) => b.id);
    const added = wanted.filter((id) => !had.has(id));
    if (removed.length === 0 && added.length === 0) return;
    if (removed.length) await tx.delete(contributionTags).where(and(eq(contributionTags.contributionId, contributionId), inArray(contributionTags.tagId, removed)));
    if (added.length) await tx.insert(contributionTags).values(added.map((tagId) => ({ contributionId, tagId }))).onConflictDoNothing();
    const after = await labelsOf(tx, contributionId);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.tag',
      subjectType: 'contribution',
      subjectId: contributionId,
      before: { tags: before.map((b) => b.label) },
      after: { tags: after.map((a) => a.label), consultationId: contribution.consultationId },
    });
  });
}

/** Puts one tag on several contributions of its consultation (the list's "tag these"). */
export async function tagMany(ctx: AppContext, actor: Actor, consultationId: number, tagId: number | null, contributionIds: number[]): Promise<number> {
  if (tagId === null) fail('tag', 'consolidation.sorting.errors.bulkTag');
  if (contributionIds.length === 0) fail('ids', 'consolidation.sorting.errors.bulkNone');
  return ctx.db.transaction(async (tx) => {
    const [tag] = await tx.select().from(tags).where(and(eq(tags.id, tagId), eq(tags.consultationId, consultationId)));
    if (!tag) fail('tag', 'consolidation.sorting.errors.bulkTag');
    const ids = (
      await tx
        .select({ id: contributions.id })
        .from(contributions)
        .where(and(eq(contributions.consultationId, consultationId), inArray(contributions.id, contributionIds), eligibleContribution))
    ).map((r) => r.id);
    if (ids.length === 0) return 0;
    const added = await tx
      .insert(contributionTags)
      .values(ids.map((contributionId) => ({ contributionId, tagId })))
      .onConflictDoNothing()
      .returning({ id: contributionTags.contributionId });
    for (const row of added) {
      await recordAudit(tx, { actorId: actor.id, action: 'consolidation.tag', subjectType: 'contribution', subjectId: row.id, after: { added: tag.label, consultationId } });
    }
    return added.length;
  });
}

// ---------------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------------

/**
 * Moves a unit to the goal or measure it is really about. `which` finds the unit: a
 * contribution's own unit or a group's unit.
 */
export async function setTarget(ctx: AppContext, actor: Actor, which: { contributionId: number } | { groupId: number }, version: number, value: string): Promise<Unit> {
  return ctx.db.transaction(async (tx) => {
    let unit: Unit | undefined;
    let consultationId: number;
    if ('contributionId' in which) {
      const contribution = await lockEligible(tx, which.contributionId);
      if (!contribution) throw new NotFoundError();
      consultationId = contribution.consultationId;
      unit = await lockOwnUnit(tx, consultationId, contribution.id);
    } else {
      [unit] = await tx.select().from(responses).where(eq(responses.groupId, which.groupId)).for('update');
      if (!unit) throw new NotFoundError();
      consultationId = unit.consultationId;
    }
    const outline = await loadOutline(tx, consultationId);
    const target = checkTarget(value, outline, 'target', { kind: unit.targetKind, key: unit.targetKey });
    if (unit.version !== version) throw new SortingConflict(unit);
    if (unit.targetKind === target.kind && unit.targetKey === target.key) return unit;
    const [updated] = await tx
      .update(responses)
      .set({ targetKind: target.kind, targetKey: target.key, version: sql`${responses.version} + 1`, updatedAt: new Date() })
      .where(and(eq(responses.id, unit.id), eq(responses.version, version)))
      .returning();
    if (!updated) throw new SortingConflict(unit);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.target',
      subjectType: 'response',
      subjectId: unit.id,
      before: { targetKind: unit.targetKind, targetKey: unit.targetKey, version: unit.version },
      after: { targetKind: updated.targetKind, targetKey: updated.targetKey, version: updated.version, contributionId: unit.contributionId, groupId: unit.groupId, consultationId },
    });
    return updated;
  });
}

// ---------------------------------------------------------------------------------------------
// Sections of a written statement
// ---------------------------------------------------------------------------------------------

export interface SectionInput {
  body: string;
  target: string;
}

function checkSection(input: SectionInput, outline: Outline, names: { body: string; target: string }, current?: { kind: TargetKind; key: string | null }) {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const body = checkPassage(input.body, errors, params, names.body, STATEMENT_MAX_LENGTH);
  if (errors[names.body] === 'consolidation.sorting.errors.textRequired') errors[names.body] = 'consolidation.sorting.errors.sectionRequired';
  let target: { kind: TargetKind; key: string | null } | null = null;
  try {
    target = checkTarget(input.target, outline, names.target, current);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    Object.assign(errors, error.fields);
  }
  if (Object.keys(errors).length || !target) throw new ValidationError(errors, params);
  return { body, target };
}

/** Adds a section at the end; the first one makes the statement's own unit superseded. */
export async function addSection(ctx: AppContext, actor: Actor, contributionId: number, input: SectionInput): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const contribution = await lockEligible(tx, contributionId);
    if (!contribution) throw new NotFoundError();
    if (contribution.kind !== 'statement') fail('form', 'consolidation.sorting.errors.sectionsStatementsOnly');
    if ((await groupOfLocked(tx, contributionId)) !== null) fail('form', 'consolidation.sorting.errors.sectionsGrouped');
    const outline = await loadOutline(tx, contribution.consultationId);
    const { body, target } = checkSection(input, outline, { body: 'sectionBody', target: 'sectionTarget' });
    await lockOwnUnit(tx, contribution.consultationId, contributionId);
    const [last] = await tx.select({ position: max(contributionSections.position), n: count() }).from(contributionSections).where(eq(contributionSections.contributionId, contributionId));
    const position = (last?.position ?? 0) + 1;
    const [section] = await tx.insert(contributionSections).values({ contributionId, position, body, createdBy: actor.id }).returning({ id: contributionSections.id });
    if (!section) throw new Error('section insert returned nothing');
    await tx.insert(responses).values({ consultationId: contribution.consultationId, contributionId, sectionId: section.id, targetKind: target.kind, targetKey: target.key });
    if ((last?.n ?? 0) === 0) await setSuperseded(tx, [contributionId], true);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.section.create',
      subjectType: 'contribution_section',
      subjectId: section.id,
      after: { contributionId, position, body, targetKind: target.kind, targetKey: target.key, consultationId: contribution.consultationId },
    });
    return section.id;
  });
}

async function lockSection(tx: DbOrTx, contributionId: number, sectionId: number) {
  const contribution = await lockEligible(tx, contributionId);
  if (!contribution) throw new NotFoundError();
  const [row] = await tx
    .select({ section: contributionSections, unit: responses })
    .from(contributionSections)
    .innerJoin(responses, eq(responses.sectionId, contributionSections.id))
    .where(and(eq(contributionSections.id, sectionId), eq(contributionSections.contributionId, contributionId)))
    .for('update');
  if (!row) throw new NotFoundError();
  return { contribution, ...row };
}

export async function editSection(ctx: AppContext, actor: Actor, contributionId: number, sectionId: number, input: SectionInput & { version: number }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const { contribution, section, unit } = await lockSection(tx, contributionId, sectionId);
    const outline = await loadOutline(tx, contribution.consultationId);
    const { body, target } = checkSection(input, outline, { body: 'body', target: 'target' }, { kind: unit.targetKind, key: unit.targetKey });
    if (unit.version !== input.version) throw new SortingConflict(unit);
    const targetChanged = unit.targetKind !== target.kind || unit.targetKey !== target.key;
    if (!targetChanged && body === section.body) return;
    await tx.update(contributionSections).set({ body }).where(eq(contributionSections.id, sectionId));
    await tx
      .update(responses)
      .set({ targetKind: target.kind, targetKey: target.key, version: sql`${responses.version} + 1`, updatedAt: new Date() })
      .where(eq(responses.id, unit.id));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.section.edit',
      subjectType: 'contribution_section',
      subjectId: sectionId,
      before: { body: section.body, targetKind: unit.targetKind, targetKey: unit.targetKey, version: unit.version },
      after: { body, targetKind: target.kind, targetKey: target.key, version: unit.version + 1, contributionId },
    });
  });
}

/** Deletes a section and its unit; deleting the last one gives the statement its own unit back. */
export async function deleteSection(ctx: AppContext, actor: Actor, contributionId: number, sectionId: number, version: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const { section, unit } = await lockSection(tx, contributionId, sectionId);
    if (unit.version !== version) throw new SortingConflict(unit);
    // An answer written for the section would go with it.
    if (unit.status !== 'open' || unit.answer !== '') fail('form', 'consolidation.sorting.errors.sectionAnswered');
    await tx.delete(contributionSections).where(eq(contributionSections.id, sectionId));
    const left = await hasSections(tx, contributionId);
    if (!left) await setSuperseded(tx, [contributionId], false);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.section.delete',
      subjectType: 'contribution_section',
      subjectId: sectionId,
      before: { contributionId, position: section.position, body: section.body, targetKind: unit.targetKind, targetKey: unit.targetKey, version: unit.version },
      after: { sectionsLeft: left },
    });
  });
}

/** Swaps a section with the one before (up) or after (down). */
export async function moveSection(ctx: AppContext, actor: Actor, contributionId: number, sectionId: number, direction: 'up' | 'down'): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const { section } = await lockSection(tx, contributionId, sectionId);
    const all = await tx.select().from(contributionSections).where(eq(contributionSections.contributionId, contributionId)).orderBy(asc(contributionSections.position));
    const index = all.findIndex((s) => s.id === sectionId);
    const other = all[direction === 'up' ? index - 1 : index + 1];
    if (!other) return;
    // (contribution, position) is unique and not deferrable: park one on a free position first.
    await tx.update(contributionSections).set({ position: -1 }).where(eq(contributionSections.id, section.id));
    await tx.update(contributionSections).set({ position: section.position }).where(eq(contributionSections.id, other.id));
    await tx.update(contributionSections).set({ position: other.position }).where(eq(contributionSections.id, section.id));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.section.move',
      subjectType: 'contribution_section',
      subjectId: sectionId,
      before: { position: section.position },
      after: { position: other.position, contributionId, swappedWith: other.id },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

/** Returns whether the new member's author was mailed the group's published answer. */
async function addMemberInTx(ctx: AppContext, tx: DbOrTx, actor: Actor, groupId: number, contribution: { id: number; consultationId: number }): Promise<boolean> {
  if (await hasSections(tx, contribution.id)) fail('form', 'consolidation.sorting.errors.groupSections', { id: contribution.id });
  const current = await groupOfLocked(tx, contribution.id);
  if (current === groupId) return false;
  if (current !== null) fail('form', 'consolidation.sorting.errors.otherGroup', { id: contribution.id });
  await lockOwnUnit(tx, contribution.consultationId, contribution.id);
  await tx.insert(contributionGroupMembers).values({ contributionId: contribution.id, groupId });
  await setSuperseded(tx, [contribution.id], true);
  const mailed = await notifyJoinedMember(ctx, tx, groupId, contribution.id);
  await recordAudit(tx, { actorId: actor.id, action: 'consolidation.group.add', subjectType: 'contribution_group', subjectId: groupId, after: { contributionId: contribution.id, mailed } });
  return mailed;
}

async function createGroupInTx(tx: DbOrTx, actor: Actor, lead: { id: number; consultationId: number; body: string }, title: string): Promise<number> {
  if (await hasSections(tx, lead.id)) fail('form', 'consolidation.sorting.errors.groupSections', { id: lead.id });
  if ((await groupOfLocked(tx, lead.id)) !== null) fail('form', 'consolidation.sorting.errors.otherGroup', { id: lead.id });
  const unit = await lockOwnUnit(tx, lead.consultationId, lead.id);
  const [group] = await tx
    .insert(contributionGroups)
    .values({ consultationId: lead.consultationId, title: title || shorten(lead.body, 80), leadContributionId: lead.id, createdBy: actor.id })
    .returning();
  if (!group) throw new Error('group insert returned nothing');
  await tx.insert(contributionGroupMembers).values({ contributionId: lead.id, groupId: group.id });
  await tx.insert(responses).values({ consultationId: lead.consultationId, contributionId: lead.id, groupId: group.id, targetKind: unit.targetKind, targetKey: unit.targetKey });
  await setSuperseded(tx, [lead.id], true);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'consolidation.group.create',
    subjectType: 'contribution_group',
    subjectId: group.id,
    after: { title: group.title, leadContributionId: lead.id, targetKind: unit.targetKind, targetKey: unit.targetKey, consultationId: lead.consultationId },
  });
  return group.id;
}

function checkTitle(raw: string): string {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const title = checkPassage(raw.replace(/\s+/g, ' '), errors, params, 'title', GROUP_TITLE_MAX_LENGTH);
  if (errors.title === 'consolidation.sorting.errors.textRequired') delete errors.title;
  if (Object.keys(errors).length) throw new ValidationError(errors, params);
  return title;
}

/**
 * Groups a contribution: alone (it becomes the lead of a new group), or with another one from
 * its suggestions. When one of the two is in a group already, the other joins that group.
 */
export async function groupWith(ctx: AppContext, actor: Actor, contributionId: number, input: { withId: number | null; title: string }): Promise<number> {
  const title = checkTitle(input.title);
  let mailed = false;
  try {
    const groupId = await ctx.db.transaction(async (tx) => {
      // Both rows locked in id order, so two organisers grouping the same pair wait, not deadlock.
      const ids = [contributionId, ...(input.withId !== null && input.withId !== contributionId ? [input.withId] : [])].sort((a, b) => a - b);
      const locked = new Map<number, NonNullable<Awaited<ReturnType<typeof lockEligible>>>>();
      for (const id of ids) {
        const row = await lockEligible(tx, id);
        if (row) locked.set(id, row);
      }
      const self = locked.get(contributionId);
      if (!self) throw new NotFoundError();
      const other = input.withId === null ? null : locked.get(input.withId);
      if (input.withId !== null && (!other || other.consultationId !== self.consultationId || other.id === self.id)) fail('form', 'consolidation.sorting.errors.memberUnknown');
      const selfGroup = await groupOfLocked(tx, self.id);
      if (!other) {
        if (selfGroup !== null) return selfGroup;
        return createGroupInTx(tx, actor, self, title);
      }
      const otherGroup = await groupOfLocked(tx, other.id);
      if (selfGroup !== null && otherGroup !== null) {
        if (selfGroup === otherGroup) return selfGroup;
        fail('form', 'consolidation.sorting.errors.otherGroup', { id: other.id });
      }
      if (selfGroup !== null) {
        mailed = await addMemberInTx(ctx, tx, actor, selfGroup, other);
        return selfGroup;
      }
      if (otherGroup !== null) {
        mailed = await addMemberInTx(ctx, tx, actor, otherGroup, self);
        return otherGroup;
      }
      if (await hasSections(tx, other.id)) fail('form', 'consolidation.sorting.errors.groupSections', { id: other.id });
      const groupId = await createGroupInTx(tx, actor, self, title);
      await addMemberInTx(ctx, tx, actor, groupId, other);
      return groupId;
    });
    if (mailed) ctx.mailQueued();
    return groupId;
  } catch (error) {
    if (isUniqueViolation(error)) fail('form', 'consolidation.sorting.errors.otherGroup', { id: input.withId ?? contributionId });
    throw error;
  }
}

async function lockGroup(tx: DbOrTx, groupId: number) {
  // NO KEY UPDATE: a member being added elsewhere (its foreign key takes KEY SHARE on the group)
  // must not wait for this lock while this transaction waits for that member's row.
  const [group] = await tx.select().from(contributionGroups).where(eq(contributionGroups.id, groupId)).for('no key update');
  if (!group) throw new NotFoundError();
  const [unit] = await tx.select().from(responses).where(eq(responses.groupId, groupId)).for('update');
  if (!unit) throw new NotFoundError();
  const members = (await tx.select({ id: contributionGroupMembers.contributionId }).from(contributionGroupMembers).where(eq(contributionGroupMembers.groupId, groupId))).map((m) => m.id);
  return { group, unit, members };
}

/** Adds a contribution (by its number) to a group from the group's page. */
export async function addMember(ctx: AppContext, actor: Actor, groupId: number, contributionId: number | null): Promise<void> {
  if (contributionId === null) fail('member', 'consolidation.sorting.errors.memberUnknown');
  try {
    const mailed = await ctx.db.transaction(async (tx) => {
      const { group } = await lockGroup(tx, groupId);
      const contribution = await lockEligible(tx, contributionId);
      if (!contribution || contribution.consultationId !== group.consultationId) fail('member', 'consolidation.sorting.errors.memberUnknown');
      return addMemberInTx(ctx, tx, actor, groupId, contribution);
    });
    if (mailed) ctx.mailQueued();
  } catch (error) {
    if (isUniqueViolation(error)) fail('member', 'consolidation.sorting.errors.otherGroup', { id: contributionId });
    throw error;
  }
}

/** Takes a member out; its own unit answers it again. The lead leaves only by dissolving. */
export async function removeMember(ctx: AppContext, actor: Actor, groupId: number, contributionId: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const { group, members } = await lockGroup(tx, groupId);
    if (!members.includes(contributionId)) throw new NotFoundError();
    if (group.leadContributionId === contributionId) fail('form', 'consolidation.sorting.errors.removeLead');
    await tx.delete(contributionGroupMembers).where(and(eq(contributionGroupMembers.contributionId, contributionId), eq(contributionGroupMembers.groupId, groupId)));
    await setSuperseded(tx, [contributionId], false);
    await recordAudit(tx, { actorId: actor.id, action: 'consolidation.group.remove', subjectType: 'contribution_group', subjectId: groupId, before: { contributionId } });
  });
}

/** Another member becomes the lead: the group's unit names its text from now on. */
export async function changeLead(ctx: AppContext, actor: Actor, groupId: number, contributionId: number, version: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const { group, unit, members } = await lockGroup(tx, groupId);
    if (!members.includes(contributionId)) throw new NotFoundError();
    if (unit.version !== version) throw new SortingConflict(unit);
    if (group.leadContributionId === contributionId) return;
    await tx.update(contributionGroups).set({ leadContributionId: contributionId }).where(eq(contributionGroups.id, groupId));
    await tx
      .update(responses)
      .set({ contributionId, version: sql`${responses.version} + 1`, updatedAt: new Date() })
      .where(eq(responses.id, unit.id));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.group.lead',
      subjectType: 'contribution_group',
      subjectId: groupId,
      before: { leadContributionId: group.leadContributionId, version: unit.version },
      after: { leadContributionId: contributionId, version: unit.version + 1 },
    });
  });
}

export async function renameGroup(ctx: AppContext, actor: Actor, groupId: number, raw: string): Promise<void> {
  const title = checkTitle(raw);
  if (!title) fail('title', 'consolidation.sorting.errors.titleRequired');
  await ctx.db.transaction(async (tx) => {
    const { group } = await lockGroup(tx, groupId);
    if (group.title === title) return;
    await tx.update(contributionGroups).set({ title }).where(eq(contributionGroups.id, groupId));
    await recordAudit(tx, { actorId: actor.id, action: 'consolidation.group.rename', subjectType: 'contribution_group', subjectId: groupId, before: { title: group.title }, after: { title } });
  });
}

/** Dissolves a group: its unit goes, every member is answered by its own unit again. */
export async function dissolveGroup(ctx: AppContext, actor: Actor, groupId: number, version: number): Promise<{ consultationId: number; leadContributionId: number }> {
  return ctx.db.transaction(async (tx) => {
    const { group, unit, members } = await lockGroup(tx, groupId);
    if (unit.version !== version) throw new SortingConflict(unit);
    if (unit.status !== 'open' || unit.answer !== '') fail('form', 'consolidation.sorting.errors.groupAnswered');
    await setSuperseded(tx, members, false);
    await tx.delete(contributionGroups).where(eq(contributionGroups.id, groupId));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'consolidation.group.dissolve',
      subjectType: 'contribution_group',
      subjectId: groupId,
      before: { title: group.title, leadContributionId: group.leadContributionId, members, ...unitState(unit) },
    });
    return { consultationId: group.consultationId, leadContributionId: group.leadContributionId };
  });
}
