import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergePdfs, PdfJoiner } from '../src/modules/consolidation/exports/pdf-merge.js';
import type { ReportBlock, ReportModel } from '../src/modules/consolidation/exports/report.js';
import { pageCount, pageLabels, ReportPdfRenderer, splitParts } from '../src/modules/consolidation/exports/typst.js';

// A long committee PDF is compiled in parts and joined (pdf-merge.ts), the joiner numbering the
// pages (pdf-stamp.ts). These tests need no database: the model is made here.

const row = (i: number, lang: string, text: string) => ({
  number: String(i),
  received: '01.03.2026',
  channel: 'Online-Kommentar',
  submitter: `Privatperson ${i}`,
  contact: '',
  text: { text, lang },
  language: lang,
  translation: null,
  note: null,
  answer: `Antwort ${i}`,
  verdict: 'berücksichtigt',
  change: '',
  field: '',
  goal: '',
  measure: '',
});

function model(): ReportModel {
  const blocks: ReportBlock[] = [];
  for (let f = 1; f <= 3; f++) {
    blocks.push({ level: 1, heading: `Handlungsfeld ${f}`, text: '', rows: [] });
    blocks.push({ level: 2, heading: `Ziel ${f}.1`, text: 'Ziel', rows: [] });
    blocks.push({ level: 3, heading: `Maßnahme ${f}.1.1`, text: 'Maßnahme', rows: Array.from({ length: 30 }, (_, i) => row(f * 100 + i, i % 2 ? 'uk' : 'ar', i % 2 ? `Текст номер ${f}-${i}` : `نص رقم ${f}-${i}`)) });
  }
  const labels = Object.fromEntries(['cover', 'channels', 'submitters', 'phases', 'method', 'table', 'draftNote', 'namedNote', 'translation', 'empty', 'total', 'sheet', 'coverSheet', 'state', 'stateDraft', 'stateFinal'].map((k) => [k, k]));
  const columns = Object.fromEntries(['number', 'received', 'channel', 'submitter', 'contact', 'field', 'goal', 'measure', 'text', 'language', 'translation', 'answer', 'verdict', 'change'].map((k) => [k, k]));
  return {
    language: 'de-DE',
    lang: 'de',
    region: 'DE',
    contentLang: 'de',
    documentTitle: 'Teile',
    title: 'Teile',
    subtitle: 'Test',
    scopeLabel: '',
    draft: true,
    named: false,
    watermark: 'ENTWURF',
    author: 'Mitsprache',
    keywords: [],
    date: { year: 2026, month: 12, day: 4 },
    footer: 'Fußzeile links',
    coverLines: [],
    channels: [],
    submitters: [],
    phases: [],
    method: [],
    labels: { ...labels, page: 'Seite', of: 'von', continued: '(Fortsetzung)', columns },
    blocks,
    rowCount: 90,
  } as unknown as ReportModel;
}

