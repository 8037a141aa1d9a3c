import crypto from 'node:crypto';
import { and, eq, ne, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../../core/context.js';
import { DomainError, NotFoundError } from '../../../core/errors.js';
import type { DbOrTx } from '../../../db/index.js';
import { recordAudit } from '../../audit/service.js';
import { committees, departments } from '../../departments/schema.js';
import { assertVersionEditable, type PlanDocument, type PlanMeasure, readPlanDocument, writePlanDocument } from '../document.js';
import { consultations, planVersions } from '../schema.js';
import { type Counts, closest, counts, itemParams, type ParsedPlan, SLUG } from './checks.js';
import { checkText, decodeUpload, detectFormat, type Format } from './decode.js';
import { type About, fromJson, toJson } from './json.js';
import { fromMarkdown, type MarkdownLanguage, toMarkdown } from './markdown.js';
import { type Problem, problem, sortProblems } from './problems.js';

export interface VersionInfo {
  id: number;
  label: string;
  status: 'draft' | 'published' | 'adopted';
  consultationId: number;
  consultationSlug: string;
  consultationTitle: string;
}

/** Path parameters are digits or nothing: anything else is a page that does not exist. */
export function parseId(value: string): number | null {
  if (!/^\d{1,9}$/.test(value)) return null;
  return Number(value);
}

/** A version with its consultation's slug and title, matching `where`; 404 when none does. */
async function versionInfo(db: DbOrTx, where: SQL | undefined): Promise<VersionInfo> {
  const [row] = await db
    .select({
      id: planVersions.id,
      label: planVersions.label,
      status: planVersions.status,
      consultationId: consultations.id,
      consultationSlug: consultations.slug,
      consultationTitle: consultations.title,
    })
    .from(planVersions)
    .innerJoin(consultations, eq(consultations.id, planVersions.consultationId))
    .where(where);
  if (!row) throw new NotFoundError();
  return row;
}

export async function findVersion(db: DbOrTx, versionId: number | null): Promise<VersionInfo> {
  if (versionId === null) throw new NotFoundError();
  return versionInfo(db, eq(planVersions.id, versionId));
}

/** A published or adopted version of a consultation the public can see; drafts do not exist for them. */
export async function findPublicVersion(db: DbOrTx, slug: string, versionId: number | null): Promise<VersionInfo> {
  if (versionId === null) throw new NotFoundError();
  return versionInfo(
    db,
    and(eq(planVersions.id, versionId), eq(consultations.slug, slug), ne(consultations.status, 'draft'), ne(planVersions.status, 'draft')),
  );
}

export function assertDraft(version: VersionInfo): void {
  if (version.status !== 'draft') throw new DomainError(409, 'plans.errors.versionReadOnly');
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

const transliteration: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };

function fileSlug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[äöüß]/g, (c) => transliteration[c] ?? c)
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'fassung'
  );
}

export interface ExportFile {
  filename: string;
  contentType: string;
  body: string;
}

