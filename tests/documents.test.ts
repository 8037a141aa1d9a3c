import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../src/app.js';
import { demoConsultation, demoDepartments, demoCommittees } from '../src/modules/demo/content.js';
import { generatePlan } from '../src/modules/demo/generated.js';
import { loadDemo } from '../src/modules/demo/load.js';
import { writePlanDocument } from '../src/modules/plans/document.js';
import { DocumentCache } from '../src/modules/plans/documents/cache.js';
import { BusyError, DocumentPool } from '../src/modules/plans/documents/pool.js';
import { renderDocx } from '../src/modules/plans/documents/docx.js';
import { buildExport, fileName, type PlanExport } from '../src/modules/plans/documents/model.js';
import { PdfRenderer } from '../src/modules/plans/documents/typst.js';
import { consultations, measures, planVersions } from '../src/modules/plans/schema.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

const SLUG = 'aktionsplan-integration-2022-2026';
const BASE = `/consultations/${SLUG}`;

// ---------------------------------------------------------------------------------------------
// A small reader for what the tests need from the files: ZIP entries, and the text of a PDF
// (fonts' ToUnicode maps applied to the shown strings, page by page). No tool is needed for it.
// ---------------------------------------------------------------------------------------------

function unzip(buffer: Buffer): Map<string, string> {
  const files = new Map<string, string>();
  const end = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip file: no end of central directory');
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    if (buffer.readUInt32LE(at) !== 0x02014b50) throw new Error('broken central directory');
    const method = buffer.readUInt16LE(at + 10);
    const compressed = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extra = buffer.readUInt16LE(at + 30);
    const comment = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(dataStart, dataStart + compressed);
    files.set(name, (method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8'));
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

function pdfObjects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  for (const match of text.matchAll(/(\d+) 0 obj\b/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const end = text.indexOf('endobj', start);
    const body = text.slice(start, end);
    const streamAt = body.search(/\bstream\r?\n/);
    if (streamAt < 0) {
      objects.set(Number(match[1]), { dict: body, stream: null });
      continue;
    }
    const dict = body.slice(0, streamAt);
    let from = start + streamAt + 'stream'.length;
    if (text[from] === '\r') from++;
    if (text[from] === '\n') from++;
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
    let raw = pdf.subarray(from, from + length);
    if (/\/FlateDecode/.test(dict)) raw = zlib.inflateSync(raw);
    objects.set(Number(match[1]), { dict, stream: raw });
  }
  return objects;
}

function utf16(hex: string): string {
  let out = '';
  for (let i = 0; i + 4 <= hex.length; i += 4) out += String.fromCharCode(Number.parseInt(hex.slice(i, i + 4), 16));
  return out;
}

/** A ToUnicode CMap as glyph id → text. */
function parseCMap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of (block[1] ?? '').matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(Number.parseInt(m[1] as string, 16), utf16(m[2] as string));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of (block[1] ?? '').matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])/g)) {
      const lo = Number.parseInt(m[1] as string, 16);
      const hi = Number.parseInt(m[2] as string, 16);
      const dest = m[3] as string;
      if (dest.startsWith('[')) {
        for (const [i, d] of [...dest.matchAll(/<([0-9a-fA-F]+)>/g)].entries()) map.set(lo + i, utf16(d[1] as string));
      } else {
        const base = dest.slice(1, -1);
        const last = Number.parseInt(base.slice(-4), 16);
        for (let code = lo; code <= hi; code++) map.set(code, utf16(base.slice(0, -4) + (last + code - lo).toString(16).padStart(4, '0')));
      }
    }
  }
  return map;
}