function withFile<T>(bytes: Buffer, fn: (file: string) => T): T {
  const file = path.join(os.tmpdir(), `parts-${process.pid}-${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(file, bytes);
  try {
    return fn(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** The words on page `n` with their boxes (pdftotext -bbox). */
function wordsOn(file: string, n: number): Array<{ word: string; xMax: number; yMin: number }> {
  const xml = execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', '-bbox', '-f', String(n), '-l', String(n), file, '-'], { encoding: 'utf8' });
  return [...xml.matchAll(/<word xMin="[\d.]+" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map((m) => ({ word: m[3] as string, xMax: Number(m[2]), yMin: Number(m[1]) }));
}

describe('a long PDF in parts', () => {
  it('splits at fields, and in a long field at goals under the field heading marked as continued', () => {
    const rows = (n: number) => Array.from({ length: n }, () => ({}) as ReportBlock['rows'][number]);
    const blocks: ReportBlock[] = [
      { level: 1, heading: 'Handlungsfeld 1', text: '', rows: [] },
      { level: 2, heading: 'Ziel 1.1', text: '', rows: rows(20) },
      { level: 2, heading: 'Ziel 1.2', text: '', rows: rows(20) },
      { level: 3, heading: 'Maßnahme 1.2.1', text: '', rows: rows(20) },
      { level: 2, heading: 'Ziel 1.3', text: '', rows: rows(5) },
      { level: 1, heading: 'Handlungsfeld 2', text: '', rows: rows(3) },
    ];
    const parts = splitParts(blocks, 25, '(Fortsetzung)');
    expect(parts.map((p) => p.map((b) => `${b.level} ${b.heading}`))).toEqual([
      ['1 Handlungsfeld 1', '2 Ziel 1.1', '2 Ziel 1.2', '3 Maßnahme 1.2.1'],
      ['1 Handlungsfeld 1 (Fortsetzung)', '2 Ziel 1.3', '1 Handlungsfeld 2'],
    ]);
  });

  it('joins the parts into one tagged PDF with every page numbered "Seite n von N", bookmarks and text', () => {
    const m = model();
    const parts = splitParts(m.blocks, 25);
    expect(parts.length).toBe(3);
    const renderer = new ReportPdfRenderer();
    let pages = 0;
    const pdfs: Buffer[] = [];
    for (const [i, blocks] of parts.entries()) {
      const part = renderer.renderPart({ ...m, blocks, part: { single: false, first: i === 0 } });
      expect(part.uaRefused).toBeNull();
      expect(pageCount(part.pdf)).toBe(part.pages);
      pages += part.pages;
      pdfs.push(Buffer.from(part.pdf));
    }
    expect(pages).toBeGreaterThan(3);
    // A part leaves the number to the joiner.
    expect(execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdfs[1], encoding: 'utf8' })).not.toMatch(/Seite \d/);
    const joined = mergePdfs(pdfs, pageLabels(m));
    withFile(joined, (file) => {
      const info = execFileSync('/usr/bin/pdfinfo', [file], { encoding: 'utf8' });
      expect(info).toMatch(/Tagged:\s+yes/);
      expect(Number(/Pages:\s+(\d+)/.exec(info)?.[1])).toBe(pages);
      for (let n = 1; n <= pages; n++) {
        const text = execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', '-f', String(n), '-l', String(n), file, '-'], { encoding: 'utf8' });
        expect(text, `page ${n}`).toContain(`Seite ${n} von ${pages}`);
        expect(text.match(/Seite \d+/g)?.length, `page ${n}`).toBe(1);
      }
      const text = execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
      for (const f of [1, 2, 3]) expect(text).toContain(`Текст номер ${f}-29`);
      const structure = execFileSync('/usr/bin/pdfinfo', ['-struct', file], { encoding: 'utf8' });
      expect(structure.match(/\bH1\b/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
      // The number stands on the footer's line, at the right margin like the table's edge.
      const words = wordsOn(file, 2);
      const left = words.find((w) => w.word === 'Fußzeile');
      const total = words.filter((w) => w.word === String(pages)).at(-1);
      expect(left && total).toBeTruthy();
      expect(Math.abs((total?.yMin ?? 0) - (left?.yMin ?? 1))).toBeLessThan(0.5);
      expect(Math.abs((total?.xMax ?? 0) - (841.89 - 39.685))).toBeLessThan(1);
      // The font of the numbers is embedded (PDF/UA wants every font embedded).
      const fonts = execFileSync('/usr/bin/pdffonts', [file], { encoding: 'utf8' });
      const numbers = fonts.split('\n').find((l) => l.startsWith('MSPAGE+NotoSans-Regular'));
      expect(numbers).toMatch(/CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    });
  }, 60_000);

  it('joins part by part into a file whose written bytes never change afterwards', () => {
    const m = model();
    const parts = splitParts(m.blocks, 25);
    const renderer = new ReportPdfRenderer();
    const file = path.join(os.tmpdir(), `joiner-${process.pid}.pdf`);
    const joiner = new PdfJoiner(file, pageLabels(m));
    const snapshots: Buffer[] = [];
    try {
      for (const [i, blocks] of parts.entries()) {
        joiner.add(Buffer.from(renderer.renderPart({ ...m, blocks, part: { single: false, first: i === 0 } }).pdf));
        expect(joiner.written).toBe(fs.statSync(file).size);
        snapshots.push(fs.readFileSync(file));
      }
      joiner.end();
      const whole = fs.readFileSync(file);
      for (const s of snapshots) expect(whole.subarray(0, s.length).equals(s)).toBe(true);
      expect(execFileSync('/usr/bin/pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Tagged:\s+yes/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }, 60_000);

  it('numbers a report compiled in one piece itself, with the same words', () => {
    const m = { ...model(), blocks: model().blocks.slice(0, 3) };
    const whole = new ReportPdfRenderer().render(m);
    withFile(Buffer.from(whole.pdf), (file) => {
      const text = execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
      for (let n = 1; n <= whole.pages; n++) expect(text).toContain(`Seite ${n} von ${whole.pages}`);
    });
  }, 60_000);
});
