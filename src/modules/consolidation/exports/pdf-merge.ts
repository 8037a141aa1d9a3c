import fs from 'node:fs';
import { PageStamps, type StampLabels } from './pdf-stamp.js';
/**
 * Joins tagged PDFs that Typst wrote for consecutive parts of one report into one tagged PDF.
 *
 * Why: Typst keeps the layout of the whole document in memory until it writes the PDF; for
 * 10,000 contributions (some 4,000 landscape pages) that is several GB and tens of seconds. Parts
 * of about a thousand rows, each a field of action or more, are compiled one after another in the
 * render process and joined here, so memory stays that of one part.
 *
 * What Typst writes (typst-ts 0.7) is simple enough to join without a PDF library: a classic
 * cross-reference table, no object streams, direct stream lengths, one flat page tree, one
 * outline, a structure tree with one Document element, an inline parent tree and an inline ID
 * tree. The first part's catalog, metadata, page tree, outline and structure root are kept; the
 * other parts' objects are renumbered behind them, their pages, bookmarks and structure elements
 * hung into the first part's trees, their structure-parent keys and table-cell IDs made unique.
 * Every page gets its number and the total ("Seite 12 von 4513", pdf-stamp.ts), as the parts
 * leave it out: the page objects wait until the end, when the total is known.
 * Anything unexpected throws, and the caller compiles the document in one piece instead.
 */

interface PdfObject {
  head: string;
  stream: Buffer | null;
}

interface ParsedPdf {
  objects: Map<number, PdfObject>;
  size: number;
  root: number;
  info: number | null;
  id: string | null;
}

class MergeError extends Error {}

/** Where the dictionary part of an object ends: at `stream` or `endobj` outside a string. */
function headEnd(text: string, from: number): { end: number; stream: boolean } {
  let i = from;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 40 /* ( */) {
      let depth = 1;
      i++;
      while (i < text.length && depth > 0) {
        const c = text.charCodeAt(i);
        if (c === 92 /* \ */) i += 2;
        else {
          if (c === 40) depth++;
          else if (c === 41) depth--;
          i++;
        }
      }
      continue;
    }
    if (ch === 101 /* e */ && text.startsWith('endobj', i)) return { end: i, stream: false };
    if (ch === 115 /* s */ && text.startsWith('stream', i) && (text[i + 6] === '\n' || text[i + 6] === '\r')) return { end: i, stream: true };
    i++;
  }
  throw new MergeError('object without end');
}

export function parsePdf(pdf: Buffer): ParsedPdf {
  const text = pdf.toString('latin1');
  const startxref = text.lastIndexOf('startxref');
  const xrefAt = Number(/startxref\s+(\d+)/.exec(text.slice(startxref))?.[1]);
  if (!text.startsWith('xref', xrefAt)) throw new MergeError('no classic cross-reference table');
  const trailerAt = text.indexOf('trailer', xrefAt);
  const trailer = text.slice(trailerAt, startxref);
  const size = Number(/\/Size (\d+)/.exec(trailer)?.[1]);
  const root = Number(/\/Root (\d+) 0 R/.exec(trailer)?.[1]);
  const info = /\/Info (\d+) 0 R/.exec(trailer)?.[1];
  const id = /\/ID (\[[^\]]*\])/.exec(trailer)?.[1] ?? null;
  if (!size || !root) throw new MergeError('trailer without size or root');
  const objects = new Map<number, PdfObject>();
  const lines = text.slice(xrefAt + 4, trailerAt).trim().split(/\r?\n/);
  for (let l = 0; l < lines.length; ) {
    const [first, count] = (lines[l++] as string).trim().split(/\s+/).map(Number) as [number, number];
    for (let j = 0; j < count; j++, l++) {
      const entry = (lines[l] as string).trim().split(/\s+/);
      if (entry[2] !== 'n') continue;
      const num = first + j;
      const offset = Number(entry[0]);
      const header = new RegExp(`^${num} 0 obj`).exec(text.slice(offset, offset + 32));
      if (!header) throw new MergeError(`object ${num} not at its offset`);
      const start = offset + header[0].length;
      const { end, stream } = headEnd(text, start);
      const head = text.slice(start, end);
      let data: Buffer | null = null;
      if (stream) {
        const length = /\/Length (\d+)(?! 0 R)/.exec(head)?.[1];
        if (length === undefined) throw new MergeError('stream without a direct length');
        const dataStart = end + 6 + (text[end + 6] === '\r' ? 2 : 1);
        data = pdf.subarray(dataStart, dataStart + Number(length));
      }
      objects.set(num, { head, stream: data });
    }
  }
  return { objects, size, root, info: info ? Number(info) : null, id };
}

