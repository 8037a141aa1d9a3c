import fs from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fontPaths } from '../../plans/documents/typst.js';

/**
 * Page numbers "Seite 12 von 4513" for a PDF joined from parts (pdf-merge.ts), written by the
 * joiner instead of by Typst. Why: a page number in Typst is a counter read in context, which
 * costs every part a second layout pass, and a part compiled in parallel with the one before it
 * cannot know where it starts, so it had to be compiled a third time with its offset. The joiner
 * knows every page's number and, at the end, the total, so the parts are compiled once each and
 * the long PDF gets its "von Y" too.
 *
 * The numbers are drawn in Noto Sans Regular (the font of Typst's footer), embedded once as a
 * subset of the glyphs they need, and marked as a pagination artifact as PDF/UA wants, on the
 * baseline and at the right margin of the footer the template leaves empty for them.
 */

/** Where the template's footer sits (typst.ts: bottom margin 1.6 cm, 7 pt, luma(60)). */
export const FOOTER = { baseline: 26.75, right: 39.68504, size: 7, gray: 0.23529412 } as const;

interface Font {
  unitsPerEm: number;
  bbox: [number, number, number, number];
  ascent: number;
  descent: number;
  capHeight: number;
  /** Advance widths by glyph id, in font units. */
  advance: (gid: number) => number;
  gidOf: (codePoint: number) => number;
  /** A TrueType file with only the given glyphs' outlines (glyph ids unchanged). */
  subset: (gids: Set<number>) => Buffer;
}

let regular: Font | null = null;

function font(): Font {
  regular ??= parseTrueType(fs.readFileSync(fontPaths()[0] as string));
  return regular;
}