/** The bytes of a PDF literal string starting at `text[at] === '('`, and where it ends. */
function literal(text: string, at: number): { bytes: number[]; end: number } {
  const bytes: number[] = [];
  let depth = 0;
  let i = at;
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      const next = text[++i] as string;
      if (/[0-7]/.test(next)) {
        let octal = next;
        while (octal.length < 3 && /[0-7]/.test(text[i + 1] ?? '')) octal += text[++i];
        bytes.push(Number.parseInt(octal, 8));
      } else if (next === '\n' || next === '\r') {
        if (next === '\r' && text[i + 1] === '\n') i++;
      } else {
        bytes.push(({ n: 10, r: 13, t: 9, b: 8, f: 12 } as Record<string, number>)[next] ?? next.charCodeAt(0));
      }
    } else if (c === '(') {
      if (depth++ > 0) bytes.push(40);
    } else if (c === ')') {
      if (--depth === 0) break;
      bytes.push(41);
    } else {
      bytes.push(c.charCodeAt(0));
    }
  }
  return { bytes, end: i + 1 };
}

interface PdfText {
  pages: string[];
  fonts: Array<{ name: string; toUnicode: Map<number, string> }>;
  raw: string;
}

/**
 * The text of every page, run by run in the order they are drawn: left to right on the page, so a
 * right-to-left line comes out word-reversed, while within each run the compiler's /ReversedChars
 * mark lets the letters be put back in logical order.
 */
function readPdf(pdf: Buffer): PdfText {
  const objects = pdfObjects(pdf);
  const ref = (s: string, key: string) => Number(new RegExp(`/${key}\\s+(\\d+) 0 R`).exec(s)?.[1]);
  const fontsById = new Map<number, { name: string; toUnicode: Map<number, string> }>();
  for (const [id, o] of objects) {
    if (!/\/Type\s*\/Font/.test(o.dict) || !/\/Subtype\s*\/Type0/.test(o.dict)) continue;
    const cmap = objects.get(ref(o.dict, 'ToUnicode'))?.stream?.toString('latin1') ?? '';
    fontsById.set(id, { name: /\/BaseFont\s*\/(\S+)/.exec(o.dict)?.[1] ?? '', toUnicode: parseCMap(cmap) });
  }
  const pagesRoot = [...objects.values()].find((o) => /\/Type\s*\/Pages/.test(o.dict) && !/\/Parent/.test(o.dict));
  const pageIds: number[] = [];
  const walk = (dict: string) => {
    for (const kid of /\/Kids\s*\[([^\]]*)\]/.exec(dict)?.[1]?.matchAll(/(\d+) 0 R/g) ?? []) {
      const o = objects.get(Number(kid[1]));
      if (!o) continue;
      if (/\/Type\s*\/Pages/.test(o.dict)) walk(o.dict);
      else pageIds.push(Number(kid[1]));
    }
  };
  if (pagesRoot) walk(pagesRoot.dict);
  const pages = pageIds.map((pageId) => {
    const page = (objects.get(pageId) as PdfObject).dict;
    const resources = /\/Resources\s+(\d+) 0 R/.test(page) ? (objects.get(ref(page, 'Resources'))?.dict ?? '') : page;
    const fontDict = /\/Font\s*<<([\s\S]*?)>>/.exec(resources)?.[1] ?? '';
    const fonts = new Map([...fontDict.matchAll(/\/(\S+)\s+(\d+) 0 R/g)].map((m) => [m[1] as string, fontsById.get(Number(m[2]))]));
    const contentIds = [.../(?:\/Contents\s+(\d+) 0 R|\/Contents\s*\[([^\]]*)\])/.exec(page)?.slice(1).join(' ').matchAll(/(\d+)(?: 0 R)?/g) ?? []].map((m) => Number(m[1]));
    const content = contentIds.map((id) => objects.get(id)?.stream?.toString('latin1') ?? '').join('\n');
    let font: { toUnicode: Map<number, string> } | undefined;
    // Glyph by glyph: a reversed run is put back in logical order glyph-wise, so a ligature's
    // letters (lam-alef) keep their own order.
    const marks: Array<{ reversed: boolean; glyphs: string[] }> = [];
    let out = '';
    const emit = (glyphs: string[]) => {
      const top = marks.at(-1);
      if (top) top.glyphs.push(...glyphs);
      else out += glyphs.join('');
    };
    const decode = (bytes: number[]) => {
      const glyphs: string[] = [];
      for (let i = 0; i + 1 < bytes.length; i += 2) glyphs.push(font?.toUnicode.get(((bytes[i] as number) << 8) | (bytes[i + 1] as number)) ?? '');
      return glyphs;
    };
    const operands: Array<string | number[] | Array<number[]>> = [];
    for (let i = 0; i < content.length; ) {
      const c = content[i] as string;
      if (/\s/.test(c)) {
        i++;
      } else if (c === '(') {
        const { bytes, end } = literal(content, i);
        operands.push(bytes);
        i = end;
      } else if (c === '[') {
        const strings: number[][] = [];
        let j = i + 1;
        while (content[j] !== ']') {
          if (content[j] === '(') {
            const { bytes, end } = literal(content, j);
            strings.push(bytes);
            j = end;
          } else if (content[j] === '<') {
            const hexEnd = content.indexOf('>', j);
            const hex = content.slice(j + 1, hexEnd);
            strings.push(hex.match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? []);
            j = hexEnd + 1;
          } else j++;
        }
        operands.push(strings);
        i = j + 1;
      } else if (c === '<' && content[i + 1] === '<') {
        // An inline dictionary (marked content properties): skip to its end.
        let depth = 0;
        let j = i;
        for (; j < content.length; j++) {
          if (content.startsWith('<<', j)) {
            depth++;
            j++;
          } else if (content.startsWith('>>', j)) {
            depth--;
            j++;
            if (depth === 0) break;
          }
        }
        operands.push('<<dict>>');
        i = j + 1;
      } else {
        const token = /^[^\s()[\]<>]+/.exec(content.slice(i, i + 64))?.[0] ?? c;
        i += token.length;
        if (/^[A-Za-z'"*]+$/.test(token) || token === "'") {
          if (token === 'Tf') font = fonts.get(String(operands.at(-2)).slice(1));
          else if (token === 'Tj') emit(decode(operands.at(-1) as number[]));
          else if (token === 'TJ') emit((operands.at(-1) as number[][]).flatMap(decode));
          else if (token === 'BMC' || token === 'BDC') marks.push({ reversed: operands.at(token === 'BMC' ? -1 : -2) === '/ReversedChars', glyphs: [] });
          else if (token === 'EMC') {
            const mark = marks.pop();
            if (mark) emit(mark.reversed ? mark.glyphs.reverse() : mark.glyphs);
          } else if (token === 'ET') emit([' ']);
          operands.length = 0;
        } else {
          operands.push(token);
        }
      }
    }
    return out;
  });
  return { pages, fonts: [...fontsById.values()], raw: [...objects.values()].map((o) => o.dict + (o.stream && o.stream.length < 200_000 ? o.stream.toString('utf8') : '')).join('\n') };
}

