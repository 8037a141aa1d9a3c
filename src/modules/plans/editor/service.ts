import { and, asc, desc, eq, ne } from 'drizzle-orm';
import type { AppContext } from '../../../core/context.js';
import { DomainError, NotFoundError } from '../../../core/errors.js';
import type { DbOrTx } from '../../../db/index.js';
import { recordAudit } from '../../audit/service.js';
import { assertVersionEditable, type PlanDocument, readPlanDocument, writePlanDocument } from '../document.js';
import {
  channels as channelValues,
  consultationStatuses,
  consultations,
  moderationModes,
  phaseKinds,
  phases,
  planVersions,
} from '../schema.js';
import { isUniqueViolation, line, multiline, parsePapers, Problems, SLUG } from './forms.js';
import { fromBerlin } from './time.js';

export type Consultation = typeof consultations.$inferSelect;
export type Phase = typeof phases.$inferSelect;
export type PlanVersion = typeof planVersions.$inferSelect;

// ---------------------------------------------------------------------------------------------
// Consultations
// ---------------------------------------------------------------------------------------------

/** What the consultation form sends, as typed (kept for re-display on errors). */
export interface ConsultationForm {
  slug: string;
  title: string;
  summary: string;
  paperReference: string;
  relatedPapers: string;
  contact: string;
  status: string;
}

export function consultationFormOf(c: Consultation): ConsultationForm {
  return {
    slug: c.slug,
    title: c.title,
    summary: c.summary,
    paperReference: c.paperReference ?? '',
    relatedPapers: c.relatedPapers.join(', '),
    contact: c.contact,
    status: c.status,
  };
}

function consultationSnapshot(c: Consultation) {
  return {
    slug: c.slug,
    title: c.title,
    summary: c.summary,
    paperReference: c.paperReference,
    relatedPapers: c.relatedPapers,
    contact: c.contact,
    status: c.status,
  };
}

async function checkConsultation(db: DbOrTx, form: ConsultationForm, exceptId: number | null) {
  const problems = new Problems();
  const slug = form.slug.trim().toLowerCase();
  const title = line(form.title);
  const summary = multiline(form.summary);
  const paperReference = form.paperReference.trim().toUpperCase().replace(/\s+/g, '');
  const { papers, invalid } = parsePapers(form.relatedPapers);
  const contact = multiline(form.contact);

  if (!slug) problems.add('slug', 'editor.consultation.errors.slugRequired');
  else if (slug.length > 80 || !SLUG.test(slug)) problems.add('slug', 'editor.consultation.errors.slugFormat');
  else {
    const [taken] = await db
      .select({ id: consultations.id })
      .from(consultations)
      .where(exceptId === null ? eq(consultations.slug, slug) : and(eq(consultations.slug, slug), ne(consultations.id, exceptId)));
    if (taken) problems.add('slug', 'editor.consultation.errors.slugTaken', { slug });
  }
  if (!title) problems.add('title', 'editor.consultation.errors.titleRequired');
  else if (title.length > 200) problems.add('title', 'editor.errors.tooLong', { max: 200 });
  if (summary.length > 5000) problems.add('summary', 'editor.errors.tooLong', { max: 5000 });
  if (paperReference && parsePapers(paperReference).invalid.length) {
    problems.add('paperReference', 'editor.errors.paperInvalid', { papers: form.paperReference.trim() });
  }
  if (invalid.length) problems.add('relatedPapers', 'editor.errors.paperInvalid', { papers: invalid.join(', ') });
  else if (papers.length > 50) problems.add('relatedPapers', 'editor.errors.tooMany', { max: 50 });
  if (contact.length > 1000) problems.add('contact', 'editor.errors.tooLong', { max: 1000 });
  if (!(consultationStatuses as readonly string[]).includes(form.status)) problems.add('status', 'editor.errors.choose');
  problems.throwIfAny();
  return {
    slug,
    title,
    summary,
    paperReference: paperReference || null,
    relatedPapers: papers,
    contact,
    status: form.status as Consultation['status'],
  };
}

