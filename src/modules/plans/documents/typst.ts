import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { NodeCompiler } from '@myriaddreamin/typst-ts-node-compiler';

/**
 * PDF through the Typst compiler (@myriaddreamin/typst-ts-node-compiler, a native addon).
 *
 * The document's data goes in as JSON through `sys.inputs`, never into the markup: a string from
 * JSON placed in content is set as plain text, so nothing a person wrote can be read as Typst.
 * Texts may be `{ text, lang }` spans; Typst then sets that language, and with it the direction
 * (Arabic right to left) and shaping.
 *
 * Fonts come from npm packages (Noto Sans for Latin, Greek and Cyrillic; Noto Naskh Arabic), read
 * once and handed to the compiler as blobs, and `fallback: false` keeps Typst to exactly these
 * families. The compiler also registers the machine's fonts (typst.ts 0.7 has no switch for it);
 * blobs are registered first and win over a system font of the same family, so output does not
 * depend on what is installed.
 */

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  // The font packages export only their index; their fonts/ folder sits beside dist/.
  return path.resolve(path.dirname(require.resolve(name)), '..');
}

export const FONT_FILES = [
  ['@embedpdf/fonts-latin', 'NotoSans-Regular.ttf'],
  ['@embedpdf/fonts-latin', 'NotoSans-Bold.ttf'],
  ['@embedpdf/fonts-latin', 'NotoSans-Italic.ttf'],
  ['@embedpdf/fonts-latin', 'NotoSans-BoldItalic.ttf'],
  ['@embedpdf/fonts-arabic', 'NotoNaskhArabic-Regular.ttf'],
  ['@embedpdf/fonts-arabic', 'NotoNaskhArabic-Bold.ttf'],
] as const;

export function fontPaths(): string[] {
  return FONT_FILES.map(([pkg, file]) => path.join(packageDir(pkg), 'fonts', file));
}

export const PDF_UA = 'ua-1';

export const TEMPLATE = `
#let data = json(bytes(sys.inputs.data))
#let labels = data.labels

// A text from the data: a plain string, or a span in another language ({ text, lang }).
#let say(value) = if type(value) == dictionary { text(lang: value.lang, region: none)[#value.text] } else { value }

#set document(
  title: data.documentTitle,
  author: data.author,
  keywords: data.keywords,
  date: datetime(year: data.date.year, month: data.date.month, day: data.date.day),
)
#set text(font: ("Noto Sans", "Noto Naskh Arabic"), fallback: false, lang: data.lang, region: data.region, size: 10.5pt, hyphenate: false)
#set par(leading: 0.62em, spacing: 0.9em)
#set page(
  paper: "a4",
  margin: (x: 2.2cm, top: 2.2cm, bottom: 2.5cm),
  footer: context {
    if counter(page).get().first() > 1 {
      set text(size: 8.5pt, fill: luma(60))
      grid(columns: (1fr, auto), data.footer, [#labels.page #counter(page).display()])
    }
  },
)
#show heading: set text(fill: rgb("#083a50"))
#show heading.where(level: 1): set text(size: 17pt)
#show heading.where(level: 1): set block(above: 1.8em, below: 0.9em)
#show heading.where(level: 2): set text(size: 13.5pt)
#show heading.where(level: 2): set block(above: 1.4em, below: 0.6em)
#show heading.where(level: 3): set text(size: 11.5pt)
#show heading.where(level: 3): set block(above: 1.1em, below: 0.45em)

#let example() = text(size: 8.5pt, style: "italic", fill: luma(60))[#labels.example]

#let measure(m, level) = {
  heading(level: level, m.heading)
  if m.example { example() }
  block(below: 0.75em, say(m.text))
  if m.facts.len() > 0 {
    set text(size: 9.5pt)
    set par(leading: 0.5em)
    for f in m.facts { block(above: 0.55em, below: 0.55em)[#strong(f.label): #say(f.value)] }
  }
}

// Title page
#v(4cm)
#text(size: 24pt, weight: "bold", fill: rgb("#083a50"), data.title)
#v(0.4cm)
#text(size: 16pt, data.subtitle)
#v(1.2cm)
#for line in data.titleLines { block(above: 0.3em, below: 0.3em, line) }
#if data.anyExample { v(1.5cm); block(text(size: 9.5pt, style: "italic", data.labels.exampleNote)) }
#pagebreak()
#outline(title: labels.contents, depth: 1)
#pagebreak()

#if data.guidingPrinciples.len() > 0 {
  heading(level: 1, labels.guidingPrinciple)
  for p in data.guidingPrinciples {
    block(inset: (left: 0.8em), stroke: (left: 2pt + rgb("#0b4f6c")), below: 0.9em)[
      #say(p.text)
      #if p.source != none { linebreak(); text(size: 9pt, fill: luma(60), p.source) }
    ]
  }
}
#if data.strategicGoals.len() > 0 {
  heading(level: 1, labels.strategicGoals)
  enum(..data.strategicGoals.map(say))
}
#if data.crossCutting.len() > 0 {
  pagebreak(weak: true)
  heading(level: 1, labels.crossCutting)
  for m in data.crossCutting { measure(m, 2) }
}
#for f in data.fields {
  pagebreak(weak: true)
  heading(level: 1, f.heading)
  if f.example { example() }
  if f.description != "" { block(say(f.description)) }
  for g in f.goals {
    heading(level: 2, g.heading)
    if g.example { example() }
    block(below: 0.8em, text(weight: "semibold", say(g.text)))
    for m in g.measures { measure(m, 3) }
  }
}
`;

export interface PdfResult {
  pdf: Uint8Array;
  /** Null when the PDF is PDF/UA-1; else why it could not be (it is then a tagged PDF without the claim). */
  uaRefused: string | null;
  pages: number;
}

/**
 * One compiler with the fonts loaded (~50 ms to create), reused for every document. Compiling is
 * synchronous native work of up to a second for a big plan: run it in the document process
 * (pool.ts), never on the server's event loop.
 */
export class PdfRenderer {
  private compiler: NodeCompiler | null = null;
  private runs = 0;

  render(data: unknown): PdfResult {
    this.compiler ??= NodeCompiler.create({ fontArgs: [{ fontBlobs: readFonts() }] });
    const compiler = this.compiler;
    const result = compiler.compile({ mainFileContent: TEMPLATE, inputs: { data: JSON.stringify(data) } });
    const document = result.result;
    if (!document) {
      const diagnostics = result.takeDiagnostics();
      throw new Error(`typst: ${JSON.stringify(diagnostics?.shortDiagnostics ?? 'no document')}`);
    }
    let pdf: Buffer;
    let uaRefused: string | null = null;
    try {
      pdf = compiler.pdf(document, { pdfStandard: PDF_UA });
    } catch (error) {
      // PDF/UA-1 refuses a text no embedded font can show (an emoji in a contribution, say);
      // a tagged PDF without the claim is better than no document.
      uaRefused = String(error instanceof Error ? error.message : error).slice(0, 500);
      pdf = compiler.pdf(document, {});
    }
    // The compiler memoises across compilations; evict now and then so memory stays flat.
    if (++this.runs % 8 === 0) compiler.evictCache(10);
    return { pdf: new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength), uaRefused, pages: document.numOfPages };
  }
}

export function readFonts(): Buffer[] {
  return fontPaths().map((p) => fs.readFileSync(p));
}