/** Applies `fn` to the parts of a dictionary outside string literals. */
function outsideStrings(head: string, fn: (s: string) => string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < head.length; i++) {
    if (head[i] !== '(') continue;
    out += fn(head.slice(last, i));
    let depth = 1;
    let j = i + 1;
    while (j < head.length && depth > 0) {
      if (head[j] === '\\') j += 2;
      else {
        if (head[j] === '(') depth++;
        else if (head[j] === ')') depth--;
        j++;
      }
    }
    out += head.slice(i, j);
    last = j;
    i = j - 1;
  }
  return out + fn(head.slice(last));
}

const REF = /(?<![\d.])(\d+) 0 R\b/g;
const PAGE = /\/Type \/Page(?![a-zA-Z])/;
const refOf = (head: string, key: string): number | null => {
  const m = new RegExp(`/${key} (\\d+) 0 R`).exec(head);
  return m ? Number(m[1]) : null;
};
const refList = (s: string): number[] => [...s.matchAll(REF)].map((m) => Number(m[1]));

function arrayAfter(head: string, key: string): string | null {
  const at = head.indexOf(`/${key} [`);
  if (at < 0) return null;
  const end = head.indexOf(']', at);
  return head.slice(at + key.length + 3, end);
}

function numsOf(head: string): Array<[number, string]> {
  const m = /\/ParentTree <<\s*\/Nums \[([^\]]*)\]\s*>>/.exec(head);
  if (!m || (m[1] as string).includes('[')) throw new MergeError('parent tree is not an inline /Nums array of references');
  return [...(m[1] as string).matchAll(/(\d+) (\d+ 0 R|\[[^\]]*\])/g)].map((x) => [Number(x[1]), x[2] as string]);
}

function idNamesOf(head: string): Array<[string, string]> {
  if (!head.includes('/IDTree')) return [];
  const m = /\/IDTree <<\s*\/Names \[([^\]]*)\]\s*>>/.exec(head);
  if (!m || (m[1] as string).includes('[')) throw new MergeError('ID tree is not an inline /Names array');
  return [...(m[1] as string).matchAll(/\(([^()\\]*)\) (\d+ 0 R)/g)].map((x) => [x[1] as string, x[2] as string]);
}

interface PartInfo {
  pages: number;
  outlines: number | null;
  structRoot: number;
  document: number;
  catalog: number;
}

function partInfo(p: ParsedPdf): PartInfo {
  const catalog = p.objects.get(p.root)?.head ?? '';
  const pages = refOf(catalog, 'Pages');
  const structRoot = refOf(catalog, 'StructTreeRoot');
  if (pages === null || structRoot === null) throw new MergeError('catalog without pages or structure tree');
  const kids = refList(arrayAfter(p.objects.get(structRoot)?.head ?? '', 'K') ?? '');
  if (kids.length !== 1) throw new MergeError('structure tree without a single Document element');
  return { pages, outlines: refOf(catalog, 'Outlines'), structRoot, document: kids[0] as number, catalog: p.root };
}

