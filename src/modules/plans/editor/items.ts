import { and, asc, count, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../../core/context.js';
import { NotFoundError } from '../../../core/errors.js';
import type { DbOrTx } from '../../../db/index.js';
import { recordAudit } from '../../audit/service.js';
import { committees, departments } from '../../departments/schema.js';
import { assertVersionEditable } from '../document.js';
import { fields, goals, measureCommittees, measureDepartments, measures, principleKinds, principles } from '../schema.js';
import { KEY, line, multiline, parsePapers, Problems, slugify } from './forms.js';

export const itemKinds = ['principle', 'field', 'goal', 'measure'] as const;
export type ItemKind = (typeof itemKinds)[number];
/** URL segment of each kind: /organiser/versions/:versionId/<segment>/… */
export const kindSegments: Record<ItemKind, string> = { principle: 'principles', field: 'fields', goal: 'goals', measure: 'measures' };

type PrincipleRow = typeof principles.$inferSelect;
type FieldRow = typeof fields.$inferSelect;
type GoalRow = typeof goals.$inferSelect;
type MeasureRow = typeof measures.$inferSelect;

/** What the item forms send, as typed. Each kind uses the part it needs. */
export interface ItemForm {
  principleKind: string;
  code: string;
  key: string;
  title: string;
  text: string;
  source: string;
  description: string;
  timeframe: string;
  relatedPapers: string;
  isExample: boolean;
  lead: string[];
  support: string[];
  committees: string[];
  /** goal: the field; measure: the goal, or '' for a cross-cutting measure. */
  parentId: string;
}

export const emptyItemForm = (): ItemForm => ({
  principleKind: 'strategic_goal',
  code: '',
  key: '',
  title: '',
  text: '',
  source: '',
  description: '',
  timeframe: '',
  relatedPapers: '',
  isExample: false,
  lead: [],
  support: [],
  committees: [],
  parentId: '',
});

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export interface Named {
  id: number;
  slug: string;
  name: string;
  shortName: string | null;
}
export type OutlineMeasure = MeasureRow & { lead: Named[]; support: Named[]; committees: Named[] };
export type OutlineGoal = GoalRow & { measures: OutlineMeasure[] };
export type OutlineField = FieldRow & { goals: OutlineGoal[]; measures: OutlineMeasure[] };
export interface Outline {
  guidingPrinciples: PrincipleRow[];
  strategicGoals: PrincipleRow[];
  crossCutting: OutlineMeasure[];
  fields: OutlineField[];
  counts: { fields: number; goals: number; measures: number; principles: number };
}

/** A version's content with ids, as the editor shows it (six queries). */
export async function loadOutline(db: DbOrTx, versionId: number): Promise<Outline> {
  const [principleRows, fieldRows, goalRows, measureRows] = await Promise.all([
    db.select().from(principles).where(eq(principles.planVersionId, versionId)).orderBy(asc(principles.position), asc(principles.id)),
    db.select().from(fields).where(eq(fields.planVersionId, versionId)).orderBy(asc(fields.position), asc(fields.id)),
    db.select().from(goals).where(eq(goals.planVersionId, versionId)).orderBy(asc(goals.position), asc(goals.id)),
    db.select().from(measures).where(eq(measures.planVersionId, versionId)).orderBy(asc(measures.position), asc(measures.id)),
  ]);
  const ids = measureRows.map((m) => m.id);
  const [departmentLinks, committeeLinks] = ids.length
    ? await Promise.all([
        db
          .select({ measureId: measureDepartments.measureId, role: measureDepartments.role, id: departments.id, slug: departments.slug, name: departments.name, shortName: departments.shortName })
          .from(measureDepartments)
          .innerJoin(departments, eq(departments.id, measureDepartments.departmentId))
          .where(inArray(measureDepartments.measureId, ids))
          .orderBy(asc(departments.name)),
        db
          .select({ measureId: measureCommittees.measureId, id: committees.id, slug: committees.slug, name: committees.name, shortName: committees.shortName })
          .from(measureCommittees)
          .innerJoin(committees, eq(committees.id, measureCommittees.committeeId))
          .where(inArray(measureCommittees.measureId, ids))
          .orderBy(asc(committees.name)),
      ])
    : [[], []];
  const byId = new Map<number, OutlineMeasure>(measureRows.map((m) => [m.id, { ...m, lead: [], support: [], committees: [] }]));
  for (const { measureId, role, ...d } of departmentLinks) byId.get(measureId)?.[role].push(d);
  for (const { measureId, ...c } of committeeLinks) byId.get(measureId)?.committees.push(c);
  const all = [...byId.values()];
  return {
    guidingPrinciples: principleRows.filter((p) => p.kind === 'guiding_principle'),
    strategicGoals: principleRows.filter((p) => p.kind === 'strategic_goal'),
    crossCutting: all.filter((m) => m.fieldId === null && m.goalId === null),
    fields: fieldRows.map((f) => ({
      ...f,
      goals: goalRows.filter((g) => g.fieldId === f.id).map((g) => ({ ...g, measures: all.filter((m) => m.goalId === g.id) })),
      // Measures directly under a field (no goal) are not made here, but may come from elsewhere.
      measures: all.filter((m) => m.fieldId === f.id && m.goalId === null),
    })),
    counts: { fields: fieldRows.length, goals: goalRows.length, measures: measureRows.length, principles: principleRows.length },
  };
}

export async function listDepartmentsAndCommittees(db: DbOrTx) {
  const [departmentRows, committeeRows] = await Promise.all([
    db.select().from(departments).orderBy(asc(departments.name)),
    db.select().from(committees).orderBy(asc(committees.name)),
  ]);
  return { departments: departmentRows, committees: committeeRows };
}

export type AnyItem =
  | { kind: 'principle'; row: PrincipleRow }
  | { kind: 'field'; row: FieldRow }
  | { kind: 'goal'; row: GoalRow; field: FieldRow }
  | { kind: 'measure'; row: MeasureRow; field: FieldRow | null; goal: GoalRow | null };

/** One item of a version (404 if it belongs to another version). */
export async function findItem(db: DbOrTx, versionId: number, kind: ItemKind, id: number): Promise<AnyItem> {
  switch (kind) {
    case 'principle': {
      const [row] = await db.select().from(principles).where(and(eq(principles.id, id), eq(principles.planVersionId, versionId)));
      if (!row) throw new NotFoundError();
      return { kind, row };
    }
    case 'field': {
      const [row] = await db.select().from(fields).where(and(eq(fields.id, id), eq(fields.planVersionId, versionId)));
      if (!row) throw new NotFoundError();
      return { kind, row };
    }
    case 'goal': {
      const [row] = await db.select().from(goals).where(and(eq(goals.id, id), eq(goals.planVersionId, versionId)));
      if (!row) throw new NotFoundError();
      const [field] = await db.select().from(fields).where(eq(fields.id, row.fieldId));
      if (!field) throw new NotFoundError();
      return { kind, row, field };
    }
    case 'measure': {
      const [row] = await db.select().from(measures).where(and(eq(measures.id, id), eq(measures.planVersionId, versionId)));
      if (!row) throw new NotFoundError();
      const [field] = row.fieldId === null ? [] : await db.select().from(fields).where(eq(fields.id, row.fieldId));
      const [goal] = row.goalId === null ? [] : await db.select().from(goals).where(eq(goals.id, row.goalId));
      return { kind, row, field: field ?? null, goal: goal ?? null };
    }
  }
}

/** The form values of an existing item. */
export async function itemFormOf(db: DbOrTx, item: AnyItem): Promise<ItemForm> {
  const form = emptyItemForm();
  switch (item.kind) {
    case 'principle':
      return { ...form, principleKind: item.row.kind, text: item.row.text, source: item.row.source ?? '' };
    case 'field':
      return { ...form, code: item.row.code, key: item.row.key, title: item.row.title, description: item.row.description, isExample: item.row.isExample };
    case 'goal':
      return { ...form, code: item.row.code, key: item.row.key, text: item.row.text, isExample: item.row.isExample, parentId: String(item.row.fieldId) };
    case 'measure': {
      const [links, committeeLinks] = await Promise.all([
        db.select().from(measureDepartments).where(eq(measureDepartments.measureId, item.row.id)),
        db.select().from(measureCommittees).where(eq(measureCommittees.measureId, item.row.id)),
      ]);
      return {
        ...form,
        code: item.row.code,
        key: item.row.key,
        text: item.row.text,
        timeframe: item.row.timeframe,
        relatedPapers: item.row.relatedPapers.join(', '),
        isExample: item.row.isExample,
        lead: links.filter((l) => l.role === 'lead').map((l) => String(l.departmentId)),
        support: links.filter((l) => l.role === 'support').map((l) => String(l.departmentId)),
        committees: committeeLinks.map((l) => String(l.committeeId)),
        parentId: item.row.goalId === null ? '' : String(item.row.goalId),
      };
    }
  }
}

/** A short name of an item for headings, messages and the audit page, e.g. "Maßnahme 1.1.2". */
export function itemLabel(item: AnyItem): { kind: ItemKind; code: string; text: string } {
  switch (item.kind) {
    case 'principle':
      return { kind: 'principle', code: '', text: item.row.text };
    case 'field':
      return { kind: 'field', code: item.row.code, text: item.row.title };
    default:
      return { kind: item.kind, code: item.row.code, text: item.row.text };
  }
}

/** How many goals and measures go when an item is deleted. */
export async function deletionCounts(db: DbOrTx, item: AnyItem): Promise<{ goals: number; measures: number }> {
  if (item.kind === 'field') {
    const [[g], [m]] = await Promise.all([
      db.select({ n: count() }).from(goals).where(eq(goals.fieldId, item.row.id)),
      db.select({ n: count() }).from(measures).where(eq(measures.fieldId, item.row.id)),
    ]);
    return { goals: g?.n ?? 0, measures: m?.n ?? 0 };
  }
  if (item.kind === 'goal') {
    const [m] = await db.select({ n: count() }).from(measures).where(eq(measures.goalId, item.row.id));
    return { goals: 0, measures: m?.n ?? 0 };
  }
  return { goals: 0, measures: 0 };
}

// ---------------------------------------------------------------------------------------------
// Snapshots for the audit trail
// ---------------------------------------------------------------------------------------------

async function measureSnapshot(db: DbOrTx, m: MeasureRow) {
  const [links, committeeLinks] = await Promise.all([
    db
      .select({ role: measureDepartments.role, slug: departments.slug })
      .from(measureDepartments)
      .innerJoin(departments, eq(departments.id, measureDepartments.departmentId))
      .where(eq(measureDepartments.measureId, m.id))
      .orderBy(asc(departments.slug)),
    db
      .select({ slug: committees.slug })
      .from(measureCommittees)
      .innerJoin(committees, eq(committees.id, measureCommittees.committeeId))
      .where(eq(measureCommittees.measureId, m.id))
      .orderBy(asc(committees.slug)),
  ]);
  return {
    key: m.key,
    code: m.code,
    text: m.text,
    timeframe: m.timeframe,
    relatedPapers: m.relatedPapers,
    isExample: m.isExample,
    lead: links.filter((l) => l.role === 'lead').map((l) => l.slug),
    support: links.filter((l) => l.role === 'support').map((l) => l.slug),
    committees: committeeLinks.map((c) => c.slug),
  };
}

async function snapshot(db: DbOrTx, item: AnyItem): Promise<Record<string, unknown>> {
  switch (item.kind) {
    case 'principle':
      return { kind: item.row.kind, text: item.row.text, source: item.row.source };
    case 'field':
      return { key: item.row.key, code: item.row.code, title: item.row.title, description: item.row.description, isExample: item.row.isExample };
    case 'goal':
      return { key: item.row.key, code: item.row.code, text: item.row.text, isExample: item.row.isExample };
    case 'measure':
      return measureSnapshot(db, item.row);
  }
}

// ---------------------------------------------------------------------------------------------
// Checking a form
// ---------------------------------------------------------------------------------------------

const keyPrefix: Record<Exclude<ItemKind, 'principle'>, string> = { field: 'f', goal: 'g', measure: 'm' };

async function keysInUse(tx: DbOrTx, kind: Exclude<ItemKind, 'principle'>, versionId: number, exceptId: number | null): Promise<Set<string>> {
  const table = kind === 'field' ? fields : kind === 'goal' ? goals : measures;
  const rows = await tx.select({ id: table.id, key: table.key }).from(table).where(eq(table.planVersionId, versionId));
  return new Set(rows.filter((r) => r.id !== exceptId).map((r) => r.key));
}

/** The typed key, checked; or, if left empty, one made from the code or title. */
async function resolveKey(
  tx: DbOrTx,
  kind: Exclude<ItemKind, 'principle'>,
  versionId: number,
  form: ItemForm,
  exceptId: number | null,
  problems: Problems,
): Promise<string> {
  const used = await keysInUse(tx, kind, versionId, exceptId);
  const typed = form.key.trim().toLowerCase();
  if (typed) {
    if (typed.length > 80 || !KEY.test(typed)) problems.add('key', 'editor.items.errors.keyFormat');
    else if (used.has(typed)) problems.add('key', 'editor.items.errors.keyTaken', { key: typed });
    return typed;
  }
  const source = kind === 'field' ? form.title || form.code : form.code || form.text;
  const base = `${keyPrefix[kind]}-${slugify(source, 50) || 'neu'}`;
  let candidate = base;
  for (let n = 2; used.has(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

function checkText(problems: Problems, name: string, value: string, requiredKey: string | null, max: number): void {
  if (!value && requiredKey) problems.add(name, requiredKey);
  else if (value.length > max) problems.add(name, 'editor.errors.tooLong', { max });
}

function ids(values: string[]): number[] | null {
  const out: number[] = [];
  for (const v of values) {
    if (!/^\d{1,9}$/.test(v)) return null;
    if (!out.includes(Number(v))) out.push(Number(v));
  }
  return out;
}

async function checkLinks(tx: DbOrTx, form: ItemForm, problems: Problems) {
  const lead = ids(form.lead);
  const support = ids(form.support);
  const committeeIds = ids(form.committees);
  const [departmentRows, committeeRows] = await Promise.all([
    tx.select({ id: departments.id, name: departments.name }).from(departments),
    tx.select({ id: committees.id }).from(committees),
  ]);
  const knownDepartments = new Map(departmentRows.map((d) => [d.id, d.name]));
  const knownCommittees = new Set(committeeRows.map((c) => c.id));
  if (!lead || lead.some((id) => !knownDepartments.has(id))) problems.add('lead', 'editor.items.errors.unknownDepartment');
  if (!support || support.some((id) => !knownDepartments.has(id))) problems.add('support', 'editor.items.errors.unknownDepartment');
  if (!committeeIds || committeeIds.some((id) => !knownCommittees.has(id))) problems.add('committees', 'editor.items.errors.unknownCommittee');
  const both = (lead ?? []).filter((id) => (support ?? []).includes(id));
  if (both.length) problems.add('support', 'editor.items.errors.leadAndSupport', { names: both.map((id) => knownDepartments.get(id) ?? '').join(', ') });
  return { lead: lead ?? [], support: support ?? [], committees: committeeIds ?? [] };
}

function checkPrinciple(form: ItemForm) {
  const problems = new Problems();
  const text = multiline(form.text);
  const source = line(form.source);
  if (!(principleKinds as readonly string[]).includes(form.principleKind)) problems.add('principleKind', 'editor.errors.choose');
  checkText(problems, 'text', text, 'editor.items.errors.textRequired', 5000);
  checkText(problems, 'source', source, null, 500);
  problems.throwIfAny();
  return { kind: form.principleKind as PrincipleRow['kind'], text, source: source || null };
}

async function checkField(tx: DbOrTx, versionId: number, form: ItemForm, exceptId: number | null) {
  const problems = new Problems();
  const code = line(form.code);
  const title = line(form.title);
  const description = multiline(form.description);
  checkText(problems, 'code', code, 'editor.items.errors.codeRequired', 20);
  const key = await resolveKey(tx, 'field', versionId, { ...form, code, title }, exceptId, problems);
  checkText(problems, 'title', title, 'editor.items.errors.titleRequired', 200);
  checkText(problems, 'description', description, null, 5000);
  problems.throwIfAny();
  return { key, code, title, description, isExample: form.isExample };
}

async function checkGoal(tx: DbOrTx, versionId: number, form: ItemForm, exceptId: number | null) {
  const problems = new Problems();
  const code = line(form.code);
  const text = multiline(form.text);
  checkText(problems, 'code', code, 'editor.items.errors.codeRequired', 20);
  const key = await resolveKey(tx, 'goal', versionId, { ...form, code, text }, exceptId, problems);
  checkText(problems, 'text', text, 'editor.items.errors.textRequired', 5000);
  problems.throwIfAny();
  return { key, code, text, isExample: form.isExample };
}

async function checkMeasure(tx: DbOrTx, versionId: number, form: ItemForm, exceptId: number | null) {
  const problems = new Problems();
  const code = line(form.code);
  const text = multiline(form.text);
  const timeframe = line(form.timeframe);
  checkText(problems, 'code', code, 'editor.items.errors.codeRequired', 20);
  const key = await resolveKey(tx, 'measure', versionId, { ...form, code, text }, exceptId, problems);
  checkText(problems, 'text', text, 'editor.items.errors.textRequired', 5000);
  checkText(problems, 'timeframe', timeframe, null, 100);
  const { papers, invalid } = parsePapers(form.relatedPapers);
  if (invalid.length) problems.add('relatedPapers', 'editor.errors.paperInvalid', { papers: invalid.join(', ') });
  else if (papers.length > 50) problems.add('relatedPapers', 'editor.errors.tooMany', { max: 50 });
  const links = await checkLinks(tx, form, problems);
  problems.throwIfAny();
  return { values: { key, code, text, timeframe, relatedPapers: papers, isExample: form.isExample }, links };
}

async function writeLinks(tx: DbOrTx, measureId: number, links: { lead: number[]; support: number[]; committees: number[] }): Promise<void> {
  await tx.delete(measureDepartments).where(eq(measureDepartments.measureId, measureId));
  await tx.delete(measureCommittees).where(eq(measureCommittees.measureId, measureId));
  const departmentRows = [
    ...links.lead.map((departmentId) => ({ measureId, departmentId, role: 'lead' as const })),
    ...links.support.map((departmentId) => ({ measureId, departmentId, role: 'support' as const })),
  ];
  if (departmentRows.length) await tx.insert(measureDepartments).values(departmentRows);
  if (links.committees.length) await tx.insert(measureCommittees).values(links.committees.map((committeeId) => ({ measureId, committeeId })));
}

function parentId(value: string): number | null {
  return /^\d{1,9}$/.test(value) ? Number(value) : null;
}

// ---------------------------------------------------------------------------------------------
// Siblings: the items an item is ordered among
// ---------------------------------------------------------------------------------------------

interface Positioned {
  id: number;
  position: number;
}

async function siblings(tx: DbOrTx, item: AnyItem): Promise<Positioned[]> {
  const select = { id: principles.id, position: principles.position };
  switch (item.kind) {
    case 'principle':
      return tx.select(select).from(principles).where(and(eq(principles.planVersionId, item.row.planVersionId), eq(principles.kind, item.row.kind))).orderBy(asc(principles.position), asc(principles.id));
    case 'field':
      return tx.select({ id: fields.id, position: fields.position }).from(fields).where(eq(fields.planVersionId, item.row.planVersionId)).orderBy(asc(fields.position), asc(fields.id));
    case 'goal':
      return tx.select({ id: goals.id, position: goals.position }).from(goals).where(eq(goals.fieldId, item.row.fieldId)).orderBy(asc(goals.position), asc(goals.id));
    case 'measure':
      return tx
        .select({ id: measures.id, position: measures.position })
        .from(measures)
        .where(measureSiblingsOf(item.row))
        .orderBy(asc(measures.position), asc(measures.id));
  }
}

function measureSiblingsOf(m: Pick<MeasureRow, 'planVersionId' | 'fieldId' | 'goalId'>): SQL | undefined {
  return and(
    eq(measures.planVersionId, m.planVersionId),
    m.fieldId === null ? isNull(measures.fieldId) : eq(measures.fieldId, m.fieldId),
    m.goalId === null ? isNull(measures.goalId) : eq(measures.goalId, m.goalId),
  );
}

function nextPosition(rows: Positioned[]): number {
  return rows.reduce((max, r) => Math.max(max, r.position), -1) + 1;
}

async function setPosition(tx: DbOrTx, kind: ItemKind, id: number, position: number): Promise<void> {
  switch (kind) {
    case 'principle':
      await tx.update(principles).set({ position }).where(eq(principles.id, id));
      return;
    case 'field':
      await tx.update(fields).set({ position }).where(eq(fields.id, id));
      return;
    case 'goal':
      await tx.update(goals).set({ position }).where(eq(goals.id, id));
      return;
    case 'measure':
      await tx.update(measures).set({ position }).where(eq(measures.id, id));
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Writes: each in one transaction, after assertVersionEditable, with an audit entry
// ---------------------------------------------------------------------------------------------

export async function createItem(ctx: AppContext, actorId: string, versionId: number, kind: ItemKind, form: ItemForm): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    await assertVersionEditable(tx, versionId);
    let item: AnyItem;
    switch (kind) {
      case 'principle': {
        const values = checkPrinciple(form);
        const all = await tx.select({ id: principles.id, position: principles.position }).from(principles).where(eq(principles.planVersionId, versionId));
        const [row] = await tx
          .insert(principles)
          .values({ planVersionId: versionId, ...values, position: nextPosition(all) })
          .returning();
        if (!row) throw new Error('insert returned nothing');
        item = { kind, row };
        break;
      }
      case 'field': {
        const values = await checkField(tx, versionId, form, null);
        const all = await tx.select({ id: fields.id, position: fields.position }).from(fields).where(eq(fields.planVersionId, versionId));
        const [row] = await tx
          .insert(fields)
          .values({ planVersionId: versionId, ...values, position: nextPosition(all) })
          .returning();
        if (!row) throw new Error('insert returned nothing');
        item = { kind, row };
        break;
      }
      case 'goal': {
        const fieldId = parentId(form.parentId);
        const [field] = fieldId === null ? [] : await tx.select().from(fields).where(and(eq(fields.id, fieldId), eq(fields.planVersionId, versionId)));
        if (!field) throw new NotFoundError();
        const values = await checkGoal(tx, versionId, form, null);
        const all = await tx.select({ id: goals.id, position: goals.position }).from(goals).where(eq(goals.fieldId, field.id));
        const [row] = await tx
          .insert(goals)
          .values({ planVersionId: versionId, fieldId: field.id, ...values, position: nextPosition(all) })
          .returning();
        if (!row) throw new Error('insert returned nothing');
        item = { kind, row, field };
        break;
      }
      case 'measure': {
        const goalId = form.parentId === '' ? null : parentId(form.parentId);
        const [goal] = goalId === null ? [] : await tx.select().from(goals).where(and(eq(goals.id, goalId), eq(goals.planVersionId, versionId)));
        if (form.parentId !== '' && !goal) throw new NotFoundError();
        const { values, links } = await checkMeasure(tx, versionId, form, null);
        const place = { planVersionId: versionId, fieldId: goal?.fieldId ?? null, goalId: goal?.id ?? null };
        const all = await tx.select({ id: measures.id, position: measures.position }).from(measures).where(measureSiblingsOf(place));
        const [row] = await tx
          .insert(measures)
          .values({ ...place, ...values, position: nextPosition(all) })
          .returning();
        if (!row) throw new Error('insert returned nothing');
        await writeLinks(tx, row.id, links);
        item = { kind, row, field: null, goal: goal ?? null };
        break;
      }
    }
    await recordAudit(tx, { actorId, action: `${kind}.created`, subjectType: kind, subjectId: item.row.id, after: await snapshot(tx, item) });
    return item.row.id;
  });
}

export async function updateItem(ctx: AppContext, actorId: string, versionId: number, kind: ItemKind, id: number, form: ItemForm): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await assertVersionEditable(tx, versionId);
    const item = await findItem(tx, versionId, kind, id);
    const before = await snapshot(tx, item);
    let after: AnyItem;
    switch (item.kind) {
      case 'principle': {
        const [row] = await tx.update(principles).set(checkPrinciple(form)).where(eq(principles.id, id)).returning();
        if (!row) throw new NotFoundError();
        after = { kind: 'principle', row };
        break;
      }
      case 'field': {
        const values = await checkField(tx, versionId, form, id);
        const [row] = await tx.update(fields).set(values).where(eq(fields.id, id)).returning();
        if (!row) throw new NotFoundError();
        after = { kind: 'field', row };
        break;
      }
      case 'goal': {
        const values = await checkGoal(tx, versionId, form, id);
        const [row] = await tx.update(goals).set(values).where(eq(goals.id, id)).returning();
        if (!row) throw new NotFoundError();
        after = { kind: 'goal', row, field: item.field };
        break;
      }
      case 'measure': {
        const { values, links } = await checkMeasure(tx, versionId, form, id);
        const [row] = await tx.update(measures).set(values).where(eq(measures.id, id)).returning();
        if (!row) throw new NotFoundError();
        await writeLinks(tx, id, links);
        after = { kind: 'measure', row, field: item.field, goal: item.goal };
        break;
      }
    }
    const afterSnapshot = await snapshot(tx, after);
    if (JSON.stringify(before) !== JSON.stringify(afterSnapshot)) {
      await recordAudit(tx, { actorId, action: `${kind}.updated`, subjectType: kind, subjectId: id, before, after: afterSnapshot });
    }
  });
}

