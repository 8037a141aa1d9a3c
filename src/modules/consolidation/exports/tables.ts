import fs from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { csvRow } from '../../participation/opendata/service.js';
import type { ReportModel, ReportRow } from './report.js';

/**
 * The Abwägungstabelle as a spreadsheet and as CSV: one row per unit, the columns demosplan's
 * table has (Nr., Eingang, Kanal, Einreicher, Handlungsfeld, Ziel, Maßnahme, Stellungnahme,
 * Übersetzung, Abwägung, Votum, Änderung) plus the language of the text; the named variant adds
 * the contact. Both are written row by row (exceljs' streaming writer, CSV in chunks), never as
 * one big in-memory workbook.
 *
 * A draft says so where each format can: the XLSX sheet is called "Entwurf – …" and its first
 * row (the title above the header) starts with ENTWURF; the CSV, which has no place for a title
 * without breaking RFC 4180 readers, carries a first column "Stand" with "Entwurf" or
 * "Endfassung" in every row (and the file name ends in -entwurf).
 */

interface Column {
  header: string;
  width: number;
  value(r: ReportRow): string;
}

function columns(model: ReportModel): Column[] {
  const C = model.labels.columns;
  const text = (r: ReportRow) => (r.note ? `${r.text.text}\n\n${r.note}` : r.text.text);
  return [
    { header: C.number, width: 14, value: (r) => r.number },
    { header: C.received, width: 12, value: (r) => r.received },
    { header: C.channel, width: 16, value: (r) => r.channel },
    { header: C.submitter, width: 24, value: (r) => r.submitter },
    ...(model.named ? [{ header: C.contact, width: 28, value: (r: ReportRow) => r.contact }] : []),
    { header: C.field, width: 24, value: (r) => r.field },
    { header: C.goal, width: 24, value: (r) => r.goal },
    { header: C.measure, width: 24, value: (r) => r.measure },
    { header: C.text, width: 60, value: text },
    { header: C.language, width: 12, value: (r) => r.language },
    { header: C.translation, width: 50, value: (r) => r.translation ?? '' },
    { header: C.answer, width: 60, value: (r) => r.answer },
    { header: C.verdict, width: 22, value: (r) => r.verdict },
    { header: C.change, width: 40, value: (r) => r.change },
  ];
}

function* allRows(model: ReportModel): Generator<ReportRow> {
  for (const block of model.blocks) yield* block.rows;
}

/** A cell a spreadsheet would read as a formula stays text (exceljs writes strings as strings, but Excel's paste and CSV do not). */
function safe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function columnLetter(n: number): string {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
}

export async function renderReportXlsx(model: ReportModel): Promise<Buffer> {
  // Loaded when first needed (half a second): the CSV, written by the server itself, needs none of it.
  const ExcelJS = (await import('exceljs')).default;
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: true, useStyles: true });
  workbook.creator = model.author;
  workbook.title = model.documentTitle;
  workbook.keywords = model.keywords.join(', ');
  workbook.created = new Date(Date.UTC(model.date.year, model.date.month - 1, model.date.day));
  workbook.modified = workbook.created;
  const cols = columns(model);
  // Sheet names: at most 31 characters, none of : \ / ? * [ ].
  const sheetName = (model.draft ? `${model.labels.stateDraft} – ${model.labels.sheet}` : model.labels.sheet).replace(/[:\\/?*[\]]/g, ' ').slice(0, 31);
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 2, xSplit: 1 }] });
  sheet.columns = cols.map((c) => ({ width: c.width }));
  const title = sheet.addRow([`${model.draft ? `${model.watermark} – ` : ''}${model.documentTitle}`]);
  title.font = { bold: true, size: 13, color: model.draft ? { argb: 'FFB41E1E' } : { argb: 'FF083A50' } };
  title.commit();
  const header = sheet.addRow(cols.map((c) => c.header));
  header.font = { bold: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8E8E8' } };
  header.commit();
  sheet.autoFilter = { from: 'A2', to: `${columnLetter(cols.length)}2` };
  const wrap = { vertical: 'top', wrapText: true } as const;
  for (const r of allRows(model)) {
    const row = sheet.addRow(cols.map((c) => safe(c.value(r))));
    row.alignment = wrap;
    row.commit();
  }
  sheet.commit();

  const cover = workbook.addWorksheet(model.labels.coverSheet.slice(0, 31));
  cover.columns = [{ width: 40 }, { width: 80 }];
  const add = (values: Array<string | number>, bold = false) => {
    const row = cover.addRow(values);
    if (bold) row.font = { bold: true };
    row.alignment = wrap;
    row.commit();
  };
  add([model.title], true);
  add([model.subtitle]);
  if (model.draft) add([model.labels.draftNote], true);
  if (model.named) add([model.labels.namedNote], true);
  add([]);
  for (const l of model.coverLines) add([l.label, l.value]);
  add([]);
  add([model.labels.channels], true);
  for (const c of model.channels) add([c.label, c.count]);
  add([]);
  add([model.labels.submitters], true);
  for (const c of model.submitters) add([c.label, c.count]);
  if (model.phases.length) {
    add([]);
    add([model.labels.phases], true);
    for (const p of model.phases) add([`${p.title} (${p.dates})`, p.description]);
  }
  if (model.method.length) {
    add([]);
    add([model.labels.method], true);
    for (const m of model.method) add(['', m]);
  }
  cover.commit();
  await workbook.commit();
  await done;
  return Buffer.concat(chunks);
}

/** CSV (RFC 4180, UTF-8 with a byte order mark for Excel), written in chunks of rows. */
export function renderReportCsv(model: ReportModel): Buffer {
  const chunks: Buffer[] = [];
  for (const chunk of csvChunks(model)) chunks.push(Buffer.from(chunk, 'utf8'));
  return Buffer.concat(chunks);
}

/**
 * The CSV into a file, 500 rows at a time, giving the event loop back between them: the server
 * writes it itself (some 50 ms of work for 10,000 rows, less than handing the model to a render
 * process would take), so other requests are answered meanwhile.
 */
export async function writeReportCsv(model: ReportModel, file: string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    for (const chunk of csvChunks(model)) {
      await handle.write(chunk, null, 'utf8');
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    await handle.close();
  }
}

function* csvChunks(model: ReportModel): Generator<string> {
  const cols = columns(model);
  const state = model.draft ? model.labels.stateDraft : model.labels.stateFinal;
  yield `\uFEFF${csvRow([model.labels.state, ...cols.map((c) => c.header)])}`;
  let lines: string[] = [];
  for (const r of allRows(model)) {
    lines.push(csvRow([state, ...cols.map((c) => c.value(r))]));
    if (lines.length === 500) {
      yield lines.join('');
      lines = [];
    }
  }
  if (lines.length) yield lines.join('');
}
