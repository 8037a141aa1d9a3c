import { asc, eq, inArray } from 'drizzle-orm';
import { DomainError } from '../../../core/errors.js';
import { field } from '../../../core/http.js';
import type { DbOrTx } from '../../../db/index.js';
import { committees, departments } from '../../departments/schema.js';
import { type Consultation, loadConsultationContext, type PlanVersion } from '../queries.js';
import { consultations, fields, goals, measures, planVersions } from '../schema.js';

/**
 * A version id from the query string: undefined when absent, the id when it is a positive
 * number, a 400 for anything else (a mistyped or tampered link, told apart from a version that
 * does not exist, which is a 404).
 */
export function versionParam(query: unknown, name: string): number | undefined {
  const raw = field(query, name);
  if (raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) throw new DomainError(400, 'compare.errors.badVersion');
  return Number(raw);
}

/** A version id from the path (organiser routes): anything but a positive number is a 404. */
export function versionIdParam(params: unknown, name: string): number {
  const raw = field(params, name);
  if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) throw new DomainError(404, 'errors.notFound.text');
  return Number(raw);
}

/** Names of departments and committees by slug (plan documents refer to them by slug). */
export interface Names {
  department(slug: string): string;
  committee(slug: string): string;
}

export async function loadNames(db: DbOrTx): Promise<Names> {
  const [departmentRows, committeeRows] = await Promise.all([
    db.select({ slug: departments.slug, name: departments.name }).from(departments),
    db.select({ slug: committees.slug, name: committees.name }).from(committees),
  ]);
  const d = new Map(departmentRows.map((r) => [r.slug, r.name]));
  const c = new Map(committeeRows.map((r) => [r.slug, r.name]));
  return { department: (slug) => d.get(slug) ?? slug, committee: (slug) => c.get(slug) ?? slug };
}

/** A consultation as the public sees it, with its non-draft versions (oldest first). */
export async function publicVersions(db: DbOrTx, slug: string): Promise<{ consultation: Consultation; versions: PlanVersion[] }> {
  const context = await loadConsultationContext(db, slug);
  if (!context) throw new DomainError(404, 'errors.notFound.text');
  return { consultation: context.consultation, versions: context.versions };
}

/** Any version (drafts included) with its consultation and all its sibling versions: organisers only. */
export async function anyVersion(db: DbOrTx, versionId: number): Promise<{ consultation: Consultation; version: PlanVersion; versions: PlanVersion[] }> {
  const [row] = await db
    .select({ version: planVersions, consultation: consultations })
    .from(planVersions)
    .innerJoin(consultations, eq(consultations.id, planVersions.consultationId))
    .where(eq(planVersions.id, versionId));
  if (!row) throw new DomainError(404, 'errors.notFound.text');
  const versions = await db.select().from(planVersions).where(eq(planVersions.consultationId, row.consultation.id)).orderBy(asc(planVersions.position));
  return { consultation: row.consultation, version: row.version, versions };
}

/**
 * Where the organiser editor shows an item of a version: `/organiser/versions/7#measure-123`.
 * Keyed `${versionId}:${kind}:${key}`.
 */
export async function editorAnchors(db: DbOrTx, versionIds: number[]): Promise<Map<string, string>> {
  const ids = [...new Set(versionIds)];
  const [fieldRows, goalRows, measureRows] = await Promise.all([
    db.select({ id: fields.id, key: fields.key, v: fields.planVersionId }).from(fields).where(inArray(fields.planVersionId, ids)),
    db.select({ id: goals.id, key: goals.key, v: goals.planVersionId }).from(goals).where(inArray(goals.planVersionId, ids)),
    db.select({ id: measures.id, key: measures.key, v: measures.planVersionId }).from(measures).where(inArray(measures.planVersionId, ids)),
  ]);
  const anchors = new Map<string, string>();
  for (const [kind, rows] of [
    ['field', fieldRows],
    ['goal', goalRows],
    ['measure', measureRows],
  ] as const) {
    for (const r of rows) anchors.set(`${r.v}:${kind}:${r.key}`, `/organiser/versions/${r.v}#${kind}-${r.id}`);
  }
  return anchors;
}
