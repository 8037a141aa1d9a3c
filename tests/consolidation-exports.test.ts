import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrationsFolder } from '../src/db/index.js';
import { auditEntries } from '../src/modules/audit/schema.js';
import { committeeReportPieces, committeeReports, contributionGroupMembers, contributionGroups, responses } from '../src/modules/consolidation/schema.js';
import { syncResponses } from '../src/modules/consolidation/service.js';
import { contributions, organisations } from '../src/modules/participation/schema.js';
import { consultations } from '../src/modules/plans/schema.js';
import { reportPool } from '../src/modules/consolidation/exports/pool.js';
import { READ_PIECES, reportFilePieces, sha512 } from '../src/modules/consolidation/exports/service.js';
import { PIECE_BYTES, ReportFileStore } from '../src/modules/consolidation/exports/store.js';
import { ReportWorker } from '../src/modules/consolidation/exports/worker.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { createTestDatabase, drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

function unzip(buffer: Buffer): Map<string, string> {
  const files = new Map<string, string>();
  const end = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    const method = buffer.readUInt16LE(at + 10);
    const compressed = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const skip = nameLength + buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(start, start + compressed);
    files.set(name, (method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8'));
    at += 46 + skip;
  }
  return files;
}

const decodeXml = (xml: string) => xml.replace(/<[^>]+>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** The text a reader of the file sees (and what a search in it finds). */
function textOf(format: string, bytes: Buffer): string {
  if (format === 'csv') return bytes.toString('utf8');
  if (format === 'pdf') {
    const file = path.join(os.tmpdir(), `export-${process.pid}-${Date.now()}.pdf`);
    fs.writeFileSync(file, bytes);
    try {
      return execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    } finally {
      fs.rmSync(file, { force: true });
    }
  }
  const files = unzip(bytes);
  const parts = [...files].filter(([name]) => (format === 'docx' ? /^word\/.*\.xml$|^docProps\// : /^xl\/.*\.xml$|^docProps\//).test(name)).map(([, xml]) => xml);
  return decodeXml(parts.join('\n'));
}

const texts = {
  de: 'Die Abendoberschule braucht mehr Plätze und eine Kinderbetreuung am Abend.',
  uk: 'Потрібно більше місць у вечірній школі та догляд за дітьми ввечері.',
  ar: 'نحتاج إلى مترجمين في مكاتب رعاية الشباب وإلى مواعيد أسرع.',
  ru: 'Нужны курсы для родителей в детском саду, пожалуйста.',
};

describe.each(drivers)('committee exports (%s)', (driver) => {
  let t: TestApp;
  let organiser: Client;
  let consultationId: number;
  const secrets: string[] = [];

  beforeAll(async () => {
    t = await createTestApp(driver);
    ({ consultationId } = await openDemoPhase(t.db));
    await createUser(t.db, 'orga-export@example.org', ['organiser'], 'Orga Export');
    await createUser(t.db, 'amt-export@example.org', ['department_editor'], 'Amt Export');
    const bernd = await createUser(t.db, 'bernd.konto@example.org', [], 'Bernd Kontoname');
    const rep = await createUser(t.db, 'vertreterin@example.org', [], 'Vera Vertreterin');
    const [org] = await t.db.insert(organisations).values({ name: 'Verein Brücke e. V.', kind: 'migrant_organisation', verifiedAt: new Date() }).returning();
    const base = { consultationId, kind: 'comment' as const, pageLocale: 'de', status: 'published' as const, publishedAt: new Date() };
    const at = (minutes: number) => new Date(Date.UTC(2026, 2, 1, 9, minutes));
    const rows = await t.db
      .insert(contributions)
      .values([
        { ...base, targetKind: 'measure', targetKey: 'm-jha-abendoberschule', body: texts.de, language: 'de', guestEmail: 'anna.geheim@example.org', submitterName: 'Anna Geheimname', receivedAt: at(1) },
        { ...base, targetKind: 'measure', targetKey: 'm-jha-abendoberschule', body: texts.uk, language: 'uk', authorId: bernd, receivedAt: at(2) },
        { ...base, targetKind: 'measure', targetKey: 'm-jha-uam-konzeption', body: texts.ar, language: 'ar', guestEmail: 'karim.verborgen@example.org', receivedAt: at(3) },
        { ...base, targetKind: 'measure', targetKey: 'm-kita-elternbefragungen', body: texts.ru, language: 'ru', channel: 'letter' as const, submitterName: 'Dora Briefschreiberin', submitterDetails: 'Geheimweg 5, 01067 Dresden', receiptNumber: 'AI-2026-0007', receivedAt: at(4) },
        { ...base, targetKind: 'measure', targetKey: 'm-jha-abendoberschule', body: 'Wir als Verein unterstützen mehr Abendkurse.', language: 'de', authorId: rep, organisationId: org!.id, publishName: false, receivedAt: at(5) },
        // The same guest again: the same "Privatperson" number.
        { ...base, targetKind: 'consultation', targetKey: null, body: 'Noch ein Gedanke zum ganzen Plan.', language: 'de', guestEmail: 'ANNA.geheim@example.org', receivedAt: at(6) },
        // Equal to the first: grouped under it.
        { ...base, targetKind: 'measure', targetKey: 'm-jha-abendoberschule', body: texts.de, language: 'de', guestEmail: 'zweite.person@example.org', submitterName: 'Zora Zweitname', receivedAt: at(7) },
      ])
      .returning();
    secrets.push('Anna Geheimname', 'anna.geheim@example.org', 'Bernd Kontoname', 'bernd.konto@example.org', 'karim.verborgen@example.org', 'Dora Briefschreiberin', 'Geheimweg', 'Vera Vertreterin', 'vertreterin@example.org', 'zweite.person@example.org', 'Zora Zweitname', 'Verein Brücke');
    await syncResponses(t.db, consultationId);
    const [lead, , , , , , twin] = rows;
    const [group] = await t.db.insert(contributionGroups).values({ consultationId, title: 'Abendschule', leadContributionId: lead!.id }).returning();
    await t.db.insert(contributionGroupMembers).values([
      { contributionId: lead!.id, groupId: group!.id },
      { contributionId: twin!.id, groupId: group!.id },
    ]);
    await t.db.update(responses).set({ superseded: true }).where(inArray(responses.contributionId, [lead!.id, twin!.id]));
    await t.db.insert(responses).values({ consultationId, contributionId: lead!.id, groupId: group!.id, targetKind: 'measure', targetKey: 'm-jha-abendoberschule' });
    // Everything answered except the Arabic one (still open).
    await t.db
      .update(responses)
      .set({ status: 'approved', verdict: 'accepted', answer: 'Die Stadt prüft zusätzliche Abendplätze.', approvedAt: new Date() })
      .where(and(eq(responses.consultationId, consultationId), eq(responses.superseded, false)));
    await t.db.update(responses).set({ status: 'open', verdict: null, answer: '' }).where(eq(responses.contributionId, rows[2]!.id));
    await t.db.update(responses).set({ translation: 'Wir brauchen Übersetzer in den Jugendämtern.' }).where(eq(responses.contributionId, rows[2]!.id));
    organiser = new Client(t.app);
    await organiser.signIn('orga-export@example.org');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  async function exportFile(form: Record<string, string>) {
    const res = await organiser.post(`/organiser/consultations/${demo.slug}/reports`, form);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    const id = Number(/\/organiser\/reports\/(\d+)$/.exec(res.headers.location as string)?.[1]);
    expect(await t.app.reportWorker.runOnce()).toBe(id);
    const [row] = await t.db.select().from(committeeReports).where(eq(committeeReports.id, id));
    expect(row?.status, row?.error ?? '').toBe('done');
    const file = await organiser.get(`/organiser/reports/${id}/file`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toContain(`filename="${row!.fileName}"`);
    expect(file.headers['cache-control']).toContain('no-store');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    const bytes = file.rawPayload;
    expect(createHash('sha512').update(bytes).digest('hex')).toBe(row!.sha512);
    expect(row!.size).toBe(bytes.length);
    return { id, row: row!, bytes, text: textOf(row!.format, bytes) };
  }

  /** A report's stored pieces in order, read from the table itself. */
  async function storedPieces(id: number): Promise<Buffer[]> {
    const rows = await t.db
      .select({ bytes: committeeReportPieces.bytes })
      .from(committeeReportPieces)
      .where(eq(committeeReportPieces.reportId, id))
      .orderBy(asc(committeeReportPieces.position));
    return rows.map((r) => Buffer.from(r.bytes));
  }

  /** A report row as a worker holds it while writing its file (no other job claims it). */
  async function claimedReport(): Promise<number> {
    const [row] = await t.db
      .insert(committeeReports)
      .values({ consultationId, scope: 'consultation', format: 'pdf', variant: 'anonymised', draft: true, status: 'running', attempts: 1, lockedUntil: new Date(Date.now() + 3_600_000) })
      .returning();
    return row!.id;
  }

  it.each(['docx', 'pdf', 'xlsx', 'csv'])('makes an anonymised %s draft through the job path, without any private name or address', async (format) => {
    const { row, text } = await exportFile({ scope: 'consultation', format, variant: 'anonymised', draft: 'yes' });
    expect(row.fileName).toMatch(new RegExp(`^abwaegungstabelle-${demo.slug}-entwurf\\.${format}$`));
    for (const secret of secrets) expect(text, `${format} must not contain ${secret}`).not.toContain(secret);
    expect(text).toContain('Privatperson 1');
    expect(text).toContain('Organisation (Migrantenorganisation)');
    expect(text).toMatch(/ENTWURF|Entwurf/);
    expect(text).toContain('und 1 gleichlautende oder ähnliche Beiträge');
    if (format !== 'pdf') {
      // pdftotext reorders right-to-left and breaks lines; the other formats hold the text as written.
      for (const body of Object.values(texts)) expect(text).toContain(body);
      expect(text).toContain('Wir brauchen Übersetzer in den Jugendämtern.');
    } else {
      expect(text).toContain('Потрібно більше місць');
      expect(text).toContain('Нужны курсы для родителей');
    }
  }, 60_000);

  it('numbers a private person once per consultation', async () => {
    const { text } = await exportFile({ scope: 'consultation', format: 'csv', variant: 'anonymised', draft: 'yes' });
    const anna = text.split('\r\n').filter((line) => line.includes(texts.de) || line.includes('Noch ein Gedanke'));
    expect(anna.length).toBe(2);
    for (const line of anna) expect(line).toContain('Privatperson 1,');
    expect(text.startsWith('\uFEFFStand,Nr.,Eingang,Kanal,Einreicher,Handlungsfeld,Ziel,Maßnahme,Stellungnahme,Sprache,Übersetzung,Abwägung,Votum,Änderung\r\n')).toBe(true);
    expect(text).toContain('\r\nEntwurf,');
  });

  it('a committee export holds its measures only; a field export its field', async () => {
    const jha = await exportFile({ scope: 'committee', committee: 'jugendhilfeausschuss', format: 'csv', variant: 'anonymised', draft: 'yes' });
    expect(jha.row.fileName).toBe(`abwaegungstabelle-${demo.slug}-jha-entwurf.csv`);
    expect(jha.text).toContain(texts.uk);
    expect(jha.text).toContain(texts.ar);
    expect(jha.text).not.toContain(texts.ru);
    expect(jha.text).not.toContain('Noch ein Gedanke');
    const bildung = await exportFile({ scope: 'committee', committee: 'ausschuss-fuer-bildung', format: 'xlsx', variant: 'anonymised', draft: 'yes' });
    expect(bildung.text).toContain(texts.ru);
    expect(bildung.text).not.toContain(texts.uk);
    const field = await exportFile({ scope: 'field', field: 'f-kita', format: 'csv', variant: 'anonymised', draft: 'yes' });
    expect(field.text).toContain(texts.ru);
    expect(field.text).not.toContain(texts.ar);
  });

  it('refuses a final export while units are not approved, and allows it once they are', async () => {
    const refused = await organiser.post(`/organiser/consultations/${demo.slug}/reports`, { scope: 'consultation', format: 'pdf', variant: 'anonymised' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Noch 1 Einheiten in diesem Umfang sind nicht freigegeben');
    expect(refused.body).toMatch(/value="pdf" id="format-pdf" checked/);
    // The Bildung committee's units are all approved: final.
    const final = await exportFile({ scope: 'committee', committee: 'ausschuss-fuer-bildung', format: 'docx', variant: 'anonymised' });
    expect(final.row.draft).toBe(false);
    expect(final.row.fileName).not.toContain('entwurf');
    expect(final.text).not.toContain('ENTWURF');
  });

  it('the named variant needs the confirmation, shows names and addresses, and is audited', async () => {
    const unconfirmed = await organiser.post(`/organiser/consultations/${demo.slug}/reports`, { scope: 'consultation', format: 'csv', variant: 'named', draft: 'yes' });
    expect(unconfirmed.statusCode).toBe(422);
    expect(unconfirmed.body).toContain('Bitte bestätigen Sie den Hinweis');
    for (const format of ['csv', 'docx']) {
      const { id, text, row } = await exportFile({ scope: 'consultation', format, variant: 'named', namedConfirm: 'yes', draft: 'yes' });
      expect(row.fileName).toContain('-intern-');
      for (const secret of ['Anna Geheimname', 'anna.geheim@example.org', 'Bernd Kontoname', 'bernd.konto@example.org', 'karim.verborgen@example.org', 'Dora Briefschreiberin', 'Geheimweg 5', 'Verein Brücke e. V.']) expect(text).toContain(secret);
      const audit = await t.db.select().from(auditEntries).where(and(eq(auditEntries.subjectType, 'committee_report'), eq(auditEntries.subjectId, String(id))));
      expect(audit.map((a) => a.action).sort()).toEqual(['consolidation.report.named', 'consolidation.report.request']);
    }
  }, 60_000);

  it('lists the exports, shows progress and describes them as an OParl Paper', async () => {
    const list = await organiser.get(`/organiser/consultations/${demo.slug}/reports`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Gespeicherte Exporte');
    expect(list.body).toMatch(/<code class="exports-sha" title="[0-9a-f]{128}">[0-9a-f]{12}…<\/code>/);
    const queued = await organiser.post(`/organiser/consultations/${demo.slug}/reports`, { scope: 'consultation', format: 'csv', variant: 'anonymised', draft: 'yes' });
    const page = await organiser.get(queued.headers.location as string);
    expect(page.body).toContain('hx-trigger="every 1s"');
    expect(page.body).toContain('wartet');
    await t.app.reportWorker.runOnce();
    const fragment = await organiser.get(queued.headers.location as string, { 'hx-request': 'true' });
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).not.toContain('hx-trigger');
    expect(fragment.body).toContain('Der Export ist fertig.');
    const oparl = await organiser.get(`/organiser/consultations/${demo.slug}/reports/oparl.json`);
    expect(oparl.statusCode).toBe(200);
    const paper = JSON.parse(oparl.body);
    const [c] = await t.db.select().from(consultations).where(eq(consultations.id, consultationId));
    expect(paper.type).toBe('https://schema.oparl.org/1.1/Paper');
    expect(paper.reference).toBe(c!.paperReference);
    expect(paper.id).toBe(`http://localhost:3000/organiser/consultations/${demo.slug}/reports/oparl.json`);
    const done = await t.db.select().from(committeeReports).where(and(eq(committeeReports.consultationId, consultationId), eq(committeeReports.status, 'done')));
    expect(paper.auxiliaryFile.length).toBe(done.length);
    for (const f of paper.auxiliaryFile) {
      expect(f.type).toBe('https://schema.oparl.org/1.1/File');
      expect(f.accessUrl).toMatch(/^http:\/\/localhost:3000\/organiser\/reports\/\d+\/file$/);
      expect(f.sha512Checksum).toMatch(/^[0-9a-f]{128}$/);
      expect(typeof f.size).toBe('number');
      expect(f.fileName).toMatch(/^abwaegungstabelle-.*\.(docx|pdf|xlsx|csv)$/);
      expect(['application/pdf', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document']).toContain(f.mimeType);
      expect(f.created).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
  });

  it('retries a failing job and gives up after three attempts; a stale claim is taken over', async () => {
    const [row] = await t.db
      .insert(committeeReports)
      .values({ consultationId, scope: 'field', fieldKey: 'f-does-not-exist', format: 'csv', variant: 'anonymised', draft: true })
      .returning();
    for (let i = 0; i < 3; i++) await t.app.reportWorker.runOnce();
    const [failed] = await t.db.select().from(committeeReports).where(eq(committeeReports.id, row!.id));
    expect(failed?.status).toBe('failed');
    expect(failed?.attempts).toBe(3);
    expect(failed?.error).toBeTruthy();
    const [stale] = await t.db
      .insert(committeeReports)
      .values({ consultationId, scope: 'consultation', format: 'csv', variant: 'anonymised', draft: true, status: 'running', attempts: 1, lockedUntil: new Date(Date.now() - 1000) })
      .returning();
    expect(await t.app.reportWorker.runOnce()).toBe(stale!.id);
    const [taken] = await t.db.select().from(committeeReports).where(eq(committeeReports.id, stale!.id));
    expect(taken?.status).toBe('done');
  });

  it('stores a file in pieces and reads it back whole', async () => {
    const { catalogue } = await import('../src/app.js');
    const pool = reportPool();
    const worker = new ReportWorker(t.db, pool, (locale) => catalogue.translator(locale), { writeChunkBytes: 1000 });
    try {
      const [row] = await t.db.insert(committeeReports).values({ consultationId, scope: 'consultation', format: 'xlsx', variant: 'anonymised', draft: true }).returning();
      expect(await worker.runOnce()).toBe(row!.id);
      const [done] = await t.db.select().from(committeeReports).where(eq(committeeReports.id, row!.id));
      expect(done?.status).toBe('done');
      expect(done!.size).toBeGreaterThan(3000);
      const stored = await storedPieces(row!.id);
      // In pieces of the worker's size, the last one partial.
      expect(stored.length).toBeGreaterThan(3);
      for (const piece of stored.slice(0, -1)) expect(piece.length).toBe(1000);
      const bytes = Buffer.concat(stored);
      expect(bytes.length).toBe(done!.size);
      expect(createHash('sha512').update(bytes).digest('hex')).toBe(done!.sha512);
      expect(textOf('xlsx', bytes)).toContain(texts.uk);
      // The download reads it back piece by piece too (two per query here).
      const pieces: Buffer[] = [];
      for await (const piece of reportFilePieces(t.db, row!.id, done!.size as number, 2)) pieces.push(piece);
      expect(pieces.length).toBe(Math.ceil(bytes.length / 1000));
      expect(Buffer.concat(pieces).equals(bytes)).toBe(true);
      const download = await organiser.get(`/organiser/reports/${row!.id}/file`);
      expect(download.statusCode).toBe(200);
      expect(Number(download.headers['content-length'])).toBe(bytes.length);
      expect(download.rawPayload.equals(bytes)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('builds a long PDF in parts in two render processes, every page numbered "Seite n von N"', { timeout: 60_000 }, async () => {
    const { catalogue } = await import('../src/app.js');
    const pool = reportPool();
    const worker = new ReportWorker(t.db, pool, (locale) => catalogue.translator(locale), { partRows: 1 });
    try {
      const [row] = await t.db.insert(committeeReports).values({ consultationId, scope: 'consultation', format: 'pdf', variant: 'anonymised', draft: true }).returning();
      expect(await worker.runOnce()).toBe(row!.id);
      const [done] = await t.db.select().from(committeeReports).where(eq(committeeReports.id, row!.id));
      expect(done?.status).toBe('done');
      expect(done?.error).toBeNull();
      // Both lanes rendered parts.
      expect(pool.lanes[0].started).toBeGreaterThan(0);
      expect(pool.lanes[1].started).toBeGreaterThan(0);
      const bytes = Buffer.concat(await storedPieces(row!.id));
      const file = path.join(os.tmpdir(), `lanes-${process.pid}.pdf`);
      fs.writeFileSync(file, bytes);
      try {
        const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('/usr/bin/pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
        expect(pages).toBeGreaterThan(2);
        const text = textOf('pdf', bytes);
        for (let n = 1; n <= pages; n++) expect(text).toContain(`Seite ${n} von ${pages}`);
        const flat = text.replace(/\s+/g, ' ');
        for (const s of [texts.uk, texts.ru]) expect(flat).toContain(s);
        expect(text).toContain('ENTWURF');
        for (const s of secrets) expect(text).not.toContain(s);
      } finally {
        fs.rmSync(file, { force: true });
      }
    } finally {
      await pool.close();
    }
  });

  it.each(['docx', 'pdf'])('downloads a stored %s byte for byte as it was rendered', async (format) => {
    // What the worker hands to the store, copied on the way (the rendered file is removed after).
    const handed: Buffer[] = [];
    const { append, appendFile } = ReportFileStore.prototype;
    const spies = [
      vi.spyOn(ReportFileStore.prototype, 'append').mockImplementation(function (this: ReportFileStore, bytes) {
        handed.push(Buffer.from(bytes));
        return append.call(this, bytes);
      }),
      vi.spyOn(ReportFileStore.prototype, 'appendFile').mockImplementation(function (this: ReportFileStore, file, from = 0, to) {
        const whole = fs.readFileSync(file);
        handed.push(whole.subarray(from, to ?? whole.length));
        return appendFile.call(this, file, from, to);
      }),
    ];
    try {
      const { id, row, bytes } = await exportFile({ scope: 'consultation', format, variant: 'anonymised', draft: 'yes' });
      const rendered = Buffer.concat(handed);
      expect(rendered.length).toBeGreaterThan(1000);
      expect(bytes.equals(rendered)).toBe(true);
      expect(sha512(rendered)).toBe(row.sha512);
      expect(Buffer.concat(await storedPieces(id)).equals(rendered)).toBe(true);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }, 60_000);

  it('stores a file of several pieces and a partial one, appended in any sizes, and reads it back in order', async () => {
    const bytes = randomBytes(2 * PIECE_BYTES + 12_345);
    const file = path.join(os.tmpdir(), `pieces-${process.pid}-${driver}.bin`);
    fs.writeFileSync(file, bytes);
    try {
      const id = await claimedReport();
      const store = new ReportFileStore(t.db, id);
      await store.append(bytes.subarray(0, 1));
      // Across the end of the first piece.
      await store.append(bytes.subarray(1, PIECE_BYTES + 7));
      await store.append(new Uint8Array(0));
      // A range of a file across the end of the second piece (as of a PDF still being written),
      // then the file to its end.
      await store.appendFile(file, PIECE_BYTES + 7, 2 * PIECE_BYTES + 100);
      await store.appendFile(file, 2 * PIECE_BYTES + 100);
      const finished = await store.finish();
      expect(finished).toEqual({ size: bytes.length, sha512: sha512(bytes) });
      await expect(store.append(bytes.subarray(0, 1))).rejects.toThrow(/finished/);
      const stored = await storedPieces(id);
      expect(stored.map((p) => p.length)).toEqual([PIECE_BYTES, PIECE_BYTES, 12_345]);
      expect(Buffer.concat(stored).equals(bytes)).toBe(true);
      for (const perQuery of [1, 2, READ_PIECES]) {
        const pieces: Buffer[] = [];
        for await (const piece of reportFilePieces(t.db, id, bytes.length, perQuery)) pieces.push(piece);
        expect(pieces.length).toBe(3);
        expect(Buffer.concat(pieces).equals(bytes)).toBe(true);
      }
      // Downloaded once the row says it is done, as the worker leaves it.
      await t.db
        .update(committeeReports)
        .set({ status: 'done', ...finished, fileName: `abwaegungstabelle-${demo.slug}-stueckweise-entwurf.pdf`, mediaType: 'application/pdf' })
        .where(eq(committeeReports.id, id));
      const download = await organiser.get(`/organiser/reports/${id}/file`);
      expect(download.statusCode).toBe(200);
      expect(Number(download.headers['content-length'])).toBe(bytes.length);
      expect(download.rawPayload.equals(bytes)).toBe(true);
      // A lost piece is an error, not a shorter file.
      await t.db.delete(committeeReportPieces).where(and(eq(committeeReportPieces.reportId, id), eq(committeeReportPieces.position, 1)));
      await expect(async () => {
        for await (const _ of reportFilePieces(t.db, id, bytes.length)) {
          // read on
        }
      }).rejects.toThrow(/lacks piece 1/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('an aborted file leaves no pieces', async () => {
    const id = await claimedReport();
    const store = new ReportFileStore(t.db, id, 1000);
    await store.append(randomBytes(3500));
    expect((await storedPieces(id)).map((p) => p.length)).toEqual([1000, 1000, 1000]);
    await store.abort();
    expect(await storedPieces(id)).toEqual([]);
    await expect(store.append(randomBytes(10))).rejects.toThrow(/aborted/);
  });

  it('a file started again holds only what came after the restart, with its checksum', async () => {
    const id = await claimedReport();
    const store = new ReportFileStore(t.db, id, 1000);
    await store.append(randomBytes(2500));
    expect((await storedPieces(id)).length).toBe(2);
    await store.restart();
    expect(await storedPieces(id)).toEqual([]);
    const file = randomBytes(1500);
    await store.append(file);
    const { size, sha512: checksum } = await store.finish();
    expect(size).toBe(1500);
    expect(checksum).toBe(sha512(file));
    expect(Buffer.concat(await storedPieces(id)).equals(file)).toBe(true);
    await expect(store.restart()).rejects.toThrow(/finished or aborted/);
  });

  it('a retried job leaves no pieces of an attempt that failed or died', async () => {
    const { catalogue } = await import('../src/app.js');
    const pool = reportPool();
    const worker = new ReportWorker(t.db, pool, (locale) => catalogue.translator(locale), { writeChunkBytes: 1000 });
    // The first attempt has written its pieces when it fails.
    const finish = vi.spyOn(ReportFileStore.prototype, 'finish').mockRejectedValueOnce(new Error('connection lost'));
    try {
      const [row] = await t.db.insert(committeeReports).values({ consultationId, scope: 'consultation', format: 'xlsx', variant: 'anonymised', draft: true }).returning();
      const id = row!.id;
      expect(await worker.runOnce()).toBe(id);
      expect(finish).toHaveBeenCalledTimes(1);
      const [retry] = await t.db.select().from(committeeReports).where(eq(committeeReports.id, id));
      expect(retry).toMatchObject({ status: 'queued', attempts: 1, size: null, sha512: null, error: 'connection lost' });
      expect(await storedPieces(id)).toEqual([]);
      // An attempt whose instance died left pieces behind, more than the file has.
      await t.db.insert(committeeReportPieces).values(Array.from({ length: 50 }, (_, position) => ({ reportId: id, position, bytes: Buffer.from('stale') })));
      await t.db
        .update(committeeReports)
        .set({ status: 'running', attempts: 2, lockedUntil: new Date(Date.now() - 1000) })
        .where(eq(committeeReports.id, id));
      expect(await worker.runOnce()).toBe(id);
      const [done] = await t.db.select().from(committeeReports).where(eq(committeeReports.id, id));
      expect(done?.status).toBe('done');
      expect(done?.attempts).toBe(3);
      const stored = await storedPieces(id);
      expect(stored.length).toBe(Math.ceil((done!.size as number) / 1000));
      expect(stored.length).toBeLessThan(50);
      const bytes = Buffer.concat(stored);
      expect(bytes.length).toBe(done!.size);
      expect(sha512(bytes)).toBe(done!.sha512);
      expect(textOf('xlsx', bytes)).toContain(texts.uk);
    } finally {
      finish.mockRestore();
      await pool.close();
    }
  });

  it('deleting a report deletes its pieces', async () => {
    const id = await claimedReport();
    const store = new ReportFileStore(t.db, id, 1000);
    await store.append(randomBytes(2500));
    await store.finish();
    expect((await storedPieces(id)).length).toBe(3);
    await t.db.delete(committeeReports).where(eq(committeeReports.id, id));
    expect(await storedPieces(id)).toEqual([]);
  });

  it('404 for unknown ids, 403 for a department editor', async () => {
    for (const url of ['/organiser/reports/999999', '/organiser/reports/999999/file', '/organiser/reports/abc', `/organiser/consultations/unbekannt/reports`]) {
      expect((await organiser.get(url)).statusCode, url).toBe(404);
    }
    const editor = new Client(t.app);
    await editor.signIn('amt-export@example.org');
    const [any] = await t.db.select({ id: committeeReports.id }).from(committeeReports).limit(1);
    for (const url of [`/organiser/consultations/${demo.slug}/reports`, `/organiser/reports/${any!.id}`, `/organiser/reports/${any!.id}/file`, `/organiser/consultations/${demo.slug}/reports/oparl.json`]) {
      expect((await editor.get(url)).statusCode, url).toBe(403);
    }
    expect((await editor.post(`/organiser/consultations/${demo.slug}/reports`, { scope: 'consultation', format: 'csv' })).statusCode).toBe(403);
  });
});

describe.each(drivers)('committee report files stored before the pieces (%s)', (driver) => {
  it('are moved into pieces by the migration; new pieces are stored uncompressed', async () => {
    const test = await createTestDatabase(driver, { empty: true });
    const { db } = test.database;
    const migrate = (folder: string) => (driver === 'pglite' ? migratePglite(db as never, { migrationsFolder: folder }) : migratePostgres(db, { migrationsFolder: folder }));
    // The migrations before the pieces, as a deployment has them.
    const earlier = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    try {
      fs.cpSync(migrationsFolder, earlier, { recursive: true });
      const journalFile = path.join(earlier, 'meta', '_journal.json');
      const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
      journal.entries = journal.entries.filter((e) => e.tag < '0006_report_pieces');
      fs.writeFileSync(journalFile, JSON.stringify(journal));
      await migrate(earlier);
      const [consultation] = await db.insert(consultations).values({ slug: 'vorher', title: 'Vorher' }).returning({ id: consultations.id });
      // The migration's own piece size, not the one new files are stored in.
      const MIGRATED = 256 * 1024;
      const file = randomBytes(2 * MIGRATED + 5);
      for (const data of [file, Buffer.alloc(0), null]) {
        await db.execute(sql`insert into committee_report (consultation_id, scope, format, status, size, data) values (${consultation!.id}, 'consultation', 'pdf', 'done', ${data?.length ?? null}, ${data})`);
      }
      const ids = (await db.select({ id: committeeReports.id }).from(committeeReports).orderBy(asc(committeeReports.id))).map((r) => r.id);

      await migrate(migrationsFolder);
      const pieces = async (id: number) =>
        (await db.select({ bytes: committeeReportPieces.bytes }).from(committeeReportPieces).where(eq(committeeReportPieces.reportId, id)).orderBy(asc(committeeReportPieces.position))).map((r) => Buffer.from(r.bytes));
      const moved = await pieces(ids[0]!);
      expect(moved.map((p) => p.length)).toEqual([MIGRATED, MIGRATED, 5]);
      expect(Buffer.concat(moved).equals(file)).toBe(true);
      const read: Buffer[] = [];
      for await (const piece of reportFilePieces(db, ids[0]!, file.length)) read.push(piece);
      expect(Buffer.concat(read).equals(file)).toBe(true);
      expect(await pieces(ids[1]!)).toEqual([]);
      expect(await pieces(ids[2]!)).toEqual([]);

      // STORAGE EXTERNAL: even a piece pglz would shrink to almost nothing keeps its size.
      const store = new ReportFileStore(db, ids[2]!);
      await store.append(Buffer.alloc(PIECE_BYTES));
      await store.finish();
      const [stored] = await db
        .select({ bytes: sql<number>`pg_column_size(${committeeReportPieces.bytes})`.mapWith(Number) })
        .from(committeeReportPieces)
        .where(eq(committeeReportPieces.reportId, ids[2]!));
      expect(stored!.bytes).toBeGreaterThanOrEqual(PIECE_BYTES);
    } finally {
      fs.rmSync(earlier, { recursive: true, force: true });
      await test.drop();
    }
  });
});
