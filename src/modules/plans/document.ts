import { and, asc, eq, inArray } from 'drizzle-orm';
import { DomainError } from '../../core/errors.js';
import type { DbOrTx } from '../../db/index.js';
import { committees, departments } from '../departments/schema.js';
import {
  fields,
  goals,
  measureCommittees,
  measureDepartments,
  measures,
  planVersions,
  principles,
} from './schema.js';

/**
 * The content of one plan version as plain data, independent of database ids: what the import
 * reads, the export writes, a new version is copied from, versions are compared by, and the demo
 * is written in. Departments and committees are referred to by slug; items by their stable key.
 */
export interface PlanMeasure {
  key: string;
  code: string;
  text: string;
  timeframe: string;
  relatedPapers: string[];
  isExample: boolean;
  lead: string[];
  support: string[];
  committees: string[];
}
export interface PlanGoal {
  key: string;
  code: string;
  text: string;
  isExample: boolean;
  measures: PlanMeasure[];
}
export interface PlanField {
  key: string;
  code: string;
  title: string;
  description: string;
  isExample: boolean;
  goals: PlanGoal[];
}
export interface PlanPrinciple {
  kind: 'guiding_principle' | 'strategic_goal';
  text: string;
  source: string | null;
}
export interface PlanDocument {
  principles: PlanPrinciple[];
  crossCuttingMeasures: PlanMeasure[];
  fields: PlanField[];
}

/** Reads a version's content as a PlanDocument (six queries, whatever the plan's size). */
export async function readPlanDocument(db: DbOrTx, planVersionId: number): Promise<PlanDocument> {
  const [principleRows, fieldRows, goalRows, measureRows] = await Promise.all([
    db.select().from(principles).where(eq(principles.planVersionId, planVersionId)).orderBy(asc(principles.position)),
    db.select().from(fields).where(eq(fields.planVersionId, planVersionId)).orderBy(asc(fields.position)),
    db.select().from(goals).where(eq(goals.planVersionId, planVersionId)).orderBy(asc(goals.position)),
    db.select().from(measures).where(eq(measures.planVersionId, planVersionId)).orderBy(asc(measures.position)),
  ]);
  const ids = measureRows.map((m) => m.id);
  const [departmentLinks, committeeLinks] = ids.length
    ? await Promise.all([
        db
          .select({ measureId: measureDepartments.measureId, role: measureDepartments.role, slug: departments.slug })
          .from(measureDepartments)
          .innerJoin(departments, eq(departments.id, measureDepartments.departmentId))
          .where(inArray(measureDepartments.measureId, ids))
          .orderBy(asc(departments.slug)),
        db
          .select({ measureId: measureCommittees.measureId, slug: committees.slug })
          .from(measureCommittees)
          .innerJoin(committees, eq(committees.id, measureCommittees.committeeId))
          .where(inArray(measureCommittees.measureId, ids))
          .orderBy(asc(committees.slug)),
      ])
    : [[], []];
  const byMeasure = new Map<number, PlanMeasure>();
  for (const m of measureRows) {
    byMeasure.set(m.id, {
      key: m.key,
      code: m.code,
      text: m.text,
      timeframe: m.timeframe,
      relatedPapers: m.relatedPapers,
      isExample: m.isExample,
      lead: [],
      support: [],
      committees: [],
    });
  }
  for (const l of departmentLinks) byMeasure.get(l.measureId)?.[l.role].push(l.slug);
  for (const l of committeeLinks) byMeasure.get(l.measureId)?.committees.push(l.slug);
  const measure = (m: (typeof measureRows)[number]) => byMeasure.get(m.id) as PlanMeasure;
  return {
    principles: principleRows.map((p) => ({ kind: p.kind, text: p.text, source: p.source })),
    crossCuttingMeasures: measureRows.filter((m) => m.fieldId === null).map(measure),
    fields: fieldRows.map((f) => ({
      key: f.key,
      code: f.code,
      title: f.title,
      description: f.description,
      isExample: f.isExample,
      goals: goalRows
        .filter((g) => g.fieldId === f.id)
        .map((g) => ({
          key: g.key,
          code: g.code,
          text: g.text,
          isExample: g.isExample,
          measures: measureRows.filter((m) => m.goalId === g.id).map(measure),
        })),
    })),
  };
}

/** Refuses any change to a version that is published or adopted: those are the record. */
export async function assertVersionEditable(db: DbOrTx, planVersionId: number): Promise<void> {
  const [version] = await db
    .select({ status: planVersions.status })
    .from(planVersions)
    .where(eq(planVersions.id, planVersionId))
    .for('update');
  if (!version) throw new DomainError(404, 'errors.notFound.text');
  if (version.status !== 'draft') throw new DomainError(409, 'plans.errors.versionReadOnly');
}

export interface SlugProblem {
  kind: 'department' | 'committee';
  slug: string;
  measureKey: string;
}

