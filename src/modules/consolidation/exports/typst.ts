import { NodeCompiler } from '@myriaddreamin/typst-ts-node-compiler';
import { rtlLanguages } from '../../../core/i18n.js';
import { PDF_UA, readFonts } from '../../plans/documents/typst.js';
import { MergeError, mergePdfs } from './pdf-merge.js';
import type { StampLabels } from './pdf-stamp.js';
import type { ReportBlock, ReportModel } from './report.js';

/**
 * The Abwägungstabelle as PDF through Typst, like the plan document (plans/documents/typst.ts):
 * the data goes in as JSON through `sys.inputs`, never into the markup, so nothing a person wrote
 * can be read as Typst; contribution texts are spans with their language, which gives Arabic its
 * right-to-left direction and shaping; fonts come from the npm font packages. Landscape A4, one
 * table per plan item with its header row repeated on every page, page numbers "Seite 3 von 80",
 * and a diagonal ENTWURF on every page of a draft. A part of a long report leaves the place of
 * the page number empty: the joiner writes it (pdf-stamp.ts), so a part is laid out once.
 */
export const REPORT_TEMPLATE = `
#let data = json(bytes(sys.inputs.data))
#let L = data.labels
#let C = L.columns
// A paragraph in the language it was written in (its structure element carries the language).
// A right-to-left one is set for a whole block, so it is a right-to-left paragraph (aligned to
// the right), not just right-to-left runs in a left one; the others are a paragraph of their own,
// which lays out a tenth faster than a block.
#let say(v) = if v.lang.split("-").first() in data.rtl {
  block(width: 100%, above: 0.3em, below: 0.3em, { set text(lang: v.lang, region: none); v.text })
} else {
  parbreak()
  text(lang: v.lang, region: none, v.text)
  parbreak()
}
#let de(s) = if data.contentLang == data.lang { s } else { text(lang: data.contentLang, region: none)[#s] }

#set document(
  title: data.documentTitle,
  author: data.author,
  keywords: data.keywords,
  date: datetime(year: data.date.year, month: data.date.month, day: data.date.day),
)
#set text(font: ("Noto Sans", "Noto Naskh Arabic"), fallback: false, lang: data.lang, region: data.region, size: 8pt, hyphenate: false)
#set par(leading: 0.5em, spacing: 0.7em)
#set page(
  paper: "a4",
  flipped: true,
  margin: (x: 1.4cm, top: 1.5cm, bottom: 1.6cm),
  background: if data.draft {
    rotate(-32deg, text(size: 120pt, weight: "bold", fill: rgb(180, 30, 30, 38), data.watermark))
  },
  footer: if data.part.single {
    context {
      set text(size: 7pt, fill: luma(60))
      grid(columns: (1fr, auto), data.footer, [#L.page #counter(page).display() #L.of #counter(page).final().first()])
    }
  } else {
    // No counter read in context: that would cost the part a second layout pass.
    text(size: 7pt, fill: luma(60), data.footer)
  },
)
#show heading: set text(fill: rgb("#083a50"))
#show heading.where(level: 1): set text(size: 13pt)
#show heading.where(level: 1): set block(above: 1.2em, below: 0.6em)
#show heading.where(level: 2): set text(size: 11pt)
#show heading.where(level: 2): set block(above: 1em, below: 0.5em)
#show heading.where(level: 3): set text(size: 9.5pt)
#show heading.where(level: 3): set block(above: 0.9em, below: 0.4em)

#if data.part.first [
// Cover
#heading(level: 1, outlined: false, text(size: 20pt, data.title))
#v(0.2cm)
#text(size: 13pt, data.subtitle)
#v(0.4cm)
#if data.draft { block(fill: rgb(250, 230, 230), inset: 6pt, text(weight: "bold", L.draftNote)) }
#if data.named { block(fill: rgb(255, 243, 205), inset: 6pt, text(weight: "bold", L.namedNote)) }
#grid(columns: (auto, 1fr), column-gutter: 1em, row-gutter: 0.5em, ..data.coverLines.map(l => (strong(l.label), l.value)).flatten())
#v(0.3cm)
#grid(columns: (1fr, 1fr), column-gutter: 1.5cm,
  [
    #heading(level: 2, outlined: false, L.channels)
    #table(columns: (1fr, auto), stroke: 0.4pt + luma(170), inset: 4pt,
      ..data.channels.map(c => (c.label, align(end, str(c.count)))).flatten())
  ],
  [
    #heading(level: 2, outlined: false, L.submitters)
    #table(columns: (1fr, auto), stroke: 0.4pt + luma(170), inset: 4pt,
      ..data.submitters.map(c => (c.label, align(end, str(c.count)))).flatten())
  ],
)
#if data.phases.len() > 0 {
  heading(level: 2, outlined: false, L.phases)
  for p in data.phases {
    block(above: 0.5em, below: 0.3em)[#strong(p.title) (#p.dates)]
    if p.description != "" { block(above: 0.2em, de(p.description)) }
  }
}
#if data.method.len() > 0 {
  heading(level: 2, outlined: false, L.method)
  for m in data.method { block(above: 0.4em, m) }
}
#pagebreak()
]

// Who and when in one column: the text columns get the width, a 10,000-row table some 25 % fewer
// pages, and each row two cells fewer to lay out.
#let head = ([#C.number · #C.received \\ #C.channel · #C.submitter], C.text, C.answer, C.verdict, C.change).map(h => table.cell(fill: luma(232), text(weight: "bold", h)))
#let cell(r) = {
  text(size: 6.5pt, fill: luma(70), r.language)
  linebreak()
  say(r.text)
  if r.note != none { block(above: 0.5em, text(size: 7pt, style: "italic", r.note)) }
  if r.translation != none { block(above: 0.5em)[#text(size: 6.5pt, fill: luma(70), L.translation) \\ #de(r.translation)] }
}
#let who(r) = if r.contact == "" { r.submitter } else [#r.submitter \\ #text(size: 7pt, r.contact)]
#let row(r) = ([#r.number \\ #r.received \\ #r.channel \\ #who(r)], cell(r), de(r.answer), r.verdict, de(r.change))

#if data.part.first {
  heading(level: 1, outlined: false, L.table)
  if data.rowCount == 0 { L.empty }
}
#for b in data.blocks {
  heading(level: b.level, b.heading)
  // Sticks to its table, as the heading sticks to it: no heading alone at the foot of a page.
  if b.text != "" { block(below: 0.6em, sticky: true, text(style: "italic", de(b.text))) }
  if b.rows.len() > 0 {
    table(
      columns: (3.2cm, 1.2fr, 1fr, 2.2cm, 3.2cm),
      stroke: 0.4pt + luma(170),
      inset: 3.5pt,
      table.header(..head),
      ..b.rows.map(row).flatten(),
    )
  }
}
`;

