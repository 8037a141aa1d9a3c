import { and, asc, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/index.js';
import { committees, departments } from '../departments/schema.js';
import { contributionReferences, contributions } from '../participation/schema.js';
import {
  consultations,
  fields,
  goals,
  measureCommittees,
  measureDepartments,
  measures,
  phases,
  planVersions,
  principles,
} from './schema.js';

export type Consultation = typeof consultations.$inferSelect;
export type Phase = typeof phases.$inferSelect;
export type PlanVersion = typeof planVersions.$inferSelect;

export async function listConsultations(db: DbOrTx): Promise<Array<Consultation & { phases: Phase[] }>> {
  const rows = await db.select().from(consultations).where(ne(consultations.status, 'draft')).orderBy(desc(consultations.createdAt));
  if (rows.length === 0) return [];
  const allPhases = await db
    .select()
    .from(phases)
    .where(inArray(phases.consultationId, rows.map((r) => r.id)))
    .orderBy(asc(phases.position));
  return rows.map((c) => ({ ...c, phases: allPhases.filter((p) => p.consultationId === c.id) }));
}

export interface DepartmentRef {
  slug: string;
  name: string;
  shortName: string | null;
}
export interface CommitteeRef {
  slug: string;
  name: string;
  shortName: string | null;
}

export interface MeasureView {
  id: number;
  fieldId: number | null;
  goalId: number | null;
  key: string;
  code: string;
  text: string;
  timeframe: string;
  relatedPapers: string[];
  isExample: boolean;
  position: number;
  lead: DepartmentRef[];
  support: DepartmentRef[];
  committees: CommitteeRef[];
}

export type PrincipleRow = typeof principles.$inferSelect;
export type GoalView = typeof goals.$inferSelect & { measures: MeasureView[] };
export type FieldView = typeof fields.$inferSelect & { goals: GoalView[]; measures: MeasureView[] };

export interface PlanView {
  version: PlanVersion;
  guidingPrinciples: PrincipleRow[];
  strategicGoals: PrincipleRow[];
  crossCutting: MeasureView[];
  fields: FieldView[];
}

/** A consultation as the public sees it: its phases and its non-draft plan versions. */
export interface ConsultationContext {
  consultation: Consultation & { phases: Phase[] };
  /** Published and adopted versions, oldest first. Drafts are never public. */
  versions: PlanVersion[];
}

/**
 * The consultation with its phases and public versions: three queries in one round trip (the
 * phases and versions are found through the slug, not the id, so nothing waits for the first).
 */
export async function loadConsultationContext(db: DbOrTx, slug: string): Promise<ConsultationContext | null> {
  const visible = and(eq(consultations.slug, slug), ne(consultations.status, 'draft'));
  const [consultationRows, phaseRows, versionRows] = await Promise.all([
    db.select().from(consultations).where(visible),
    db
      .select({ phase: phases })
      .from(phases)
      .innerJoin(consultations, eq(consultations.id, phases.consultationId))
      .where(visible)
      .orderBy(asc(phases.position)),
    db
      .select({ version: planVersions })
      .from(planVersions)
      .innerJoin(consultations, eq(consultations.id, planVersions.consultationId))
      .where(and(visible, ne(planVersions.status, 'draft')))
      .orderBy(asc(planVersions.position)),
  ]);
  const [consultation] = consultationRows;
  if (!consultation) return null;
  return {
    consultation: { ...consultation, phases: phaseRows.map((r) => r.phase) },
    versions: versionRows.map((r) => r.version),
  };
}

/**
 * A version's whole content as one tree: six queries in one round trip, whatever the plan's
 * size (department and committee links are found through the version, not through a list of
 * measure ids, so they need not wait for the measures).
 */
export async function loadPlanTree(db: DbOrTx, version: PlanVersion): Promise<PlanView> {
  const [principleRows, fieldRows, goalRows, measureRows, departmentLinks, committeeLinks] = await Promise.all([
    db.select().from(principles).where(eq(principles.planVersionId, version.id)).orderBy(asc(principles.position)),
    db.select().from(fields).where(eq(fields.planVersionId, version.id)).orderBy(asc(fields.position)),
    db.select().from(goals).where(eq(goals.planVersionId, version.id)).orderBy(asc(goals.position)),
    db.select().from(measures).where(eq(measures.planVersionId, version.id)).orderBy(asc(measures.position)),
    db
      .select({
        measureId: measureDepartments.measureId,
        role: measureDepartments.role,
        slug: departments.slug,
        name: departments.name,
        shortName: departments.shortName,
      })
      .from(measureDepartments)
      .innerJoin(measures, eq(measures.id, measureDepartments.measureId))
      .innerJoin(departments, eq(departments.id, measureDepartments.departmentId))
      .where(eq(measures.planVersionId, version.id))
      .orderBy(asc(departments.name)),
    db
      .select({ measureId: measureCommittees.measureId, slug: committees.slug, name: committees.name, shortName: committees.shortName })
      .from(measureCommittees)
      .innerJoin(measures, eq(measures.id, measureCommittees.measureId))
      .innerJoin(committees, eq(committees.id, measureCommittees.committeeId))
      .where(eq(measures.planVersionId, version.id))
      .orderBy(asc(committees.name)),
  ]);

  const views = new Map<number, MeasureView>();
  for (const m of measureRows) {
    views.set(m.id, {
      id: m.id,
      fieldId: m.fieldId,
      goalId: m.goalId,
      key: m.key,
      code: m.code,
      text: m.text,
      timeframe: m.timeframe,
      relatedPapers: m.relatedPapers,
      isExample: m.isExample,
      position: m.position,
      lead: [],
      support: [],
      committees: [],
    });
  }
  for (const link of departmentLinks) views.get(link.measureId)?.[link.role].push({ slug: link.slug, name: link.name, shortName: link.shortName });
  for (const link of committeeLinks) views.get(link.measureId)?.committees.push({ slug: link.slug, name: link.name, shortName: link.shortName });

  // Grouped in one pass each: no filtering of every list per parent.
  const byGoal = new Map<number, MeasureView[]>();
  const byFieldOnly = new Map<number, MeasureView[]>();
  const crossCutting: MeasureView[] = [];
  for (const m of measureRows) {
    const view = views.get(m.id) as MeasureView;
    if (m.goalId !== null) push(byGoal, m.goalId, view);
    else if (m.fieldId !== null) push(byFieldOnly, m.fieldId, view);
    else crossCutting.push(view);
  }
  const goalsByField = new Map<number, GoalView[]>();
  for (const g of goalRows) push(goalsByField, g.fieldId, { ...g, measures: byGoal.get(g.id) ?? [] });

  return {
    version,
    guidingPrinciples: principleRows.filter((p) => p.kind === 'guiding_principle'),
    strategicGoals: principleRows.filter((p) => p.kind === 'strategic_goal'),
    crossCutting,
    fields: fieldRows.map((f) => ({ ...f, goals: goalsByField.get(f.id) ?? [], measures: byFieldOnly.get(f.id) ?? [] })),
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The latest published (or adopted) plan version of a consultation, as one tree. */
export async function loadPublishedPlan(db: DbOrTx, consultationId: number): Promise<PlanView | null> {
  const [version] = await db
    .select()
    .from(planVersions)
    .where(and(eq(planVersions.consultationId, consultationId), ne(planVersions.status, 'draft')))
    .orderBy(desc(planVersions.position))
    .limit(1);
  return version ? loadPlanTree(db, version) : null;
}

export async function findConsultation(db: DbOrTx, slug: string): Promise<(Consultation & { phases: Phase[] }) | null> {
  return (await loadConsultationContext(db, slug))?.consultation ?? null;
}

export type ItemKind = 'field' | 'goal' | 'measure';

/**
 * The newest of `versionIds` that holds an item with this stable key, for deep links to an item
 * that the shown version does not contain (removed in a later version, or added after it).
 */
export async function findVersionWithItem(db: DbOrTx, kind: ItemKind, key: string, versionIds: number[]): Promise<number | null> {
  if (versionIds.length === 0) return null;
  const table = { field: fields, goal: goals, measure: measures }[kind];
  const [row] = await db
    .select({ id: planVersions.id })
    .from(table)
    .innerJoin(planVersions, eq(planVersions.id, table.planVersionId))
    .where(and(eq(table.key, key), inArray(table.planVersionId, versionIds)))
    .orderBy(desc(planVersions.position))
    .limit(1);
  return row?.id ?? null;
}

/** A department or committee by slug, for a view of one that has no measures in the plan. */
export async function findDepartment(db: DbOrTx, slug: string): Promise<DepartmentRef | null> {
  const [row] = await db
    .select({ slug: departments.slug, name: departments.name, shortName: departments.shortName })
    .from(departments)
    .where(eq(departments.slug, slug));
  return row ?? null;
}

export async function findCommittee(db: DbOrTx, slug: string): Promise<CommitteeRef | null> {
  const [row] = await db
    .select({ slug: committees.slug, name: committees.name, shortName: committees.shortName })
    .from(committees)
    .where(eq(committees.slug, slug));
  return row ?? null;
}

// ---------------------------------------------------------------------------------------------
// Contributions per plan item
// ---------------------------------------------------------------------------------------------

export type ContributionTarget = 'consultation' | ItemKind;

/** The key under which `countsByTarget` reports an item: `measure:m-jha-abendoberschule`. */
export function targetKey(kind: ContributionTarget, key: string): string {
  return `${kind}:${key}`;
}

/**
 * Published contributions per plan item, keyed by `targetKey(kind, stableKey)`; items without
 * any are absent (templates show no "0"). One grouped query: published comments (replies
 * included) by the item they are on, plus published written statements by each item they refer
 * to (`consultation:` for comments on the whole consultation and statements naming no item).
 * The plan pages that show these carry the contributions cache tag, so a newly published or
 * withdrawn comment updates the counts at once.
 */
export async function countsByTarget(db: DbOrTx, consultationId: number): Promise<ReadonlyMap<string, number>> {
  const c = contributions;
  const r = contributionReferences;
  const comments = db
    .select({ kind: sql<string>`${c.targetKind}`.as('kind'), key: sql<string>`coalesce(${c.targetKey}, '')`.as('key') })
    .from(c)
    .where(and(eq(c.consultationId, consultationId), eq(c.kind, 'comment'), eq(c.status, 'published')));
  const statements = db
    .select({ kind: sql<string>`coalesce(${r.targetKind}, 'consultation')`.as('kind'), key: sql<string>`coalesce(${r.targetKey}, '')`.as('key') })
    .from(c)
    .leftJoin(r, eq(r.contributionId, c.id))
    .where(and(eq(c.consultationId, consultationId), eq(c.kind, 'statement'), eq(c.status, 'published')));
  const all = unionAll(comments, statements).as('published');
  const rows = await db
    .select({ kind: all.kind, key: all.key, count: sql<number>`count(*)`.mapWith(Number) })
    .from(all)
    .groupBy(all.kind, all.key);
  return new Map(rows.map((row) => [targetKey(row.kind as ContributionTarget, row.key), row.count]));
}
