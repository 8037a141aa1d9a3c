import type { PlanDocument, PlanField, PlanGoal, PlanMeasure, PlanPrinciple } from '../document.js';
import { checkPlan, derivedKey, type ListName, normalizeText, type Origin, Origins, type ParsedPlan } from './checks.js';
import type { About } from './json.js';
import { type Problem, problem, shown } from './problems.js';

/**
 * The Markdown outline: a plan a participation office can write by hand in any text editor.
 *
 *   # Leitbild / # Leitziele           list items, each with an optional indented "Quelle: …"
 *   # Durchgängige Maßnahmen           measure items
 *   # Handlungsfelder
 *   ## Handlungsfeld 1: Sprache {#f-sprache}
 *   ### Ziel 1.1 {#g-sprache-kurse}    followed by the goal's text
 *   - Maßnahme 1.1.1 {#m-…}: text      followed by indented attribute lines
 *
 * The words are German or English (both are read; export writes one of them). The headings,
 * items and attribute names below are the format's syntax, not interface text. See
 * docs/plan-formats.md for the full description.
 */

export type MarkdownLanguage = 'de' | 'en';

const words = {
  de: {
    guiding: 'Leitbild',
    strategic: 'Leitziele',
    crossCutting: 'Durchgängige Maßnahmen',
    fields: 'Handlungsfelder',
    field: 'Handlungsfeld',
    goal: 'Ziel',
    measure: 'Maßnahme',
    timeframe: 'Zeitraum',
    relatedPapers: 'Vorlagen',
    lead: 'Federführung',
    support: 'Beteiligt',
    committees: 'Gremien',
    isExample: 'Beispiel',
    yes: 'ja',
    source: 'Quelle',
  },
  en: {
    guiding: 'Guiding principle',
    strategic: 'Strategic goals',
    crossCutting: 'Cross-cutting measures',
    fields: 'Fields of action',
    field: 'Field of action',
    goal: 'Goal',
    measure: 'Measure',
    timeframe: 'Timeframe',
    relatedPapers: 'Papers',
    lead: 'Lead',
    support: 'Involved',
    committees: 'Committees',
    isExample: 'Example',
    yes: 'yes',
    source: 'Source',
  },
} as const;

type Section = 'guiding' | 'strategic' | 'crossCutting' | 'fields';
const sectionNames: Record<string, Section> = {
  leitbild: 'guiding',
  leitbilder: 'guiding',
  'guiding principle': 'guiding',
  'guiding principles': 'guiding',
  leitziel: 'strategic',
  leitziele: 'strategic',
  'strategic goal': 'strategic',
  'strategic goals': 'strategic',
  'durchgängige maßnahmen': 'crossCutting',
  'durchgängige massnahmen': 'crossCutting',
  'durchgaengige massnahmen': 'crossCutting',
  querschnittsmaßnahmen: 'crossCutting',
  querschnittsmassnahmen: 'crossCutting',
  'cross-cutting measures': 'crossCutting',
  'crosscutting measures': 'crossCutting',
  handlungsfelder: 'fields',
  'fields of action': 'fields',
};