/** Department and committee slugs a document refers to that do not exist. */
export async function unknownSlugs(db: DbOrTx, doc: PlanDocument): Promise<SlugProblem[]> {
  const [departmentRows, committeeRows] = await Promise.all([
    db.select({ slug: departments.slug }).from(departments),
    db.select({ slug: committees.slug }).from(committees),
  ]);
  const knownDepartments = new Set(departmentRows.map((d) => d.slug));
  const knownCommittees = new Set(committeeRows.map((c) => c.slug));
  const problems: SlugProblem[] = [];
  for (const m of allMeasures(doc)) {
    for (const slug of [...m.lead, ...m.support]) {
      if (!knownDepartments.has(slug)) problems.push({ kind: 'department', slug, measureKey: m.key });
    }
    for (const slug of m.committees) if (!knownCommittees.has(slug)) problems.push({ kind: 'committee', slug, measureKey: m.key });
  }
  return problems;
}

export function allMeasures(doc: PlanDocument): PlanMeasure[] {
  return [...doc.crossCuttingMeasures, ...doc.fields.flatMap((f) => f.goals.flatMap((g) => g.measures))];
}

/**
 * Replaces the whole content of a draft version with `doc`, inside the caller's transaction.
 * Slugs must exist (check with `unknownSlugs` first to report them properly).
 */
export async function writePlanDocument(tx: DbOrTx, planVersionId: number, doc: PlanDocument): Promise<void> {
  await tx.delete(measures).where(eq(measures.planVersionId, planVersionId));
  await tx.delete(goals).where(eq(goals.planVersionId, planVersionId));
  await tx.delete(fields).where(eq(fields.planVersionId, planVersionId));
  await tx.delete(principles).where(eq(principles.planVersionId, planVersionId));

  const [departmentRows, committeeRows] = await Promise.all([
    tx.select({ id: departments.id, slug: departments.slug }).from(departments),
    tx.select({ id: committees.id, slug: committees.slug }).from(committees),
  ]);
  const departmentIds = new Map(departmentRows.map((d) => [d.slug, d.id]));
  const committeeIds = new Map(committeeRows.map((c) => [c.slug, c.id]));
  const idOf = (map: Map<string, number>, slug: string, kind: string) => {
    const id = map.get(slug);
    if (id === undefined) throw new Error(`unknown ${kind} ${slug}`);
    return id;
  };

  if (doc.principles.length) {
    await tx.insert(principles).values(doc.principles.map((p, position) => ({ planVersionId, kind: p.kind, text: p.text, source: p.source, position })));
  }

  const fieldRows = doc.fields.length
    ? await tx
        .insert(fields)
        .values(doc.fields.map((f, position) => ({ planVersionId, key: f.key, code: f.code, title: f.title, description: f.description, isExample: f.isExample, position })))
        .returning({ id: fields.id, key: fields.key })
    : [];
  const fieldIds = new Map(fieldRows.map((f) => [f.key, f.id]));
  const goalValues = doc.fields.flatMap((f) =>
    f.goals.map((g, position) => ({ planVersionId, fieldId: fieldIds.get(f.key)!, key: g.key, code: g.code, text: g.text, isExample: g.isExample, position })),
  );
  const goalRows = goalValues.length ? await tx.insert(goals).values(goalValues).returning({ id: goals.id, key: goals.key }) : [];
  const goalIds = new Map(goalRows.map((g) => [g.key, g.id]));

  const measureValues = [
    ...doc.crossCuttingMeasures.map((m, position) => ({ m, fieldId: null as number | null, goalId: null as number | null, position })),
    ...doc.fields.flatMap((f) =>
      f.goals.flatMap((g) => g.measures.map((m, position) => ({ m, fieldId: fieldIds.get(f.key)!, goalId: goalIds.get(g.key)!, position }))),
    ),
  ];
  if (measureValues.length === 0) return;
  const measureRows = await tx
    .insert(measures)
    .values(
      measureValues.map(({ m, fieldId, goalId, position }) => ({
        planVersionId,
        fieldId,
        goalId,
        key: m.key,
        code: m.code,
        text: m.text,
        timeframe: m.timeframe,
        relatedPapers: m.relatedPapers,
        isExample: m.isExample,
        position,
      })),
    )
    .returning({ id: measures.id, key: measures.key });
  const measureIds = new Map(measureRows.map((m) => [m.key, m.id]));
  const departmentLinks = measureValues.flatMap(({ m }) => [
    ...m.lead.map((slug) => ({ measureId: measureIds.get(m.key)!, departmentId: idOf(departmentIds, slug, 'department'), role: 'lead' as const })),
    ...m.support
      .filter((slug) => !m.lead.includes(slug))
      .map((slug) => ({ measureId: measureIds.get(m.key)!, departmentId: idOf(departmentIds, slug, 'department'), role: 'support' as const })),
  ]);
  const committeeLinks = measureValues.flatMap(({ m }) =>
    [...new Set(m.committees)].map((slug) => ({ measureId: measureIds.get(m.key)!, committeeId: idOf(committeeIds, slug, 'committee') })),
  );
  if (departmentLinks.length) await tx.insert(measureDepartments).values(departmentLinks);
  if (committeeLinks.length) await tx.insert(measureCommittees).values(committeeLinks);
}

/** Versions of a consultation, oldest first. */
export async function listVersions(db: DbOrTx, consultationId: number) {
  return db.select().from(planVersions).where(eq(planVersions.consultationId, consultationId)).orderBy(asc(planVersions.position));
}

export async function findVersion(db: DbOrTx, consultationId: number, planVersionId: number) {
  const [row] = await db
    .select()
    .from(planVersions)
    .where(and(eq(planVersions.consultationId, consultationId), eq(planVersions.id, planVersionId)));
  return row ?? null;
}