function slugRace(error: unknown, slug: string): never {
  if (isUniqueViolation(error)) {
    const problems = new Problems();
    problems.add('slug', 'editor.consultation.errors.slugTaken', { slug });
    problems.throwIfAny();
  }
  throw error;
}

export async function createConsultation(ctx: AppContext, actorId: string, form: ConsultationForm): Promise<number> {
  try {
    return await ctx.db.transaction(async (tx) => {
      const values = await checkConsultation(tx, form, null);
      const [row] = await tx.insert(consultations).values(values).returning();
      if (!row) throw new Error('insert returned nothing');
      await recordAudit(tx, { actorId, action: 'consultation.created', subjectType: 'consultation', subjectId: row.id, after: consultationSnapshot(row) });
      return row.id;
    });
  } catch (error) {
    return slugRace(error, form.slug.trim().toLowerCase());
  }
}

export async function updateConsultation(ctx: AppContext, actorId: string, id: number, form: ConsultationForm): Promise<void> {
  try {
    await ctx.db.transaction(async (tx) => {
      const [before] = await tx.select().from(consultations).where(eq(consultations.id, id)).for('update');
      if (!before) throw new NotFoundError();
      const values = await checkConsultation(tx, form, id);
      const [after] = await tx.update(consultations).set(values).where(eq(consultations.id, id)).returning();
      if (!after) throw new NotFoundError();
      if (JSON.stringify(consultationSnapshot(before)) !== JSON.stringify(consultationSnapshot(after))) {
        await recordAudit(tx, {
          actorId,
          action: 'consultation.updated',
          subjectType: 'consultation',
          subjectId: id,
          before: consultationSnapshot(before),
          after: consultationSnapshot(after),
        });
      }
    });
  } catch (error) {
    slugRace(error, form.slug.trim().toLowerCase());
  }
}

/** Every consultation, drafts included, newest first, with its phases and versions. */
export async function listAllConsultations(db: DbOrTx) {
  const [rows, allPhases, allVersions] = await Promise.all([
    db.select().from(consultations).orderBy(desc(consultations.createdAt), desc(consultations.id)),
    db.select().from(phases).orderBy(asc(phases.position)),
    db.select().from(planVersions).orderBy(asc(planVersions.position)),
  ]);
  return rows.map((c) => ({
    ...c,
    phases: allPhases.filter((p) => p.consultationId === c.id),
    versions: allVersions.filter((v) => v.consultationId === c.id),
  }));
}

export async function getConsultation(db: DbOrTx, id: number) {
  const [row] = await db.select().from(consultations).where(eq(consultations.id, id));
  if (!row) throw new NotFoundError();
  const [phaseRows, versionRows] = await Promise.all([
    db.select().from(phases).where(eq(phases.consultationId, id)).orderBy(asc(phases.position), asc(phases.opensAt)),
    db.select().from(planVersions).where(eq(planVersions.consultationId, id)).orderBy(asc(planVersions.position)),
  ]);
  return { consultation: row, phases: phaseRows, versions: versionRows };
}

// ---------------------------------------------------------------------------------------------
// Phases
// ---------------------------------------------------------------------------------------------

export interface PhaseForm {
  kind: string;
  title: string;
  description: string;
  opensDate: string;
  opensTime: string;
  closesDate: string;
  closesTime: string;
  channels: string[];
  moderationMode: string;
}

function phaseSnapshot(p: Phase) {
  return {
    kind: p.kind,
    title: p.title,
    description: p.description,
    opensAt: p.opensAt.toISOString(),
    closesAt: p.closesAt.toISOString(),
    channels: p.channels,
    moderationMode: p.moderationMode,
  };
}