export async function exportVersion(db: DbOrTx, version: VersionInfo, format: Format, lang: MarkdownLanguage = 'de'): Promise<ExportFile> {
  const doc = await readPlanDocument(db, version.id);
  const about: About = {
    consultation: version.consultationSlug,
    consultationTitle: version.consultationTitle,
    versionLabel: version.label,
    status: version.status,
  };
  const base = `${fileSlug(version.consultationSlug)}-${fileSlug(version.label)}`;
  return format === 'json'
    ? { filename: `${base}.json`, contentType: 'application/json; charset=utf-8', body: toJson(doc, about) }
    : { filename: `${base}${lang === 'en' ? '-en' : ''}.md`, contentType: 'text/markdown; charset=utf-8', body: toMarkdown(doc, { lang, about }) };
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

export interface UploadedFile {
  filename: string;
  data: Buffer;
}

export interface ImportInput {
  file: UploadedFile | null;
  text: string;
  format: 'auto' | Format;
  /** The name of the file the text came from, carried from the preview to the confirmation. */
  filename?: string;
}

export interface ChangeCounts {
  added: number;
  changed: number;
  removed: number;
}

export interface Analysis {
  source: 'file' | 'text' | null;
  filename: string | null;
  format: Format | null;
  /** The text that was read, shown again in the form so mistakes can be corrected in place. */
  text: string;
  problems: Problem[];
  /** Only when there are no problems. */
  doc: PlanDocument | null;
  incoming: Counts | null;
  current: Counts;
  changes: { fields: ChangeCounts; goals: ChangeCounts; measures: ChangeCounts } | null;
  /** Fingerprint of the version's content when the preview was made. */
  basis: string;
}

export function fingerprint(doc: PlanDocument): string {
  return crypto.createHash('sha256').update(JSON.stringify(doc)).digest('base64url').slice(0, 32);
}

function compare<T extends { key: string }>(before: T[], after: T[], same: (a: T, b: T) => boolean): ChangeCounts {
  const old = new Map(before.map((x) => [x.key, x]));
  const keys = new Set(after.map((x) => x.key));
  let added = 0;
  let changed = 0;
  for (const x of after) {
    const previous = old.get(x.key);
    if (!previous) added++;
    else if (!same(previous, x)) changed++;
  }
  return { added, changed, removed: before.filter((x) => !keys.has(x.key)).length };
}

function changesBetween(before: PlanDocument, after: PlanDocument): NonNullable<Analysis['changes']> {
  const goalsOf = (d: PlanDocument) => d.fields.flatMap((f) => f.goals);
  const measuresOf = (d: PlanDocument) => [...d.crossCuttingMeasures, ...goalsOf(d).flatMap((g) => g.measures)];
  const sortedMeasure = (m: PlanMeasure) => ({ ...m, lead: [...m.lead].sort(), support: [...m.support].sort(), committees: [...m.committees].sort() });
  return {
    fields: compare(before.fields, after.fields, (a, b) => a.code === b.code && a.title === b.title && a.description === b.description && a.isExample === b.isExample),
    goals: compare(goalsOf(before), goalsOf(after), (a, b) => a.code === b.code && a.text === b.text && a.isExample === b.isExample),
    measures: compare(measuresOf(before), measuresOf(after), (a, b) => JSON.stringify(sortedMeasure(a)) === JSON.stringify(sortedMeasure(b))),
  };
}

/** Unknown department and committee slugs, each at the line where it stands. */
async function referenceProblems(db: DbOrTx, parsed: ParsedPlan): Promise<Problem[]> {
  const [departmentRows, committeeRows] = await Promise.all([
    db.select({ slug: departments.slug }).from(departments),
    db.select({ slug: committees.slug }).from(committees),
  ]);
  const known = { department: new Set(departmentRows.map((d) => d.slug)), committee: new Set(committeeRows.map((c) => c.slug)) };
  const problems: Problem[] = [];
  const measures = [...parsed.doc.crossCuttingMeasures, ...parsed.doc.fields.flatMap((f) => f.goals.flatMap((g) => g.measures))];
  for (const m of measures) {
    for (const list of ['lead', 'support', 'committees'] as const) {
      const kind = list === 'committees' ? 'committee' : 'department';
      m[list].forEach((slug, i) => {
        if (!SLUG.test(slug) || known[kind].has(slug)) return;
        const suggestion = closest(slug, known[kind]);
        const base = kind === 'committee' ? 'plans.transfer.problem.plan.unknownCommittee' : 'plans.transfer.problem.plan.unknownDepartment';
        problems.push(
          problem(parsed.origins.entryLine(m, list, i), suggestion ? `${base}Suggest` : base, {
            ...itemParams({ kind: 'measure', value: m }),
            value: slug,
            nameKey: `plans.transfer.prop.${list}`,
            ...(suggestion ? { suggestion } : {}),
          }),
        );
      });
    }
  }
  return problems;
}

function isFormat(value: string): value is Format {
  return value === 'json' || value === 'markdown';
}

export function readFormatChoice(value: string): 'auto' | Format {
  return isFormat(value) ? value : 'auto';
}

/** Reads and checks a file or pasted text against the version it would replace; changes nothing. */
export async function analyseImport(db: DbOrTx, version: VersionInfo, input: ImportInput): Promise<Analysis & { parsed: ParsedPlan | null }> {
  const currentDoc = await readPlanDocument(db, version.id);
  const base = {
    current: counts(currentDoc),
    basis: fingerprint(currentDoc),
    doc: null,
    incoming: null,
    changes: null,
    parsed: null,
  };
  const useFile = input.file !== null && (input.file.filename !== '' || input.file.data.length > 0);
  if (!useFile && input.text.trim() === '') {
    return { ...base, source: null, filename: null, format: null, text: input.text, problems: [problem(null, 'plans.transfer.problem.input.none')] };
  }
  const filename = (useFile ? (input.file?.filename ?? '') : input.filename || null)?.slice(0, 200) ?? null;
  const source = useFile || filename ? 'file' : 'text';
  const decoded = useFile ? decodeUpload(input.file?.data ?? Buffer.alloc(0)) : checkText(input.text);
  if (!decoded.ok) {
    return { ...base, source, filename, format: null, text: useFile ? '' : input.text, problems: [decoded.problem] };
  }
  const text = decoded.text;
  const format = input.format === 'auto' ? detectFormat(text) : input.format;
  const parsed = format === 'json' ? fromJson(text) : fromMarkdown(text);
  const problems = sortProblems([...parsed.problems, ...(await referenceProblems(db, parsed))]);
  if (problems.length > 0) return { ...base, source, filename, format, text, problems };
  return {
    ...base,
    source,
    filename,
    format,
    text,
    problems,
    doc: parsed.doc,
    parsed,
    incoming: counts(parsed.doc),
    changes: changesBetween(currentDoc, parsed.doc),
  };
}

export type ImportResult = { ok: true; before: Counts; after: Counts } | { ok: false; stale: boolean; analysis: Analysis };

/**
 * Replaces the version's content with the file's, in one transaction: the version is locked and
 * must still be a draft, the slugs still exist, and (when `basis` is given) the content is still
 * what the preview showed. Any problem leaves the version as it was.
 */
export async function importPlan(ctx: AppContext, actorId: string, version: VersionInfo, input: ImportInput, basis: string): Promise<ImportResult> {
  assertDraft(version);
  return ctx.db.transaction(async (tx): Promise<ImportResult> => {
    // Locked first: the checks below see the content and the slugs the write will replace.
    await assertVersionEditable(tx, version.id);
    const { parsed, ...analysis } = await analyseImport(tx, version, input);
    if (!analysis.doc || !parsed) return { ok: false, stale: false, analysis };
    if (basis !== '' && analysis.basis !== basis) return { ok: false, stale: true, analysis };
    const after = counts(analysis.doc);
    await writePlanDocument(tx, version.id, analysis.doc);
    await recordAudit(tx, {
      actorId,
      action: 'plan.imported',
      subjectType: 'plan_version',
      subjectId: version.id,
      before: analysis.current,
      after: { ...after, format: analysis.format, source: analysis.source, filename: analysis.filename },
    });
    return { ok: true, before: analysis.current, after };
  });
}

/** The outline shown on the import page: each field with its number of goals and measures. */
export function outline(doc: PlanDocument) {
  return doc.fields.map((f) => ({
    code: f.code,
    title: f.title,
    goals: f.goals.length,
    measures: f.goals.reduce((n, g) => n + g.measures.length, 0),
  }));
}

export async function currentContent(db: DbOrTx, version: VersionInfo) {
  const doc = await readPlanDocument(db, version.id);
  return { counts: counts(doc), outline: outline(doc) };
}