/** One PDF of all parts, in order, its pages numbered with `numbers`. */
export function mergePdfs(parts: Buffer[], numbers: StampLabels): Buffer {
  const chunks: Buffer[] = [];
  mergeInto(parts.length, (k) => parts[k] as Buffer, (chunk) => chunks.push(chunk), numbers);
  return Buffer.concat(chunks);
}

/** A file the parts of a long PDF are joined into as they come (`add` each in order, then `end`). */
export class PdfJoiner {
  private readonly fd: number;
  private readonly joining: Generator<void, void, Buffer | null>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;

  /** Bytes written to the file so far: final, as nothing written is changed later. */
  written = 0;

  constructor(
    readonly file: string,
    numbers: StampLabels,
  ) {
    this.fd = fs.openSync(file, 'w');
    this.joining = joinParts((chunk) => {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes >= 1 << 20) this.flush();
    }, numbers);
    this.joining.next();
  }

  add(part: Buffer): void {
    this.joining.next(part);
    this.flush();
  }

  end(): void {
    this.joining.next(null);
    this.flush();
    this.close();
  }

  /** Stops (the file stays as far as it got; the caller removes it). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    fs.closeSync(this.fd);
  }

  private flush(): void {
    if (this.pending.length) this.written += fs.writeSync(this.fd, Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

function mergeInto(count: number, load: (k: number) => Buffer, write: (chunk: Buffer) => void, numbers: StampLabels): void {
  const joining = joinParts(write, numbers);
  joining.next();
  for (let k = 0; k < count; k++) joining.next(load(k));
  joining.next(null);
}

/**
 * Joins parts handed in one by one (`next(part)`, then `next(null)` to finish): each part's
 * objects are written as soon as it comes, so the parts of a long PDF can be joined while the
 * later ones are still being compiled.
 */