function parseTrueType(data: Buffer): Font {
  const tables = new Map<string, { offset: number; length: number }>();
  const numTables = data.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const at = 12 + i * 16;
    tables.set(data.toString('latin1', at, at + 4), { offset: data.readUInt32BE(at + 8), length: data.readUInt32BE(at + 12) });
  }
  const table = (tag: string) => {
    const t = tables.get(tag);
    if (!t) throw new Error(`font without ${tag}`);
    return t;
  };
  const head = table('head').offset;
  const unitsPerEm = data.readUInt16BE(head + 18);
  const bbox: [number, number, number, number] = [data.readInt16BE(head + 36), data.readInt16BE(head + 38), data.readInt16BE(head + 40), data.readInt16BE(head + 42)];
  const longLoca = data.readInt16BE(head + 50) === 1;
  const hhea = table('hhea').offset;
  const ascent = data.readInt16BE(hhea + 4);
  const descent = data.readInt16BE(hhea + 6);
  const metrics = data.readUInt16BE(hhea + 34);
  const os2 = tables.get('OS/2');
  const capHeight = os2 && data.readUInt16BE(os2.offset) >= 2 ? data.readInt16BE(os2.offset + 88) : ascent;
  const hmtx = table('hmtx').offset;
  const advance = (gid: number) => data.readUInt16BE(hmtx + 4 * Math.min(gid, metrics - 1));
  const numGlyphs = data.readUInt16BE(table('maxp').offset + 4);

  // cmap: the Windows Unicode BMP subtable (format 4) is enough for page labels and digits.
  const cmap = table('cmap').offset;
  let sub = -1;
  for (let i = 0; i < data.readUInt16BE(cmap + 2); i++) {
    const at = cmap + 4 + i * 8;
    const offset = cmap + data.readUInt32BE(at + 4);
    if (data.readUInt16BE(offset) === 4 && data.readUInt16BE(at) === 3 && data.readUInt16BE(at + 2) === 1) sub = offset;
  }
  if (sub < 0) throw new Error('font without a Unicode BMP cmap');
  const segments = data.readUInt16BE(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  const gidOf = (cp: number): number => {
    for (let s = 0; s < segments; s++) {
      if (cp > data.readUInt16BE(ends + s * 2)) continue;
      const start = data.readUInt16BE(starts + s * 2);
      if (cp < start) return 0;
      const delta = data.readInt16BE(deltas + s * 2);
      const ro = data.readUInt16BE(rangeOffsets + s * 2);
      if (ro === 0) return (cp + delta) & 0xffff;
      const g = data.readUInt16BE(rangeOffsets + s * 2 + ro + (cp - start) * 2);
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };

  const loca = table('loca').offset;
  const glyf = table('glyf').offset;
  const glyphAt = (gid: number): [number, number] =>
    longLoca ? [data.readUInt32BE(loca + gid * 4), data.readUInt32BE(loca + gid * 4 + 4)] : [data.readUInt16BE(loca + gid * 2) * 2, data.readUInt16BE(loca + gid * 2 + 2) * 2];

  const subset = (wanted: Set<number>): Buffer => {
    // Components of composite glyphs come along.
    const keep = new Set([0, ...wanted]);
    for (const gid of [...keep]) {
      const stack = [gid];
      while (stack.length) {
        const g = stack.pop() as number;
        const [from, to] = glyphAt(g);
        if (to <= from || data.readInt16BE(glyf + from) >= 0) continue;
        let at = glyf + from + 10;
        for (;;) {
          const flags = data.readUInt16BE(at);
          const component = data.readUInt16BE(at + 2);
          if (!keep.has(component)) {
            keep.add(component);
            stack.push(component);
          }
          at += 4 + (flags & 1 ? 4 : 2) + (flags & 8 ? 2 : flags & 0x40 ? 4 : flags & 0x80 ? 8 : 0);
          if (!(flags & 0x20)) break;
        }
      }
    }
    const glyphs: Buffer[] = [];
    const offsets = Buffer.alloc((numGlyphs + 1) * 4);
    let length = 0;
    for (let g = 0; g < numGlyphs; g++) {
      offsets.writeUInt32BE(length, g * 4);
      if (!keep.has(g)) continue;
      const [from, to] = glyphAt(g);
      const glyph = data.subarray(glyf + from, glyf + to);
      const padded = Buffer.alloc((glyph.length + 3) & ~3);
      glyph.copy(padded);
      glyphs.push(padded);
      length += padded.length;
    }
    offsets.writeUInt32BE(length, numGlyphs * 4);
    const headCopy = Buffer.from(data.subarray(head, head + table('head').length));
    headCopy.writeInt16BE(1, 50); // long loca offsets
    headCopy.writeUInt32BE(0, 8); // checksum adjustment, set below
    const copy = (tag: string) => Buffer.from(data.subarray(table(tag).offset, table(tag).offset + table(tag).length));
    const out: Array<[string, Buffer]> = [
      ['glyf', Buffer.concat(glyphs)],
      ['head', headCopy],
      ['hhea', copy('hhea')],
      ['hmtx', copy('hmtx')],
      ['loca', offsets],
      ['maxp', copy('maxp')],
      ...(['cvt ', 'fpgm', 'prep'] as const).filter((t) => tables.has(t)).map((t): [string, Buffer] => [t, copy(t)]),
    ];
    out.sort(([a], [b]) => (a < b ? -1 : 1));
    return sfnt(out);
  };
  return { unitsPerEm, bbox, ascent, descent, capHeight, advance, gidOf, subset };
}

function checksum(b: Buffer): number {
  const padded = b.length % 4 ? Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]) : b;
  let sum = 0;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0;
  return sum;
}

function sfnt(tables: Array<[string, Buffer]>): Buffer {
  const n = tables.length;
  const log = Math.floor(Math.log2(n));
  const header = Buffer.alloc(12 + n * 16);
  header.writeUInt32BE(0x00010000, 0);
  header.writeUInt16BE(n, 4);
  header.writeUInt16BE(16 * 2 ** log, 6);
  header.writeUInt16BE(log, 8);
  header.writeUInt16BE(n * 16 - 16 * 2 ** log, 10);
  let offset = header.length;
  const bodies: Buffer[] = [];
  tables.forEach(([tag, body], i) => {
    const at = 12 + i * 16;
    header.write(tag, at, 'latin1');
    header.writeUInt32BE(checksum(body), at + 4);
    header.writeUInt32BE(offset, at + 8);
    header.writeUInt32BE(body.length, at + 12);
    const padded = Buffer.alloc((body.length + 3) & ~3);
    body.copy(padded);
    bodies.push(padded);
    offset += padded.length;
  });
  const file = Buffer.concat([header, ...bodies]);
  const headAt = header.readUInt32BE(12 + tables.findIndex(([t]) => t === 'head') * 16 + 8);
  file.writeUInt32BE((0xb1b0afba - checksum(file)) >>> 0, headAt + 8);
  return file;
}

/** The words around the numbers: "Seite" / "von", "Page" / "of". */
export interface StampLabels {
  page: string;
  of: string;
}

/** A PDF object to write: the dictionary and, for a stream, its bytes. */
export interface StampObject {
  head: string;
  stream: Buffer | null;
}

