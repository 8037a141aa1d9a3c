import type { PlanDocument, PlanField, PlanGoal, PlanMeasure, PlanPrinciple } from '../document.js';
import { type DiffPart, diffList, diffWords, type ListChange, listChanged, normalizeText } from './diff.js';

/**
 * Two versions of a plan compared item by item. Fields, goals and measures are matched by their
 * stable key; principles (which have none) by their text, in order. The result is grouped the way
 * the newer version reads — cross-cutting measures, then field → goal → measure — with removed
 * items at the place they had, and moved items at their new place with a note where they came
 * from.
 *
 * Every item carries `target` ("measure:m-…", the same key `targetKey` in queries.ts uses): the
 * page renders a slot per changed item under that key, where the consolidation step will list
 * the contributions that led to the change.
 */

export type ItemStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface Counts {
  added: number;
  removed: number;
  changed: number;
  /** Of the changed: those now under another goal or field. */
  moved: number;
  unchanged: number;
}

/** Where a measure (or goal) stands: null field means cross-cutting. */
export interface Place {
  fieldKey: string | null;
  fieldCode: string | null;
  fieldTitle: string | null;
  goalKey: string | null;
  goalCode: string | null;
}

export type TextChange = DiffPart[] | null;

export interface ScalarChange {
  before: string;
  after: string;
}

export interface MeasureChanges {
  code: ScalarChange | null;
  text: TextChange;
  lead: ListChange | null;
  support: ListChange | null;
  committees: ListChange | null;
  timeframe: ScalarChange | null;
  relatedPapers: ListChange | null;
  isExample: { before: boolean; after: boolean } | null;
}

export interface MeasureChange {
  kind: 'measure';
  target: string;
  key: string;
  status: ItemStatus;
  /** The measure as it is now, or as it was if removed. */
  measure: PlanMeasure;
  before: PlanMeasure | null;
  after: PlanMeasure | null;
  changes: MeasureChanges | null;
  moved: { from: Place; to: Place } | null;
}

export interface GoalChange {
  kind: 'goal';
  target: string;
  key: string;
  status: ItemStatus;
  goal: PlanGoal;
  before: PlanGoal | null;
  after: PlanGoal | null;
  code: ScalarChange | null;
  text: TextChange;
  isExample: { before: boolean; after: boolean } | null;
  moved: { from: Place; to: Place } | null;
  measures: MeasureChange[];
  /** True when the goal itself or any of its measures changed. */
  touched: boolean;
}

export interface FieldChange {
  kind: 'field';
  target: string;
  key: string;
  status: ItemStatus;
  field: PlanField;
  before: PlanField | null;
  after: PlanField | null;
  code: ScalarChange | null;
  title: TextChange;
  description: TextChange;
  isExample: { before: boolean; after: boolean } | null;
  goals: GoalChange[];
  touched: boolean;
}

export interface PrincipleChange {
  kind: 'principle';
  /** Principles have no stable key: their position in the newer version (or the older, if removed). */
  target: string;
  status: ItemStatus;
  principle: PlanPrinciple;
  before: PlanPrinciple | null;
  after: PlanPrinciple | null;
  text: TextChange;
  source: ScalarChange | null;
}

export interface PlanComparison {
  guidingPrinciples: PrincipleChange[];
  strategicGoals: PrincipleChange[];
  crossCutting: MeasureChange[];
  fields: FieldChange[];
  summary: { measures: Counts; goals: Counts; fields: Counts; principles: Counts };
  /** Nothing differs at all. */
  identical: boolean;
}

interface MeasureAt {
  measure: PlanMeasure;
  place: Place;
}
interface GoalAt {
  goal: PlanGoal;
  field: PlanField;
}

function index(doc: PlanDocument) {
  const fields = new Map<string, PlanField>();
  const goals = new Map<string, GoalAt>();
  const measures = new Map<string, MeasureAt>();
  const crossCutting: Place = { fieldKey: null, fieldCode: null, fieldTitle: null, goalKey: null, goalCode: null };
  for (const measure of doc.crossCuttingMeasures) measures.set(measure.key, { measure, place: crossCutting });
  for (const field of doc.fields) {
    fields.set(field.key, field);
    for (const goal of field.goals) {
      goals.set(goal.key, { goal, field });
      const place: Place = { fieldKey: field.key, fieldCode: field.code, fieldTitle: field.title, goalKey: goal.key, goalCode: goal.code };
      for (const measure of goal.measures) measures.set(measure.key, { measure, place });
    }
  }
  return { fields, goals, measures };
}

