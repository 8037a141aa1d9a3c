import { and, asc, count, eq, ne } from 'drizzle-orm';
import { announceChange } from '../../core/cache.js';
import type { AppContext } from '../../core/context.js';
import { DomainError, NotFoundError } from '../../core/errors.js';
import type { DbOrTx } from '../../db/index.js';
import { SESSIONS_TAG } from '../accounts/sessions.js';
import { recordAudit } from '../audit/service.js';
import { isUniqueViolation, line, Problems, SLUG, slugify } from '../plans/editor/forms.js';
import { consultations, measureCommittees, measureDepartments, measures, planVersions } from '../plans/schema.js';
import { committeeKinds, committees, departmentKinds, departmentMembers, departments } from './schema.js';

/** Departments (Ämter, Eigenbetriebe, Büros) and committees are managed the same way. */
export type Body = 'department' | 'committee';
export const bodies: readonly Body[] = ['department', 'committee'];
export const bodyKinds: Record<Body, readonly string[]> = { department: departmentKinds, committee: committeeKinds };

export type BodyRow = typeof departments.$inferSelect | typeof committees.$inferSelect;

export interface BodyForm {
  name: string;
  shortName: string;
  kind: string;
  slug: string;
}

export function bodyFormOf(row: BodyRow): BodyForm {
  return { name: row.name, shortName: row.shortName ?? '', kind: row.kind, slug: row.slug };
}

const tableOf = (body: Body) => (body === 'department' ? departments : committees);

export async function listBodies(db: DbOrTx, body: Body): Promise<Array<BodyRow & { uses: number }>> {
  const table = tableOf(body);
  const links = body === 'department' ? measureDepartments : measureCommittees;
  const linkColumn = body === 'department' ? measureDepartments.departmentId : measureCommittees.committeeId;
  const [rows, uses] = await Promise.all([
    db.select().from(table).orderBy(asc(table.name)),
    db.select({ id: linkColumn, n: count() }).from(links).groupBy(linkColumn),
  ]);
  const byId = new Map(uses.map((u) => [u.id, u.n]));
  return rows.map((r) => ({ ...r, uses: byId.get(r.id) ?? 0 }));
}

export async function getBody(db: DbOrTx, body: Body, id: number): Promise<BodyRow> {
  const table = tableOf(body);
  const [row] = await db.select().from(table).where(eq(table.id, id));
  if (!row) throw new NotFoundError();
  return row;
}

/** The measures that refer to a department or committee, with their version, for the refusal. */
export async function usesOf(db: DbOrTx, body: Body, id: number) {
  const base = db
    .select({ code: measures.code, version: planVersions.label, consultation: consultations.title })
    .from(measures)
    .innerJoin(planVersions, eq(planVersions.id, measures.planVersionId))
    .innerJoin(consultations, eq(consultations.id, planVersions.consultationId));
  const rows =
    body === 'department'
      ? await base.innerJoin(measureDepartments, eq(measureDepartments.measureId, measures.id)).where(eq(measureDepartments.departmentId, id)).orderBy(asc(planVersions.id), asc(measures.code))
      : await base.innerJoin(measureCommittees, eq(measureCommittees.measureId, measures.id)).where(eq(measureCommittees.committeeId, id)).orderBy(asc(planVersions.id), asc(measures.code));
  return rows;
}

export async function memberCount(db: DbOrTx, body: Body, id: number): Promise<number> {
  if (body !== 'department') return 0;
  const [row] = await db.select({ n: count() }).from(departmentMembers).where(eq(departmentMembers.departmentId, id));
  return row?.n ?? 0;
}

function snapshot(row: BodyRow) {
  return { name: row.name, shortName: row.shortName, kind: row.kind, slug: row.slug };
}

