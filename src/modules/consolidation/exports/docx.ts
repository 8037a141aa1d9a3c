import { inflateRawSync } from 'node:zlib';
import { AlignmentType, Document, Footer, Header, HeadingLevel, Packer, PageNumber, PageOrientation, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { directionOf } from '../../../core/i18n.js';
import type { ReportModel, ReportRow } from './report.js';

/**
 * The Abwägungstabelle as a Word document: landscape, a cover page, Word's own heading styles
 * per field, goal and measure (so the navigation pane finds them), one table per plan item with
 * its header row repeated on every page. Contribution texts carry their language, Arabic ones
 * right to left. A draft says ENTWURF in the header of every page and on the cover.
 *
 * The tables are written as WordprocessingML directly: the docx package builds an object per
 * run, paragraph and cell and serialises them through a generic XML writer, which for 10,000
 * rows took 11 s and 1.4 GB. The document around them (styles, cover, headings, header and
 * footer) is the package's; each table stands in as a placeholder paragraph that is replaced in
 * word/document.xml, and the package zips the result (Packer's overrides).
 */

const BRAND = '083A50';
const MUTED = '4A4A4A';
const WORD_LANGUAGES: Record<string, string> = { de: 'de-DE', en: 'en-GB', uk: 'uk-UA', ru: 'ru-RU', ar: 'ar-SA', fa: 'fa-IR', tr: 'tr-TR' };

// Column widths in twentieths of a point: landscape A4 with 2 cm margins is about 14,570 wide.
const WIDTHS = [1050, 1600, 1450, 3700, 3320, 1650, 1800];

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
function esc(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => XML_ENTITIES[ch] as string);
}

interface RunStyle {
  bold?: boolean;
  italics?: boolean;
  size?: number;
  color?: string;
  lang?: string | undefined;
}

function runXml(text: string, o: RunStyle): string {
  const rtl = o.lang !== undefined && directionOf(o.lang) === 'rtl';
  const language = o.lang ? (WORD_LANGUAGES[o.lang] ?? o.lang) : null;
  // Element order as the schema wants it: b, i, color, sz, szCs, rtl, lang.
  const props =
    (o.bold ? '<w:b/>' : '') +
    (o.italics ? '<w:i/>' : '') +
    (o.color ? `<w:color w:val="${o.color}"/>` : '') +
    (o.size ? `<w:sz w:val="${o.size}"/><w:szCs w:val="${o.size}"/>` : '') +
    (rtl ? '<w:rtl/>' : '') +
    (language ? (rtl ? `<w:lang w:bidi="${esc(language)}"/>` : `<w:lang w:val="${esc(language)}"/>`) : '');
  return `<w:r>${props ? `<w:rPr>${props}</w:rPr>` : ''}<w:t xml:space="preserve">${esc(text)}</w:t></w:r>`;
}

/** One paragraph per line of the text; right-to-left paragraphs for Arabic. */
function paragraphsXml(text: string, o: RunStyle = {}, before = 0): string {
  const rtl = o.lang !== undefined && directionOf(o.lang) === 'rtl';
  return text
    .split(/\r?\n/)
    .map((line, i) => `<w:p><w:pPr>${rtl ? '<w:bidi/>' : ''}<w:spacing w:before="${i === 0 ? before : 0}" w:after="40"/></w:pPr>${line ? runXml(line, o) : ''}</w:p>`)
    .join('');
}

function cellXml(index: number, content: string, header = false): string {
  return `<w:tc><w:tcPr><w:tcW w:w="${WIDTHS[index]}" w:type="dxa"/>${header ? '<w:shd w:val="clear" w:color="auto" w:fill="E8E8E8"/>' : ''}</w:tcPr>${content || '<w:p/>'}</w:tc>`;
}

