import type { Translate } from '../../../core/i18n.js';
import type { Names } from '../compare/versions.js';
import type { PlanDocument, PlanMeasure } from '../document.js';
import type { Consultation, PlanVersion } from '../queries.js';
import { formatDate } from '../routes.js';

/**
 * A text with the language it is written in, when that differs from the document's (a
 * contribution in Ukrainian or Arabic in a German report): renderers set the language, and the
 * PDF the direction, for that span.
 */
export interface Span {
  text: string;
  lang: string;
}
export type Text = string | Span;

export interface ExportFact {
  label: string;
  value: Text;
}
export interface ExportMeasure {
  heading: string;
  text: Text;
  example: boolean;
  facts: ExportFact[];
}
export interface ExportGoal {
  heading: string;
  text: Text;
  example: boolean;
  measures: ExportMeasure[];
}
export interface ExportField {
  heading: string;
  description: Text;
  example: boolean;
  goals: ExportGoal[];
}

/**
 * A plan version as a document: every text already translated and formatted, so the DOCX and
 * the PDF renderer only lay it out, and the same model can be handed to a worker thread as JSON.
 */
export interface PlanExport {
  /** BCP 47 language of the document: de-DE or en-GB. */
  language: string;
  lang: string;
  region: string;
  /** What PDF readers and Word show as the document's title. */
  documentTitle: string;
  title: string;
  subtitle: string;
  /** Lines under the title: council paper, status, date. */
  titleLines: string[];
  date: { year: number; month: number; day: number };
  author: string;
  keywords: string[];
  labels: {
    contents: string;
    guidingPrinciple: string;
    strategicGoals: string;
    crossCutting: string;
    example: string;
    exampleNote: string;
    page: string;
  };
  guidingPrinciples: Array<{ text: Text; source: string | null }>;
  strategicGoals: Text[];
  crossCutting: ExportMeasure[];
  fields: ExportField[];
  anyExample: boolean;
  footer: string;
}

export interface ExportSource {
  consultation: Pick<Consultation, 'title' | 'paperReference' | 'slug'>;
  version: Pick<PlanVersion, 'label' | 'status' | 'publishedAt' | 'createdAt'>;
  doc: PlanDocument;
  names: Names;
  t: Translate;
  locale: string;
}

/** The language plan content is written in; a document in another language marks it as such. */
const CONTENT_LANGUAGE = 'de';

const BERLIN_PARTS = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The version's date: when it was published, or for a draft when it was started. */
function versionDate(version: ExportSource['version']): Date {
  return version.publishedAt ?? version.createdAt;
}

export function buildExport({ consultation, version, doc, names, t, locale }: ExportSource): PlanExport {
  const date = versionDate(version);
  // Screen readers and Word's proofing read the German plan texts in an English document as German.
  const content = (text: string): Text => (locale === CONTENT_LANGUAGE || !text ? text : { text, lang: CONTENT_LANGUAGE });
  const [year, month, day] = BERLIN_PARTS.format(date).split('-').map(Number) as [number, number, number];
  const measure = (m: PlanMeasure): ExportMeasure => {
    const facts: ExportFact[] = [];
    const add = (label: string, values: string[]) => {
      if (values.length) facts.push({ label, value: values.join(', ') });
    };
    add(t('plans.plan.lead'), m.lead.map(names.department));
    add(t('plans.plan.support'), m.support.map(names.department));
    add(t('plans.plan.committees'), m.committees.map(names.committee));
    add(t('plans.plan.timeframe'), m.timeframe ? [m.timeframe] : []);
    add(t('plans.plan.papers'), m.relatedPapers);
    return { heading: t('plans.plan.measure', { code: m.code }), text: content(m.text), example: m.isExample, facts };
  };
  const crossCutting = doc.crossCuttingMeasures.map(measure);
  const fields = doc.fields.map((f) => ({
    heading: t('plans.plan.field', { code: f.code, title: f.title }),
    description: content(f.description),
    example: f.isExample,
    goals: f.goals.map((g) => ({ heading: t('plans.plan.goal', { code: g.code }), text: content(g.text), example: g.isExample, measures: g.measures.map(measure) })),
  }));
  const anyExample =
    crossCutting.some((m) => m.example) || fields.some((f) => f.example || f.goals.some((g) => g.example || g.measures.some((m) => m.example)));
  const status = t(`plans.status.${version.status}`);
  const titleLines = [
    ...(consultation.paperReference ? [t('plans.paper', { reference: consultation.paperReference })] : []),
    t('documents.titlePage.version', { label: version.label, status }),
    t(version.publishedAt ? 'documents.titlePage.published' : 'documents.titlePage.started', { date: formatDate(date, locale) }),
  ];
  return {
    language: locale === 'en' ? 'en-GB' : 'de-DE',
    lang: locale === 'en' ? 'en' : 'de',
    region: locale === 'en' ? 'GB' : 'DE',
    documentTitle: `${consultation.title} – ${version.label}`,
    title: consultation.title,
    subtitle: version.label,
    titleLines,
    date: { year, month, day },
    author: t('site.name'),
    keywords: [consultation.paperReference, version.label].filter((k): k is string => Boolean(k)),
    labels: {
      contents: t('plans.plan.toc'),
      guidingPrinciple: t('plans.plan.guidingPrinciple'),
      strategicGoals: t('plans.plan.strategicGoals'),
      crossCutting: t('plans.plan.crossCutting'),
      example: t('plans.plan.example'),
      exampleNote: t('plans.plan.exampleHint'),
      page: t('documents.page'),
    },
    guidingPrinciples: doc.principles.filter((p) => p.kind === 'guiding_principle').map((p) => ({ text: content(p.text), source: p.source ? t('plans.plan.source', { source: p.source }) : null })),
    strategicGoals: doc.principles.filter((p) => p.kind === 'strategic_goal').map((p) => content(p.text)),
    crossCutting,
    fields,
    anyExample,
    footer: `${consultation.title} · ${version.label} (${status})`,
  };
}

export function plainText(text: Text): string {
  return typeof text === 'string' ? text : text.text;
}

/** A piece of a file name in ASCII: German umlauts spelled out, accents dropped, words joined by hyphens. */
export function asciiSlug(text: string): string {
  return text
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/Ä/g, 'Ae')
    .replace(/Ö/g, 'Oe')
    .replace(/Ü/g, 'Ue')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `aktionsplan-integration-2022-2026-entwurf-2.pdf`: slug and version label, ASCII only. */
export function fileName(slug: string, label: string, extension: string): string {
  const base = [asciiSlug(slug), asciiSlug(label)].filter(Boolean).join('-') || 'plan';
  return `${base.slice(0, 120)}.${extension}`;
}