/**
 * Moves an item one place up or down among its siblings by swapping positions with its
 * neighbour. Returns false when it is already first (or last).
 */
export async function moveItem(ctx: AppContext, actorId: string, versionId: number, kind: ItemKind, id: number, direction: 'up' | 'down'): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    await assertVersionEditable(tx, versionId);
    const item = await findItem(tx, versionId, kind, id);
    const list = await siblings(tx, item);
    const index = list.findIndex((s) => s.id === id);
    const other = direction === 'up' ? index - 1 : index + 1;
    const mine = list[index];
    const neighbour = list[other];
    if (!mine || !neighbour) return false;
    if (mine.position !== neighbour.position) {
      await setPosition(tx, kind, mine.id, neighbour.position);
      await setPosition(tx, kind, neighbour.id, mine.position);
    } else {
      // Equal positions (content written elsewhere): number the siblings afresh in the new order.
      [list[index], list[other]] = [neighbour, mine];
      for (const [position, s] of list.entries()) await setPosition(tx, kind, s.id, position);
    }
    await recordAudit(tx, { actorId, action: `${kind}.moved`, subjectType: kind, subjectId: id, before: { place: index + 1 }, after: { place: other + 1 } });
    return true;
  });
}

/** Deletes an item and everything below it; each deleted item gets its own audit entry. */
export async function deleteItem(ctx: AppContext, actorId: string, versionId: number, kind: ItemKind, id: number): Promise<AnyItem> {
  return ctx.db.transaction(async (tx) => {
    await assertVersionEditable(tx, versionId);
    const item = await findItem(tx, versionId, kind, id);
    const below: AnyItem[] = [];
    if (item.kind === 'field') {
      const goalRows = await tx.select().from(goals).where(eq(goals.fieldId, id));
      for (const g of goalRows) below.push({ kind: 'goal', row: g, field: item.row });
      for (const m of await tx.select().from(measures).where(eq(measures.fieldId, id))) below.push({ kind: 'measure', row: m, field: item.row, goal: null });
    } else if (item.kind === 'goal') {
      for (const m of await tx.select().from(measures).where(eq(measures.goalId, id))) below.push({ kind: 'measure', row: m, field: item.field, goal: item.row });
    }
    const counts = await deletionCounts(tx, item);
    for (const child of below) {
      await recordAudit(tx, { actorId, action: `${child.kind}.deleted`, subjectType: child.kind, subjectId: child.row.id, before: await snapshot(tx, child) });
    }
    await recordAudit(tx, {
      actorId,
      action: `${kind}.deleted`,
      subjectType: kind,
      subjectId: id,
      before: { ...(await snapshot(tx, item)), ...(item.kind === 'field' || item.kind === 'goal' ? counts : {}) },
    });
    switch (kind) {
      case 'principle':
        await tx.delete(principles).where(eq(principles.id, id));
        break;
      case 'field':
        await tx.delete(fields).where(eq(fields.id, id));
        break;
      case 'goal':
        await tx.delete(goals).where(eq(goals.id, id));
        break;
      case 'measure':
        await tx.delete(measures).where(eq(measures.id, id));
        break;
    }
    return item;
  });
}

/** A code proposal for a new item: the next number below its parent. */
export function suggestCode(outline: Outline, kind: ItemKind, parent: number | null): string {
  if (kind === 'field') return String(outline.fields.length + 1);
  if (kind === 'goal') {
    const field = outline.fields.find((f) => f.id === parent);
    return field ? `${field.code}.${field.goals.length + 1}` : '';
  }
  if (kind === 'measure') {
    if (parent === null) return `D.${outline.crossCutting.length + 1}`;
    const goal = outline.fields.flatMap((f) => f.goals).find((g) => g.id === parent);
    return goal ? `${goal.code}.${goal.measures.length + 1}` : '';
  }
  return '';
}