function tableXml(model: ReportModel, rows: ReportRow[]): string {
  const C = model.labels.columns;
  const content = model.contentLang === model.lang ? undefined : model.contentLang;
  const border = (side: string) => `<w:${side} w:val="single" w:sz="4" w:space="0" w:color="AAAAAA"/>`;
  const head = [C.number, `${C.received} / ${C.channel}`, C.submitter, C.text, C.answer, C.verdict, C.change]
    .map((label, i) => cellXml(i, paragraphsXml(label, { bold: true, size: 17 }), true))
    .join('');
  const out: string[] = [
    `<w:tbl><w:tblPr><w:tblW w:w="${WIDTHS.reduce((a, w) => a + w, 0)}" w:type="dxa"/><w:tblBorders>${['top', 'left', 'bottom', 'right', 'insideH', 'insideV'].map(border).join('')}</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="70" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/><w:right w:w="70" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>`,
    `<w:tblGrid>${WIDTHS.map((w) => `<w:gridCol w:w="${w}"/>`).join('')}</w:tblGrid>`,
    `<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>${head}</w:tr>`,
  ];
  for (const r of rows) {
    const text =
      paragraphsXml(r.language, { size: 14, color: MUTED }) +
      paragraphsXml(r.text.text, { lang: r.text.lang }) +
      (r.note ? paragraphsXml(r.note, { italics: true, size: 16 }, 60) : '') +
      (r.translation ? paragraphsXml(model.labels.translation, { size: 14, color: MUTED }, 80) + paragraphsXml(r.translation, { lang: content }) : '');
    out.push(
      `<w:tr>${cellXml(0, paragraphsXml(r.number))}${cellXml(1, paragraphsXml(r.received) + paragraphsXml(r.channel))}${cellXml(2, paragraphsXml(r.submitter) + (r.contact ? paragraphsXml(r.contact, { size: 15 }) : ''))}${cellXml(3, text)}${cellXml(4, paragraphsXml(r.answer, { lang: content }))}${cellXml(5, paragraphsXml(r.verdict))}${cellXml(6, paragraphsXml(r.change, { lang: content }))}</w:tr>`,
    );
  }
  out.push('</w:tbl>');
  return out.join('');
}

const PLACEHOLDER = (i: number) => `@@mitsprache-table-${i}@@`;

function textParagraphs(text: string, options: { italics?: boolean; lang?: string | undefined } = {}): Paragraph[] {
  const language = options.lang ? { language: { value: WORD_LANGUAGES[options.lang] ?? options.lang } } : {};
  return text.split(/\r?\n/).map((line) => new Paragraph({ children: [new TextRun({ text: line, italics: options.italics, ...language })], spacing: { after: 60 } }));
}

