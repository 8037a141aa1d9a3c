import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { and, asc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../src/app.js';
import { auditEntries } from '../src/modules/audit/schema.js';
import { loadDemo } from '../src/modules/demo/load.js';
import { committees, departments } from '../src/modules/departments/schema.js';
import { type PlanDocument, type PlanMeasure, readPlanDocument } from '../src/modules/plans/document.js';
import { consultations, planVersions } from '../src/modules/plans/schema.js';
import { derivedKey } from '../src/modules/plans/transfer/checks.js';
import { decodeUpload, firstInvalidUtf8, MAX_BYTES } from '../src/modules/plans/transfer/decode.js';
import { fromJson, toJson } from '../src/modules/plans/transfer/json.js';
import { parseJson } from '../src/modules/plans/transfer/jsonparse.js';
import { fromMarkdown, toMarkdown } from '../src/modules/plans/transfer/markdown.js';
import { findVersion, importPlan } from '../src/modules/plans/transfer/service.js';
import { messages } from '../src/modules/plans/transfer/messages.js';
import { type Problem, problemText } from '../src/modules/plans/transfer/problems.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

const fixtures = path.resolve(import.meta.dirname, 'fixtures', 'transfer');
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name));
const slug = 'aktionsplan-integration-2022-2026';
const de = catalogue.translator('de');

