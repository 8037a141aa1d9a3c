import type { PlanDocument, PlanField, PlanGoal, PlanMeasure, PlanPrinciple } from '../document.js';
import { checkPlan, derivedKey, type ListName, normalizeText, type Origin, Origins, type ParsedPlan } from './checks.js';
import { type JsonMember, type JsonNode, type JsonObject, parseJson } from './jsonparse.js';
import { type Problem, problem, shown } from './problems.js';

/**
 * The JSON format: `{ "format": "mitsprache-plan", "version": 1, "plan": { …PlanDocument… } }`,
 * with an optional `about` object (consultation, version label, status) that import ignores.
 * docs/plan-formats.md describes it for people.
 */
export const JSON_FORMAT = 'mitsprache-plan';
export const JSON_VERSION = 1;

export interface About {
  consultation: string;
  consultationTitle: string;
  versionLabel: string;
  status: string;
}

export function toJson(doc: PlanDocument, about?: About): string {
  const plan: PlanDocument = {
    principles: doc.principles.map((p) => ({ kind: p.kind, text: p.text, source: p.source })),
    crossCuttingMeasures: doc.crossCuttingMeasures.map(measureOut),
    fields: doc.fields.map((f) => ({
      key: f.key,
      code: f.code,
      title: f.title,
      description: f.description,
      isExample: f.isExample,
      goals: f.goals.map((g) => ({ key: g.key, code: g.code, text: g.text, isExample: g.isExample, measures: g.measures.map(measureOut) })),
    })),
  };
  return `${JSON.stringify({ format: JSON_FORMAT, version: JSON_VERSION, ...(about ? { about } : {}), plan }, null, 2)}\n`;
}

function measureOut(m: PlanMeasure): PlanMeasure {
  return {
    key: m.key,
    code: m.code,
    text: m.text,
    timeframe: m.timeframe,
    relatedPapers: m.relatedPapers,
    isExample: m.isExample,
    lead: m.lead,
    support: m.support,
    committees: m.committees,
  };
}

type Where = Record<string, string | number>;
const TYPE = 'plans.transfer.type.';

/** Reads one JSON object against a list of allowed members, reporting by line what does not fit. */
class Reader {
  private readonly members = new Map<string, JsonMember>();
  readonly origin: Origin;

  constructor(
    readonly node: JsonObject,
    private readonly where: Where,
    allowed: readonly string[],
    private readonly problems: Problem[],
  ) {
    this.origin = { line: node.line, props: {}, lists: {} };
    for (const m of node.members) {
      if (!allowed.includes(m.name)) {
        problems.push(
          problem(m.line, 'plans.transfer.problem.json.unknownMember', { ...where, name: shown(m.name, 40), allowed: allowed.join(', ') }, m.column),
        );
      } else if (!this.members.has(m.name)) this.members.set(m.name, m);
    }
  }

  private get(name: string, required: boolean, expected: string): JsonNode | undefined {
    const member = this.members.get(name);
    if (!member) {
      if (required) {
        this.problems.push(problem(this.node.line, 'plans.transfer.problem.json.missing', { ...this.where, name, expectedKey: TYPE + expected }, this.node.column));
      }
      return undefined;
    }
    this.origin.props[name] = member.value.line;
    return member.value;
  }

  private wrongType(name: string, node: JsonNode, expected: string): void {
    this.problems.push(
      problem(node.line, 'plans.transfer.problem.json.wrongType', { ...this.where, name, foundKey: TYPE + node.type, expectedKey: TYPE + expected }, node.column),
    );
  }

  private checked(name: string, node: JsonNode & { type: 'string' }): string {
    if (node.value.includes('\u0000') || !node.value.isWellFormed()) {
      this.problems.push(problem(node.line, 'plans.transfer.problem.json.badCharacter', { ...this.where, name }, node.column));
      return '';
    }
    return node.value;
  }