/** Text without any whitespace: runs and lines break differently from the source text. */
const squash = (s: string) => s.replace(/[\s\u00ad\u2060]+/gu, '');

const pdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** pdftotext as a second, independent reader, where installed (poppler-utils). */
function popplerText(pdf: Buffer): string | null {
  if (!pdftotext) {
    console.warn('pdftotext not found (apt-get install poppler-utils): the cross-check with a second PDF reader is skipped; the built-in reader checked the text.');
    return null;
  }
  const file = path.join(path.resolve(import.meta.dirname, '..', '.tmp'), `check-${process.pid}-${Date.now()}.pdf`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, pdf);
  try {
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function expectTaggedUaPdf(pdf: Buffer, title: string, lang: string): PdfText {
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const read = readPdf(pdf);
  expect(read.raw).toMatch(/\/StructTreeRoot\s+\d+ 0 R/);
  expect(read.raw).toMatch(/\/MarkInfo\s*<<\s*\/Marked true/);
  expect(read.raw).toMatch(/<pdfuaid:part>1<\/pdfuaid:part>|pdfuaid:part="1"/);
  expect(read.raw).toMatch(new RegExp(`/Lang \\(${lang}`));
  expect(read.raw).toContain(`<rdf:li xml:lang="x-default">${title}</rdf:li>`);
  expect(read.raw).toMatch(/\/DisplayDocTitle true/);
  return read;
}

// ---------------------------------------------------------------------------------------------

describe('document model and file names', () => {
  it('names files after the consultation and the version, in plain ASCII', () => {
    expect(fileName(SLUG, 'Entwurf 2', 'pdf')).toBe('aktionsplan-integration-2022-2026-entwurf-2.pdf');
    expect(fileName('plan', 'Beschlossene Fassung (Änderung „Größe“)', 'docx')).toBe('plan-beschlossene-fassung-aenderung-groesse.docx');
    expect(fileName('x', '"; rm -rf /', 'pdf')).toBe('x-rm-rf.pdf');
  });
});

describe('PDF rendering of German, Ukrainian and Arabic', () => {
  const t = catalogue.translator('de');
  const uk = 'Мовні курси для батьків: Ґанок, Єдність, Їжак — у кожному районі';
  const ar = 'دورات اللغة للآباء والأمهات في كل حي من أحياء المدينة';
  const model: PlanExport = {
    ...buildExport({
      consultation: { title: 'Mehrsprachiger Test', paperReference: 'V0001/26', slug: 'test' },
      version: { label: 'Fassung 1', status: 'draft', publishedAt: null, createdAt: new Date('2026-03-01T10:00:00Z') },
      doc: { principles: [], crossCuttingMeasures: [], fields: [] },
      names: { department: (s) => s, committee: (s) => s },
      t,
      locale: 'de',
    }),
  };
  model.crossCutting = [
    { heading: 'Maßnahme 1', text: 'Größere Übersicht für Bürger*innen in Löbtau', example: false, facts: [{ label: 'Federführung', value: 'Amt für Schulen' }] },
    { heading: 'Maßnahme 2', text: { text: uk, lang: 'uk' }, example: false, facts: [] },
    { heading: 'Maßnahme 3', text: { text: ar, lang: 'ar' }, example: true, facts: [{ label: 'Kommentar', value: { text: 'شكرا جزيلا', lang: 'ar' } }] },
  ];

  it('embeds Noto fonts from npm, shapes Arabic right to left, and keeps every text extractable', () => {
    const started = performance.now();
    const result = new PdfRenderer().render(model);
    const ms = performance.now() - started;
    console.log(`multilingual PDF: ${Math.round(ms)} ms (compiler start and fonts included), ${result.pdf.length} bytes`);
    expect(result.uaRefused).toBeNull();
    const pdf = Buffer.from(result.pdf);
    const read = expectTaggedUaPdf(pdf, 'Mehrsprachiger Test – Fassung 1', 'de');
    const text = squash(read.pages.join(' '));
    for (const phrase of ['Größere Übersicht für Bürger*innen in Löbtau', uk, 'Mehrsprachiger Test']) expect(text).toContain(squash(phrase));
    // Every Arabic word is there, letters in logical order; the words of the line are drawn right
    // to left, so the first word of the sentence is found after its last.
    for (const word of [...ar.split(' '), 'شكرا', 'جزيلا']) expect(text).toContain(word);
    const words = ar.split(' ');
    expect(text.indexOf(words[0] as string)).toBeGreaterThan(text.indexOf(words.at(-1) as string));
    // The fonts in the file are the npm ones, embedded: Latin/Cyrillic and Arabic.
    const names = read.fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, ''));
    expect(names).toEqual(expect.arrayContaining(['NotoSans-Regular', 'NotoNaskhArabic']));
    expect(read.raw).toMatch(/\/FontFile2 \d+ 0 R/);
    // Shaped: Arabic letters appear in more than one form (initial, medial, final glyphs) …
    const arabic = read.fonts.find((f) => f.name.includes('Arabic'));
    const glyphsPerLetter = new Map<string, number>();
    for (const letter of arabic?.toUnicode.values() ?? []) glyphsPerLetter.set(letter, (glyphsPerLetter.get(letter) ?? 0) + 1);
    expect([...glyphsPerLetter.values()].some((n) => n >= 2)).toBe(true);
    // … and set right to left (the compiler marks reversed runs for text extraction), in Arabic.
    expect(read.raw).toContain('/ReversedChars');
    expect(read.raw).toMatch(/\/Lang \(ar\)/);
    expect(read.raw).toMatch(/\/Lang \(uk\)/);

    const poppler = popplerText(pdf);
    if (poppler !== null) {
      const flat = squash(poppler.replace(/[\u202a-\u202e]/g, ''));
      expect(flat).toContain(squash(uk));
      expect(flat).toContain(squash('Größere Übersicht für Bürger*innen in Löbtau'));
      // pdftotext writes the lam-alef ligature in visual order; every word without one must be whole.
      for (const word of ar.split(' ').filter((w) => !w.includes('لا') && !w.includes('لأ') && !w.includes('لآ'))) expect(flat).toContain(word);
    }
  });

  it('writes the same into Word with each span’s language, Arabic right to left', async () => {
    const xml = unzip(await renderDocx(model)).get('word/document.xml') as string;
    expect(xml).toMatch(/<w:lang w:val="uk-UA"\/><\/w:rPr><w:t xml:space="preserve">Мовні курси/);
    expect(xml).toMatch(/<w:pPr><w:bidi\/>[\s\S]*?<w:rtl\/><w:lang w:bidi="ar-SA"\/><\/w:rPr><w:t xml:space="preserve">دورات اللغة/);
    expect(xml).not.toContain('w:val="false"');
  });

  it('still delivers a tagged PDF when a character has no glyph in the fonts (PDF/UA-1 then refused)', () => {
    const result = new PdfRenderer().render({ ...model, crossCutting: [{ heading: 'Maßnahme 1', text: 'Danke 🙂', example: false, facts: [] }] });
    expect(result.uaRefused).toMatch(/could not be displayed|PDF\/UA/);
    const read = readPdf(Buffer.from(result.pdf));
    expect(read.raw).toMatch(/\/StructTreeRoot/);
    expect(squash(read.pages.join(''))).toContain('Danke');
  });
});