/** A multipart/form-data body as a browser sends it for the import form. */
function multipart(fields: Record<string, string>, file?: { filename: string; content: Buffer | string; type?: string }) {
  const boundary = `----mitsprache${crypto.randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Posts the import form as multipart, with the session and CSRF cookie of a signed-in client. */
async function upload(
  t: TestApp,
  client: Client,
  url: string,
  fields: Record<string, string>,
  file?: { filename: string; content: Buffer | string; type?: string },
  { csrf = true, headers = {} }: { csrf?: boolean; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const body = multipart(csrf ? { _csrf: client.csrf, ...fields } : fields, file);
  const cookie = ['sid', '_csrf', 'lang']
    .map((name) => [name, client.cookie(name)])
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  return t.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': body.contentType, ...headers }, payload: body.payload });
}

/** Cookies a response set (the flash notice after an import), for the next request of `client`. */
function cookiesAfter(client: Client, res: LightMyRequestResponse): Record<string, string> {
  const jar = new Map(['sid', '_csrf', 'lang'].flatMap((name) => (client.cookie(name) ? [[name, client.cookie(name) as string]] : [])));
  for (const c of res.cookies as Array<{ name: string; value: string }>) jar.set(c.name, c.value);
  return { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
}

/** The hidden fields of the confirm form in a preview page. */
function confirmFields(html: string): Record<string, string> {
  const form = /<form method="post" action="[^"]*\/import\/confirm"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="(text|format|basis|filename)" value="([^"]*)">/g)) {
    fields[m[1] as string] = (m[2] as string)
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return fields;
}

/** Messages as shown on the page: "Zeile 3: …" with the German text. */
function plainText(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** 11 fields × 6 goals × 5 measures (330 measures), with the departments and committees that exist. */
function generatedPlan(departmentSlugs: string[], committeeSlugs: string[], fieldCount = 11, goalCount = 6, measureCount = 5): PlanDocument {
  const pick = (list: string[], i: number) => list[i % list.length] as string;
  let n = 0;
  const measure = (code: string): PlanMeasure => {
    n++;
    return {
      key: `m-${code}`,
      code,
      text: `Maßnahme ${code}: Ausbau und Verstetigung der Beratungsangebote für Zugewanderte im Stadtteil, gemeinsam mit Migrantenorganisationen und freien Trägern (${n}).`,
      timeframe: n % 3 === 0 ? '' : '2022–2026',
      relatedPapers: n % 7 === 0 ? [`A${String(n).padStart(4, '0')}/17`] : [],
      isExample: n % 2 === 0,
      lead: [pick(departmentSlugs, n)],
      support: [pick(departmentSlugs, n + 1), pick(departmentSlugs, n + 2)].sort(),
      committees: [pick(committeeSlugs, n), pick(committeeSlugs, n + 3)].sort(),
    };
  };
  return {
    principles: [
      { kind: 'guiding_principle', text: 'Die Stadt ist vielfältig und weltoffen.', source: 'Leitbild 2017' },
      { kind: 'strategic_goal', text: 'Gleichberechtigter Zugang zu allen Angeboten.', source: null },
    ],
    crossCuttingMeasures: [measure('D.1'), measure('D.2')],
    fields: Array.from({ length: fieldCount }, (_, f) => ({
      key: `f-${f + 1}`,
      code: String(f + 1),
      title: `Handlungsfeld Nummer ${f + 1}`,
      description: `Beschreibung des Handlungsfelds ${f + 1}.\n\nZweiter Absatz mit Einzelheiten.`,
      isExample: f % 2 === 1,
      goals: Array.from({ length: goalCount }, (_, g) => ({
        key: `g-${f + 1}.${g + 1}`,
        code: `${f + 1}.${g + 1}`,
        text: `Ziel ${f + 1}.${g + 1}: Zugewanderte Dresdner*innen erreichen die Angebote der Stadt leichter.`,
        isExample: g % 3 === 0,
        measures: Array.from({ length: measureCount }, (_, m) => measure(`${f + 1}.${g + 1}.${m + 1}`)),
      })),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// The formats on their own (no database)
// ---------------------------------------------------------------------------------------------

describe('plan formats', () => {
  const tricky: PlanDocument = {
    principles: [
      { kind: 'strategic_goal', text: 'Erst ein Leitziel', source: null },
      { kind: 'guiding_principle', text: 'Zwei Absätze.\n\n\\ beginnt mit Backslash\n  eingerückt\nFederführung: ist hier Text', source: 'Quelle: mit Doppelpunkt' },
      { kind: 'strategic_goal', text: '\\Backslash am Anfang', source: null },
    ],
    crossCuttingMeasures: [],
    fields: [
      {
        key: 'f-1',
        code: '1',
        title: 'Titel: mit Doppelpunkt {und Klammern}',
        description: '# keine Überschrift\n- keine Liste\n* auch keine\n+ und keine\n<!-- kein Kommentar -->\n\\ Backslash\n\n\n  eingerückt\nBeispiel: ja ist hier Text',
        isExample: false,
        goals: [
          {
            key: 'g-1',
            code: '1.1',
            text: 'Beispiel: nein (das ist Text, keine Angabe)',
            isExample: true,
            measures: [
              {
                key: 'm-1',
                code: '1.1.1',
                text: 'Erste Zeile\nZeitraum: steht im Text\nGremien sind zu beteiligen\n\n- kein Listeneintrag\n# keine Überschrift',
                timeframe: 'ab 2023; laufend',
                relatedPapers: ['A0391/17', 'V1332/21'],
                isExample: false,
                lead: ['jugendamt'],
                support: [],
                committees: ['stadtrat'],
              },
            ],
          },
        ],
      },
    ],
  };

  it('writes texts that look like syntax so that they are read back unchanged, in German and English', () => {
    for (const lang of ['de', 'en'] as const) {
      const parsed = fromMarkdown(toMarkdown(tricky, { lang }));
      expect(parsed.problems).toEqual([]);
      expect(parsed.doc).toEqual(tricky);
    }
    const json = fromJson(toJson(tricky));
    expect(json.problems).toEqual([]);
    expect(json.doc).toEqual(tricky);
  });

  it('reads the small example in both formats to the same plan', () => {
    const md = fromMarkdown(fixture('plan-small.md').toString('utf8'));
    const json = fromJson(fixture('plan-small.json').toString('utf8'));
    expect(md.problems).toEqual([]);
    expect(json.problems).toEqual([]);
    expect(md.doc).toEqual(json.doc);
    expect(md.doc.fields.map((f) => f.goals.length)).toEqual([1, 1]);
    expect(md.doc.fields[0]?.goals[0]?.measures[0]).toMatchObject({ timeframe: '2022–2023', isExample: true, lead: ['buero-der-integrations-und-auslaenderbeauftragten'] });
  });

  it('keeps docs/plan-formats.md honest: its examples are read without problems and describe the same plan', () => {
    const doc = fs.readFileSync(path.resolve(import.meta.dirname, '..', 'docs', 'plan-formats.md'), 'utf8');
    const blocks = [...doc.matchAll(/```(json|markdown)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] as string }));
    const json = blocks.find((b) => b.lang === 'json' && b.text.includes('"mitsprache-plan"'));
    const md = blocks.find((b) => b.lang === 'markdown' && b.text.includes('# Handlungsfelder'));
    expect(json && md).toBeTruthy();
    const fromJsonDoc = fromJson(json!.text);
    const fromMdDoc = fromMarkdown(md!.text);
    expect(fromJsonDoc.problems).toEqual([]);
    expect(fromMdDoc.problems).toEqual([]);
    expect(fromMdDoc.doc).toEqual(fromJsonDoc.doc);
  });

  it('reads English headings and attributes, keys derived from codes, and several attributes on one line', () => {
    const parsed = fromMarkdown(
      [
        '# Guiding principle',
        '- We are an open city.',
        '  Source: Council 2017',
        '# Strategic goals',
        '* Equal access',
        '# Cross-cutting measures',
        '+ Measure D.1: Intercultural opening',
        '  Lead: jugendamt; Involved: sozialamt; Committees: stadtrat',
        '# Fields of action',
        '## Field of action 1: Language',
        'Example: yes',
        '',
        'Learning German.',
        '### Goal 1.1',
        'Courses are easy to find.',
        '- Measure 1.1.1: A course overview',
        '  Timeframe: 2022',
        '  Papers: A1/22, B2/23',
        '  Example: no',
      ].join('\n'),
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.doc.principles).toEqual([
      { kind: 'guiding_principle', text: 'We are an open city.', source: 'Council 2017' },
      { kind: 'strategic_goal', text: 'Equal access', source: null },
    ]);
    expect(parsed.doc.crossCuttingMeasures[0]).toMatchObject({ key: 'm-d.1', lead: ['jugendamt'], support: ['sozialamt'], committees: ['stadtrat'] });
    expect(parsed.doc.fields[0]).toMatchObject({ key: 'f-1', title: 'Language', isExample: true, description: 'Learning German.' });
    expect(parsed.doc.fields[0]?.goals[0]).toMatchObject({ key: 'g-1.1', text: 'Courses are easy to find.' });
    expect(parsed.doc.fields[0]?.goals[0]?.measures[0]).toMatchObject({ key: 'm-1.1.1', timeframe: '2022', relatedPapers: ['A1/22', 'B2/23'], isExample: false });
    expect(derivedKey('m', 'D 1/a')).toBe('m-d-1-a');
  });

  it('gives JSON syntax errors a line and column, with what was expected', () => {
    const cases: Array<[string, number, number, string]> = [
      ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'plans.transfer.problem.json.unexpectedChar'],
      ['{\n  "a": [1, 2,]\n}', 2, 14, 'plans.transfer.problem.json.trailingComma'],
      ['{\n  "a": "offen\n}', 2, 8, 'plans.transfer.problem.json.unterminatedString'],
      ["{\n  'a': 1\n}", 2, 3, 'plans.transfer.problem.json.singleQuote'],
      ['{\n  a: 1\n}', 2, 3, 'plans.transfer.problem.json.unquotedName'],
      ['{\n  "a": True\n}', 2, 8, 'plans.transfer.problem.json.unexpectedWord'],
      ['{\n  // Kommentar\n  "a": 1\n}', 2, 3, 'plans.transfer.problem.json.comment'],
      ['{\n  "a": "\\x"\n}', 2, 9, 'plans.transfer.problem.json.badEscape'],
      ['{\n  "a": 01\n}', 2, 8, 'plans.transfer.problem.json.badNumber'],
      ['{\n  "a": 1\n', 3, 1, 'plans.transfer.problem.json.unexpectedEnd'],
      ['{"a": 1} x', 1, 10, 'plans.transfer.problem.json.unexpectedWord'],
      [`${'['.repeat(100)}${']'.repeat(100)}`, 1, 65, 'plans.transfer.problem.json.tooDeep'],
    ];
    for (const [text, line, column, key] of cases) {
      const result = parseJson(text);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect({ text, ...result.problem, params: undefined }).toEqual({ text, line, column, key, params: undefined });
    }
    const ok = parseJson('{\n  "a": "ä\\n\\u00e4",\n  "b": [true, false, null, -1.5e3],\n  "a": {}\n}');
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.problems).toEqual([expect.objectContaining({ line: 4, key: 'plans.transfer.problem.json.duplicateMember' })]);
      const root = ok.root;
      expect(root.type === 'object' && root.members.map((m) => [m.name, m.line, m.value.line])).toEqual([
        ['a', 2, 2],
        ['b', 3, 3],
        ['a', 4, 4],
      ]);
      expect(root.type === 'object' && root.members[0]?.value).toMatchObject({ type: 'string', value: 'ä\nä' });
    }
    // Same result as JSON.parse on what both accept.
    const demo = toJson(generatedPlan(['a'], ['b'], 2, 2, 2));
    expect(fromJson(demo).doc).toEqual(JSON.parse(demo).plan);
  });

  it('finds the first byte that is not UTF-8 and recognises binary files', () => {
    expect(firstInvalidUtf8(Buffer.from('aä€😀'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc3]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0);
    const latin1 = decodeUpload(fixture('plan-latin1.md'));
    expect(latin1).toEqual({ ok: false, problem: { line: 3, key: 'plans.transfer.problem.file.notUtf8', params: { byte: '0xE4' } } });
    expect(decodeUpload(Buffer.from('%PDF-1.7\n…'))).toMatchObject({ ok: false, problem: { params: { kindKey: 'plans.transfer.binary.pdf' } } });
    expect(decodeUpload(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0]))).toMatchObject({ ok: false, problem: { params: { kindKey: 'plans.transfer.binary.office' } } });
    expect(decodeUpload(Buffer.from('\ufeff# Leitbild', 'utf16le'))).toMatchObject({ ok: false, problem: { key: 'plans.transfer.problem.file.utf16' } });
    expect(decodeUpload(Buffer.from('  \n\n'))).toMatchObject({ ok: false, problem: { key: 'plans.transfer.problem.file.empty' } });
    expect(decodeUpload(Buffer.from('\ufeff# Leitbild\r\n- Text\r\n'))).toEqual({ ok: true, text: '# Leitbild\n- Text\n' });
  });

  it('survives mangled files: never throws, every problem has a line (or is about the whole file) and reads as a sentence', () => {
    const en = catalogue.translator('en');
    const plan = generatedPlan(['jugendamt', 'sozialamt', 'amt-fuer-schulen'], ['stadtrat', 'jugendhilfeausschuss'], 3, 2, 2);
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const noise = ['{', '}', '[', ']', '"', ',', ':', '#', '## ', '- ', '  ', '\\', '{#', 'Maßnahme ', 'Ziel 1', 'Gremien: ', '\n', '<!--', 'null', '\u0000'];
    let withProblems = 0;
    for (const [name, text, read] of [
      ['json', toJson(plan), fromJson],
      ['markdown', toMarkdown(plan), fromMarkdown],
    ] as const) {
      for (let round = 0; round < 300; round++) {
        const lines = text.split('\n');
        for (let k = 0; k <= random(3); k++) {
          const at = random(lines.length);
          const op = random(5);
          if (op === 0) lines.splice(at, 1);
          else if (op === 1) lines.splice(at, 0, lines[random(lines.length)] as string);
          else if (op === 2) lines[at] = (lines[at] ?? '').slice(0, random(40));
          else if (op === 3) {
            const line = lines[at] ?? '';
            const pos = random(line.length + 1);
            lines[at] = line.slice(0, pos) + noise[random(noise.length)] + line.slice(pos);
          } else lines.splice(at, random(20));
        }
        const mangled = lines.join('\n');
        const result = read(mangled);
        for (const p of result.problems) {
          expect(p.line === null || (p.line >= 1 && p.line <= lines.length + 1), `${name}: line ${p.line}`).toBe(true);
          expect(problemText(de, p)).not.toMatch(/\{\w+\}|plans\.transfer/);
          expect(problemText(en, p)).not.toMatch(/\{\w+\}|plans\.transfer/);
        }
        if (result.problems.length) withProblems++;
      }
    }
    expect(withProblems).toBeGreaterThan(300);
  });

  it('has every message key it can produce in German and English, with the same placeholders', () => {
    const sources = fs
      .readdirSync(path.resolve(import.meta.dirname, '..', 'src', 'modules', 'plans', 'transfer'))
      .map((f) => fs.readFileSync(path.resolve(import.meta.dirname, '..', 'src', 'modules', 'plans', 'transfer', f), 'utf8'))
      .join('\n');
    const used = new Set([...sources.matchAll(/'(plans\.transfer\.[\w.]+[\w])'/g)].map((m) => m[1] as string));
    for (const prefix of ['plans.transfer.binary.', 'plans.transfer.type.', 'plans.transfer.count.', 'plans.transfer.limit.', 'plans.transfer.prop.']) {
      expect(Object.keys(messages.de).some((k) => k.startsWith(prefix)), prefix).toBe(true);
    }
    for (const key of used) {
      if (key.endsWith('.')) continue;
      expect(messages.de[key], key).toBeTruthy();
      expect(messages.en[key], key).toBeTruthy();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Import and export over HTTP, on both drivers
// ---------------------------------------------------------------------------------------------

describe.each(drivers)('plan import and export [%s]', (driver) => {
  let t: TestApp;
  let organiser: Client;
  let organiserId = '';
  let consultationId = 0;
  let published = 0; // Entwurf 1
  let draft = 0; // Entwurf 2
  let nextPosition = 10;
  let departmentSlugs: string[] = [];
  let committeeSlugs: string[] = [];

  async function newDraft(label: string): Promise<number> {
    const [row] = await t.db
      .insert(planVersions)
      .values({ consultationId, label, status: 'draft', position: nextPosition++ })
      .returning({ id: planVersions.id });
    return row!.id;
  }

  const importUrl = (id: number) => `/organiser/versions/${id}/import`;

  /** Upload (or paste), preview, confirm: the whole journey without JavaScript. */
  async function importThrough(id: number, content: string, as: 'file' | 'text', filename = 'plan.txt') {
    await organiser.get(importUrl(id));
    const preview =
      as === 'file'
        ? await upload(t, organiser, importUrl(id), { text: '', format: 'auto' }, { filename, content })
        : await upload(t, organiser, importUrl(id), { text: content, format: 'auto' });
    expect(preview.statusCode, plainText(preview.body).slice(0, 2000)).toBe(200);
    const confirm = await upload(t, organiser, `${importUrl(id)}/confirm`, confirmFields(preview.body));
    return { preview, confirm };
  }

  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db);
    organiserId = await createUser(t.db, 'organiser@example.org', ['organiser']);
    organiser = new Client(t.app);
    await organiser.signIn('organiser@example.org');
    const [c] = await t.db.select({ id: consultations.id }).from(consultations).where(eq(consultations.slug, slug));
    consultationId = c!.id;
    const versions = await t.db.select().from(planVersions).where(eq(planVersions.consultationId, consultationId)).orderBy(asc(planVersions.position));
    published = versions.find((v) => v.label === 'Entwurf 1')!.id;
    draft = versions.find((v) => v.label === 'Entwurf 2')!.id;
    departmentSlugs = (await t.db.select({ slug: departments.slug }).from(departments)).map((d) => d.slug).sort();
    committeeSlugs = (await t.db.select({ slug: committees.slug }).from(committees)).map((c) => c.slug).sort();
  });
  afterAll(() => t?.close());

  it('shows the import page for a draft with its current content and the export links', async () => {
    const res = await organiser.get(importUrl(draft));
    expect(res.statusCode).toBe(200);
    const text = plainText(res.body);
    expect(text).toContain('Plan importieren: Entwurf 2');
    expect(text).toContain('Aktionsplan Integration 2022 bis 2026');
    expect(text).toMatch(/Handlungsfelder 11/);
    expect(res.body).toContain('enctype="multipart/form-data"');
    expect(res.body).toContain(`href="/organiser/versions/${draft}/export.json"`);
    expect(res.body).toContain(`href="/organiser/versions/${draft}/export.md"`);
  });

  it('exports a version as JSON and Markdown downloads named after the consultation and version', async () => {
    const json = await organiser.get(`/organiser/versions/${draft}/export.json`);
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['content-disposition']).toBe(`attachment; filename="${slug}-entwurf-2.json"`);
    const body = JSON.parse(json.body);
    expect(body).toMatchObject({ format: 'mitsprache-plan', version: 1, about: { consultation: slug, versionLabel: 'Entwurf 2', status: 'draft' } });
    expect(body.plan).toEqual(await readPlanDocument(t.db, draft));

    const md = await organiser.get(`/organiser/versions/${draft}/export.md`);
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(md.headers['content-disposition']).toBe(`attachment; filename="${slug}-entwurf-2.md"`);
    expect(md.body).toContain('## Handlungsfeld 1: Sprache {#f-sprache}');
    const en = await organiser.get(`/organiser/versions/${draft}/export.md?lang=en`);
    expect(en.headers['content-disposition']).toBe(`attachment; filename="${slug}-entwurf-2-en.md"`);
    expect(en.body).toContain('## Field of action 1: Sprache {#f-sprache}');
    const help = await organiser.get('/organiser/plan-formats');
    expect(help.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(help.body).toContain('# Plan formats: JSON and Markdown outline');
    expect((await organiser.get('/organiser/versions/999999/export.json')).statusCode).toBe(404);
    expect((await organiser.get('/organiser/versions/abc/export.json')).statusCode).toBe(404);
  });

  it('offers published versions to everyone as open data, and drafts to no one', async () => {
    const anonymous = new Client(t.app);
    const json = await anonymous.get(`/consultations/${slug}/versions/${published}/plan.json`);
    expect(json.statusCode).toBe(200);
    expect(json.headers['access-control-allow-origin']).toBe('*');
    expect(json.headers['content-disposition']).toBe(`attachment; filename="${slug}-entwurf-1.json"`);
    expect(JSON.parse(json.body).plan).toEqual(await readPlanDocument(t.db, published));
    const md = await anonymous.get(`/consultations/${slug}/versions/${published}/plan.md`);
    expect(md.statusCode).toBe(200);
    expect(fromMarkdown(md.body).doc).toEqual(await readPlanDocument(t.db, published));
    for (const url of [
      `/consultations/${slug}/versions/${draft}/plan.json`,
      `/consultations/${slug}/versions/${draft}/plan.md`,
      `/consultations/gibt-es-nicht/versions/${published}/plan.json`,
      `/consultations/${slug}/versions/x1/plan.json`,
    ]) {
      expect((await anonymous.get(url)).statusCode, url).toBe(404);
    }
  });

  it('round-trips the demo plan exactly through JSON and through Markdown, uploaded and pasted', async () => {
    for (const source of [published, draft]) {
      const expected = await readPlanDocument(t.db, source);
      for (const [extension, as] of [
        ['json', 'file'],
        ['md', 'file'],
        ['json', 'text'],
        ['md', 'text'],
      ] as const) {
        const exported = await organiser.get(`/organiser/versions/${source}/export.${extension}`);
        const target = await newDraft(`Rundreise ${source} ${extension} ${as}`);
        const { preview, confirm } = await importThrough(target, exported.body, as, `plan.${extension}`);
        expect(plainText(preview.body)).toContain(as === 'file' ? `Datei „plan.${extension}“` : 'Eingefügter Text');
        expect(confirm.statusCode).toBe(303);
        expect(confirm.headers.location).toBe(importUrl(target));
        const actual = await readPlanDocument(t.db, target);
        expect(isDeepStrictEqual(actual, expected), `${source} ${extension} ${as}`).toBe(true);
      }
    }
    // The English headings read back to the same plan too.
    const english = await organiser.get(`/organiser/versions/${draft}/export.md?lang=en`);
    const target = await newDraft('Rundreise englisch');
    await importThrough(target, english.body, 'text');
    expect(await readPlanDocument(t.db, target)).toEqual(await readPlanDocument(t.db, draft));
  });

  it('replaces a draft with content in one step, shows what changes, and records the import', async () => {
    const target = await newDraft('Ersetzen');
    await importThrough(target, fixture('plan-small.md').toString('utf8'), 'text');
    const exported = await organiser.get(`/organiser/versions/${draft}/export.json`);
    await organiser.get(importUrl(target));
    const preview = await upload(t, organiser, importUrl(target), { text: '' }, { filename: 'entwurf-2.json', content: exported.body });
    const text = plainText(preview.body);
    expect(text).toContain('Der Import ersetzt den gesamten Inhalt der Fassung „Ersetzen“ (2 Handlungsfelder, 2 Ziele, 3 Maßnahmen)');
    expect(text).toContain('Datei „entwurf-2.json“, gelesen als JSON');
    // Keys shared with the demo (1.1.1, 2.1.1's UMA measure, D.1 differs) show up as changed, the rest as new.
    expect(text).toMatch(/Handlungsfelder 2 11 \d+ \d+ \d+/);
    const confirm = await upload(t, organiser, `${importUrl(target)}/confirm`, confirmFields(preview.body));
    expect(confirm.statusCode).toBe(303);
    const page = await organiser.get(importUrl(target), cookiesAfter(organiser, confirm));
    expect(page.body).toContain('Der Plan wurde importiert.');
    expect(plainText(page.body)).toContain('11 Zusammenleben und Antidiskriminierung');
    expect(await readPlanDocument(t.db, target)).toEqual(await readPlanDocument(t.db, draft));

    const [audit] = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.action, 'plan.imported'), eq(auditEntries.subjectId, String(target))))
      .orderBy(asc(auditEntries.id))
      .offset(1);
    expect(audit).toMatchObject({ subjectType: 'plan_version', before: { fields: 2, goals: 2, measures: 3 }, after: { fields: 11, measures: 31, format: 'json', source: 'file', filename: 'entwurf-2.json' } });
    expect(audit?.actorId).toBeTruthy();
  });

  it('imports a generated 11 × 6 × 5 plan in one step, in both formats, and is quick about it', async () => {
    const plan = generatedPlan(departmentSlugs, committeeSlugs);
    for (const [name, content] of [
      ['json', toJson(plan)],
      ['markdown', toMarkdown(plan)],
    ] as const) {
      const target = await newDraft(`Generiert ${name}`);
      await organiser.get(importUrl(target));
      let started = performance.now();
      const preview = await upload(t, organiser, importUrl(target), { text: '' }, { filename: `plan.${name}`, content });
      const previewMs = performance.now() - started;
      expect(preview.statusCode, plainText(preview.body).slice(0, 1000)).toBe(200);
      expect(plainText(preview.body)).toMatch(/Handlungsfelder 0 11 11 0 0/);
      expect(plainText(preview.body)).toMatch(/Maßnahmen insgesamt 0 332 332 0 0/);
      started = performance.now();
      const confirm = await upload(t, organiser, `${importUrl(target)}/confirm`, confirmFields(preview.body));
      const importMs = performance.now() - started;
      expect(confirm.statusCode).toBe(303);
      const actual = await readPlanDocument(t.db, target);
      expect(actual).toEqual(plan);
      console.log(
        `[${driver}] generated plan 11×6×5 (${Buffer.byteLength(content)} bytes ${name}): preview ${previewMs.toFixed(0)} ms, import ${importMs.toFixed(0)} ms`,
      );
      expect(importMs).toBeLessThan(5_000);
    }
    // The import service alone (read, check, write in one transaction), without HTTP.
    const version = await findVersion(t.db, await newDraft('Generiert direkt'));
    const started = performance.now();
    const result = await importPlan(t.app.ctx, organiserId, version, { file: null, text: toJson(plan), format: 'auto' }, '');
    const serviceMs = performance.now() - started;
    expect(result.ok).toBe(true);
    console.log(`[${driver}] generated plan 11×6×5: importPlan service alone ${serviceMs.toFixed(0)} ms`);
  });

  // Each malformed input: where the error is, which message, and that nothing changed.
  const malformed: Array<{ name: string; content: string | Buffer; as?: 'file' | 'text'; expect: Array<[number | null, string]> }> = [
    { name: 'JSON syntax (missing comma)', content: fixture('plan-malformed.json'), expect: [[10, 'plans.transfer.problem.json.unexpectedChar']] },
    {
      name: 'JSON content (missing text, wrong type, duplicate key, unknown committee)',
      content: fixture('plan-invalid.json'),
      expect: [
        [16, 'plans.transfer.problem.json.missing'],
        [21, 'plans.transfer.problem.plan.duplicateKey'],
        [24, 'plans.transfer.problem.json.wrongType'],
        [25, 'plans.transfer.problem.plan.unknownCommitteeSuggest'],
      ],
    },
    {
      name: 'Markdown structure (measure outside a goal, unknown attribute, unknown committee, wrong heading levels)',
      content: fixture('plan-malformed.md'),
      expect: [
        [9, 'plans.transfer.problem.md.measureOutsideGoal'],
        [16, 'plans.transfer.problem.md.unknownAttribute'],
        [17, 'plans.transfer.problem.plan.unknownCommitteeSuggest'],
        [19, 'plans.transfer.problem.md.wrongLevel'],
        [21, 'plans.transfer.problem.md.wrongLevel'],
      ],
    },
    {
      name: 'Markdown measure without text, bad flag, unknown department, lead and support at once',
      as: 'text',
      content: [
        '# Durchgängige Maßnahmen',
        '',
        '- Maßnahme D.1 {#m-d-1}:',
        '  Federführung: jugendamt',
        '- Maßnahme D.2 {#m-d-2}: Text',
        '  Beispiel: vielleicht',
        '  Federführung: jugendamtt',
        '- Maßnahme D.3 {#m-d-3}: Text',
        '  Federführung: sozialamt; Beteiligt: sozialamt',
        '  Gremien stadtrat',
      ].join('\n'),
      expect: [
        [3, 'plans.transfer.problem.plan.empty'],
        [6, 'plans.transfer.problem.md.badFlag'],
        [7, 'plans.transfer.problem.plan.unknownDepartmentSuggest'],
        [9, 'plans.transfer.problem.plan.leadAndSupport'],
        [10, 'plans.transfer.problem.md.missingColon'],
      ],
    },
    {
      name: 'Markdown headings (no space, unknown section, text before the first heading)',
      as: 'text',
      content: 'Ein Plan\n\n#Leitbild\n\n# Leitlinien\n\n- wird übersprungen\n\n## Sprache\n',
      expect: [
        [1, 'plans.transfer.problem.md.beforeSection'],
        [3, 'plans.transfer.problem.md.headingSpace'],
        [5, 'plans.transfer.problem.md.unknownSection'],
        [9, 'plans.transfer.problem.md.badFieldHeading'],
      ],
    },
    { name: 'a file that is not UTF-8', content: fixture('plan-latin1.md'), expect: [[3, 'plans.transfer.problem.file.notUtf8']] },
    { name: 'a PDF', content: Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'), expect: [[null, 'plans.transfer.problem.file.binary']] },
    { name: 'a binary file', content: Buffer.from([0x00, 0x01, 0x02, 0xff, 0x10, 0x00, 0x41]), expect: [[null, 'plans.transfer.problem.file.binary']] },
    { name: 'an empty file', content: Buffer.alloc(0), expect: [[null, 'plans.transfer.problem.file.empty']] },
    { name: 'a file that is too large', content: Buffer.alloc(MAX_BYTES + 10, 0x61), expect: [[null, 'plans.transfer.problem.file.tooLarge']] },
    { name: 'neither file nor text', as: 'text', content: '   ', expect: [[null, 'plans.transfer.problem.input.none']] },
  ];

  for (const c of malformed) {
    it(`reports ${c.name} by line and leaves the plan unchanged`, async () => {
      const before = await readPlanDocument(t.db, draft);
      await organiser.get(importUrl(draft));
      const fields = { text: c.as === 'text' ? c.content.toString() : '', format: 'auto' };
      const file = c.as === 'text' ? undefined : { filename: 'plan-datei.txt', content: c.content };
      const res = await upload(t, organiser, importUrl(draft), fields, file);
      expect(res.statusCode).toBe(422);
      const text = plainText(res.body);
      expect(res.body).toContain('class="error-summary transfer-problems"');
      expect(text).toContain('Am Inhalt der Fassung wurde nichts geändert.');
      expect(res.body).not.toContain('/import/confirm');
      for (const [line, key] of c.expect) {
        const literal = messages.de[key]!.split(/\{\w+\}/).sort((a, b) => b.length - a.length)[0]!.trim().slice(0, 25);
        if (line !== null) expect(text).toMatch(new RegExp(`Zeile ${line}(, Spalte \\d+)?: [^]*?`));
        expect(text, key).toContain(literal);
      }
      // The exact list: every expected problem, at its line, and nothing else.
      const list = /<ol class="transfer-problems__list">[\s\S]*?<\/ol>/.exec(res.body)?.[0] ?? '';
      const listed = [...list.matchAll(/<li>(?:<strong class="transfer-problems__place">Zeile (\d+)(?:, Spalte \d+)?:<\/strong> )?/g)].map((m) =>
        m[1] ? Number(m[1]) : null,
      );
      expect(listed).toEqual(c.expect.map(([line]) => line));
      // Sending the same to the confirm step changes nothing either (it reads no files at all).
      const confirm = await upload(t, organiser, `${importUrl(draft)}/confirm`, { ...fields, basis: '' }, file);
      expect(confirm.statusCode).toBe(422);
      expect(await readPlanDocument(t.db, draft)).toEqual(before);
    });
  }

  it('answers mangled plans with a preview or problems, never a server error, and imports what passes', async () => {
    const exported = (await organiser.get(`/organiser/versions/${draft}/export.md`)).body;
    const target = await newDraft('Verformt');
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const outcomes: number[] = [];
    for (let round = 0; round < 8; round++) {
      const lines = exported.split('\n');
      const at = random(lines.length);
      if (round % 2) lines.splice(at, 1);
      else lines.splice(at, 0, lines[random(lines.length)] as string);
      await organiser.get(importUrl(target));
      const preview = await upload(t, organiser, importUrl(target), { text: lines.join('\n') });
      expect([200, 422]).toContain(preview.statusCode);
      outcomes.push(preview.statusCode);
      if (preview.statusCode === 200) {
        const confirm = await upload(t, organiser, `${importUrl(target)}/confirm`, confirmFields(preview.body));
        expect(confirm.statusCode).toBe(303);
      }
    }
    expect(outcomes).toContain(200);
    expect(outcomes).toContain(422);
  });

  it('keeps the pasted text after a failed preview so it can be corrected in place, and speaks English', async () => {
    await createUser(t.db, 'organiser-en@example.org', ['organiser']);
    const english = new Client(t.app);
    await english.signIn('organiser-en@example.org');
    await english.post('/language', { lang: 'en', next: importUrl(draft) });
    await english.get(importUrl(draft));
    const res = await upload(t, english, importUrl(draft), { text: '# Leitbild\n- ok\n#### Ziel 9', format: 'markdown' });
    expect(res.statusCode).toBe(422);
    expect(plainText(res.body)).toContain('Line 3: Wrong heading level “####” for a goal. Expected: “###”.');
    expect(res.body).toContain('<textarea id="field-text" name="text"');
    expect(res.body).toContain('# Leitbild\n- ok\n#### Ziel 9</textarea>');
    expect(res.body).toContain('value="markdown" checked');
  });

  it('reads the format that was chosen, even when the content looks like the other one', async () => {
    await organiser.get(importUrl(draft));
    const res = await upload(t, organiser, importUrl(draft), { text: fixture('plan-small.md').toString('utf8'), format: 'json' });
    expect(res.statusCode).toBe(422);
    expect(plainText(res.body)).toContain('Zeile 1, Spalte 1: Unerwartetes Zeichen „<“');
  });

  it('refuses published versions with 409 on every import route and changes nothing', async () => {
    const before = await readPlanDocument(t.db, published);
    const page = await organiser.get(importUrl(published));
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain(de('plans.errors.versionReadOnly'));
    await organiser.get(importUrl(draft));
    const small = fixture('plan-small.md').toString('utf8');
    const preview = await upload(t, organiser, importUrl(published), { text: small });
    expect(preview.statusCode).toBe(409);
    const confirm = await upload(t, organiser, `${importUrl(published)}/confirm`, { text: small, format: 'markdown', basis: '' });
    expect(confirm.statusCode).toBe(409);
    expect(confirm.body).toContain(de('plans.errors.versionReadOnly'));
    expect(await readPlanDocument(t.db, published)).toEqual(before);
  });

  it('requires the CSRF token for the multipart upload and the confirmation', async () => {
    const target = await newDraft('CSRF');
    const before = await readPlanDocument(t.db, target);
    await organiser.get(importUrl(target));
    const small = fixture('plan-small.md').toString('utf8');
    const withoutToken = await upload(t, organiser, `${importUrl(target)}/confirm`, { text: small, format: 'markdown', basis: '' }, undefined, { csrf: false });
    expect(withoutToken.statusCode).toBe(403);
    expect(withoutToken.body).toContain(de('errors.csrf.title'));
    const wrongToken = await upload(t, organiser, `${importUrl(target)}/confirm`, { _csrf: 'forged', text: small, basis: '' }, undefined, { csrf: false });
    expect(wrongToken.statusCode).toBe(403);
    const preview = await upload(t, organiser, importUrl(target), { text: small }, undefined, { csrf: false });
    expect(preview.statusCode).toBe(403);
    expect(await readPlanDocument(t.db, target)).toEqual(before);
    // With the token from the page it goes through (the htmx header works as well).
    const viaHeader = await upload(t, organiser, `${importUrl(target)}/confirm`, { text: small, format: 'markdown', basis: '' }, undefined, {
      csrf: false,
      headers: { 'x-csrf-token': organiser.csrf },
    });
    expect(viaHeader.statusCode).toBe(303);
  });

  it('does not import over changes made after the preview', async () => {
    const target = await newDraft('Gleichzeitig');
    await organiser.get(importUrl(target));
    const preview = await upload(t, organiser, importUrl(target), { text: fixture('plan-small.json').toString('utf8') });
    const fields = confirmFields(preview.body);
    // Someone else imports in the meantime.
    await importThrough(target, fixture('plan-small.md').toString('utf8').replace('Sprache {#f-sprache}', 'Deutsch {#f-sprache}'), 'text');
    const changed = await readPlanDocument(t.db, target);
    const stale = await upload(t, organiser, `${importUrl(target)}/confirm`, fields);
    expect(stale.statusCode).toBe(409);
    expect(plainText(stale.body)).toContain('Die Fassung wurde seit der Vorschau geändert.');
    expect(await readPlanDocument(t.db, target)).toEqual(changed);
    // The refreshed preview carries the new basis and can be confirmed.
    const again = await upload(t, organiser, `${importUrl(target)}/confirm`, confirmFields(stale.body));
    expect(again.statusCode).toBe(303);
    expect((await readPlanDocument(t.db, target)).fields[0]?.title).toBe('Sprache');
  });

  it('answers a boosted htmx upload with the page body and keeps the import page in the address bar', async () => {
    await organiser.get(importUrl(draft));
    const res = await upload(t, organiser, importUrl(draft), { text: '# Leitbild\n\nText ohne Listenzeichen' }, undefined, {
      headers: { 'hx-request': 'true', 'hx-boosted': 'true' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['hx-push-url']).toBe(importUrl(draft));
    expect(res.body).not.toContain('<html');
    expect(plainText(res.body)).toContain('Zeile 3: Text ohne Listenzeichen.');
  });

  it('lets only organisers and admins near the import and export of a version', async () => {
    await createUser(t.db, 'moderator-transfer@example.org', ['moderator']);
    const moderator = new Client(t.app);
    await moderator.signIn('moderator-transfer@example.org');
    expect((await moderator.get(importUrl(draft))).statusCode).toBe(403);
    expect((await moderator.get(`/organiser/versions/${draft}/export.json`)).statusCode).toBe(403);
    const anonymous = new Client(t.app);
    const res = await anonymous.get(`/organiser/versions/${draft}/export.md`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/signin\?next=/);
  });

  it('explains every problem a file can have in words (no raw keys)', () => {
    const problem: Problem = { line: 4, key: 'plans.transfer.problem.plan.unknownCommitteeSuggest', params: { itemKey: 'plans.transfer.item.measure', code: '1.1.1', value: 'jha', suggestion: 'jugendhilfeausschuss' } };
    expect(problemText(de, problem)).toBe(
      'Maßnahme 1.1.1: Das Gremium „jha“ ist nicht angelegt – meinten Sie „jugendhilfeausschuss“? Erwartet: das Kürzel eines angelegten Gremiums.',
    );
  });
});