export interface ReportPdf {
  pdf: Uint8Array;
  uaRefused: string | null;
  pages: number;
}

/**
 * Rows per part: a long report is compiled in parts of about this many rows (parts of some 450
 * rows, as they end at a goal). A render process stays near 350 MB holding a laid-out part;
 * smaller parts cost more time per row (each part starts a process and embeds its fonts anew).
 */
export const PART_ROWS = 400;

/**
 * One compiler with the fonts loaded, reused; run only in the render process (render-worker.ts).
 * A report of more than PART_ROWS rows is compiled in parts (whole fields of action, one after
 * another) and the parts joined and numbered (pdf-merge.ts), so the compiler never holds the
 * layout of thousands of pages at once; if joining fails, it is compiled whole.
 */
export class ReportPdfRenderer {
  private compiler: NodeCompiler | null = null;
  private runs = 0;

  /** One part of a report compiled in parts (ReportWorker sends each part as a job of its own). */
  renderPart(model: ReportPart): ReportPdf {
    const part = this.compile(model);
    return { pdf: new Uint8Array(part.pdf.buffer, part.pdf.byteOffset, part.pdf.byteLength), uaRefused: part.uaRefused, pages: part.pages };
  }

  private compiler_(): NodeCompiler {
    this.compiler ??= NodeCompiler.create({ fontArgs: [{ fontBlobs: readFonts() }] });
    return this.compiler;
  }