describe('document cache', () => {
  it('keeps documents by key, bounded, shares a running generation and drops by tag', async () => {
    const cache = new DocumentCache(2, 100);
    let made = 0;
    const make = (n: number) => async () => {
      made++;
      return { bytes: Buffer.alloc(n), uaRefused: null };
    };
    const [a, b] = await Promise.all([cache.get('a', ['plans'], make(10)), cache.get('a', ['plans'], make(10))]);
    expect(made).toBe(1);
    expect([a.cached, b.cached]).toEqual([false, false]);
    expect((await cache.get('a', ['plans'], make(10))).cached).toBe(true);
    await cache.get('b', ['plans'], make(10));
    await cache.get('c', ['other'], make(10));
    expect(cache.size).toBe(2);
    expect(cache.has('a')).toBe(false);
    await cache.get('big', ['plans'], make(95));
    expect(cache.totalBytes).toBeLessThanOrEqual(100);
    cache.invalidate('plans');
    expect(cache.has('big')).toBe(false);
    // A generation that was running when the change came is not kept.
    let release: () => void = () => {};
    const slow = cache.get('slow', ['plans'], () => new Promise((resolve) => (release = () => resolve({ bytes: Buffer.alloc(1), uaRefused: null }))));
    cache.invalidate('plans');
    release();
    await slow;
    expect(cache.has('slow')).toBe(false);
  });
});