const emptyCounts = (): Counts => ({ added: 0, removed: 0, changed: 0, moved: 0, unchanged: 0 });

function scalar(before: string, after: string): ScalarChange | null {
  return normalizeText(before) === normalizeText(after) ? null : { before, after };
}

function text(before: string, after: string): TextChange {
  return normalizeText(before) === normalizeText(after) ? null : diffWords(before, after);
}

function list(before: readonly string[], after: readonly string[]): ListChange | null {
  const change = diffList(before, after);
  return listChanged(change) ? change : null;
}

function flag(before: boolean, after: boolean) {
  return before === after ? null : { before, after };
}

function compareMeasure(before: MeasureAt | undefined, after: MeasureAt | undefined): MeasureChange {
  const measure = (after ?? before)?.measure as PlanMeasure;
  const base = { kind: 'measure' as const, target: `measure:${measure.key}`, key: measure.key, measure, before: before?.measure ?? null, after: after?.measure ?? null };
  if (!before) return { ...base, status: 'added', changes: null, moved: null };
  if (!after) return { ...base, status: 'removed', changes: null, moved: null };
  const a = before.measure;
  const b = after.measure;
  const changes: MeasureChanges = {
    code: scalar(a.code, b.code),
    text: text(a.text, b.text),
    lead: list(a.lead, b.lead),
    support: list(a.support, b.support),
    committees: list(a.committees, b.committees),
    timeframe: scalar(a.timeframe, b.timeframe),
    relatedPapers: list(a.relatedPapers, b.relatedPapers),
    isExample: flag(a.isExample, b.isExample),
  };
  // Under another goal (or into or out of the cross-cutting measures). A measure whose goal moved
  // to another field moved with it: the goal says so, not each of its measures.
  const moved = before.place.goalKey !== after.place.goalKey ? { from: before.place, to: after.place } : null;
  const changed = moved !== null || Object.values(changes).some((c) => c !== null);
  return { ...base, status: changed ? 'changed' : 'unchanged', changes: changed ? changes : null, moved };
}

function count(counts: Counts, item: { status: ItemStatus; moved?: unknown }): void {
  counts[item.status]++;
  if (item.status === 'changed' && item.moved) counts.moved++;
}

/**
 * Principles in each kind, matched by text: an LCS over the normalised texts finds the unchanged
 * ones; between two unchanged ones, removed and added principles are paired in order as reworded.
 */
function comparePrinciples(before: PlanPrinciple[], after: PlanPrinciple[], kind: PlanPrinciple['kind']): PrincipleChange[] {
  const a = before.filter((p) => p.kind === kind);
  const b = after.filter((p) => p.kind === kind);
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  const same = (i: number, j: number) => normalizeText((a[i] as PlanPrinciple).text) === normalizeText((b[j] as PlanPrinciple).text);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      (lcs[i] as number[])[j] = same(i, j) ? ((lcs[i + 1] as number[])[j + 1] as number) + 1 : Math.max((lcs[i + 1] as number[])[j] as number, (lcs[i] as number[])[j + 1] as number);
    }
  }
  const out: PrincipleChange[] = [];
  let removed: PlanPrinciple[] = [];
  let added: Array<{ p: PlanPrinciple; position: number }> = [];
  const target = (position: number) => `principle:${kind}:${position + 1}`;
  const flush = () => {
    const pairs = Math.min(removed.length, added.length);
    for (let k = 0; k < pairs; k++) {
      const old = removed[k] as PlanPrinciple;
      const now = added[k] as { p: PlanPrinciple; position: number };
      out.push({
        kind: 'principle',
        target: target(now.position),
        status: 'changed',
        principle: now.p,
        before: old,
        after: now.p,
        text: text(old.text, now.p.text),
        source: scalar(old.source ?? '', now.p.source ?? ''),
      });
    }
    for (const now of added.slice(pairs)) {
      out.push({ kind: 'principle', target: target(now.position), status: 'added', principle: now.p, before: null, after: now.p, text: null, source: null });
    }
    for (const old of removed.slice(pairs)) {
      out.push({ kind: 'principle', target: `principle:${kind}:removed:${a.indexOf(old) + 1}`, status: 'removed', principle: old, before: old, after: null, text: null, source: null });
    }
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && same(i, j)) {
      flush();
      const old = a[i] as PlanPrinciple;
      const now = b[j] as PlanPrinciple;
      const source = scalar(old.source ?? '', now.source ?? '');
      out.push({ kind: 'principle', target: target(j), status: source ? 'changed' : 'unchanged', principle: now, before: old, after: now, text: null, source });
      i++;
      j++;
    } else if (j >= m || (i < n && ((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number))) {
      removed.push(a[i] as PlanPrinciple);
      i++;
    } else {
      added.push({ p: b[j] as PlanPrinciple, position: j });
      j++;
    }
  }
  flush();
  return out;
}

