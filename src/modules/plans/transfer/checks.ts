import { allMeasures, type PlanDocument, type PlanField, type PlanGoal, type PlanMeasure, type PlanPrinciple } from '../document.js';
import { type Problem, problem, shown } from './problems.js';

/**
 * What both formats check the same way once a file has been read into a PlanDocument: keys,
 * codes, lengths, lists and limits. Each reader records where every item and value stood
 * (`Origins`), so a problem found here still names its line.
 */

export type ListName = 'lead' | 'support' | 'committees' | 'relatedPapers';

export interface Origin {
  line: number;
  /** Line of each property's value; absent when the property was not given. */
  props: Partial<Record<string, number>>;
  /** Line of each entry of a list. */
  lists: Partial<Record<ListName, number[]>>;
}

export class Origins {
  private readonly map = new WeakMap<object, Origin>();

  set(item: object, origin: Origin): void {
    this.map.set(item, origin);
  }

  get(item: object): Origin {
    return this.map.get(item) ?? { line: 1, props: {}, lists: {} };
  }

  line(item: object, prop?: string): number {
    const origin = this.get(item);
    return (prop && origin.props[prop]) || origin.line;
  }

  entryLine(item: object, list: ListName, index: number): number {
    const origin = this.get(item);
    return origin.lists[list]?.[index] ?? origin.props[list] ?? origin.line;
  }
}

/** The result of reading a file in either format. */
export interface ParsedPlan {
  doc: PlanDocument;
  origins: Origins;
  problems: Problem[];
}

export const limits = {
  principles: 200,
  fields: 100,
  goals: 1000,
  measures: 3000,
  departmentLinks: 20_000,
  committeeLinks: 20_000,
  papersPerMeasure: 50,
  text: 10_000,
  title: 300,
  source: 500,
  timeframe: 100,
  code: 20,
  key: 100,
  slug: 100,
  paper: 50,
} as const;

export const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** A code stands in a Markdown heading before `:` and `{#key}`, so it cannot contain them. */
export const CODE = /^[^\s:{}]+$/;
export const SLUG = /^[a-z0-9][a-z0-9-]*$/;
export const PAPER = /^[^,;\n]+$/;

/** Key for an item written without one, made from its code: field 3 → f-3, measure 1.2.3 → m-1.2.3. */
export function derivedKey(prefix: 'f' | 'g' | 'm', code: string): string {
  const slug = code
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '');
  return slug ? `${prefix}-${slug}` : '';
}

/** Line ends and surrounding white space are not content: both formats store texts alike. */
export function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .trim();
}

export type Item =
  | { kind: 'principle'; value: PlanPrinciple; index: number }
  | { kind: 'field'; value: PlanField }
  | { kind: 'goal'; value: PlanGoal }
  | { kind: 'measure'; value: PlanMeasure };

/** Parameters that name an item in a message: "Maßnahme 1.1.1" / "Measure 1.1.1". */
export function itemParams(item: Item): Record<string, string | number> {
  if (item.kind === 'principle') {
    const key = item.value.kind === 'guiding_principle' ? 'plans.transfer.item.guidingPrinciple' : 'plans.transfer.item.strategicGoal';
    return { itemKey: key, code: item.index + 1 };
  }
  const code = item.value.code || '?';
  return { itemKey: `plans.transfer.item.${item.kind}`, code: shown(code, 20) };
}

export function counts(doc: PlanDocument) {
  const goals = doc.fields.reduce((n, f) => n + f.goals.length, 0);
  const measures = allMeasures(doc).length;
  return {
    guidingPrinciples: doc.principles.filter((p) => p.kind === 'guiding_principle').length,
    strategicGoals: doc.principles.filter((p) => p.kind === 'strategic_goal').length,
    crossCuttingMeasures: doc.crossCuttingMeasures.length,
    fields: doc.fields.length,
    goals,
    measures,
  };
}
export type Counts = ReturnType<typeof counts>;