const sameMinute = (a: Date, b: Date) => Math.floor(a.getTime() / 60_000) === Math.floor(b.getTime() / 60_000);

async function checkPhase(tx: DbOrTx, consultationId: number, form: PhaseForm, existing: Phase | null) {
  const problems = new Problems();
  const title = line(form.title);
  const description = multiline(form.description);
  if (!(phaseKinds as readonly string[]).includes(form.kind)) problems.add('kind', 'editor.errors.choose');
  if (!title) problems.add('title', 'editor.phases.errors.titleRequired');
  else if (title.length > 200) problems.add('title', 'editor.errors.tooLong', { max: 200 });
  if (description.length > 5000) problems.add('description', 'editor.errors.tooLong', { max: 5000 });

  const instant = (date: string, time: string, fallback: string, dateField: string, timeField: string) => {
    if (!date.trim()) {
      problems.add(dateField, 'editor.phases.errors.dateRequired');
      return null;
    }
    const result = fromBerlin(date.trim(), time.trim() || fallback);
    if (result.ok) return result.date;
    if (result.reason === 'gap') problems.add(timeField, 'editor.phases.errors.timeGap', { time: time.trim(), date: date.trim() });
    else if (/^\d{4}-\d{2}-\d{2}$/.test(date.trim())) problems.add(timeField, 'editor.phases.errors.timeInvalid');
    else problems.add(dateField, 'editor.phases.errors.dateInvalid');
    return null;
  };
  let opensAt = instant(form.opensDate, form.opensTime, '00:00', 'opensDate', 'opensTime');
  let closesAt = instant(form.closesDate, form.closesTime, '23:59', 'closesDate', 'closesTime');
  // A time shown to the minute and saved unchanged keeps its seconds (e.g. 23:59:59).
  if (existing && opensAt && sameMinute(opensAt, existing.opensAt)) opensAt = existing.opensAt;
  if (existing && closesAt && sameMinute(closesAt, existing.closesAt)) closesAt = existing.closesAt;

  if (opensAt && closesAt) {
    if (closesAt <= opensAt) problems.add('closesDate', 'editor.phases.errors.closesBeforeOpens');
    else {
      const others = await tx
        .select()
        .from(phases)
        .where(existing ? and(eq(phases.consultationId, consultationId), ne(phases.id, existing.id)) : eq(phases.consultationId, consultationId))
        .orderBy(asc(phases.opensAt));
      const clash = others.find((o) => o.opensAt < (closesAt as Date) && (opensAt as Date) < o.closesAt);
      if (clash) problems.add('opensDate', 'editor.phases.errors.overlap', { title: clash.title, from: clash.opensAt, to: clash.closesAt });
    }
  }
  const channelList = [...new Set(form.channels)];
  if (channelList.some((c) => !(channelValues as readonly string[]).includes(c))) problems.add('channels', 'editor.errors.choose');
  if (!(moderationModes as readonly string[]).includes(form.moderationMode)) problems.add('moderationMode', 'editor.errors.choose');
  problems.throwIfAny();
  return {
    kind: form.kind as Phase['kind'],
    title,
    description,
    opensAt: opensAt as Date,
    closesAt: closesAt as Date,
    channels: channelValues.filter((c) => channelList.includes(c)),
    moderationMode: form.moderationMode as Phase['moderationMode'],
  };
}

/** Phases are kept in the order of their dates, which is the order of the public timeline. */
async function renumberPhases(tx: DbOrTx, consultationId: number): Promise<void> {
  const rows = await tx.select({ id: phases.id, position: phases.position }).from(phases).where(eq(phases.consultationId, consultationId)).orderBy(asc(phases.opensAt), asc(phases.id));
  for (const [position, row] of rows.entries()) {
    if (row.position !== position) await tx.update(phases).set({ position }).where(eq(phases.id, row.id));
  }
}