  private compile(model: ReportPart): { pdf: Buffer; uaRefused: string | null; pages: number } {
    const compiler = this.compiler_();
    const result = compiler.compile({ mainFileContent: REPORT_TEMPLATE, inputs: { data: JSON.stringify({ ...model, rtl: [...rtlLanguages] }) } });
    const document = result.result;
    if (!document) {
      const diagnostics = result.takeDiagnostics();
      throw new Error(`typst: ${JSON.stringify(diagnostics?.shortDiagnostics ?? 'no document').slice(0, 1000)}`);
    }
    let pdf: Buffer;
    let uaRefused: string | null = null;
    try {
      pdf = compiler.pdf(document, { pdfStandard: PDF_UA });
    } catch (error) {
      // PDF/UA-1 refuses a text no embedded font can show (an emoji in a comment): a tagged PDF
      // without the claim is better than none.
      uaRefused = String(error instanceof Error ? error.message : error).slice(0, 500);
      pdf = compiler.pdf(document, {});
    }
    const pages = document.numOfPages;
    if (++this.runs % 4 === 0) compiler.evictCache(10);
    return { pdf, uaRefused, pages };
  }

  render(model: ReportModel): ReportPdf {
    const parts = splitParts(model.blocks, PART_ROWS, model.labels.continued);
    if (parts.length > 1) {
      try {
        const pdfs: Buffer[] = [];
        let pages = 0;
        let uaRefused: string | null = null;
        parts.forEach((blocks, i) => {
          const part = this.compile({ ...model, blocks, part: { single: false, first: i === 0 } });
          pdfs.push(part.pdf);
          pages += part.pages;
          uaRefused ??= part.uaRefused;
          // The next part starts afresh: what the compiler memoised for this one is of no use.
          this.compiler?.evictCache(0);
        });
        const joined = mergePdfs(pdfs, pageLabels(model));
        return { pdf: new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength), uaRefused, pages };
      } catch (error) {
        if (!(error instanceof MergeError)) throw error;
      }
    }
    const whole = this.compile({ ...model, part: { single: true, first: true } });
    return { pdf: new Uint8Array(whole.pdf.buffer, whole.pdf.byteOffset, whole.pdf.byteLength), uaRefused: whole.uaRefused, pages: whole.pages };
  }
}

export interface PartInfo {
  /** The whole report in one piece: Typst numbers the pages itself. */
  single: boolean;
  first: boolean;
}
export type ReportPart = ReportModel & { part: PartInfo };

/** The words the joiner numbers a long report's pages with ("Seite 3 von 80"). */
export function pageLabels(model: ReportModel): StampLabels {
  return { page: model.labels.page, of: model.labels.of };
}

/** The page count Typst writes into the page tree, which is its first object. */
export function pageCount(pdf: Uint8Array): number {
  const head = Buffer.from(pdf.buffer, pdf.byteOffset, Math.min(pdf.byteLength, 4096)).toString('latin1');
  const count = /\/Type \/Pages\s+\/Count (\d+)/.exec(head)?.[1];
  if (count === undefined) throw new MergeError('no page count at the start of the part');
  return Number(count);
}

/**
 * Blocks in parts of at least `rows` rows. A part starts with a field (a level-1 heading) or, in
 * a long field, with a goal; such a part repeats the field's heading marked as continued, so
 * every part opens with a level-1 heading as PDF/UA wants and a reader knows where it is.
 */
export function splitParts(blocks: ReportBlock[], rows: number, continued = ''): ReportBlock[][] {
  const parts: ReportBlock[][] = [[]];
  let count = 0;
  let field: ReportBlock | null = null;
  for (const block of blocks) {
    if (block.level === 1) field = block;
    if (count >= rows && (block.level === 1 || (block.level === 2 && field))) {
      parts.push(block.level === 2 && field ? [{ level: 1, heading: `${field.heading} ${continued}`.trim(), text: '', rows: [] }] : []);
      count = 0;
    }
    (parts.at(-1) as ReportBlock[]).push(block);
    count += block.rows.length;
  }
  return parts;
}