/**
 * The page numbers of a joined PDF: `pageText(n)` is the content stream drawing "Seite n von
 * total" on page n; `fontObjects` the embedded font, numbered from `first`, referred to in the
 * pages' resources as /MsPg.
 */
export class PageStamps {
  readonly resourceName = 'MsPg';
  private readonly f = font();
  private readonly used = new Set<number>();

  constructor(
    private readonly labels: StampLabels,
    private readonly total: number,
  ) {}

  /** The content stream for page `n` (1-based) of a page `width` points wide. */
  pageContent(n: number, width: number): Buffer {
    // Digits without grouping, as Typst's page counter writes them.
    const text = `${this.labels.page} ${n} ${this.labels.of} ${this.total}`;
    const gids = [...text].map((ch) => this.f.gidOf(ch.codePointAt(0) as number));
    for (const g of gids) this.used.add(g);
    const scale = FOOTER.size / this.f.unitsPerEm;
    const advance = gids.reduce((sum, g) => sum + this.f.advance(g), 0) * scale;
    const x = width - FOOTER.right - advance;
    const hex = gids.map((g) => g.toString(16).padStart(4, '0')).join('');
    const ops = `/Artifact <</Type /Pagination /Subtype /Footer /Attached [/Bottom]>> BDC\nq\n${FOOTER.gray} g\nBT\n/${this.resourceName} ${FOOTER.size} Tf\n${x.toFixed(4)} ${FOOTER.baseline} Td\n<${hex}> Tj\nET\nQ\nEMC\n`;
    return Buffer.from(ops, 'latin1');
  }

  /** The font (Type0 → CIDFontType2 → descriptor, file, ToUnicode), objects `first` to `first + 4`. */
  fontObjects(first: number): Array<[number, StampObject]> {
    const f = this.f;
    const gids = [...this.used].sort((a, b) => a - b);
    const per = (v: number) => Math.round((v * 1000) / f.unitsPerEm);
    const file = f.subset(this.used);
    const packed = deflateSync(file);
    const widths = gids.map((g) => `${g} [${per(f.advance(g))}]`).join(' ');
    const unicode = new Map<number, number>();
    for (const ch of `${this.labels.page} ${this.labels.of} 0123456789`) unicode.set(f.gidOf(ch.codePointAt(0) as number), ch.codePointAt(0) as number);
    const bf = gids.filter((g) => unicode.has(g)).map((g) => `<${g.toString(16).padStart(4, '0')}> <${(unicode.get(g) as number).toString(16).padStart(4, '0')}>`);
    const cmap = Buffer.from(
      `/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n${bf.length} beginbfchar\n${bf.join('\n')}\nendbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n`,
      'latin1',
    );
    const name = 'MSPAGE+NotoSans-Regular';
    const [type0, cid, descriptor, fontFile, toUnicode] = [first, first + 1, first + 2, first + 3, first + 4];
    return [
      [type0, { head: `\n<<\n  /Type /Font\n  /Subtype /Type0\n  /BaseFont /${name}\n  /Encoding /Identity-H\n  /DescendantFonts [${cid} 0 R]\n  /ToUnicode ${toUnicode} 0 R\n>>\n`, stream: null }],
      [
        cid,
        {
          head: `\n<<\n  /Type /Font\n  /Subtype /CIDFontType2\n  /BaseFont /${name}\n  /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>\n  /FontDescriptor ${descriptor} 0 R\n  /CIDToGIDMap /Identity\n  /W [${widths}]\n>>\n`,
          stream: null,
        },
      ],
      [
        descriptor,
        {
          head: `\n<<\n  /Type /FontDescriptor\n  /FontName /${name}\n  /Flags 32\n  /FontBBox [${f.bbox.map(per).join(' ')}]\n  /ItalicAngle 0\n  /Ascent ${per(f.ascent)}\n  /Descent ${per(f.descent)}\n  /CapHeight ${per(f.capHeight)}\n  /StemV 80\n  /FontFile2 ${fontFile} 0 R\n>>\n`,
          stream: null,
        },
      ],
      [fontFile, { head: `\n<<\n  /Length ${packed.length}\n  /Length1 ${file.length}\n  /Filter /FlateDecode\n>>\n`, stream: packed }],
      [toUnicode, { head: `\n<<\n  /Length ${cmap.length}\n>>\n`, stream: cmap }],
    ];
  }
}