async function lockConsultation(tx: DbOrTx, id: number): Promise<Consultation> {
  const [row] = await tx.select().from(consultations).where(eq(consultations.id, id)).for('update');
  if (!row) throw new NotFoundError();
  return row;
}

export async function createPhase(ctx: AppContext, actorId: string, consultationId: number, form: PhaseForm): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    // The consultation's row lock serialises phase writes, so two overlapping phases cannot slip in together.
    await lockConsultation(tx, consultationId);
    const values = await checkPhase(tx, consultationId, form, null);
    const [row] = await tx.insert(phases).values({ ...values, consultationId, position: 0 }).returning();
    if (!row) throw new Error('insert returned nothing');
    await renumberPhases(tx, consultationId);
    await recordAudit(tx, { actorId, action: 'phase.created', subjectType: 'phase', subjectId: row.id, after: phaseSnapshot(row) });
    return row.id;
  });
}

export async function getPhase(db: DbOrTx, phaseId: number): Promise<Phase> {
  const [row] = await db.select().from(phases).where(eq(phases.id, phaseId));
  if (!row) throw new NotFoundError();
  return row;
}

export async function updatePhase(ctx: AppContext, actorId: string, phaseId: number, form: PhaseForm): Promise<Phase> {
  return ctx.db.transaction(async (tx) => {
    const existing = await getPhase(tx, phaseId);
    await lockConsultation(tx, existing.consultationId);
    const values = await checkPhase(tx, existing.consultationId, form, existing);
    const [after] = await tx.update(phases).set(values).where(eq(phases.id, phaseId)).returning();
    if (!after) throw new NotFoundError();
    await renumberPhases(tx, existing.consultationId);
    if (JSON.stringify(phaseSnapshot(existing)) !== JSON.stringify(phaseSnapshot(after))) {
      await recordAudit(tx, { actorId, action: 'phase.updated', subjectType: 'phase', subjectId: phaseId, before: phaseSnapshot(existing), after: phaseSnapshot(after) });
    }
    return after;
  });
}

export async function deletePhase(ctx: AppContext, actorId: string, phaseId: number): Promise<Phase> {
  return ctx.db.transaction(async (tx) => {
    const existing = await getPhase(tx, phaseId);
    await lockConsultation(tx, existing.consultationId);
    await tx.delete(phases).where(eq(phases.id, phaseId));
    await renumberPhases(tx, existing.consultationId);
    await recordAudit(tx, { actorId, action: 'phase.deleted', subjectType: 'phase', subjectId: phaseId, before: phaseSnapshot(existing) });
    return existing;
  });
}

// ---------------------------------------------------------------------------------------------
// Plan versions
// ---------------------------------------------------------------------------------------------

export async function getVersion(db: DbOrTx, versionId: number) {
  const [version] = await db.select().from(planVersions).where(eq(planVersions.id, versionId));
  if (!version) throw new NotFoundError();
  const [consultation] = await db.select().from(consultations).where(eq(consultations.id, version.consultationId));
  if (!consultation) throw new NotFoundError();
  return { version, consultation };
}

function versionSnapshot(v: PlanVersion) {
  return { label: v.label, status: v.status, publishedAt: v.publishedAt?.toISOString() ?? null };
}

async function checkLabel(tx: DbOrTx, consultationId: number, raw: string, exceptId: number | null): Promise<string> {
  const problems = new Problems();
  const label = line(raw);
  if (!label) problems.add('label', 'editor.versions.errors.labelRequired');
  else if (label.length > 100) problems.add('label', 'editor.errors.tooLong', { max: 100 });
  else {
    const same = await tx.select({ id: planVersions.id }).from(planVersions).where(and(eq(planVersions.consultationId, consultationId), eq(planVersions.label, label)));
    if (same.some((v) => v.id !== exceptId)) problems.add('label', 'editor.versions.errors.labelTaken', { label });
  }
  problems.throwIfAny();
  return label;
}