export function comparePlans(before: PlanDocument, after: PlanDocument): PlanComparison {
  const a = index(before);
  const b = index(after);
  const summary = { measures: emptyCounts(), goals: emptyCounts(), fields: emptyCounts(), principles: emptyCounts() };

  const measureChange = (key: string) => {
    const change = compareMeasure(a.measures.get(key), b.measures.get(key));
    count(summary.measures, change);
    return change;
  };

  /** Measures under a place now, then those removed from it (they stay where they were). */
  const measuresAt = (now: PlanMeasure[], then: PlanMeasure[]) => [
    ...now.map((m) => measureChange(m.key)),
    ...then.filter((m) => !b.measures.has(m.key)).map((m) => measureChange(m.key)),
  ];

  const crossCutting = measuresAt(after.crossCuttingMeasures, before.crossCuttingMeasures);

  const goalChange = (key: string): GoalChange => {
    const old = a.goals.get(key);
    const now = b.goals.get(key);
    const goal = (now ?? old)?.goal as PlanGoal;
    const measures = measuresAt(now?.goal.measures ?? [], old?.goal.measures ?? []);
    const base = { kind: 'goal' as const, target: `goal:${key}`, key, goal, before: old?.goal ?? null, after: now?.goal ?? null, measures };
    const placeOf = (at: GoalAt): Place => ({ fieldKey: at.field.key, fieldCode: at.field.code, fieldTitle: at.field.title, goalKey: at.goal.key, goalCode: at.goal.code });
    let result: GoalChange;
    if (!old || !now) {
      result = { ...base, status: old ? 'removed' : 'added', code: null, text: null, isExample: null, moved: null, touched: true };
    } else {
      const code = scalar(old.goal.code, now.goal.code);
      const textChange = text(old.goal.text, now.goal.text);
      const isExample = flag(old.goal.isExample, now.goal.isExample);
      const moved = old.field.key !== now.field.key ? { from: placeOf(old), to: placeOf(now) } : null;
      const changed = code !== null || textChange !== null || isExample !== null || moved !== null;
      result = {
        ...base,
        status: changed ? 'changed' : 'unchanged',
        code,
        text: textChange,
        isExample,
        moved,
        touched: changed || measures.some((m) => m.status !== 'unchanged'),
      };
    }
    count(summary.goals, result);
    return result;
  };

  const fieldChange = (key: string): FieldChange => {
    const old = a.fields.get(key);
    const now = b.fields.get(key);
    const field = (now ?? old) as PlanField;
    const goals = [
      ...(now?.goals ?? []).map((g) => goalChange(g.key)),
      ...(old?.goals ?? []).filter((g) => !b.goals.has(g.key)).map((g) => goalChange(g.key)),
    ];
    const base = { kind: 'field' as const, target: `field:${key}`, key, field, before: old ?? null, after: now ?? null, goals };
    let result: FieldChange;
    if (!old || !now) {
      result = { ...base, status: old ? 'removed' : 'added', code: null, title: null, description: null, isExample: null, touched: true };
    } else {
      const code = scalar(old.code, now.code);
      const title = text(old.title, now.title);
      const description = text(old.description, now.description);
      const isExample = flag(old.isExample, now.isExample);
      const changed = code !== null || title !== null || description !== null || isExample !== null;
      result = { ...base, status: changed ? 'changed' : 'unchanged', code, title, description, isExample, touched: changed || goals.some((g) => g.touched) };
    }
    count(summary.fields, result);
    return result;
  };

  const fields = [...after.fields.map((f) => fieldChange(f.key)), ...before.fields.filter((f) => !b.fields.has(f.key)).map((f) => fieldChange(f.key))];

  const guidingPrinciples = comparePrinciples(before.principles, after.principles, 'guiding_principle');
  const strategicGoals = comparePrinciples(before.principles, after.principles, 'strategic_goal');
  for (const p of [...guidingPrinciples, ...strategicGoals]) count(summary.principles, p);

  const identical = Object.values(summary).every((c) => c.added + c.removed + c.changed === 0);
  return { guidingPrinciples, strategicGoals, crossCutting, fields, summary, identical };
}