  string(name: string, { required = false, fallback = '' } = {}): string {
    const node = this.get(name, required, 'string');
    if (!node) return fallback;
    if (node.type !== 'string') {
      this.wrongType(name, node, 'string');
      return fallback;
    }
    return this.checked(name, node);
  }

  stringOrNull(name: string): string | null {
    const node = this.get(name, false, 'stringOrNull');
    if (!node || node.type === 'null') return null;
    if (node.type !== 'string') {
      this.wrongType(name, node, 'stringOrNull');
      return null;
    }
    return this.checked(name, node);
  }

  boolean(name: string): boolean {
    const node = this.get(name, false, 'boolean');
    if (!node) return false;
    if (node.type !== 'boolean') {
      this.wrongType(name, node, 'boolean');
      return false;
    }
    return node.value;
  }

  strings(name: ListName): string[] {
    const node = this.get(name, false, 'stringList');
    if (!node) return [];
    if (node.type !== 'array') {
      this.wrongType(name, node, 'stringList');
      return [];
    }
    const values: string[] = [];
    const lines: number[] = [];
    for (const item of node.items) {
      if (item.type !== 'string') {
        this.wrongType(name, item, 'string');
        continue;
      }
      values.push(this.checked(name, item).trim());
      lines.push(item.line);
    }
    this.origin.lists[name] = lines;
    return values;
  }

  objects(name: string, required = false): JsonObject[] {
    const node = this.get(name, required, 'objectList');
    if (!node) return [];
    if (node.type !== 'array') {
      this.wrongType(name, node, 'objectList');
      return [];
    }
    return node.items.filter((item): item is JsonObject => {
      if (item.type === 'object') return true;
      this.wrongType(name, item, 'object');
      return false;
    });
  }

  object(name: string, required: boolean): JsonObject | null {
    const node = this.get(name, required, 'object');
    if (!node) return null;
    if (node.type !== 'object') {
      this.wrongType(name, node, 'object');
      return null;
    }
    return node;
  }

  raw(name: string, required: boolean, expected: string): JsonNode | undefined {
    return this.get(name, required, expected);
  }
}

const MEASURE_MEMBERS = ['key', 'code', 'text', 'timeframe', 'relatedPapers', 'isExample', 'lead', 'support', 'committees'] as const;
const GOAL_MEMBERS = ['key', 'code', 'text', 'isExample', 'measures'] as const;
const FIELD_MEMBERS = ['key', 'code', 'title', 'description', 'isExample', 'goals'] as const;
const PRINCIPLE_MEMBERS = ['kind', 'text', 'source'] as const;