function* joinParts(write: (chunk: Buffer) => void, numbers: StampLabels): Generator<void, void, Buffer | null> {
  let first: PartInfo | null = null;
  let firstParsed: { info: number | null; id: string | null; catalog: number } | null = null;
  let base = 0;
  let structKeys = 0;
  const pageKids: string[] = [];
  const documentKids: string[] = [];
  const nums: Array<[number, string]> = [];
  const idNames: Array<[string, string]> = [];
  const outlineTops: Array<{ first: number; last: number; count: number }> = [];
  // Objects changed once all parts are read: written last.
  const deferred = new Map<number, PdfObject>();
  // Numbered pages wait for the total.
  const pageObjects = new Map<number, PdfObject>();
  const offsets = new Map<number, number>();
  let offset = 0;
  const emit = (buffer: Buffer) => {
    write(buffer);
    offset += buffer.length;
  };
  const writeObject = (n: number, obj: PdfObject) => {
    offsets.set(n, offset);
    emit(Buffer.from(`${n} 0 obj${obj.head}`, 'latin1'));
    if (obj.stream) {
      emit(Buffer.from('stream\n', 'latin1'));
      emit(obj.stream);
      emit(Buffer.from('\nendstream\nendobj\n', 'latin1'));
    } else emit(Buffer.from('endobj\n', 'latin1'));
  };
  emit(Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n', 'latin1'));

  for (let k = 0; ; k++) {
    const part: Buffer | null = yield;
    if (part === null) break;
    const p = parsePdf(part);
    const info = partInfo(p);
    if (!first) {
      first = info;
      firstParsed = { info: p.info, id: p.id, catalog: p.root };
    }
    const head = first;
    const own = (n: number): number => {
      if (k > 0) {
        if (n === info.pages) return head.pages;
        if (n === info.outlines && head.outlines !== null) return head.outlines;
        if (n === info.structRoot) return head.structRoot;
        if (n === info.document) return head.document;
      }
      return n + base;
    };
    // Structure element IDs (table cells: /ID, /Headers) must be unique in the joined file.
    const ids = new Set(idNamesOf(p.objects.get(info.structRoot)?.head ?? '').map(([name]) => name));
    const rewrite = (h0: string): string => {
      let h = outsideStrings(h0, (s) => s.replace(REF, (_m, n: string) => `${own(Number(n))} 0 R`));
      if (k > 0) {
        h = h.replace(/\/StructParents? (\d+)/g, (m, n: string) => m.replace(n, String(Number(n) + structKeys)));
        if (ids.size) h = h.replace(/\(([A-Za-z0-9_.-]+)\)/g, (m, name: string) => (ids.has(name) ? `(P${k}${name})` : m));
      }
      return h;
    };
    const skip = new Set(k > 0 ? [info.catalog, info.pages, info.outlines, info.structRoot, info.document, p.info].filter((n): n is number => n !== null) : []);
    if (k > 0) {
      const metadata = refOf(p.objects.get(info.catalog)?.head ?? '', 'Metadata');
      if (metadata !== null) skip.add(metadata);
    }
    const later = new Set<number>(k === 0 ? [info.pages, info.document, info.structRoot, ...(info.outlines !== null ? [info.outlines] : [])] : []);
    if (info.outlines !== null) {
      const o = p.objects.get(info.outlines)?.head ?? '';
      const f = refOf(o, 'First');
      const l = refOf(o, 'Last');
      if (f !== null && l !== null) {
        outlineTops.push({ first: own(f), last: own(l), count: Number(/\/Count (-?\d+)/.exec(o)?.[1] ?? 0) });
        later.add(f);
        later.add(l);
      }
    }
    for (const [n, obj] of p.objects) {
      if (skip.has(n)) continue;
      const rewritten = { head: rewrite(obj.head), stream: obj.stream };
      if (later.has(n)) deferred.set(own(n), rewritten);
      else if (PAGE.test(obj.head)) pageObjects.set(own(n), rewritten);
      else writeObject(own(n), rewritten);
    }
    const pagesHead = rewrite(p.objects.get(info.pages)?.head ?? '');
    pageKids.push(...refList(arrayAfter(pagesHead, 'Kids') ?? '').map((n) => `${n} 0 R`));
    const documentHead = rewrite(p.objects.get(info.document)?.head ?? '');
    documentKids.push(...refList(arrayAfter(documentHead, 'K') ?? '').map((n) => `${n} 0 R`));
    const rootHead = p.objects.get(info.structRoot)?.head ?? '';
    for (const [key, value] of numsOf(rootHead)) nums.push([key + structKeys, rewrite(value)]);
    for (const [name, value] of idNamesOf(rootHead)) idNames.push([k > 0 ? `P${k}${name}` : name, rewrite(value)]);
    const next = /\/ParentTreeNextKey (\d+)/.exec(rootHead)?.[1];
    structKeys += next ? Number(next) : Math.max(-1, ...numsOf(rootHead).map(([key]) => key)) + 1;
    base += p.size;
  }
  if (!first || !firstParsed) throw new MergeError('no parts');

  // The first part's trees, holding everything.
  const setArray = (head: string, key: string, items: string[]) => head.replace(new RegExp(`/${key} \\[[^\\]]*\\]`), `/${key} [${items.join(' ')}]`);
  const pages = deferred.get(first.pages) as PdfObject;
  pages.head = setArray(pages.head, 'Kids', pageKids).replace(/\/Count \d+/, `/Count ${pageKids.length}`);
  const documentElem = deferred.get(first.document) as PdfObject;
  documentElem.head = setArray(documentElem.head, 'K', documentKids);
  const root = deferred.get(first.structRoot) as PdfObject;
  root.head = root.head.replace(/\/ParentTree <<\s*\/Nums \[[^\]]*\]\s*>>/, `/ParentTree << /Nums [${nums.map(([key, v]) => `${key} ${v}`).join(' ')}] >>`);
  if (idNames.length) {
    idNames.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    root.head = root.head.replace(/\/IDTree <<\s*\/Names \[[^\]]*\]\s*>>/, `/IDTree << /Names [${idNames.map(([name, v]) => `(${name}) ${v}`).join(' ')}] >>`);
  }
  if (/\/ParentTreeNextKey \d+/.test(root.head)) root.head = root.head.replace(/\/ParentTreeNextKey \d+/, `/ParentTreeNextKey ${structKeys}`);
  if (first.outlines !== null && outlineTops.length > 1) {
    const outline = deferred.get(first.outlines) as PdfObject;
    for (let i = 1; i < outlineTops.length; i++) {
      const prev = deferred.get((outlineTops[i - 1] as { last: number }).last) as PdfObject;
      const next = deferred.get((outlineTops[i] as { first: number }).first) as PdfObject;
      prev.head = prev.head.replace('<<', `<<\n  /Next ${(outlineTops[i] as { first: number }).first} 0 R`);
      next.head = next.head.replace('<<', `<<\n  /Prev ${(outlineTops[i - 1] as { last: number }).last} 0 R`);
    }
    outline.head = outline.head
      .replace(/\/Last \d+ 0 R/, `/Last ${(outlineTops.at(-1) as { last: number }).last} 0 R`)
      .replace(/\/Count -?\d+/, `/Count ${outlineTops.reduce((a, o) => a + Math.abs(o.count), 0)}`);
  }
  for (const [n, obj] of [...deferred].sort(([a], [b]) => a - b)) writeObject(n, obj);

  let size = base;
  // Each page: its content and then a stream of its own with the number, the font once.
  const stamps = new PageStamps(numbers, pageKids.length);
  const fontAt = size;
  size += 5;
  pageKids.forEach((kid, i) => {
    const n = Number(kid.split(' ')[0]);
    const page = pageObjects.get(n);
    if (!page) throw new MergeError(`page ${n} not found`);
    const box = /\/MediaBox \[\s*(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+)\s*\]/.exec(page.head);
    if (!box) throw new MergeError('page without its own media box');
    const stamp = size++;
    const content = stamps.pageContent(i + 1, Number(box[3]) - Number(box[1]));
    writeObject(stamp, { head: `\n<<\n  /Length ${content.length}\n>>\n`, stream: content });
    let head = page.head;
    const contents = /\/Contents (\d+ 0 R|\[[^\]]*\])/.exec(head);
    if (!contents) throw new MergeError('page without contents');
    const list = contents[1]?.startsWith('[') ? (contents[1] as string).slice(1, -1).trim() : contents[1];
    head = head.replace(contents[0], `/Contents [${list} ${stamp} 0 R]`);
    if (/\/Font <</.test(head)) head = head.replace('/Font <<', `/Font <<\n      /${stamps.resourceName} ${fontAt} 0 R`);
    else if (/\/Resources <</.test(head)) head = head.replace('/Resources <<', `/Resources <<\n    /Font << /${stamps.resourceName} ${fontAt} 0 R >>`);
    else throw new MergeError('page without its own resources');
    writeObject(n, { head, stream: page.stream });
    pageObjects.delete(n);
  });
  if (pageObjects.size) throw new MergeError('pages outside the page tree');
  for (const [n, obj] of stamps.fontObjects(fontAt)) writeObject(n, obj);

  // A fresh cross-reference table.
  const xref = [`xref\n0 ${size}\n`, '0000000000 65535 f \n'];
  for (let n = 1; n < size; n++) {
    const at = offsets.get(n);
    xref.push(at === undefined ? '0000000000 00000 f \n' : `${String(at).padStart(10, '0')} 00000 n \n`);
  }
  const trailer = `trailer\n<<\n  /Size ${size}\n  /Root ${firstParsed.catalog} 0 R\n${firstParsed.info !== null ? `  /Info ${firstParsed.info} 0 R\n` : ''}${firstParsed.id ? `  /ID ${firstParsed.id}\n` : ''}>>\nstartxref\n${offset}\n%%EOF\n`;
  emit(Buffer.from(xref.join('') + trailer, 'latin1'));
}

export { MergeError };