describe('document process pool', () => {
  const model = buildExport({
    consultation: { title: 'Pool', paperReference: null, slug: 'pool' },
    version: { label: 'F', status: 'published', publishedAt: new Date(), createdAt: new Date() },
    doc: generatePlan(1, 1, 1),
    names: { department: (s) => s, committee: (s) => s },
    t: catalogue.translator('de'),
    locale: 'de',
  });

  it('replaces a grown process, refuses when too many wait, and survives a job that hangs', { timeout: 60_000 }, async () => {
    const pool = new DocumentPool({ maxRssBytes: 1, maxQueue: 1 });
    try {
      const first = await pool.render('pdf', model);
      expect(first.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      await pool.render('docx', model);
      expect(pool.started).toBe(2);
      // One runs, one waits, the third is refused.
      const running = [pool.render('pdf', model), pool.render('pdf', model)];
      await expect(pool.render('pdf', model)).rejects.toBeInstanceOf(BusyError);
      await Promise.all(running);
    } finally {
      await pool.close();
    }
    const slow = new DocumentPool({ timeoutMs: 1 });
    try {
      await expect(slow.render('pdf', model)).rejects.toThrow(/longer than 1 ms/);
    } finally {
      await slow.close();
    }
    await expect(slow.render('pdf', model)).rejects.toThrow(/closed/);
  });
});

describe.each(drivers)('plan downloads [%s]', (driver) => {
  let t: TestApp;
  let v1: number;
  let v2: number;

  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db);
    await createUser(t.db, 'organiser@example.org', ['organiser']);
    await createUser(t.db, 'participant@example.org');
    const ids = await t.db.select({ id: planVersions.id, label: planVersions.label }).from(planVersions);
    v1 = ids.find((v) => v.label === 'Entwurf 1')!.id;
    v2 = ids.find((v) => v.label === 'Entwurf 2')!.id;
  });
  afterAll(() => t?.close());

  const measureTexts = (versionIndex: number) => {
    const v = demoConsultation.versions[versionIndex]!;
    return [...v.crossCuttingMeasures, ...v.fields.flatMap((f) => f.goals.flatMap((g) => g.measures))].map((m) => m.text);
  };

  it('downloads the newest public version as DOCX: a Word file with the texts, real headings and the language', async () => {
    const res = await new Client(t.app).get(`${BASE}/plan.docx`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${SLUG}-entwurf-1.docx"`);
    const files = unzip(res.rawPayload);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['[Content_Types].xml', 'word/document.xml', 'word/styles.xml', 'docProps/core.xml']));
    const xml = files.get('word/document.xml') as string;
    const text = xml.replace(/<[^>]+>/g, '').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    for (const measure of measureTexts(0)) expect(text).toContain(measure);
    expect(text).not.toContain('Prüfung und Ausbau von Sprachkursangeboten mit begleitender Kinderbetreuung');
    for (const style of ['Title', 'Heading1', 'Heading2', 'Heading3']) expect(xml).toContain(`<w:pStyle w:val="${style}"/>`);
    expect(xml.match(/<w:pStyle w:val="Heading1"\/>/g)?.length).toBe(2 + 1 + demoConsultation.versions[0]!.fields.length);
    for (const [id, name] of [['Title', 'Title'], ['Heading1', 'Heading 1'], ['Heading2', 'Heading 2'], ['Heading3', 'Heading 3']]) {
      expect(files.get('word/styles.xml')).toMatch(new RegExp(`<w:style w:type="paragraph" w:styleId="${id}">\\s*<w:name w:val="${name}"/>`));
    }
    expect(files.get('word/styles.xml')).toContain('<w:lang w:val="de-DE"/>');
    expect(files.get('docProps/core.xml')).toContain('<dc:title>Aktionsplan Integration 2022 bis 2026 – Entwurf 1</dc:title>');
    // Title page: paper reference, version and status; example content marked.
    expect(text).toContain('Vorlage V1332/21');
    expect(text).toContain('Fassung: Entwurf 1 (veröffentlicht)');
    expect(text).toContain('Beispielinhalt');
    expect(text).toContain('Federführung: ');
    expect(text).toContain('A0391/17');
  });

  it('downloads the PDF: tagged PDF/UA-1 with title, language and every measure text', async () => {
    const res = await new Client(t.app).get(`${BASE}/plan.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${SLUG}-entwurf-1.pdf"`);
    expect(res.headers['x-pdf-standard']).toBe('ua-1');
    const read = expectTaggedUaPdf(res.rawPayload, 'Aktionsplan Integration 2022 bis 2026 – Entwurf 1', 'de');
    const text = squash(read.pages.join(' '));
    expect(read.pages[0]).toContain('Aktionsplan Integration 2022 bis 2026');
    for (const measure of measureTexts(0)) expect(text, measure).toContain(squash(measure));
    expect(text).toContain(squash('Handlungsfeld 4: Kinder- und Jugendhilfe'));
    const poppler = popplerText(res.rawPayload);
    if (poppler !== null) expect(squash(poppler)).toContain(squash(measureTexts(0)[0] as string));
  });

  it('answers in English with an English document', async () => {
    const res = await new Client(t.app, { 'accept-language': 'en' }).get(`${BASE}/plan.docx`);
    const files = unzip(res.rawPayload);
    expect(files.get('word/styles.xml')).toContain('<w:lang w:val="en-GB"/>');
    expect(files.get('word/document.xml')).toContain('Council paper V1332/21');
    // The plan's texts stay German, and say so.
    expect(files.get('word/document.xml')).toMatch(/<w:lang w:val="de-DE"\/><\/w:rPr><w:t xml:space="preserve">Fortschreibung Konzeption unbegleitete/);
    const pdf = await new Client(t.app, { 'accept-language': 'en' }).get(`${BASE}/plan.pdf`);
    const read = expectTaggedUaPdf(pdf.rawPayload, 'Aktionsplan Integration 2022 bis 2026 – Entwurf 1', 'en-GB');
    expect(read.raw).toMatch(/\/Lang \(de\)/);
    expect(read.pages[0]).toContain('Council paper V1332/21');
  });

  it('refuses bad and non-public versions: 400 for a malformed id, 404 for a draft, unknown or foreign one', async () => {
    const client = new Client(t.app);
    for (const q of ['abc', '-1', '0', '1.5']) expect((await client.get(`${BASE}/plan.pdf?version=${q}`)).statusCode, q).toBe(400);
    const draft = await client.get(`${BASE}/plan.pdf?version=${v2}`);
    expect(draft.statusCode).toBe(404);
    expect(draft.body).toContain('Diese Fassung gibt es nicht oder sie ist nicht veröffentlicht.');
    expect((await client.get(`${BASE}/plan.docx?version=999999`)).statusCode).toBe(404);
    expect((await client.get('/consultations/gibt-es-nicht/plan.pdf')).statusCode).toBe(404);
    const [other] = await t.db.insert(consultations).values({ slug: 'leer', title: 'Ohne Plan', status: 'published' }).returning({ id: consultations.id });
    expect(other).toBeDefined();
    const empty = await client.get('/consultations/leer/plan.docx');
    expect(empty.statusCode).toBe(404);
    expect(empty.body).toContain('noch keine Fassung des Plans veröffentlicht');
    expect((await client.get(`/consultations/leer/plan.docx?version=${v1}`)).statusCode).toBe(404);
  });

  it('lets organisers download a draft, and nobody else', async () => {
    const organiser = new Client(t.app);
    await organiser.signIn('organiser@example.org');
    const res = await organiser.get(`/organiser/versions/${v2}/plan.docx`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const text = (unzip(res.rawPayload).get('word/document.xml') as string).replace(/<[^>]+>/g, '');
    expect(text).toContain('Prüfung und Ausbau von Sprachkursangeboten mit begleitender Kinderbetreuung');
    expect(text).toContain('Fassung: Entwurf 2 (Entwurf (nicht öffentlich))');
    const pdf = await organiser.get(`/organiser/versions/${v2}/plan.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(squash(readPdf(pdf.rawPayload).pages.join(''))).toContain(squash('mit begleitender Kinderbetreuung'));
    expect((await organiser.get('/organiser/versions/x/plan.pdf')).statusCode).toBe(404);
    expect((await new Client(t.app).get(`/organiser/versions/${v2}/plan.pdf`)).statusCode).toBe(303);
    const participant = new Client(t.app);
    await participant.signIn('participant@example.org');
    expect((await participant.get(`/organiser/versions/${v2}/plan.pdf`)).statusCode).toBe(403);
  });

  it('keeps generated documents until the plan changes, then builds them anew', async () => {
    const client = new Client(t.app);
    await client.get(`${BASE}/plan.pdf`);
    const first = await client.get(`${BASE}/plan.docx`);
    const again = await client.get(`${BASE}/plan.docx`);
    expect(again.headers['x-document-cache']).toBe('hit');
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    expect((await client.get(`${BASE}/plan.pdf`)).headers['x-document-cache']).toBe('hit');
    expect(t.app.documentCache.size).toBeGreaterThan(0);

    await t.db
      .update(measures)
      .set({ text: 'Fortschreibung der Konzeption für unbegleitete ausländische Minderjährige (geändert)' })
      .where(and(eq(measures.planVersionId, v1), eq(measures.key, 'm-jha-uam-konzeption')));
    await t.app.cacheChannel.settle();
    expect(t.app.documentCache.size).toBe(0);
    const after = await client.get(`${BASE}/plan.docx`);
    expect(after.headers['x-document-cache']).toBe('miss');
    expect(unzip(after.rawPayload).get('word/document.xml')).toContain('unbegleitete ausländische Minderjährige (geändert)');
    const pdf = await client.get(`${BASE}/plan.pdf`);
    expect(pdf.headers['x-document-cache']).toBe('miss');
    expect(squash(readPdf(pdf.rawPayload).pages.join(''))).toContain(squash('Minderjährige (geändert)'));
  });

  it('builds an 11 × 6 × 5 plan off the main thread: other requests are answered meanwhile', { timeout: 120_000 }, async () => {
    const doc = generatePlan(11, 6, 5, demoDepartments.map((d) => d.slug), demoCommittees.map((c) => c.slug));
    const [c] = await t.db.insert(consultations).values({ slug: 'gross', title: 'Großer Plan', paperReference: 'V9999/26', status: 'published' }).returning({ id: consultations.id });
    const [v] = await t.db.insert(planVersions).values({ consultationId: c!.id, label: 'Fassung 1', status: 'draft', position: 0 }).returning({ id: planVersions.id });
    await t.db.transaction((tx) => writePlanDocument(tx, v!.id, doc));
    await t.db.update(planVersions).set({ status: 'published', publishedAt: new Date() }).where(eq(planVersions.id, v!.id));
    await t.app.cacheChannel.settle();

    const client = new Client(t.app);
    for (const format of ['pdf', 'docx'] as const) {
      let done = false;
      let answered = 0;
      const started = performance.now();
      const download = client.get(`/consultations/gross/plan.${format}`).then((res) => {
        done = true;
        return res;
      });
      // While the document is being built, the server goes on answering.
      while (!done) {
        const health = await t.app.inject({ method: 'GET', url: '/healthz' });
        expect(health.statusCode).toBe(200);
        if (!done) answered++;
        await new Promise((r) => setTimeout(r, 20));
      }
      const res = await download;
      const ms = performance.now() - started;
      console.log(`11×6×5 ${format}: ${Math.round(ms)} ms through the route, ${res.rawPayload.length} bytes, ${answered} health checks answered meanwhile`);
      expect(res.statusCode).toBe(200);
      expect(answered).toBeGreaterThan(0);
      if (format === 'pdf') {
        const read = readPdf(res.rawPayload);
        expect(read.pages.length).toBeGreaterThan(50);
        expect(squash(read.pages.join(''))).toContain(squash('Maßnahme 11.6.5'));
      } else {
        expect(unzip(res.rawPayload).get('word/document.xml')?.match(/<w:pStyle w:val="Heading3"\/>/g)?.length).toBe(330);
      }
    }
  });
});
