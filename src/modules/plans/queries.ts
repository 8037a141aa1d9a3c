import { and, asc, desc, eq, inArray, ne } from 'drizzle-orm';
import type { DbOrTx } from '../../db/index.js';
import { committees, departments } from '../departments/schema.js';
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

export interface MeasureView {
  id: number;
  key: string;
  code: string;
  text: string;
  timeframe: string;
  relatedPapers: string[];
  isExample: boolean;
  lead: Array<{ slug: string; name: string }>;
  support: Array<{ slug: string; name: string }>;
  committees: Array<{ slug: string; name: string; shortName: string | null }>;
}

export interface PlanView {
  version: typeof planVersions.$inferSelect;
  guidingPrinciples: Array<typeof principles.$inferSelect>;
  strategicGoals: Array<typeof principles.$inferSelect>;
  crossCutting: MeasureView[];
  fields: Array<
    typeof fields.$inferSelect & {
      goals: Array<typeof goals.$inferSelect & { measures: MeasureView[] }>;
      measures: MeasureView[];
    }
  >;
}

/** The latest published (or adopted) plan version of a consultation, as one tree: 7 queries, no N+1. */
export async function loadPublishedPlan(db: DbOrTx, consultationId: number): Promise<PlanView | null> {
  const [version] = await db
    .select()
    .from(planVersions)
    .where(and(eq(planVersions.consultationId, consultationId), ne(planVersions.status, 'draft')))
    .orderBy(desc(planVersions.position))
    .limit(1);
  if (!version) return null;
  const [principleRows, fieldRows, goalRows, measureRows] = await Promise.all([
    db.select().from(principles).where(eq(principles.planVersionId, version.id)).orderBy(asc(principles.position)),
    db.select().from(fields).where(eq(fields.planVersionId, version.id)).orderBy(asc(fields.position)),
    db.select().from(goals).where(eq(goals.planVersionId, version.id)).orderBy(asc(goals.position)),
    db.select().from(measures).where(eq(measures.planVersionId, version.id)).orderBy(asc(measures.position)),
  ]);
  const measureIds = measureRows.map((m) => m.id);
  const [departmentLinks, committeeLinks] = measureIds.length
    ? await Promise.all([
        db
          .select({ measureId: measureDepartments.measureId, role: measureDepartments.role, slug: departments.slug, name: departments.name })
          .from(measureDepartments)
          .innerJoin(departments, eq(departments.id, measureDepartments.departmentId))
          .where(inArray(measureDepartments.measureId, measureIds))
          .orderBy(asc(departments.name)),
        db
          .select({ measureId: measureCommittees.measureId, slug: committees.slug, name: committees.name, shortName: committees.shortName })
          .from(measureCommittees)
          .innerJoin(committees, eq(committees.id, measureCommittees.committeeId))
          .where(inArray(measureCommittees.measureId, measureIds))
          .orderBy(asc(committees.name)),
      ])
    : [[], []];

  const views = new Map<number, MeasureView>();
  for (const m of measureRows) {
    views.set(m.id, { ...m, lead: [], support: [], committees: [] });
  }
  for (const link of departmentLinks) views.get(link.measureId)?.[link.role].push({ slug: link.slug, name: link.name });
  for (const link of committeeLinks) views.get(link.measureId)?.committees.push({ slug: link.slug, name: link.name, shortName: link.shortName });

  const view = (m: (typeof measureRows)[number]) => views.get(m.id) as MeasureView;
  return {
    version,
    guidingPrinciples: principleRows.filter((p) => p.kind === 'guiding_principle'),
    strategicGoals: principleRows.filter((p) => p.kind === 'strategic_goal'),
    crossCutting: measureRows.filter((m) => m.fieldId === null).map(view),
    fields: fieldRows.map((f) => ({
      ...f,
      goals: goalRows
        .filter((g) => g.fieldId === f.id)
        .map((g) => ({ ...g, measures: measureRows.filter((m) => m.goalId === g.id).map(view) })),
      measures: measureRows.filter((m) => m.fieldId === f.id && m.goalId === null).map(view),
    })),
  };
}

export async function findConsultation(db: DbOrTx, slug: string): Promise<(Consultation & { phases: Phase[] }) | null> {
  const [row] = await db.select().from(consultations).where(and(eq(consultations.slug, slug), ne(consultations.status, 'draft')));
  if (!row) return null;
  const rows = await db.select().from(phases).where(eq(phases.consultationId, row.id)).orderBy(asc(phases.position));
  return { ...row, phases: rows };
}