async function check(db: DbOrTx, body: Body, form: BodyForm, exceptId: number | null) {
  const problems = new Problems();
  const table = tableOf(body);
  const name = line(form.name);
  const shortName = line(form.shortName);
  const typedSlug = form.slug.trim().toLowerCase();
  if (!name) problems.add('name', 'departments.errors.nameRequired');
  else if (name.length > 200) problems.add('name', 'editor.errors.tooLong', { max: 200 });
  if (shortName.length > 60) problems.add('shortName', 'editor.errors.tooLong', { max: 60 });
  if (!bodyKinds[body].includes(form.kind)) problems.add('kind', 'editor.errors.choose');
  const slug = typedSlug || slugify(name, 80);
  if (typedSlug && (typedSlug.length > 80 || !SLUG.test(typedSlug))) problems.add('slug', 'departments.errors.slugFormat');
  else if (slug) {
    const [taken] = await db.select({ id: table.id }).from(table).where(exceptId === null ? eq(table.slug, slug) : and(eq(table.slug, slug), ne(table.id, exceptId)));
    if (taken) problems.add(typedSlug ? 'slug' : 'name', 'departments.errors.slugTaken', { slug });
  }
  problems.throwIfAny();
  return { name, shortName: shortName || null, kind: form.kind, slug };
}

function slugRace(error: unknown, slug: string): never {
  if (isUniqueViolation(error)) {
    const problems = new Problems();
    problems.add('slug', 'departments.errors.slugTaken', { slug });
    problems.throwIfAny();
  }
  throw error;
}

export async function createBody(ctx: AppContext, actorId: string, body: Body, form: BodyForm): Promise<number> {
  try {
    return await ctx.db.transaction(async (tx) => {
      const values = await check(tx, body, form, null);
      const [row] = body === 'department'
        ? await tx.insert(departments).values({ ...values, kind: values.kind as (typeof departmentKinds)[number] }).returning()
        : await tx.insert(committees).values({ ...values, kind: values.kind as (typeof committeeKinds)[number] }).returning();
      if (!row) throw new Error('insert returned nothing');
      await recordAudit(tx, { actorId, action: `${body}.created`, subjectType: body, subjectId: row.id, after: snapshot(row) });
      return row.id;
    });
  } catch (error) {
    return slugRace(error, form.slug.trim().toLowerCase());
  }
}

export async function updateBody(ctx: AppContext, actorId: string, body: Body, id: number, form: BodyForm): Promise<void> {
  try {
    await ctx.db.transaction(async (tx) => {
      const table = tableOf(body);
      const [before] = await tx.select().from(table).where(eq(table.id, id)).for('update');
      if (!before) throw new NotFoundError();
      const values = await check(tx, body, form, id);
      const [after] = body === 'department'
        ? await tx.update(departments).set({ ...values, kind: values.kind as (typeof departmentKinds)[number] }).where(eq(departments.id, id)).returning()
        : await tx.update(committees).set({ ...values, kind: values.kind as (typeof committeeKinds)[number] }).where(eq(committees.id, id)).returning();
      if (!after) throw new NotFoundError();
      if (JSON.stringify(snapshot(before)) !== JSON.stringify(snapshot(after))) {
        await recordAudit(tx, { actorId, action: `${body}.updated`, subjectType: body, subjectId: id, before: snapshot(before), after: snapshot(after) });
      }
    });
  } catch (error) {
    slugRace(error, form.slug.trim().toLowerCase());
  }
}

/**
 * Deletes a department or committee no measure refers to. The foreign keys would refuse it
 * anyway (ON DELETE RESTRICT); checking first gives a clear message. The row lock makes a
 * measure that links it meanwhile wait until this transaction ends.
 */
export async function deleteBody(ctx: AppContext, actorId: string, body: Body, id: number): Promise<BodyRow> {
  return ctx.db.transaction(async (tx) => {
    const table = tableOf(body);
    const [row] = await tx.select().from(table).where(eq(table.id, id)).for('update');
    if (!row) throw new NotFoundError();
    const uses = await usesOf(tx, body, id);
    if (uses.length) throw new DomainError(409, `departments.errors.inUse.${body}`, { name: row.name, count: uses.length });
    await tx.delete(table).where(eq(table.id, id));
    // Memberships go with a department (ON DELETE CASCADE): sessions must forget them.
    if (body === 'department') await announceChange(tx, SESSIONS_TAG);
    await recordAudit(tx, { actorId, action: `${body}.deleted`, subjectType: body, subjectId: id, before: snapshot(row) });
    return row;
  });
}