export function checkPlan(doc: PlanDocument, origins: Origins): Problem[] {
  const problems: Problem[] = [];
  const add = (item: Item, line: number, key: string, params: Record<string, string | number> = {}) =>
    problems.push(problem(line, key, { ...itemParams(item), ...params }));

  const checkString = (item: Item, prop: string, value: string, max: number, { required = false, oneLine = false } = {}) => {
    const line = origins.line(item.value, prop);
    const given = origins.get(item.value).props[prop] !== undefined;
    if (required && value === '') {
      // A property missing altogether was reported by the reader already.
      if (given) add(item, line, 'plans.transfer.problem.plan.empty', { nameKey: `plans.transfer.prop.${prop}` });
      return;
    }
    if (value.length > max) add(item, line, 'plans.transfer.problem.plan.tooLong', { nameKey: `plans.transfer.prop.${prop}`, length: value.length, max });
    else if (oneLine && value.includes('\n')) add(item, line, 'plans.transfer.problem.plan.multiline', { nameKey: `plans.transfer.prop.${prop}` });
  };

  const seenKeys = { field: new Map<string, number>(), goal: new Map<string, number>(), measure: new Map<string, number>() };
  const checkKeyAndCode = (item: Extract<Item, { kind: 'field' | 'goal' | 'measure' }>) => {
    const { key, code } = item.value;
    const origin = origins.get(item.value);
    const codeLine = origins.line(item.value, 'code');
    if (code === '') {
      if (origin.props.code !== undefined) add(item, codeLine, 'plans.transfer.problem.plan.empty', { nameKey: 'plans.transfer.prop.code' });
    } else if (code.length > limits.code || !CODE.test(code)) {
      add(item, codeLine, 'plans.transfer.problem.plan.badCode', { value: shown(code, 30), max: limits.code });
    }
    const keyLine = origins.line(item.value, 'key');
    if (key === '') {
      if (origin.props.key !== undefined) add(item, keyLine, 'plans.transfer.problem.plan.empty', { nameKey: 'plans.transfer.prop.key' });
      return;
    }
    if (key.length > limits.key || !KEY.test(key)) {
      add(item, keyLine, 'plans.transfer.problem.plan.badKey', { value: shown(key, 40), max: limits.key });
      return;
    }
    const seen = seenKeys[item.kind];
    const first = seen.get(key);
    if (first !== undefined) add(item, keyLine, 'plans.transfer.problem.plan.duplicateKey', { value: key, first });
    else seen.set(key, keyLine);
  };

  const tooMany = (what: string, max: number, line: number) =>
    problems.push(problem(line, 'plans.transfer.problem.plan.tooMany', { whatKey: `plans.transfer.count.${what}`, max }));

  doc.principles.forEach((p, index) => {
    const item: Item = { kind: 'principle', value: p, index };
    if (index === limits.principles) tooMany('principles', limits.principles, origins.line(p));
    checkString(item, 'text', p.text, limits.text, { required: true });
    if (p.source !== null) checkString(item, 'source', p.source, limits.source, { oneLine: true });
  });

  let goalCount = 0;
  let measureCount = 0;
  let departmentLinks = 0;
  let committeeLinks = 0;
  const checkMeasure = (m: PlanMeasure) => {
    const item: Item = { kind: 'measure', value: m };
    if (++measureCount === limits.measures + 1) tooMany('measures', limits.measures, origins.line(m));
    checkKeyAndCode(item);
    checkString(item, 'text', m.text, limits.text, { required: true });
    checkString(item, 'timeframe', m.timeframe, limits.timeframe, { oneLine: true });
    if (m.relatedPapers.length > limits.papersPerMeasure) {
      add(item, origins.line(m, 'relatedPapers'), 'plans.transfer.problem.plan.tooManyEntries', {
        nameKey: 'plans.transfer.prop.relatedPapers',
        max: limits.papersPerMeasure,
      });
    }
    m.relatedPapers.forEach((paper, i) => {
      if (paper.length > limits.paper || !PAPER.test(paper)) {
        add(item, origins.entryLine(m, 'relatedPapers', i), 'plans.transfer.problem.plan.badPaper', { value: shown(paper, 40), max: limits.paper });
      }
    });
    checkDuplicates(item, 'relatedPapers', m.relatedPapers);
    for (const list of ['lead', 'support', 'committees'] as const) {
      m[list].forEach((slug, i) => {
        if (slug.length > limits.slug || !SLUG.test(slug)) {
          add(item, origins.entryLine(m, list, i), 'plans.transfer.problem.plan.badSlug', { value: shown(slug, 40), nameKey: `plans.transfer.prop.${list}` });
        }
      });
      checkDuplicates(item, list, m[list]);
    }
    m.support.forEach((slug, i) => {
      if (m.lead.includes(slug)) add(item, origins.entryLine(m, 'support', i), 'plans.transfer.problem.plan.leadAndSupport', { value: slug });
    });
    departmentLinks += m.lead.length + m.support.length;
    committeeLinks += m.committees.length;
    if (departmentLinks > limits.departmentLinks && departmentLinks - m.lead.length - m.support.length <= limits.departmentLinks) {
      tooMany('departmentLinks', limits.departmentLinks, origins.line(m));
    }
    if (committeeLinks > limits.committeeLinks && committeeLinks - m.committees.length <= limits.committeeLinks) {
      tooMany('committeeLinks', limits.committeeLinks, origins.line(m));
    }
  };
  const checkDuplicates = (item: Item & { kind: 'measure' }, list: ListName, values: string[]) => {
    const seen = new Set<string>();
    values.forEach((value, i) => {
      if (seen.has(value)) {
        add(item, origins.entryLine(item.value, list, i), 'plans.transfer.problem.plan.duplicateEntry', { value: shown(value, 40), nameKey: `plans.transfer.prop.${list}` });
      }
      seen.add(value);
    });
  };

  for (const m of doc.crossCuttingMeasures) checkMeasure(m);
  doc.fields.forEach((f, index) => {
    const item: Item = { kind: 'field', value: f };
    if (index === limits.fields) tooMany('fields', limits.fields, origins.line(f));
    checkKeyAndCode(item);
    checkString(item, 'title', f.title, limits.title, { required: true, oneLine: true });
    checkString(item, 'description', f.description, limits.text);
    for (const g of f.goals) {
      const goalItem: Item = { kind: 'goal', value: g };
      if (++goalCount === limits.goals + 1) tooMany('goals', limits.goals, origins.line(g));
      checkKeyAndCode(goalItem);
      checkString(goalItem, 'text', g.text, limits.text, { required: true });
      for (const m of g.measures) checkMeasure(m);
    }
  });
  return problems;
}

/** The closest known slug, when it is close enough to be a typo (for "did you mean …?"). */
export function closest(value: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(value, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(value.length / 4)) ? best : null;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 10) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
