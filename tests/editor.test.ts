import fs from 'node:fs';
import path from 'node:path';
import { and, asc, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../src/app.js';
import { users } from '../src/modules/accounts/schema.js';
import { auditEntries } from '../src/modules/audit/schema.js';
import { loadDemo } from '../src/modules/demo/load.js';
import { committees, departments } from '../src/modules/departments/schema.js';
import { readPlanDocument } from '../src/modules/plans/document.js';
import { fromBerlin, toBerlinInputs } from '../src/modules/plans/editor/time.js';
import { consultations, fields, goals, measureDepartments, measures, phases, planVersions, principles } from '../src/modules/plans/schema.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

const root = path.resolve(import.meta.dirname, '..');
const de = catalogue.translator('de');
const en = catalogue.translator('en');
/** The page text with tags removed and entities decoded, whitespace collapsed. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
const said = (html: string, message: string) => text(html).includes(message.replace(/\s+/g, ' '));

describe('Europe/Berlin date and time', () => {
  it('converts wall-clock times to instants across daylight saving time', () => {
    const at = (d: string, t: string) => {
      const r = fromBerlin(d, t);
      return r.ok ? r.date.toISOString() : r.reason;
    };
    expect(at('2026-01-15', '10:00')).toBe('2026-01-15T09:00:00.000Z');
    expect(at('2026-07-15', '10:00')).toBe('2026-07-15T08:00:00.000Z');
    expect(at('2026-03-29', '01:59')).toBe('2026-03-29T00:59:00.000Z');
    expect(at('2026-03-29', '02:30')).toBe('gap');
    expect(at('2026-03-29', '03:00')).toBe('2026-03-29T01:00:00.000Z');
    // The hour that happens twice in October is read as the later one (standard time).
    expect(at('2026-10-25', '02:30')).toBe('2026-10-25T01:30:00.000Z');
    expect(at('2026-02-30', '10:00')).toBe('invalid');
    expect(at('2026-13-01', '10:00')).toBe('invalid');
    expect(at('2026-01-01', '24:00')).toBe('invalid');
    expect(at('1.1.2026', '10:00')).toBe('invalid');
    expect(toBerlinInputs(new Date('2026-07-15T08:00:00Z'))).toEqual({ date: '2026-07-15', time: '10:00' });
    expect(toBerlinInputs(new Date('2026-12-31T23:30:00Z'))).toEqual({ date: '2027-01-01', time: '00:30' });
  });
});

describe('editor and department messages', () => {
  it('exist for every literal key the editor and department code uses', () => {
    const files = [
      ...fs.readdirSync(path.join(root, 'src/modules/plans/editor')).map((f) => path.join(root, 'src/modules/plans/editor', f)),
      ...fs.readdirSync(path.join(root, 'src/modules/departments')).map((f) => path.join(root, 'src/modules/departments', f)),
      ...fs.readdirSync(path.join(root, 'views/editor')).map((f) => path.join(root, 'views/editor', f)),
      ...fs.readdirSync(path.join(root, 'views/departments')).map((f) => path.join(root, 'views/departments', f)),
    ];
    const missing: string[] = [];
    for (const file of files) {
      for (const match of fs.readFileSync(file, 'utf8').matchAll(/'((?:editor|departments|plans)\.[\w.]+)'/g)) {
        const key = match[1] as string;
        if (key.endsWith('.')) continue;
        if (!catalogue.has('de', key) || !catalogue.has('en', key)) missing.push(`${path.relative(root, file)}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe.each(drivers)('organiser pages [%s]', (driver) => {
  let t: TestApp;
  let organiser: Client;
  let organiserId: string;
  let consultationId: number;
  let v1: number;
  let v2: number;

  const versionByLabel = async (label: string) => {
    const [v] = await t.db.select().from(planVersions).where(eq(planVersions.label, label));
    if (!v) throw new Error(`no version ${label}`);
    return v;
  };
  const auditOf = (subjectType: string, subjectId: number) =>
    t.db.select().from(auditEntries).where(and(eq(auditEntries.subjectType, subjectType), eq(auditEntries.subjectId, String(subjectId)))).orderBy(asc(auditEntries.id));
  const deptId = async (slug: string) => (await t.db.select().from(departments).where(eq(departments.slug, slug)))[0]!.id;
  const committeeId = async (slug: string) => (await t.db.select().from(committees).where(eq(committees.slug, slug)))[0]!.id;

  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db);
    organiserId = await createUser(t.db, 'orga@example.org', ['organiser'], 'Beteiligungsbüro Test');
    organiser = new Client(t.app);
    await organiser.signIn('orga@example.org');
    const [c] = await t.db.select().from(consultations);
    consultationId = c!.id;
    v1 = (await versionByLabel('Entwurf 1')).id;
    v2 = (await versionByLabel('Entwurf 2')).id;
  });
  afterAll(() => t?.close());

  describe('consultations', () => {
    it('lists every consultation, drafts included, and links there from the navigation', async () => {
      const res = await organiser.get('/organiser/consultations');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('href="/organiser/consultations"');
      expect(res.body).toContain('Aktionsplan Integration 2022 bis 2026');
      expect(res.body).toContain(`href="/organiser/consultations/${consultationId}"`);
      // Organisers are not admins: no department administration offered.
      expect(res.body).not.toContain('href="/admin/departments"');
    });

    it('creates a draft consultation that is not public, and records it', async () => {
      await organiser.get('/organiser/consultations/new');
      const res = await organiser.post('/organiser/consultations/new', {
        title: 'Leitlinien Bürgerbeteiligung',
        slug: 'leitlinien-beteiligung',
        summary: 'Zeile eins\nZeile zwei',
        paperReference: 'v0123/24',
        relatedPapers: 'A0391/17\nV1332/21, A0391/17',
        contact: 'beteiligung@example.org',
        status: 'draft',
      });
      expect(res.statusCode).toBe(303);
      const [row] = await t.db.select().from(consultations).where(eq(consultations.slug, 'leitlinien-beteiligung'));
      expect(row).toMatchObject({ title: 'Leitlinien Bürgerbeteiligung', paperReference: 'V0123/24', relatedPapers: ['A0391/17', 'V1332/21'], status: 'draft' });
      expect(res.headers.location).toBe(`/organiser/consultations/${row!.id}`);
      const page = await organiser.get(res.headers.location as string);
      expect(said(page.body, de('editor.flash.consultationCreated'))).toBe(true);
      expect((await organiser.get('/organiser/consultations')).body).toContain('Leitlinien Bürgerbeteiligung');
      expect((await new Client(t.app).get('/')).body).not.toContain('Leitlinien Bürgerbeteiligung');
      expect((await new Client(t.app).get('/consultations/leitlinien-beteiligung')).statusCode).toBe(404);
      const audit = await auditOf('consultation', row!.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'consultation.created', actorId: organiserId, before: null });
      expect(audit[0]!.after).toMatchObject({ slug: 'leitlinien-beteiligung', relatedPapers: ['A0391/17', 'V1332/21'] });
    });

    it('refuses invalid input with a message per field and keeps what was typed', async () => {
      const cases: Array<[Record<string, string>, string, string]> = [
        [{ slug: '' }, 'slug', de('editor.consultation.errors.slugRequired')],
        [{ slug: 'Mit Leerzeichen' }, 'slug', de('editor.consultation.errors.slugFormat')],
        [{ slug: 'doppel--strich' }, 'slug', de('editor.consultation.errors.slugFormat')],
        [{ slug: 'aktionsplan-integration-2022-2026' }, 'slug', de('editor.consultation.errors.slugTaken', { slug: 'aktionsplan-integration-2022-2026' })],
        [{ title: '   ' }, 'title', de('editor.consultation.errors.titleRequired')],
        [{ title: 'x'.repeat(201) }, 'title', de('editor.errors.tooLong', { max: 200 })],
        [{ paperReference: 'Vorlage 12' }, 'paperReference', de('editor.errors.paperInvalid', { papers: 'Vorlage 12' })],
        [{ relatedPapers: 'V1332/21, X12/3, A0391/171' }, 'relatedPapers', de('editor.errors.paperInvalid', { papers: 'X12/3, A0391/171' })],
        [{ status: 'secret' }, 'status', de('editor.errors.choose')],
      ];
      const valid = { title: 'Neues Verfahren', slug: 'neues-verfahren', summary: '', paperReference: '', relatedPapers: '', contact: '', status: 'draft' };
      for (const [change, name, message] of cases) {
        const res = await organiser.post('/organiser/consultations/new', { ...valid, ...change, summary: 'Bitte behalten <b>' });
        expect(res.statusCode, JSON.stringify(change)).toBe(422);
        expect(said(res.body, message), message).toBe(true);
        expect(res.body).toContain(`href="#field-${name}"`);
        expect(res.body).toContain('aria-invalid="true"');
        expect(res.body).toContain('Bitte behalten &lt;b&gt;</textarea>');
        for (const value of Object.values(change)) if (value.trim() && name !== 'status') expect(res.body).toContain(value);
      }
      expect(await t.db.select().from(consultations).where(eq(consultations.slug, 'neues-verfahren'))).toEqual([]);
    });

    it('says it in English too', async () => {
      await createUser(t.db, 'organiser-en@example.org', ['organiser']);
      const client = new Client(t.app, { 'accept-language': 'en' });
      await client.signIn('organiser-en@example.org');
      await client.post('/language', { lang: 'en', next: '/' });
      const res = await client.post('/organiser/consultations/new', { title: '', slug: 'aktionsplan-integration-2022-2026', status: 'draft' });
      expect(res.statusCode).toBe(422);
      expect(said(res.body, en('editor.consultation.errors.titleRequired'))).toBe(true);
      expect(said(res.body, en('editor.consultation.errors.slugTaken', { slug: 'aktionsplan-integration-2022-2026' }))).toBe(true);
    });

    it('edits a consultation and records before and after', async () => {
      const [row] = await t.db.select().from(consultations).where(eq(consultations.slug, 'leitlinien-beteiligung'));
      const form = await organiser.get(`/organiser/consultations/${row!.id}/edit`);
      expect(form.body).toContain('value="leitlinien-beteiligung"');
      expect(form.body).toContain('A0391/17, V1332/21</textarea>');
      const res = await organiser.post(`/organiser/consultations/${row!.id}/edit`, {
        title: 'Leitlinien für Bürgerbeteiligung',
        slug: 'leitlinien-beteiligung',
        summary: 'Zeile eins\nZeile zwei',
        paperReference: 'V0123/24',
        relatedPapers: 'A0391/17',
        contact: 'beteiligung@example.org',
        status: 'published',
      });
      expect(res.statusCode).toBe(303);
      const audit = await auditOf('consultation', row!.id);
      expect(audit.at(-1)).toMatchObject({ action: 'consultation.updated' });
      expect(audit.at(-1)!.before).toMatchObject({ title: 'Leitlinien Bürgerbeteiligung', status: 'draft', relatedPapers: ['A0391/17', 'V1332/21'] });
      expect(audit.at(-1)!.after).toMatchObject({ title: 'Leitlinien für Bürgerbeteiligung', status: 'published', relatedPapers: ['A0391/17'] });
      expect((await new Client(t.app).get('/consultations/leitlinien-beteiligung')).statusCode).not.toBe(404);
      // Taking another consultation's address is refused on edit too.
      const taken = await organiser.post(`/organiser/consultations/${row!.id}/edit`, { title: 'x', slug: 'aktionsplan-integration-2022-2026', status: 'draft' });
      expect(taken.statusCode).toBe(422);
      const history = await organiser.get(`/organiser/audit/consultation/${row!.id}`);
      expect(history.statusCode).toBe(200);
      const h = text(history.body);
      expect(h).toContain('Beteiligungsbüro Test');
      expect(h).toContain('Geändert');
      expect(h).toContain('Leitlinien Bürgerbeteiligung');
      expect(h).toContain('Leitlinien für Bürgerbeteiligung');
      expect(h).toContain('Entwurf');
      expect(h).toContain('veröffentlicht');
    });

    it('answers unknown consultations with 404', async () => {
      expect((await organiser.get('/organiser/consultations/999999')).statusCode).toBe(404);
      expect((await organiser.get('/organiser/consultations/abc')).statusCode).toBe(404);
      expect((await organiser.post('/organiser/consultations/999999/edit', { title: 'x', slug: 'x', status: 'draft' })).statusCode).toBe(404);
    });
  });

  describe('phases', () => {
    let cId: number;
    const phase = (over: Record<string, string | string[]> = {}) => ({
      kind: 'proposals',
      title: 'Vorschläge sammeln',
      description: '',
      opensDate: '2026-03-01',
      opensTime: '09:00',
      closesDate: '2026-04-30',
      closesTime: '18:00',
      channels: ['comment', 'statement'],
      moderationMode: 'pre',
      ...over,
    });

    beforeAll(async () => {
      const [row] = await t.db.select().from(consultations).where(eq(consultations.slug, 'leitlinien-beteiligung'));
      cId = row!.id;
    });

    it('creates a phase from Berlin date and time, across the change to summer time', async () => {
      const form = await organiser.get(`/organiser/consultations/${cId}/phases/new`);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('type="date"');
      expect(form.body).toContain('type="time"');
      const res = await organiser.post(`/organiser/consultations/${cId}/phases/new`, phase());
      expect(res.statusCode).toBe(303);
      const [row] = await t.db.select().from(phases).where(eq(phases.consultationId, cId));
      // 09:00 in winter (UTC+1) and 18:00 in summer (UTC+2).
      expect(row!.opensAt.toISOString()).toBe('2026-03-01T08:00:00.000Z');
      expect(row!.closesAt.toISOString()).toBe('2026-04-30T16:00:00.000Z');
      expect(row).toMatchObject({ kind: 'proposals', channels: ['comment', 'statement'], moderationMode: 'pre' });
      const page = await organiser.get(`/organiser/consultations/${cId}`);
      expect(text(page.body)).toContain('1. März 2026 um 09:00 bis 30. April 2026 um 18:00');
      const edit = await organiser.get(`/organiser/phases/${row!.id}/edit`);
      expect(edit.body).toContain('value="2026-03-01"');
      expect(edit.body).toContain('value="09:00"');
      expect(edit.body).toContain('value="18:00"');
      expect(edit.body).toMatch(/value="comment" checked/);
      expect(edit.body).not.toMatch(/value="event" checked/);
    });

    it('refuses a phase that ends before it starts, keeping the typed values', async () => {
      const res = await organiser.post(`/organiser/consultations/${cId}/phases/new`, phase({ title: 'Rückwärts', opensDate: '2026-06-10', closesDate: '2026-06-01' }));
      expect(res.statusCode).toBe(422);
      expect(said(res.body, de('editor.phases.errors.closesBeforeOpens'))).toBe(true);
      expect(res.body).toContain('href="#field-closesDate"');
      expect(res.body).toContain('value="Rückwärts"');
      expect(res.body).toContain('value="2026-06-10"');
      expect(res.body).toContain('value="2026-06-01"');
      // Equal start and end is refused too.
      const same = await organiser.post(`/organiser/consultations/${cId}/phases/new`, phase({ opensDate: '2026-06-10', closesDate: '2026-06-10', opensTime: '10:00', closesTime: '10:00' }));
      expect(same.statusCode).toBe(422);
    });

    it('refuses a phase that overlaps another one and names it', async () => {
      const res = await organiser.post(`/organiser/consultations/${cId}/phases/new`, phase({ kind: 'draft_review', title: 'Entwurf', opensDate: '2026-04-30', opensTime: '17:00', closesDate: '2026-05-31' }));
      expect(res.statusCode).toBe(422);
      const message = de('editor.phases.errors.overlap', { title: 'Vorschläge sammeln', from: '1. März 2026 um 09:00', to: '30. April 2026 um 18:00' });
      expect(said(res.body, message), text(res.body)).toBe(true);
      expect(res.body).toContain('href="#field-opensDate"');
      // Starting when the other ends is fine.
      const ok = await organiser.post(`/organiser/consultations/${cId}/phases/new`, phase({ kind: 'draft_review', title: 'Entwurf', opensDate: '2026-04-30', opensTime: '18:00', closesDate: '2026-05-31', closesTime: '' }));
      expect(ok.statusCode).toBe(303);
      const rows = await t.db.select().from(phases).where(eq(phases.consultationId, cId)).orderBy(asc(phases.position));
      expect(rows.map((p) => p.title)).toEqual(['Vorschläge sammeln', 'Entwurf']);
      // An empty time means the end of the day.
      expect(toBerlinInputs(rows[1]!.closesAt)).toEqual({ date: '2026-05-31', time: '23:59' });
    });

    it('names each other problem of a phase', async () => {
      const cases: Array<[Record<string, string | string[]>, string, string]> = [
        [{ title: '' }, 'title', de('editor.phases.errors.titleRequired')],
        [{ kind: 'party' }, 'kind', de('editor.errors.choose')],
        [{ opensDate: '' }, 'opensDate', de('editor.phases.errors.dateRequired')],
        [{ closesDate: '31.12.2026' }, 'closesDate', de('editor.phases.errors.dateInvalid')],
        [{ opensTime: '25:00' }, 'opensTime', de('editor.phases.errors.timeInvalid')],
        [{ opensDate: '2027-03-28', opensTime: '02:15', closesDate: '2027-04-02' }, 'opensTime', de('editor.phases.errors.timeGap', { time: '02:15', date: '2027-03-28' })],
        [{ channels: ['comment', 'telegram'] }, 'channels', de('editor.errors.choose')],
        [{ moderationMode: 'none' }, 'moderationMode', de('editor.errors.choose')],
      ];
      for (const [change, name, message] of cases) {
        const res = await organiser.post(`/organiser/consultations/${cId}/phases/new`, phase({ opensDate: '2027-01-01', closesDate: '2027-02-01', ...change }));
        expect(res.statusCode, JSON.stringify(change)).toBe(422);
        expect(said(res.body, message), `${message} in ${text(res.body).slice(0, 400)}`).toBe(true);
        expect(res.body).toContain(`href="#field-${name}"`);
      }
      expect(await t.db.select({ n: count() }).from(phases).where(eq(phases.consultationId, cId))).toEqual([{ n: 2 }]);
    });

    it('edits a phase (overlap check leaves the phase itself out) and records the change', async () => {
      const [row] = await t.db.select().from(phases).where(and(eq(phases.consultationId, cId), eq(phases.title, 'Vorschläge sammeln')));
      const res = await organiser.post(`/organiser/phases/${row!.id}/edit`, phase({ closesTime: '12:00', channels: ['event'] }));
      expect(res.statusCode).toBe(303);
      const audit = await auditOf('phase', row!.id);
      expect(audit.map((a) => a.action)).toEqual(['phase.created', 'phase.updated']);
      expect(audit[1]!.before).toMatchObject({ closesAt: '2026-04-30T16:00:00.000Z', channels: ['comment', 'statement'] });
      expect(audit[1]!.after).toMatchObject({ closesAt: '2026-04-30T10:00:00.000Z', channels: ['event'] });
      const history = text((await organiser.get(`/organiser/audit/phase/${row!.id}`)).body);
      expect(history).toContain('30. April 2026 um 18:00');
      expect(history).toContain('30. April 2026 um 12:00');
      expect(history).toContain('Beteiligungsveranstaltungen');
      // Saving unchanged keeps the seconds of a demo phase that closes at 23:59:59.
      const [demo] = await t.db.select().from(phases).where(eq(phases.consultationId, consultationId)).orderBy(asc(phases.position));
      const form = await organiser.get(`/organiser/phases/${demo!.id}/edit`);
      expect(form.body).toContain('value="23:59"');
      const values = Object.fromEntries(
        ['kind', 'title', 'opensDate', 'opensTime', 'closesDate', 'closesTime', 'moderationMode'].map((n) => [n, new RegExp(`name="${n}"[^>]*value="([^"]*)"`).exec(form.body)?.[1] ?? '']),
      );
      const same = await organiser.post(`/organiser/phases/${demo!.id}/edit`, {
        ...values,
        kind: demo!.kind,
        moderationMode: demo!.moderationMode,
        description: demo!.description,
        channels: demo!.channels,
      });
      expect(same.statusCode).toBe(303);
      const [after] = await t.db.select().from(phases).where(eq(phases.id, demo!.id));
      expect(after!.closesAt.toISOString()).toBe(demo!.closesAt.toISOString());
      expect(await auditOf('phase', demo!.id)).toEqual([]);
    });

    it('deletes a phase after a confirmation page', async () => {
      const [row] = await t.db.select().from(phases).where(and(eq(phases.consultationId, cId), eq(phases.title, 'Entwurf')));
      const confirm = await organiser.get(`/organiser/phases/${row!.id}/delete`);
      expect(confirm.statusCode).toBe(200);
      expect(text(confirm.body)).toContain(de('editor.phases.deleteTitle', { title: 'Entwurf' }));
      expect(confirm.body).toContain(`action="/organiser/phases/${row!.id}/delete"`);
      expect(await t.db.select().from(phases).where(eq(phases.id, row!.id))).toHaveLength(1);
      const res = await organiser.post(`/organiser/phases/${row!.id}/delete`);
      expect(res.statusCode).toBe(303);
      expect(await t.db.select().from(phases).where(eq(phases.id, row!.id))).toEqual([]);
      expect((await auditOf('phase', row!.id)).at(-1)).toMatchObject({ action: 'phase.deleted', after: null });
      const history = await organiser.get(`/organiser/audit/phase/${row!.id}`);
      expect(history.statusCode).toBe(200);
      expect(text(history.body)).toContain(de('editor.audit.titleGone'));
      expect((await organiser.post(`/organiser/phases/${row!.id}/delete`)).statusCode).toBe(404);
    });
  });

  describe('plan editor', () => {
    it('shows the draft outline with edit, move, delete and history for every item', async () => {
      const res = await organiser.get(`/organiser/versions/${v2}`);
      expect(res.statusCode).toBe(200);
      const outline = await readPlanDocument(t.db, v2);
      const measureCount = outline.crossCuttingMeasures.length + outline.fields.flatMap((f) => f.goals.flatMap((g) => g.measures)).length;
      expect(res.body.match(/class="editor-item editor-item--measure"/g)?.length).toBe(measureCount);
      expect(res.body.match(/\/move"/g)!.length).toBeGreaterThan(measureCount);
      expect(res.body).toContain(`href="/organiser/versions/${v2}/fields/new"`);
      expect(res.body).toContain(`href="/organiser/versions/${v2}/principles/new?kind=strategic_goal"`);
      expect(res.body).toContain(`href="/organiser/versions/${v2}/measures/new"`);
      expect(res.body).toMatch(new RegExp(`href="/organiser/versions/${v2}/goals/new\\?field=\\d+"`));
      expect(res.body).toMatch(new RegExp(`href="/organiser/versions/${v2}/measures/new\\?goal=\\d+"`));
      expect(res.body).toMatch(/href="\/organiser\/audit\/measure\/\d+"/);
      for (const tool of ['compare', 'import', 'export.json', 'export.md']) expect(res.body).toContain(`href="/organiser/versions/${v2}/${tool}"`);
    });

    it('shows a published version read-only with a hint to the draft', async () => {
      const res = await organiser.get(`/organiser/versions/${v1}`);
      expect(res.statusCode).toBe(200);
      expect(said(res.body, de('plans.errors.versionReadOnly'))).toBe(true);
      expect(res.body).toContain(`href="/organiser/versions/${v2}"`);
      expect(res.body).not.toContain('/move"');
      expect(res.body).not.toContain('/edit"');
      expect(res.body).not.toContain('/delete"');
      expect(res.body).not.toContain('/import"');
      expect(res.body).toContain(`href="/organiser/versions/${v1}/export.json"`);
      expect(res.body).toMatch(/href="\/organiser\/audit\/measure\/\d+"/);
    });

    it('adds a measure to a goal with departments and committees, and records it', async () => {
      const [goal] = await t.db.select().from(goals).where(and(eq(goals.planVersionId, v2), eq(goals.key, 'g-kita-zugang')));
      const form = await organiser.get(`/organiser/versions/${v2}/measures/new?goal=${goal!.id}`);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('value="2.1.3"');
      expect(form.body).toContain('Jugendamt');
      expect(form.body).toContain('Jugendhilfeausschuss (JHA)');
      const jugendamt = await deptId('jugendamt');
      const kita = await deptId('amt-fuer-kindertagesbetreuung');
      const jha = await committeeId('jugendhilfeausschuss');
      const res = await organiser.post(`/organiser/versions/${v2}/measures/new`, {
        parentId: String(goal!.id),
        code: '2.1.3',
        key: '',
        text: 'Sprachkitas in allen Stadtteilen',
        timeframe: '2023–2026',
        relatedPapers: 'a0391/17',
        isExample: '1',
        lead: [String(kita)],
        support: [String(jugendamt)],
        committees: [String(jha)],
      });
      expect(res.statusCode).toBe(303);
      const [m] = await t.db.select().from(measures).where(and(eq(measures.planVersionId, v2), eq(measures.code, '2.1.3')));
      expect(m).toMatchObject({ key: 'm-2-1-3', goalId: goal!.id, fieldId: goal!.fieldId, timeframe: '2023–2026', relatedPapers: ['A0391/17'], isExample: true, position: 2 });
      expect(res.headers.location).toBe(`/organiser/versions/${v2}#measure-${m!.id}`);
      const links = await t.db.select().from(measureDepartments).where(eq(measureDepartments.measureId, m!.id));
      expect(links.map((l) => `${l.departmentId}:${l.role}`).sort()).toEqual([`${jugendamt}:support`, `${kita}:lead`].sort());
      const [audit] = await auditOf('measure', m!.id);
      expect(audit).toMatchObject({ action: 'measure.created', actorId: organiserId });
      expect(audit!.after).toMatchObject({ key: 'm-2-1-3', lead: ['amt-fuer-kindertagesbetreuung'], support: ['jugendamt'], committees: ['jugendhilfeausschuss'] });
    });

    it('refuses invalid items with a message per field, keeping the typed values', async () => {
      const [goal] = await t.db.select().from(goals).where(and(eq(goals.planVersionId, v2), eq(goals.key, 'g-kita-zugang')));
      const jugendamt = String(await deptId('jugendamt'));
      const valid = { parentId: String(goal!.id), code: '2.1.9', key: '', text: 'Text bleibt erhalten', timeframe: '', relatedPapers: '' };
      const cases: Array<[Record<string, string | string[]>, string, string]> = [
        [{ code: '' }, 'code', de('editor.items.errors.codeRequired')],
        [{ text: ' ' }, 'text', de('editor.items.errors.textRequired')],
        [{ key: 'Mit Leerzeichen' }, 'key', de('editor.items.errors.keyFormat')],
        [{ key: 'm-kita-elternbefragungen' }, 'key', de('editor.items.errors.keyTaken', { key: 'm-kita-elternbefragungen' })],
        [{ relatedPapers: 'A0391/17\nB12' }, 'relatedPapers', de('editor.errors.paperInvalid', { papers: 'B12' })],
        [{ lead: [jugendamt], support: [jugendamt] }, 'support', de('editor.items.errors.leadAndSupport', { names: 'Jugendamt' })],
        [{ lead: ['999999'] }, 'lead', de('editor.items.errors.unknownDepartment')],
        [{ committees: ['x'] }, 'committees', de('editor.items.errors.unknownCommittee')],
        [{ timeframe: 'z'.repeat(101) }, 'timeframe', de('editor.errors.tooLong', { max: 100 })],
      ];
      for (const [change, name, message] of cases) {
        const res = await organiser.post(`/organiser/versions/${v2}/measures/new`, { ...valid, ...change });
        expect(res.statusCode, JSON.stringify(change)).toBe(422);
        expect(said(res.body, message), message).toBe(true);
        expect(res.body).toContain(`href="#field-${name}"`);
        if (!('text' in change)) expect(res.body).toContain('Text bleibt erhalten</textarea>');
      }
      const kept = await organiser.post(`/organiser/versions/${v2}/measures/new`, { ...valid, code: '', lead: [jugendamt] });
      expect(kept.body).toMatch(new RegExp(`value="${jugendamt}" checked`));
      const fieldRes = await organiser.post(`/organiser/versions/${v2}/fields/new`, { code: '12', title: '', key: 'f-sprache' });
      expect(fieldRes.statusCode).toBe(422);
      expect(said(fieldRes.body, de('editor.items.errors.titleRequired'))).toBe(true);
      expect(said(fieldRes.body, de('editor.items.errors.keyTaken', { key: 'f-sprache' }))).toBe(true);
      const principleRes = await organiser.post(`/organiser/versions/${v2}/principles/new`, { principleKind: 'vision', text: '' });
      expect(principleRes.statusCode).toBe(422);
      expect(said(principleRes.body, de('editor.errors.choose'))).toBe(true);
      expect(said(principleRes.body, de('editor.items.errors.textRequired'))).toBe(true);
      expect(await t.db.select().from(measures).where(and(eq(measures.planVersionId, v2), eq(measures.code, '2.1.9')))).toEqual([]);
      // A goal for a field of another version is not found.
      const [foreign] = await t.db.select().from(fields).where(eq(fields.planVersionId, v1));
      expect((await organiser.post(`/organiser/versions/${v2}/goals/new`, { parentId: String(foreign!.id), code: '9.9', text: 'x' })).statusCode).toBe(404);
      expect((await organiser.get(`/organiser/versions/${v2}/goals/new?field=${foreign!.id}`)).statusCode).toBe(404);
    });

    it('adds principles, a field, a goal and a cross-cutting measure, generating unique keys', async () => {
      expect((await organiser.post(`/organiser/versions/${v2}/principles/new`, { principleKind: 'strategic_goal', text: 'Ein neues Leitziel', source: '' })).statusCode).toBe(303);
      expect((await organiser.post(`/organiser/versions/${v2}/fields/new`, { code: '12', title: 'Digitale Teilhabe', description: 'Neu', key: '' })).statusCode).toBe(303);
      const [field] = await t.db.select().from(fields).where(and(eq(fields.planVersionId, v2), eq(fields.code, '12')));
      expect(field).toMatchObject({ key: 'f-digitale-teilhabe', position: 11 });
      expect((await organiser.post(`/organiser/versions/${v2}/goals/new`, { parentId: String(field!.id), code: '12.1', text: 'Alle haben Zugang', key: '' })).statusCode).toBe(303);
      expect((await organiser.post(`/organiser/versions/${v2}/goals/new`, { parentId: String(field!.id), code: '12.1', text: 'Doppelte Nummer', key: '' })).statusCode).toBe(303);
      const goalRows = await t.db.select().from(goals).where(eq(goals.fieldId, field!.id)).orderBy(asc(goals.position));
      expect(goalRows.map((g) => g.key)).toEqual(['g-12-1', 'g-12-1-2']);
      expect((await organiser.post(`/organiser/versions/${v2}/measures/new`, { parentId: '', code: 'D.9', text: 'Für alle Felder' })).statusCode).toBe(303);
      const [cross] = await t.db.select().from(measures).where(and(eq(measures.planVersionId, v2), eq(measures.code, 'D.9')));
      expect(cross).toMatchObject({ fieldId: null, goalId: null });
      const [p] = await t.db.select().from(principles).where(and(eq(principles.planVersionId, v2), eq(principles.text, 'Ein neues Leitziel')));
      expect(p!.kind).toBe('strategic_goal');
      const doc = await readPlanDocument(t.db, v2);
      expect(doc.principles.at(-1)).toEqual({ kind: 'strategic_goal', text: 'Ein neues Leitziel', source: null });
      expect(doc.fields.at(-1)!.goals.map((g) => g.text)).toEqual(['Alle haben Zugang', 'Doppelte Nummer']);
      expect(doc.crossCuttingMeasures.at(-1)!.code).toBe('D.9');
    });

    it('edits a measure and shows the change field by field in its history', async () => {
      const [m] = await t.db.select().from(measures).where(and(eq(measures.planVersionId, v2), eq(measures.key, 'm-kita-elternbefragungen')));
      const form = await organiser.get(`/organiser/versions/${v2}/measures/${m!.id}/edit`);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('value="m-kita-elternbefragungen"');
      const kita = String(await deptId('amt-fuer-kindertagesbetreuung'));
      expect(form.body).toMatch(new RegExp(`name="lead" value="${kita}" checked`));
      const jha = String(await committeeId('jugendhilfeausschuss'));
      const res = await organiser.post(`/organiser/versions/${v2}/measures/${m!.id}/edit`, {
        code: '2.1.1',
        key: 'm-kita-elternbefragungen',
        text: 'interkulturelle Öffnung aller Elternbefragungen',
        timeframe: 'ab 2023',
        relatedPapers: '',
        lead: [kita],
        support: [],
        committees: [jha],
      });
      expect(res.statusCode).toBe(303);
      const [after] = await t.db.select().from(measures).where(eq(measures.id, m!.id));
      expect(after).toMatchObject({ text: 'interkulturelle Öffnung aller Elternbefragungen', timeframe: 'ab 2023', goalId: m!.goalId, position: m!.position });
      const audit = (await auditOf('measure', m!.id)).at(-1)!;
      expect(audit.action).toBe('measure.updated');
      expect(audit.before).toMatchObject({ text: m!.text, support: ['eigenbetrieb-kindertageseinrichtungen'], committees: ['ausschuss-fuer-bildung'] });
      expect(audit.after).toMatchObject({ text: 'interkulturelle Öffnung aller Elternbefragungen', support: [], committees: ['jugendhilfeausschuss'] });
      const history = await organiser.get(`/organiser/audit/measure/${m!.id}`);
      const h = text(history.body);
      expect(h).toContain('Beteiligungsbüro Test');
      expect(h).toContain('Geändert');
      expect(h).toContain('Ausschuss für Bildung');
      expect(h).toContain('Jugendhilfeausschuss');
      expect(h).toContain('Eigenbetrieb Kindertageseinrichtungen Dresden');
      expect(h).toContain('interkulturelle Öffnung aller Elternbefragungen');
      expect(history.body).toMatch(/<th scope="row">Zeitraum<\/th>\s*<td[^>]*><span class="meta">–<\/span><\/td>\s*<td[^>]*><ins>ab 2023<\/ins>/);
      // Fields that did not change are not listed.
      expect(history.body).not.toMatch(/<th scope="row">Schlüssel<\/th>/);
      // Saving without a change adds nothing.
      await organiser.post(`/organiser/versions/${v2}/measures/${m!.id}/edit`, {
        code: '2.1.1', key: 'm-kita-elternbefragungen', text: 'interkulturelle Öffnung aller Elternbefragungen', timeframe: 'ab 2023', lead: [kita], committees: [jha],
      });
      expect((await auditOf('measure', m!.id)).at(-1)!.id).toBe(audit.id);
    });

    it('moves items up and down by swapping positions with the neighbour', async () => {
      const [goal] = await t.db.select().from(goals).where(and(eq(goals.planVersionId, v2), eq(goals.key, 'g-kita-zugang')));
      const order = async () => (await t.db.select().from(measures).where(eq(measures.goalId, goal!.id)).orderBy(asc(measures.position))).map((m) => m.code);
      expect(await order()).toEqual(['2.1.1', '2.1.2', '2.1.3']);
      const [m3] = await t.db.select().from(measures).where(and(eq(measures.goalId, goal!.id), eq(measures.code, '2.1.3')));
      const res = await organiser.post(`/organiser/versions/${v2}/measures/${m3!.id}/move`, { direction: 'up' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/organiser/versions/${v2}#measure-${m3!.id}`);
      expect(await order()).toEqual(['2.1.1', '2.1.3', '2.1.2']);
      expect(said((await organiser.get(res.headers.location as string)).body, de('editor.flash.movedUp'))).toBe(true);
      await organiser.post(`/organiser/versions/${v2}/measures/${m3!.id}/move`, { direction: 'up' });
      expect(await order()).toEqual(['2.1.3', '2.1.1', '2.1.2']);
      // Already first: nothing changes, and it says so.
      await organiser.post(`/organiser/versions/${v2}/measures/${m3!.id}/move`, { direction: 'up' });
      expect(await order()).toEqual(['2.1.3', '2.1.1', '2.1.2']);
      expect(said((await organiser.get(`/organiser/versions/${v2}`)).body, de('editor.flash.alreadyFirst'))).toBe(true);
      await organiser.post(`/organiser/versions/${v2}/measures/${m3!.id}/move`, { direction: 'down' });
      expect(await order()).toEqual(['2.1.1', '2.1.3', '2.1.2']);
      const moves = (await auditOf('measure', m3!.id)).filter((a) => a.action === 'measure.moved');
      expect(moves.map((a) => [a.before, a.after])).toEqual([
        [{ place: 3 }, { place: 2 }],
        [{ place: 2 }, { place: 1 }],
        [{ place: 1 }, { place: 2 }],
      ]);
      // Fields move among fields, principles among those of their kind.
      const fieldOrder = async () => (await t.db.select().from(fields).where(eq(fields.planVersionId, v2)).orderBy(asc(fields.position))).map((f) => f.code);
      const [f2] = await t.db.select().from(fields).where(and(eq(fields.planVersionId, v2), eq(fields.code, '2')));
      await organiser.post(`/organiser/versions/${v2}/fields/${f2!.id}/move`, { direction: 'up' });
      expect((await fieldOrder()).slice(0, 3)).toEqual(['2', '1', '3']);
      const strategic = async () => (await t.db.select().from(principles).where(and(eq(principles.planVersionId, v2), eq(principles.kind, 'strategic_goal'))).orderBy(asc(principles.position))).map((p) => p.text);
      const before = await strategic();
      const [last] = await t.db.select().from(principles).where(and(eq(principles.planVersionId, v2), eq(principles.text, 'Ein neues Leitziel')));
      await organiser.post(`/organiser/versions/${v2}/principles/${last!.id}/move`, { direction: 'up' });
      const after = await strategic();
      expect(after.at(-2)).toBe('Ein neues Leitziel');
      expect(after.at(-1)).toBe(before.at(-2));
      expect((await t.db.select().from(principles).where(and(eq(principles.planVersionId, v2), eq(principles.kind, 'guiding_principle')))).length).toBe(2);
    });

    it('with htmx, moving answers with the page to take the outline and the message from', async () => {
      const [m] = await t.db.select().from(measures).where(and(eq(measures.planVersionId, v2), eq(measures.code, '2.1.2')));
      const page = await organiser.get(`/organiser/versions/${v2}`);
      expect(page.body).toContain(`hx-post="/organiser/versions/${v2}/measures/${m!.id}/move"`);
      expect(page.body).toContain(`id="up-measure-${m!.id}"`);
      expect(page.body).toContain('hx-select="#outline"');
      expect(page.body).toContain('hx-select-oob="#messages:innerHTML"');
    });

    it('deletes a goal with its measures after a confirmation page that counts them', async () => {
      const [goal] = await t.db.select().from(goals).where(and(eq(goals.planVersionId, v2), eq(goals.key, 'g-kita-zugang')));
      const ms = await t.db.select().from(measures).where(eq(measures.goalId, goal!.id));
      expect(ms).toHaveLength(3);
      const confirm = await organiser.get(`/organiser/versions/${v2}/goals/${goal!.id}/delete`);
      expect(confirm.statusCode).toBe(200);
      expect(said(confirm.body, de('editor.items.deleteGoal', { measures: 3 }))).toBe(true);
      expect(text(confirm.body)).toContain(goal!.text);
      expect(await t.db.select().from(goals).where(eq(goals.id, goal!.id))).toHaveLength(1);
      const res = await organiser.post(`/organiser/versions/${v2}/goals/${goal!.id}/delete`);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/organiser/versions/${v2}#field-${goal!.fieldId}`);
      expect(await t.db.select().from(goals).where(eq(goals.id, goal!.id))).toEqual([]);
      expect(await t.db.select().from(measures).where(eq(measures.goalId, goal!.id))).toEqual([]);
      const goalAudit = (await auditOf('goal', goal!.id)).at(-1)!;
      expect(goalAudit).toMatchObject({ action: 'goal.deleted', after: null });
      expect(goalAudit.before).toMatchObject({ key: 'g-kita-zugang', measures: 3 });
      for (const m of ms) expect((await auditOf('measure', m.id)).at(-1)).toMatchObject({ action: 'measure.deleted' });
      // The field's confirmation page counts what goes with it.
      const [field] = await t.db.select().from(fields).where(and(eq(fields.planVersionId, v2), eq(fields.code, '12')));
      const fieldConfirm = await organiser.get(`/organiser/versions/${v2}/fields/${field!.id}/delete`);
      expect(said(fieldConfirm.body, de('editor.items.deleteField', { goals: 2, measures: 0 }))).toBe(true);
      // The published version still has the goal.
      expect(await t.db.select().from(goals).where(and(eq(goals.planVersionId, v1), eq(goals.key, 'g-kita-zugang')))).toHaveLength(1);
    });

    it('answers 404 for items of another version and unknown kinds of history', async () => {
      const [m1] = await t.db.select().from(measures).where(eq(measures.planVersionId, v1));
      expect((await organiser.get(`/organiser/versions/${v2}/measures/${m1!.id}/edit`)).statusCode).toBe(404);
      expect((await organiser.post(`/organiser/versions/${v2}/measures/${m1!.id}/delete`)).statusCode).toBe(404);
      expect((await organiser.post(`/organiser/versions/${v2}/measures/${m1!.id}/move`, { direction: 'up' })).statusCode).toBe(404);
      expect((await organiser.get('/organiser/audit/user/1')).statusCode).toBe(404);
      expect((await organiser.get('/organiser/audit/measure/999999')).statusCode).toBe(404);
      expect((await organiser.get('/organiser/versions/999999')).statusCode).toBe(404);
    });
  });

  describe('versions', () => {
    it('refuses a second draft and says which one exists', async () => {
      const page = await organiser.get(`/organiser/consultations/${consultationId}/versions/new`);
      expect(page.statusCode).toBe(200);
      expect(said(page.body, de('editor.versions.errors.draftExists', { label: 'Entwurf 2' }))).toBe(true);
      const res = await organiser.post(`/organiser/consultations/${consultationId}/versions/new`, { label: 'Entwurf 3' });
      expect(res.statusCode).toBe(409);
      expect(said(res.body, de('editor.versions.errors.draftExists', { label: 'Entwurf 2' }))).toBe(true);
      expect(res.body).toContain(`href="/organiser/versions/${v2}"`);
      expect(await t.db.select().from(planVersions).where(eq(planVersions.consultationId, consultationId))).toHaveLength(2);
    });

    it('renames a draft, refusing an empty or taken label', async () => {
      expect(said((await organiser.post(`/organiser/versions/${v2}/edit`, { label: '' })).body, de('editor.versions.errors.labelRequired'))).toBe(true);
      const taken = await organiser.post(`/organiser/versions/${v2}/edit`, { label: 'Entwurf 1' });
      expect(taken.statusCode).toBe(422);
      expect(said(taken.body, de('editor.versions.errors.labelTaken', { label: 'Entwurf 1' }))).toBe(true);
      expect((await organiser.post(`/organiser/versions/${v2}/edit`, { label: 'Entwurf 2 (überarbeitet)' })).statusCode).toBe(303);
      expect((await versionByLabel('Entwurf 2 (überarbeitet)')).id).toBe(v2);
      expect((await organiser.post(`/organiser/versions/${v2}/edit`, { label: 'Entwurf 2' })).statusCode).toBe(303);
    });

    it('publishes a draft after a confirmation page; it cannot be adopted before', async () => {
      expect((await organiser.get(`/organiser/versions/${v2}/adopt`)).statusCode).toBe(409);
      const refused = await organiser.post(`/organiser/versions/${v2}/adopt`);
      expect(refused.statusCode).toBe(409);
      expect(said(refused.body, de('editor.versions.errors.adoptOnlyPublished'))).toBe(true);
      const confirm = await organiser.get(`/organiser/versions/${v2}/publish`);
      expect(confirm.statusCode).toBe(200);
      expect(said(confirm.body, de('editor.versions.publishWarning'))).toBe(true);
      const res = await organiser.post(`/organiser/versions/${v2}/publish`);
      expect(res.statusCode).toBe(303);
      const v = await versionByLabel('Entwurf 2');
      expect(v.status).toBe('published');
      expect(v.publishedAt).toBeInstanceOf(Date);
      expect((await auditOf('plan_version', v2)).at(-1)).toMatchObject({ action: 'plan_version.published', before: { status: 'draft' }, after: { status: 'published' } });
    });

    it('answers every write to a published version with 409 and changes nothing', async () => {
      const before = await readPlanDocument(t.db, v2);
      const [[auditsBefore], [v2Before]] = await Promise.all([t.db.select({ n: count() }).from(auditEntries), t.db.select().from(planVersions).where(eq(planVersions.id, v2))]);
      const [principle] = await t.db.select().from(principles).where(eq(principles.planVersionId, v2));
      const [field] = await t.db.select().from(fields).where(eq(fields.planVersionId, v2));
      const [goal] = await t.db.select().from(goals).where(eq(goals.planVersionId, v2));
      const [measure] = await t.db.select().from(measures).where(and(eq(measures.planVersionId, v2), eq(measures.goalId, goal!.id)));
      const itemIds: Record<string, number> = { principles: principle!.id, fields: field!.id, goals: goal!.id, measures: measure!.id };
      const parents: Record<string, string> = { goals: String(field!.id), measures: String(goal!.id) };
      // Every editor route that writes, or shows a form for writing, to a version's content or label.
      const editorRoute = /^\/organiser\/versions\/:versionId\/(edit|publish|(principles|fields|goals|measures)\/(new|:itemId\/(edit|move|delete)))$/;
      const rules = t.app.accessRules.filter((r) => editorRoute.test(r.url));
      const posts = rules.filter((r) => r.method === 'POST');
      // Label, publish, and new/edit/move/delete for each of the four kinds of item.
      expect(posts.length).toBeGreaterThanOrEqual(18);
      const results: string[] = [];
      for (const rule of rules) {
        const segment = /\/versions\/:versionId\/(\w+)/.exec(rule.url)?.[1] ?? '';
        const url = rule.url.replace(':versionId', String(v2)).replace(':itemId', String(itemIds[segment] ?? 0));
        const form = {
          label: 'Neu',
          principleKind: 'strategic_goal',
          code: '99',
          title: 'Neu',
          text: 'Neu',
          parentId: parents[segment] ?? '',
          direction: 'down',
          lead: [],
        };
        const res = rule.method === 'GET' ? await organiser.get(url) : await organiser.post(url, form);
        const readOnly = said(res.body, de('plans.errors.versionReadOnly'));
        if (res.statusCode !== 409 || !readOnly) results.push(`${rule.method} ${url}: ${res.statusCode}`);
        // The same with htmx: the message goes to the page's message region.
        if (rule.method === 'POST') {
          const hx = await organiser.post(url, form, { 'hx-request': 'true' });
          if (hx.statusCode !== 409 || hx.headers['hx-retarget'] !== '#messages') results.push(`htmx ${rule.method} ${url}: ${hx.statusCode}`);
          // The move buttons select the outline from a page; from a refusal they take the notice.
          if (rule.url.endsWith('/move') && (hx.headers['hx-reselect'] !== '.notice' || !hx.body.includes('class="notice'))) results.push(`htmx ${url}: no notice to select`);
        }
      }
      expect(results).toEqual([]);
      expect(await readPlanDocument(t.db, v2)).toEqual(before);
      expect(await t.db.select({ n: count() }).from(auditEntries)).toEqual([auditsBefore]);
      expect((await t.db.select().from(planVersions).where(eq(planVersions.id, v2)))[0]).toEqual(v2Before);
    });

    it('starts a new version as an exact copy of the newest one', async () => {
      const page = await organiser.get(`/organiser/consultations/${consultationId}/versions/new`);
      expect(page.body).toContain('value="Entwurf 3"');
      expect(said(page.body, de('editor.versions.copyFrom', { label: 'Entwurf 2' }))).toBe(true);
      expect(said((await organiser.post(`/organiser/consultations/${consultationId}/versions/new`, { label: ' ' })).body, de('editor.versions.errors.labelRequired'))).toBe(true);
      const res = await organiser.post(`/organiser/consultations/${consultationId}/versions/new`, { label: 'Entwurf 3' });
      expect(res.statusCode).toBe(303);
      const v3 = await versionByLabel('Entwurf 3');
      expect(res.headers.location).toBe(`/organiser/versions/${v3.id}`);
      expect(v3).toMatchObject({ status: 'draft', position: 2, publishedAt: null });
      const copy = await readPlanDocument(t.db, v3.id);
      expect(copy).toEqual(await readPlanDocument(t.db, v2));
      expect(copy.fields.length).toBe(12);
      expect((await auditOf('plan_version', v3.id))[0]).toMatchObject({ action: 'plan_version.created', after: { label: 'Entwurf 3', copiedFrom: 'Entwurf 2' } });
      // Editing the copy leaves the published original alone.
      const [m] = await t.db.select().from(measures).where(eq(measures.planVersionId, v3.id));
      await organiser.post(`/organiser/versions/${v3.id}/measures/${m!.id}/delete`);
      expect(await readPlanDocument(t.db, v2)).not.toEqual(await readPlanDocument(t.db, v3.id));
      // The published version's page points to the new draft.
      expect((await organiser.get(`/organiser/versions/${v2}`)).body).toContain(`href="/organiser/versions/${v3.id}"`);
    });

    it('marks a published version as adopted without changing its content', async () => {
      const before = await readPlanDocument(t.db, v2);
      expect((await organiser.get(`/organiser/versions/${v2}/adopt`)).statusCode).toBe(200);
      expect((await organiser.post(`/organiser/versions/${v2}/adopt`)).statusCode).toBe(303);
      expect((await versionByLabel('Entwurf 2')).status).toBe('adopted');
      expect(await readPlanDocument(t.db, v2)).toEqual(before);
      // Adopted is read-only too, and cannot be adopted again.
      const [f] = await t.db.select().from(fields).where(eq(fields.planVersionId, v2));
      expect((await organiser.post(`/organiser/versions/${v2}/fields/${f!.id}/move`, { direction: 'down' })).statusCode).toBe(409);
      expect((await organiser.post(`/organiser/versions/${v2}/adopt`)).statusCode).toBe(409);
      const history = text((await organiser.get(`/organiser/audit/plan_version/${v2}`)).body);
      expect(history).toContain('Als beschlossen gekennzeichnet');
      expect(history).toContain('Veröffentlicht');
    });

    it('creates the first version of a new consultation empty', async () => {
      const [row] = await t.db.select().from(consultations).where(eq(consultations.slug, 'leitlinien-beteiligung'));
      const page = await organiser.get(`/organiser/consultations/${row!.id}/versions/new`);
      expect(page.body).toContain('value="Entwurf 1"');
      expect(said(page.body, de('editor.versions.firstEmpty'))).toBe(true);
      expect((await organiser.post(`/organiser/consultations/${row!.id}/versions/new`, { label: 'Entwurf 1' })).statusCode).toBe(303);
      const [v] = await t.db.select().from(planVersions).where(eq(planVersions.consultationId, row!.id));
      expect(await readPlanDocument(t.db, v!.id)).toEqual({ principles: [], crossCuttingMeasures: [], fields: [] });
      expect((await organiser.get(`/organiser/versions/${v!.id}`)).statusCode).toBe(200);
    });
  });

  describe('audit trail', () => {
    it('names a deleted account as such', async () => {
      const otherId = await createUser(t.db, 'weg@example.org', ['organiser'], 'Bald weg');
      const other = new Client(t.app);
      await other.signIn('weg@example.org');
      const [c] = await t.db.select().from(consultations).where(eq(consultations.slug, 'leitlinien-beteiligung'));
      await other.post(`/organiser/consultations/${c!.id}/edit`, { title: 'Zweiter Titel', slug: 'leitlinien-beteiligung', status: 'published' });
      expect(text((await organiser.get(`/organiser/audit/consultation/${c!.id}`)).body)).toContain('Bald weg');
      await t.db.update(users).set({ email: null, displayName: null, passwordHash: null, deletedAt: new Date() }).where(eq(users.id, otherId));
      const h = text((await organiser.get(`/organiser/audit/consultation/${c!.id}`)).body);
      expect(h).not.toContain('Bald weg');
      expect(h).toContain('gelöschtes Konto');
    });
  });

  describe('access', () => {
    it('refuses participants and department editors, lets admins in', async () => {
      await createUser(t.db, 'p@example.org');
      await createUser(t.db, 'd@example.org', ['department_editor']);
      await createUser(t.db, 'a@example.org', ['admin']);
      for (const [email, status] of [['p@example.org', 403], ['d@example.org', 403], ['a@example.org', 200]] as const) {
        const client = new Client(t.app);
        await client.signIn(email);
        expect((await client.get('/organiser/consultations')).statusCode, email).toBe(status);
        expect((await client.get(`/organiser/versions/${v1}`)).statusCode, email).toBe(status);
        const nav = (await client.get('/')).body.includes('href="/organiser/consultations"');
        expect(nav, email).toBe(status === 200);
      }
      expect((await new Client(t.app).get('/organiser/consultations')).statusCode).toBe(303);
    });
  });
});