/** The draft of a consultation, if there is one: there is at most one at a time. */
export async function findDraft(db: DbOrTx, consultationId: number): Promise<PlanVersion | null> {
  const [draft] = await db.select().from(planVersions).where(and(eq(planVersions.consultationId, consultationId), eq(planVersions.status, 'draft'))).limit(1);
  return draft ?? null;
}

export async function newestVersion(db: DbOrTx, consultationId: number): Promise<PlanVersion | null> {
  const [row] = await db.select().from(planVersions).where(eq(planVersions.consultationId, consultationId)).orderBy(desc(planVersions.position)).limit(1);
  return row ?? null;
}

const emptyDocument = (): PlanDocument => ({ principles: [], crossCuttingMeasures: [], fields: [] });

/**
 * Starts a new draft as a copy of the newest version (or empty, for the first). Only one draft
 * may exist at a time: two drafts would compete to become the next published version.
 */
export async function createVersion(ctx: AppContext, actorId: string, consultationId: number, rawLabel: string): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    await lockConsultation(tx, consultationId);
    const draft = await findDraft(tx, consultationId);
    if (draft) throw new DomainError(409, 'editor.versions.errors.draftExists', { label: draft.label });
    const label = await checkLabel(tx, consultationId, rawLabel, null);
    const source = await newestVersion(tx, consultationId);
    const doc = source ? await readPlanDocument(tx, source.id) : emptyDocument();
    const [version] = await tx
      .insert(planVersions)
      .values({ consultationId, label, status: 'draft', position: (source?.position ?? -1) + 1 })
      .returning();
    if (!version) throw new Error('insert returned nothing');
    await assertVersionEditable(tx, version.id);
    await writePlanDocument(tx, version.id, doc);
    await recordAudit(tx, {
      actorId,
      action: 'plan_version.created',
      subjectType: 'plan_version',
      subjectId: version.id,
      after: { ...versionSnapshot(version), copiedFrom: source?.label ?? null },
    });
    return version.id;
  });
}

export async function renameVersion(ctx: AppContext, actorId: string, versionId: number, rawLabel: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await assertVersionEditable(tx, versionId);
    const { version } = await getVersion(tx, versionId);
    const label = await checkLabel(tx, version.consultationId, rawLabel, versionId);
    if (label === version.label) return;
    const [after] = await tx.update(planVersions).set({ label }).where(eq(planVersions.id, versionId)).returning();
    await recordAudit(tx, { actorId, action: 'plan_version.updated', subjectType: 'plan_version', subjectId: versionId, before: versionSnapshot(version), after: after && versionSnapshot(after) });
  });
}

/** Draft → published: from now on the version is the record and cannot change. */
export async function publishVersion(ctx: AppContext, actorId: string, versionId: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await assertVersionEditable(tx, versionId);
    const { version } = await getVersion(tx, versionId);
    const [after] = await tx.update(planVersions).set({ status: 'published', publishedAt: new Date() }).where(eq(planVersions.id, versionId)).returning();
    await recordAudit(tx, { actorId, action: 'plan_version.published', subjectType: 'plan_version', subjectId: versionId, before: versionSnapshot(version), after: after && versionSnapshot(after) });
  });
}

/** Published → adopted, once the council has decided. The content stays as it is. */
export async function adoptVersion(ctx: AppContext, actorId: string, versionId: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [version] = await tx.select().from(planVersions).where(eq(planVersions.id, versionId)).for('update');
    if (!version) throw new NotFoundError();
    if (version.status !== 'published') throw new DomainError(409, 'editor.versions.errors.adoptOnlyPublished');
    const [after] = await tx.update(planVersions).set({ status: 'adopted' }).where(eq(planVersions.id, versionId)).returning();
    await recordAudit(tx, { actorId, action: 'plan_version.adopted', subjectType: 'plan_version', subjectId: versionId, before: versionSnapshot(version), after: after && versionSnapshot(after) });
  });
}