export function fromJson(text: string): ParsedPlan {
  const origins = new Origins();
  const doc: PlanDocument = { principles: [], crossCuttingMeasures: [], fields: [] };
  const parsed = parseJson(text);
  if (!parsed.ok) return { doc, origins, problems: [parsed.problem] };
  const problems = [...parsed.problems];
  const root = parsed.root;
  if (root.type !== 'object') {
    return { doc, origins, problems: [problem(root.line, 'plans.transfer.problem.json.notObject', {}, root.column)] };
  }

  const file = new Reader(root, { whereKey: 'plans.transfer.where.file' }, ['format', 'version', 'about', 'plan'], problems);
  const format = file.raw('format', true, 'formatName');
  if (format && (format.type !== 'string' || format.value !== JSON_FORMAT)) {
    const found = format.type === 'string' ? shown(format.value, 40) : format.type;
    problems.push(problem(format.line, 'plans.transfer.problem.json.badFormat', { found }, format.column));
  }
  const version = file.raw('version', true, 'formatVersion');
  if (version && (version.type !== 'number' || version.value !== JSON_VERSION)) {
    const found = version.type === 'number' ? String(version.value) : version.type;
    problems.push(problem(version.line, 'plans.transfer.problem.json.badVersion', { found, supported: JSON_VERSION }, version.column));
  }
  file.object('about', false);
  const planNode = file.object('plan', true);
  if (!planNode) return { doc, origins, problems };

  const plan = new Reader(planNode, { whereKey: 'plans.transfer.where.plan' }, ['principles', 'crossCuttingMeasures', 'fields'], problems);

  plan.objects('principles').forEach((node, index) => {
    const r = new Reader(node, { whereKey: 'plans.transfer.item.principle', code: index + 1 }, PRINCIPLE_MEMBERS, problems);
    const kindNode = r.raw('kind', true, 'principleKind');
    let kind: PlanPrinciple['kind'] = 'guiding_principle';
    if (kindNode) {
      if (kindNode.type === 'string' && (kindNode.value === 'guiding_principle' || kindNode.value === 'strategic_goal')) kind = kindNode.value;
      else {
        const found = kindNode.type === 'string' ? shown(kindNode.value, 40) : kindNode.type;
        problems.push(problem(kindNode.line, 'plans.transfer.problem.json.badKind', { found }, kindNode.column));
      }
    }
    const source = r.stringOrNull('source');
    const principle: PlanPrinciple = {
      kind,
      text: normalizeText(r.string('text', { required: true })),
      source: source === null || normalizeText(source) === '' ? null : normalizeText(source),
    };
    origins.set(principle, r.origin);
    doc.principles.push(principle);
  });

  const readMeasure = (node: JsonObject, index: number): PlanMeasure => {
    const codeGuess = node.members.find((m) => m.name === 'code' && m.value.type === 'string');
    const where = { whereKey: 'plans.transfer.item.measure', code: codeGuess?.value.type === 'string' ? shown(codeGuess.value.value, 20) : `#${index + 1}` };
    const r = new Reader(node, where, MEASURE_MEMBERS, problems);
    const code = r.string('code', { required: true }).trim();
    const measure: PlanMeasure = {
      key: r.string('key').trim() || derivedKey('m', code),
      code,
      text: normalizeText(r.string('text', { required: true })),
      timeframe: normalizeText(r.string('timeframe')),
      relatedPapers: r.strings('relatedPapers'),
      isExample: r.boolean('isExample'),
      lead: r.strings('lead'),
      support: r.strings('support'),
      committees: r.strings('committees'),
    };
    origins.set(measure, r.origin);
    return measure;
  };

  doc.crossCuttingMeasures = plan.objects('crossCuttingMeasures').map(readMeasure);

  doc.fields = plan.objects('fields').map((node, index) => {
    const codeGuess = node.members.find((m) => m.name === 'code' && m.value.type === 'string');
    const where = { whereKey: 'plans.transfer.item.field', code: codeGuess?.value.type === 'string' ? shown(codeGuess.value.value, 20) : `#${index + 1}` };
    const r = new Reader(node, where, FIELD_MEMBERS, problems);
    const code = r.string('code', { required: true }).trim();
    const field: PlanField = {
      key: r.string('key').trim() || derivedKey('f', code),
      code,
      title: normalizeText(r.string('title', { required: true })),
      description: normalizeText(r.string('description')),
      isExample: r.boolean('isExample'),
      goals: r.objects('goals').map((goalNode, goalIndex) => {
        const goalCodeGuess = goalNode.members.find((m) => m.name === 'code' && m.value.type === 'string');
        const goalWhere = {
          whereKey: 'plans.transfer.item.goal',
          code: goalCodeGuess?.value.type === 'string' ? shown(goalCodeGuess.value.value, 20) : `#${goalIndex + 1}`,
        };
        const g = new Reader(goalNode, goalWhere, GOAL_MEMBERS, problems);
        const goalCode = g.string('code', { required: true }).trim();
        const goal: PlanGoal = {
          key: g.string('key').trim() || derivedKey('g', goalCode),
          code: goalCode,
          text: normalizeText(g.string('text', { required: true })),
          isExample: g.boolean('isExample'),
          measures: g.objects('measures').map(readMeasure),
        };
        origins.set(goal, g.origin);
        return goal;
      }),
    };
    origins.set(field, r.origin);
    return field;
  });

  problems.push(...checkPlan(doc, origins));
  return { doc, origins, problems };
}