export function reportDocx(model: ReportModel): Document {
  // Plan texts and answers are German; in an English document they are marked as such.
  const content = model.contentLang === model.lang ? undefined : model.contentLang;
  const children: Array<Paragraph | Table> = [
    new Paragraph({ text: model.title, heading: HeadingLevel.TITLE, spacing: { after: 120 } }),
    new Paragraph({ children: [new TextRun({ text: model.subtitle, size: 30 })], spacing: { after: 240 } }),
  ];
  if (model.draft) children.push(new Paragraph({ children: [new TextRun({ text: model.labels.draftNote, bold: true, color: 'B41E1E', size: 26 })], spacing: { after: 200 } }));
  if (model.named) children.push(new Paragraph({ children: [new TextRun({ text: model.labels.namedNote, bold: true, color: '8A5A00' })], spacing: { after: 200 } }));
  for (const l of model.coverLines) children.push(new Paragraph({ children: [new TextRun({ text: `${l.label}: `, bold: true }), new TextRun(l.value)], spacing: { after: 60 } }));
  const countTable = (rows: Array<{ label: string; count: number }>) =>
    new Table({
      width: { size: 6000, type: WidthType.DXA },
      columnWidths: [4800, 1200],
      rows: rows.map(
        (c) =>
          new TableRow({
            children: [
              new TableCell({ width: { size: 4800, type: WidthType.DXA }, children: [new Paragraph(c.label)] }),
              new TableCell({ width: { size: 1200, type: WidthType.DXA }, children: [new Paragraph({ text: String(c.count), alignment: AlignmentType.END })] }),
            ],
          }),
      ),
    });
  children.push(new Paragraph({ text: model.labels.channels, heading: HeadingLevel.HEADING_2 }), countTable(model.channels));
  children.push(new Paragraph({ text: model.labels.submitters, heading: HeadingLevel.HEADING_2 }), countTable(model.submitters));
  if (model.phases.length) {
    children.push(new Paragraph({ text: model.labels.phases, heading: HeadingLevel.HEADING_2 }));
    for (const p of model.phases) {
      children.push(new Paragraph({ children: [new TextRun({ text: p.title, bold: true }), new TextRun(` (${p.dates})`)], spacing: { after: 40 } }));
      if (p.description) children.push(...textParagraphs(p.description, { lang: content }));
    }
  }
  if (model.method.length) {
    children.push(new Paragraph({ text: model.labels.method, heading: HeadingLevel.HEADING_2 }));
    for (const m of model.method) children.push(new Paragraph({ text: m, spacing: { after: 80 } }));
  }

  children.push(new Paragraph({ text: model.labels.table, heading: HeadingLevel.HEADING_1, pageBreakBefore: true }));
  if (model.rowCount === 0) children.push(new Paragraph(model.labels.empty));
  const levels = { 1: HeadingLevel.HEADING_1, 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3 } as const;
  model.blocks.forEach((b, index) => {
    children.push(new Paragraph({ text: b.heading, heading: levels[b.level] }));
    if (b.text) children.push(...textParagraphs(b.text, { italics: true, lang: content }));
    if (b.rows.length) {
      children.push(new Paragraph({ children: [new TextRun(PLACEHOLDER(index))] }));
      children.push(new Paragraph({ text: '', spacing: { after: 120 } }));
    }
  });

  const heading = (size: number) => ({ run: { font: 'Calibri', size, bold: true, color: BRAND }, paragraph: { spacing: { before: 240, after: 120 }, keepNext: true } });
  const headerChildren = model.draft ? [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: model.watermark, bold: true, size: 36, color: 'B41E1E' })] })] : [];
  return new Document({
    title: model.documentTitle,
    subject: model.subtitle,
    creator: model.author,
    lastModifiedBy: model.author,
    keywords: model.keywords.join(', '),
    description: model.coverLines.map((l) => `${l.label}: ${l.value}`).join(' · '),
    styles: {
      default: {
        document: { run: { font: 'Calibri', size: 18, language: { value: model.language } } },
        title: { run: { font: 'Calibri', size: 44, bold: true, color: BRAND } },
        heading1: heading(30),
        heading2: heading(25),
        heading3: heading(21),
      },
    },
    sections: [
      {
        properties: {
          page: {
            // docx swaps width and height for a landscape page itself.
            size: { orientation: PageOrientation.LANDSCAPE, width: 11906, height: 16838 },
            margin: { top: 1000, bottom: 1000, left: 1134, right: 1134 },
          },
        },
        headers: { default: new Header({ children: headerChildren }) },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.START,
                children: [
                  new TextRun({ text: `${model.footer} · ${model.labels.page} `, size: 15, color: MUTED }),
                  new TextRun({ children: [PageNumber.CURRENT], size: 15, color: MUTED }),
                  new TextRun({ text: ` ${model.labels.of} `, size: 15, color: MUTED }),
                  new TextRun({ children: [PageNumber.TOTAL_PAGES], size: 15, color: MUTED }),
                ],
              }),
            ],
          }),
        },
        children,
      },
    ],
  });
}

/** Reads one stored or deflated file out of a ZIP (enough for the package's own output). */
function zipEntry(zip: Buffer, name: string): string {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    if (zip.subarray(at + 46, at + 46 + nameLength).toString('utf8') === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    }
    at += 46 + skip;
  }
  throw new Error(`${name} missing in the generated document`);
}

export async function renderReportDocx(model: ReportModel): Promise<Buffer> {
  const skeleton = await Packer.toBuffer(reportDocx(model));
  const xml = zipEntry(skeleton, 'word/document.xml');
  const parts: string[] = [];
  let last = 0;
  for (const match of xml.matchAll(/<w:p>(?:(?!<\/w:p>).)*?@@mitsprache-table-(\d+)@@(?:(?!<\/w:p>).)*?<\/w:p>/gs)) {
    const block = model.blocks[Number(match[1])];
    parts.push(xml.slice(last, match.index), block ? tableXml(model, block.rows) : '');
    last = match.index + match[0].length;
  }
  parts.push(xml.slice(last));
  return Packer.toBuffer(reportDocx(model), false, [{ path: 'word/document.xml', data: parts.join('') }]);
}