type MeasureAttribute = 'timeframe' | 'relatedPapers' | 'lead' | 'support' | 'committees' | 'isExample';
const measureAttributes: Record<string, MeasureAttribute> = {
  zeitraum: 'timeframe',
  timeframe: 'timeframe',
  vorlagen: 'relatedPapers',
  vorlage: 'relatedPapers',
  papers: 'relatedPapers',
  'council papers': 'relatedPapers',
  federführung: 'lead',
  federfuehrung: 'lead',
  lead: 'lead',
  beteiligt: 'support',
  beteiligte: 'support',
  involved: 'support',
  support: 'support',
  gremien: 'committees',
  gremium: 'committees',
  committees: 'committees',
  committee: 'committees',
  beispiel: 'isExample',
  example: 'isExample',
};
const principleAttributes: Record<string, 'source'> = { quelle: 'source', source: 'source' };
const allAttributeNames = [...Object.keys(measureAttributes), ...Object.keys(principleAttributes)];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Several attributes may share a line, separated by `;` before a known attribute name. */
const ATTRIBUTE_SEPARATOR = new RegExp(`;\\s*(?=(?:${allAttributeNames.map(escapeRegExp).join('|')})\\s*:)`, 'iu');
/** `Name: value` with a name of one to three words. */
const LABEL = /^([\p{L}][\p{L}\p{M}-]*(?:[ ][\p{L}][\p{L}\p{M}-]*){0,2})[ \t]*:(?:[ \t]+(.*)|[ \t]*)$/u;
const HEADING = /^(#+)(?:[ \t]+(.*))?$/;
const LIST_ITEM = /^[-*+](?:[ \t]+(.*))?$/;
const FIELD = /^(?:handlungsfeld|field of action)[ \t]+([^\s:{}]+)[ \t]*:[ \t]*(.*?)[ \t]*(?:\{#([^}]*)\})?$/iu;
const FIELD_LOOSE = /^(?:handlungsfeld|field of action)(?![\p{L}])/iu;
const GOAL = /^(?:ziel|goal)[ \t]+([^\s:{}]+)[ \t]*(?:\{#([^}]*)\})?$/iu;
const GOAL_LOOSE = /^(?:ziel|goal)(?![\p{L}])/iu;
const MEASURE = /^(?:maßnahme|massnahme|measure)[ \t]+([^\s:{}]+)[ \t]*(?:\{#([^}]*)\})?[ \t]*:(?:[ \t]+(.*))?$/iu;
const MEASURE_LOOSE = /^(?:maßnahme|massnahme|measure)(?![\p{L}])/iu;
const EXAMPLE = /^(?:beispiel|example)[ \t]*:[ \t]*(.*)$/iu;

const YES = new Set(['ja', 'yes', 'true', 'j', 'y']);
const NO = new Set(['nein', 'no', 'false', 'n']);

const lower = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/** A text line that a careless reader would take for an attribute whose colon is missing. */
function looksLikeAttributeWithoutColon(content: string): string | null {
  const first = /^([\p{L}][\p{L}\p{M}-]*)(?=[ \t])/u.exec(content)?.[1];
  if (!first || !(lower(first) in measureAttributes || lower(first) in principleAttributes)) return null;
  const words = content.trim().split(/\s+/);
  return words.length <= 4 && !content.includes('.') ? first : null;
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/** A paragraph line that would be read as syntax gets a leading backslash. */
function escapeBlockLine(line: string, first: boolean): string {
  if (/^(?:#|[-*+](?:[ \t]|$)|\\|<!--)/.test(line) || (first && EXAMPLE.test(line))) return `\\${line}`;
  return line;
}

function escapeContinuation(line: string): string {
  if (line === '' || /^[\s\\]/.test(line) || LABEL.test(line) || looksLikeAttributeWithoutColon(line)) return `\\${line}`;
  return line;
}

function itemLines(head: string, text: string): string[] {
  const [first = '', ...rest] = text.split('\n');
  return [`${head}${first.startsWith('\\') ? `\\${first}` : first}`, ...rest.map((l) => `  ${escapeContinuation(l)}`)];
}

function blockLines(text: string): string[] {
  if (text === '') return [];
  return [...text.split('\n').map((l, i) => escapeBlockLine(l, i === 0)), ''];
}

export function toMarkdown(doc: PlanDocument, options: { lang?: MarkdownLanguage; about?: About } = {}): string {
  const w = words[options.lang ?? 'de'];
  const out: string[] = [];
  const about = options.about;
  const note = about ? ` · ${about.consultationTitle} · ${about.versionLabel} (${about.status})` : '';
  out.push(`<!-- mitsprache-plan 1${note.replace(/-{2,}/g, '–')} -->`, '');

  const measure = (m: PlanMeasure) => {
    out.push(...itemLines(`- ${w.measure} ${m.code} {#${m.key}}: `, m.text));
    if (m.timeframe) out.push(`  ${w.timeframe}: ${m.timeframe}`);
    if (m.relatedPapers.length) out.push(`  ${w.relatedPapers}: ${m.relatedPapers.join(', ')}`);
    if (m.lead.length) out.push(`  ${w.lead}: ${m.lead.join(', ')}`);
    if (m.support.length) out.push(`  ${w.support}: ${m.support.join(', ')}`);
    if (m.committees.length) out.push(`  ${w.committees}: ${m.committees.join(', ')}`);
    if (m.isExample) out.push(`  ${w.isExample}: ${w.yes}`);
    out.push('');
  };

  // Principles keep their order: a new section starts wherever the kind changes.
  const runs: Array<{ kind: PlanPrinciple['kind']; items: PlanPrinciple[] }> = [];
  for (const p of doc.principles) {
    const last = runs.at(-1);
    if (last && last.kind === p.kind) last.items.push(p);
    else runs.push({ kind: p.kind, items: [p] });
  }
  for (const kind of ['guiding_principle', 'strategic_goal'] as const) {
    if (!runs.some((r) => r.kind === kind)) runs.push({ kind, items: [] });
  }
  for (const run of runs) {
    out.push(`# ${run.kind === 'guiding_principle' ? w.guiding : w.strategic}`, '');
    for (const p of run.items) {
      out.push(...itemLines('- ', p.text));
      if (p.source) out.push(`  ${w.source}: ${p.source}`);
      out.push('');
    }
  }

  out.push(`# ${w.crossCutting}`, '');
  for (const m of doc.crossCuttingMeasures) measure(m);

  out.push(`# ${w.fields}`, '');
  for (const f of doc.fields) {
    out.push(`## ${w.field} ${f.code}: ${f.title} {#${f.key}}`);
    if (f.isExample) out.push(`${w.isExample}: ${w.yes}`);
    out.push('', ...blockLines(f.description));
    for (const g of f.goals) {
      out.push(`### ${w.goal} ${g.code} {#${g.key}}`);
      if (g.isExample) out.push(`${w.isExample}: ${w.yes}`);
      out.push('', ...blockLines(g.text));
      for (const m of g.measures) measure(m);
    }
  }
  while (out.at(-1) === '') out.pop();
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

const MD = 'plans.transfer.problem.md.';

interface OpenItem {
  kind: 'principle' | 'measure';
  value: PlanPrinciple | PlanMeasure;
  origin: Origin;
  textLines: string[];
  attributeLines: Map<string, number>;
}

interface OpenBlock {
  value: PlanField | PlanGoal;
  origin: Origin;
  lines: string[];
  atStart: boolean;
}

export function fromMarkdown(text: string): ParsedPlan {
  const origins = new Origins();
  const doc: PlanDocument = { principles: [], crossCuttingMeasures: [], fields: [] };
  const problems: Problem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);

  // Set inside the helpers below; the casts keep TypeScript from narrowing them to null.
  let section = null as Section | null;
  let field = null as PlanField | null;
  let goal = null as PlanGoal | null;
  let item = null as OpenItem | null;
  let block = null as OpenBlock | null;
  let inComment = false;
  // After a problem, the rest of a broken heading's content or paragraph is skipped, so one
  // mistake gives one message rather than one per following line.
  let skipUntilHeading = false;
  let skipParagraph = false;
  let skipIndented = false;
  let lineNo = 0;

  const report = (key: string, params: Record<string, string | number> = {}) => problems.push(problem(lineNo, key, params));

  const finishItem = () => {
    if (!item) return;
    item.value.text = normalizeText(item.textLines.join('\n'));
    item = null;
  };
  const finishBlock = () => {
    if (!block) return;
    const value = normalizeText(block.lines.join('\n'));
    if ('title' in block.value) block.value.description = value;
    else block.value.text = value;
    block = null;
  };

  const readFlag = (value: string): boolean | null => {
    const v = lower(value);
    return YES.has(v) ? true : NO.has(v) ? false : null;
  };

  const startMeasure = (content: string): PlanMeasure | null => {
    const m = MEASURE.exec(content);
    if (!m) {
      report(`${MD}badMeasureItem`, { found: shown(content, 50) });
      skipIndented = true;
      return null;
    }
    const code = m[1] ?? '';
    const origin: Origin = { line: lineNo, props: { code: lineNo, text: lineNo }, lists: {} };
    if (m[2] !== undefined) origin.props.key = lineNo;
    const measure: PlanMeasure = {
      key: m[2] !== undefined ? m[2].trim() : derivedKey('m', code),
      code,
      text: '',
      timeframe: '',
      relatedPapers: [],
      isExample: false,
      lead: [],
      support: [],
      committees: [],
    };
    origins.set(measure, origin);
    const first = m[3] ?? '';
    item = { kind: 'measure', value: measure, origin, textLines: [first.startsWith('\\') ? first.slice(1) : first], attributeLines: new Map() };
    return measure;
  };

  const attribute = (open: OpenItem, pair: string) => {
    const label = LABEL.exec(pair.trim());
    const name = label?.[1] ?? pair.trim();
    const value = (label?.[2] ?? '').trim();
    const known = open.kind === 'measure' ? measureAttributes[lower(name)] : principleAttributes[lower(name)];
    if (!known) {
      report(`${MD}unknownAttribute`, { name: shown(name, 30), expectedKey: `plans.transfer.md.attributes.${open.kind}` });
      return;
    }
    const first = open.attributeLines.get(known);
    if (first !== undefined) {
      report(`${MD}duplicateAttribute`, { name: shown(name, 30), first });
      return;
    }
    open.attributeLines.set(known, lineNo);
    if (value === '') {
      report(`${MD}emptyAttribute`, { name: shown(name, 30) });
      return;
    }
    open.origin.props[known] = lineNo;
    if (known === 'source') {
      (open.value as PlanPrinciple).source = normalizeText(value);
      return;
    }
    const measure = open.value as PlanMeasure;
    if (known === 'isExample') {
      const flag = readFlag(value);
      if (flag === null) report(`${MD}badFlag`, { name: shown(name, 30), value: shown(value, 20) });
      else measure.isExample = flag;
    } else if (known === 'timeframe') {
      measure.timeframe = normalizeText(value);
    } else {
      const entries = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      measure[known as ListName] = entries;
      open.origin.lists[known as ListName] = entries.map(() => lineNo);
    }
  };

  const itemLine = (open: OpenItem, content: string) => {
    if (content.startsWith('\\')) {
      if (open.attributeLines.size > 0) report(`${MD}textAfterAttributes`);
      else open.textLines.push(content.slice(1));
      return;
    }
    if (LABEL.test(content)) {
      for (const pair of content.split(ATTRIBUTE_SEPARATOR)) attribute(open, pair);
      return;
    }
    const missingColon = looksLikeAttributeWithoutColon(content);
    if (missingColon) report(`${MD}missingColon`, { name: missingColon });
    else if (open.attributeLines.size > 0) report(`${MD}textAfterAttributes`);
    else open.textLines.push(content);
  };

  const heading = (level: number, title: string) => {
    finishItem();
    finishBlock();
    skipUntilHeading = false;
    skipParagraph = false;
    skipIndented = false;
    const sectionName = sectionNames[lower(title).replace(/:$/, '')];
    const kind = sectionName ? 'section' : FIELD_LOOSE.test(title) ? 'field' : GOAL_LOOSE.test(title) ? 'goal' : MEASURE_LOOSE.test(title) ? 'measure' : null;
    if (kind === 'measure') {
      report(`${MD}measureAsHeading`, { found: '#'.repeat(level) });
      skipUntilHeading = true;
      return;
    }
    const expected = kind === 'section' ? 1 : kind === 'field' ? 2 : kind === 'goal' ? 3 : null;
    if (expected === null) {
      report(level === 1 ? `${MD}unknownSection` : level === 2 ? `${MD}badFieldHeading` : level === 3 ? `${MD}badGoalHeading` : `${MD}headingTooDeep`, {
        found: shown(title, 50),
      });
      // Whatever stands under a heading we cannot place is skipped; under a broken field or
      // goal heading the content is still read (and checked), then dropped.
      if (level === 1) section = null;
      if (level === 2) [field, goal, section] = [placeholderField(), null, 'fields'];
      if (level === 3) goal = placeholderGoal();
      if (level === 1 || level > 3) skipUntilHeading = true;
      return;
    }
    // A known heading at the wrong level is reported, then read as what it says it is.
    if (level !== expected) {
      report(`${MD}wrongLevel`, { found: '#'.repeat(level), expected: '#'.repeat(expected), whatKey: `plans.transfer.md.what.${kind}` });
    }
    if (kind === 'section') {
      section = sectionName as Section;
      field = null;
      goal = null;
      return;
    }
    if (kind === 'field') {
      const m = FIELD.exec(title);
      if (!m) {
        report(`${MD}badFieldHeading`, { found: shown(title, 50) });
        [field, goal, section] = [placeholderField(), null, 'fields'];
        return;
      }
      const code = m[1] ?? '';
      const origin: Origin = { line: lineNo, props: { code: lineNo, title: lineNo, description: lineNo }, lists: {} };
      if (m[3] !== undefined) origin.props.key = lineNo;
      const value: PlanField = {
        key: m[3] !== undefined ? m[3].trim() : derivedKey('f', code),
        code,
        title: (m[2] ?? '').trim(),
        description: '',
        isExample: false,
        goals: [],
      };
      origins.set(value, origin);
      doc.fields.push(value);
      [field, goal, section] = [value, null, 'fields'];
      block = { value, origin, lines: [], atStart: true };
      return;
    }
    const m = GOAL.exec(title);
    if (!m) {
      report(`${MD}badGoalHeading`, { found: shown(title, 50) });
      goal = placeholderGoal();
      return;
    }
    if (!field) {
      report(`${MD}goalOutsideField`);
      section = 'fields';
      goal = placeholderGoal();
      return;
    }
    const code = m[1] ?? '';
    const origin: Origin = { line: lineNo, props: { code: lineNo, text: lineNo }, lists: {} };
    if (m[2] !== undefined) origin.props.key = lineNo;
    const value: PlanGoal = { key: m[2] !== undefined ? m[2].trim() : derivedKey('g', code), code, text: '', isExample: false, measures: [] };
    origins.set(value, origin);
    field.goals.push(value);
    goal = value;
    block = { value, origin, lines: [], atStart: true };
  };

  const listItem = (content: string) => {
    finishItem();
    finishBlock();
    skipParagraph = false;
    skipIndented = false;
    if (skipUntilHeading) return;
    if (section === null) {
      report(`${MD}beforeSection`);
      skipUntilHeading = true;
      return;
    }
    if (section === 'guiding' || section === 'strategic') {
      const origin: Origin = { line: lineNo, props: { text: lineNo }, lists: {} };
      const value: PlanPrinciple = { kind: section === 'guiding' ? 'guiding_principle' : 'strategic_goal', text: '', source: null };
      origins.set(value, origin);
      doc.principles.push(value);
      item = { kind: 'principle', value, origin, textLines: [content.startsWith('\\') ? content.slice(1) : content], attributeLines: new Map() };
      return;
    }
    if (section === 'crossCutting') {
      const measure = startMeasure(content);
      if (measure) doc.crossCuttingMeasures.push(measure);
      return;
    }
    if (!goal) {
      report(`${MD}measureOutsideGoal`);
      // Read on under a stand-in goal that is dropped, so its attribute lines raise no more errors.
      goal = placeholderGoal();
    }
    const measure = startMeasure(content);
    if (measure) goal.measures.push(measure);
  };

  const textLine = (raw: string) => {
    const escaped = raw.startsWith('\\');
    const content = escaped ? raw.slice(1) : raw;
    if (block) {
      const example = block.atStart && !escaped ? EXAMPLE.exec(raw) : null;
      if (example) {
        const flag = readFlag(example[1] ?? '');
        if (flag === null) report(`${MD}badFlag`, { name: raw.split(':')[0]?.trim() ?? '', value: shown(example[1] ?? '', 20) });
        else {
          block.value.isExample = flag;
          block.origin.props.isExample = lineNo;
        }
        return;
      }
      block.lines.push(content);
      block.atStart = false;
      return;
    }
    if (skipParagraph) return;
    skipParagraph = true;
    if (item) report(`${MD}unindentedLine`);
    else if (section === null) {
      report(`${MD}beforeSection`);
      skipUntilHeading = true;
    } else if (section === 'fields' && goal) report(`${MD}textAfterMeasures`);
    else if (section === 'fields') report(`${MD}textOutsideField`);
    else report(`${MD}expectedListItem`);
  };

  for (const rawLine of lines) {
    lineNo++;
    const raw = rawLine.replace(/[ \t]+$/, '');
    if (inComment) {
      if (raw.includes('-->')) inComment = false;
      continue;
    }
    if (raw.startsWith('<!--')) {
      inComment = !raw.includes('-->', 4);
      continue;
    }
    if (raw === '') {
      skipParagraph = false;
      if (block) block.lines.push('');
      continue;
    }
    if (raw.startsWith('#')) {
      const h = HEADING.exec(raw);
      if (!h) {
        report(`${MD}headingSpace`, { found: shown(raw, 40) });
        continue;
      }
      heading((h[1] ?? '').length, (h[2] ?? '').trim());
      continue;
    }
    const li = LIST_ITEM.exec(raw);
    if (li) {
      listItem((li[1] ?? '').trim());
      continue;
    }
    if (skipUntilHeading) continue;
    if (raw.startsWith(' ') || raw.startsWith('\t')) {
      if (item) itemLine(item, raw.trimStart());
      else if (block) {
        block.lines.push(raw);
        block.atStart = false;
      } else if (!skipIndented) {
        report(`${MD}unexpectedIndent`);
        skipIndented = true;
      }
      continue;
    }
    textLine(raw);
  }
  finishItem();
  finishBlock();

  problems.push(...checkPlan(doc, origins));
  return { doc, origins, problems };
}

function placeholderField(): PlanField {
  return { key: '', code: '', title: '', description: '', isExample: false, goals: [] };
}
function placeholderGoal(): PlanGoal {
  return { key: '', code: '', text: '', isExample: false, measures: [] };
}
