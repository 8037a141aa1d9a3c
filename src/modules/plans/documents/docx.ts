import { AlignmentType, Document, Footer, HeadingLevel, Packer, PageBreak, PageNumber, Paragraph, TextRun } from 'docx';
import { directionOf } from '../../../core/i18n.js';
import type { ExportMeasure, PlanExport, Text } from './model.js';

/**
 * The plan as a Word document. Structure is carried by Word's own styles — Title, Heading 1
 * (principles, strategic goals, cross-cutting measures, each field of action), Heading 2 (goals,
 * cross-cutting measures), Heading 3 (measures) — so the navigation pane, a table of contents
 * Word builds and screen readers all find it. The document language is set in the default run
 * properties (what Word's spelling and screen readers go by), spans in another language get
 * their own, right-to-left ones their direction.
 */

const BRAND = '083A50';
const MUTED = '4A4A4A';

/** BCP 47 tag Word understands for a language code of a span ("uk" → "uk-UA"). */
const WORD_LANGUAGES: Record<string, string> = { de: 'de-DE', en: 'en-GB', uk: 'uk-UA', ru: 'ru-RU', ar: 'ar-SA', fa: 'fa-IR', tr: 'tr-TR' };

function runs(text: Text, options: { bold?: boolean; italics?: boolean; size?: number; color?: string } = {}): TextRun[] {
  if (typeof text === 'string') return [new TextRun({ text, ...options })];
  const rtl = directionOf(text.lang) === 'rtl';
  const language = WORD_LANGUAGES[text.lang] ?? text.lang;
  return [new TextRun({ text: text.text, ...options, ...(rtl ? { rightToLeft: true, language: { bidirectional: language } } : { language: { value: language } }) })];
}

function isRtl(text: Text): boolean {
  return typeof text !== 'string' && directionOf(text.lang) === 'rtl';
}

/** Right-to-left paragraph direction, set only where needed (Word writes a false one out too). */
function direction(text: Text): { bidirectional?: true } {
  return isRtl(text) ? { bidirectional: true } : {};
}

function paragraph(text: Text, options: { bold?: boolean; italics?: boolean; size?: number; color?: string } = {}, spacingAfter = 120): Paragraph {
  return new Paragraph({ children: runs(text, options), ...direction(text), spacing: { after: spacingAfter } });
}

function exampleMark(model: PlanExport): Paragraph {
  return new Paragraph({ children: [new TextRun({ text: model.labels.example, italics: true, size: 18, color: MUTED })], spacing: { after: 60 } });
}

function measure(model: PlanExport, m: ExportMeasure, heading: (typeof HeadingLevel)[keyof typeof HeadingLevel]): Paragraph[] {
  return [
    new Paragraph({ text: m.heading, heading }),
    ...(m.example ? [exampleMark(model)] : []),
    paragraph(m.text),
    ...m.facts.map(
      (f, i) =>
        new Paragraph({
          children: [new TextRun({ text: `${f.label}: `, bold: true, size: 20 }), ...runs(f.value, { size: 20 })],
          spacing: { after: i === m.facts.length - 1 ? 160 : 20 },
        }),
    ),
  ];
}

export function planDocx(model: PlanExport): Document {
  const children: Paragraph[] = [
    new Paragraph({ text: model.title, heading: HeadingLevel.TITLE, spacing: { before: 2400, after: 240 } }),
    new Paragraph({ children: [new TextRun({ text: model.subtitle, size: 32 })], spacing: { after: 480 } }),
    ...model.titleLines.map((line) => paragraph(line, {}, 40)),
    ...(model.anyExample ? [new Paragraph({ children: [new TextRun({ text: model.labels.exampleNote, italics: true, size: 19 })], spacing: { before: 600 } })] : []),
  ];
  if (model.guidingPrinciples.length) {
    children.push(new Paragraph({ children: [new PageBreak()] }), new Paragraph({ text: model.labels.guidingPrinciple, heading: HeadingLevel.HEADING_1 }));
    for (const p of model.guidingPrinciples) {
      children.push(paragraph(p.text, {}, p.source ? 40 : 160));
      if (p.source) children.push(paragraph(p.source, { size: 18, color: MUTED }, 160));
    }
  }
  if (model.strategicGoals.length) {
    children.push(new Paragraph({ text: model.labels.strategicGoals, heading: HeadingLevel.HEADING_1 }));
    model.strategicGoals.forEach((goal, i) => {
      children.push(new Paragraph({ children: [new TextRun({ text: `${i + 1}. ` }), ...runs(goal)], ...direction(goal), indent: { start: 360, hanging: 360 }, spacing: { after: 100 } }));
    });
  }
  if (model.crossCutting.length) {
    children.push(new Paragraph({ text: model.labels.crossCutting, heading: HeadingLevel.HEADING_1, pageBreakBefore: true }));
    for (const m of model.crossCutting) children.push(...measure(model, m, HeadingLevel.HEADING_2));
  }
  for (const f of model.fields) {
    children.push(new Paragraph({ text: f.heading, heading: HeadingLevel.HEADING_1, pageBreakBefore: true }));
    if (f.example) children.push(exampleMark(model));
    if (typeof f.description !== 'string' || f.description) children.push(paragraph(f.description));
    for (const g of f.goals) {
      children.push(new Paragraph({ text: g.heading, heading: HeadingLevel.HEADING_2 }));
      if (g.example) children.push(exampleMark(model));
      children.push(paragraph(g.text, { bold: true }, 160));
      for (const m of g.measures) children.push(...measure(model, m, HeadingLevel.HEADING_3));
    }
  }

  const heading = (size: number) => ({ run: { font: 'Calibri', size, bold: true, color: BRAND }, paragraph: { spacing: { before: 240, after: 120 }, keepNext: true } });
  return new Document({
    title: model.documentTitle,
    subject: model.subtitle,
    creator: model.author,
    lastModifiedBy: model.author,
    keywords: model.keywords.join(', '),
    description: model.titleLines.join(' · '),
    styles: {
      default: {
        document: { run: { font: 'Calibri', size: 22, language: { value: model.language } } },
        title: { run: { font: 'Calibri', size: 48, bold: true, color: BRAND } },
        heading1: heading(34),
        heading2: heading(28),
        heading3: heading(24),
      },
    },
    sections: [
      {
        properties: { titlePage: true },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.START,
                children: [new TextRun({ text: `${model.footer} · ${model.labels.page} `, size: 17, color: MUTED }), new TextRun({ children: [PageNumber.CURRENT], size: 17, color: MUTED })],
              }),
            ],
          }),
          first: new Footer({ children: [] }),
        },
        children,
      },
    ],
  });
}

export async function renderDocx(model: PlanExport): Promise<Buffer> {
  return Packer.toBuffer(planDocx(model));
}
