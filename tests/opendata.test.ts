import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../src/core/crypto.js';
import { users } from '../src/modules/accounts/schema.js';
import { BATCH_SIZE, csvCell } from '../src/modules/participation/opendata/service.js';
import { contributionReferences, contributions, organisations } from '../src/modules/participation/schema.js';
import { insertContribution } from '../src/modules/participation/service.js';
import { createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';
import { eq } from 'drizzle-orm';

/** RFC 4180 parser: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

function records(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

const TRICKY = 'Erstens, zweitens; "Zitat" und\nZeilenumbruch\r\nنريد دورات مسائية – עברית auch';

describe.each(drivers)('open data of a consultation [%s]', (driver) => {
  let t: TestApp;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp(driver);
    const d = await openDemoPhase(t.db, 'post');
    const mira = await createUser(t.db, 'mira@example.org', [], 'Mira aus Pieschen');
    const gone = await createUser(t.db, 'weg@example.org', [], 'Gelöschte Person');
    await t.db.update(users).set({ email: null, displayName: null, deletedAt: new Date() }).where(eq(users.id, gone));
    const rep = await createUser(t.db, 'vorstand@example.org', ['organisation_representative'], 'Vereinsvorstand');
    const [org] = await t.db.insert(organisations).values({ name: 'Ausländerrat (Test)', kind: 'migrant_organisation', verifiedAt: new Date() }).returning();
    const add = async (name: string, values: Partial<typeof contributions.$inferInsert>) => {
      const { id } = await insertContribution(t.db, {
        consultationId: d.consultationId,
        phaseId: d.phaseId,
        kind: 'comment',
        targetKind: 'measure',
        targetKey: demo.measure,
        body: `Text ${name}`,
        language: 'de',
        pageLocale: 'de',
        status: 'published',
        publishedAt: new Date(),
        formToken: randomToken(),
        ...values,
      });
      ids[name] = id;
    };
    await add('account', { authorId: mira, body: TRICKY, language: 'ar' });
    await add('reply', { authorId: mira, parentId: ids.account, body: '=HYPERLINK("http://evil.example","klick")' });
    await add('redacted', { guestEmail: 'redigiert@example.org', body: 'Rufen Sie Herrn X an: 0171 555 1234', redactedBody: 'Rufen Sie Herrn X an: [entfernt]' });
    await add('guest', { guestEmail: 'gast-geheim@example.org', body: '+49 351 1234 ruft an', targetKind: 'goal', targetKey: demo.goal });
    await add('deleted', { authorId: gone, body: '-minus am Anfang', targetKind: 'field', targetKey: demo.field });
    await add('organisation', { authorId: rep, organisationId: org!.id, body: '@mention am Anfang' });
    await add('statementNamed', {
      kind: 'statement',
      targetKind: 'consultation',
      targetKey: null,
      guestEmail: 'stellung@example.org',
      submitterName: 'Dr. Erika Muster',
      submitterDetails: 'Musterweg 1, 01099 Dresden, Tel. 0351 999',
      publishName: true,
      title: 'Stellungnahme mit Namen',
      receiptNumber: 'AI-2026-0001',
    });
    await add('statementAnonymous', {
      kind: 'statement',
      targetKind: 'consultation',
      targetKey: null,
      authorId: mira,
      submitterName: 'Mira Echtname',
      publishName: false,
      receiptNumber: 'AI-2026-0002',
    });
    await add('statementTextWithheld', {
      kind: 'statement',
      targetKind: 'consultation',
      targetKey: null,
      authorId: rep,
      organisationId: org!.id,
      publishName: true,
      publishText: false,
      title: 'Vertraulicher Titel',
      body: 'Vertraulicher Text der Stellungnahme',
      receiptNumber: 'AI-2026-0003',
    });
    await t.db.insert(contributionReferences).values([
      { contributionId: ids.statementNamed!, targetKind: 'measure', targetKey: demo.measure },
      { contributionId: ids.statementNamed!, targetKind: 'goal', targetKey: demo.goal },
    ]);
    for (const status of ['unconfirmed', 'pending', 'rejected', 'withdrawn', 'hidden', 'revision_requested'] as const) {
      await add(status, { status, guestEmail: `${status}@example.org`, body: `Nicht öffentlich: ${status}`, publishedAt: null });
    }
  });
  afterAll(() => t?.close());

  it('serves a CSV with BOM and RFC 4180 quoting, exactly the published contributions, and nothing private', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/consultations/${demo.slug}/contributions.csv` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9-]+\.csv"$/);
    const raw = res.rawPayload;
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = raw.toString('utf8').slice(1);
    expect(text).not.toMatch(/@example\.org/);
    expect(text).not.toContain('Musterweg');
    expect(text).not.toContain('Mira Echtname');
    expect(text).not.toContain('Vertraulicher');
    expect(text).not.toContain('Nicht öffentlich');

    const rows = records(text);
    const published = ['account', 'reply', 'redacted', 'guest', 'deleted', 'organisation', 'statementNamed', 'statementAnonymous', 'statementTextWithheld'];
    expect(rows.map((r) => Number(r.id))).toEqual(published.map((n) => ids[n]));
    const byName = (name: string) => rows.find((r) => Number(r.id) === ids[name])!;

    expect(byName('account').text).toBe(TRICKY);
    expect(byName('account').language).toBe('ar');
    expect(byName('account').author).toBe('Mira aus Pieschen');
    expect(byName('account').author_type).toBe('person');
    expect(byName('account').target_kind).toBe('measure');
    expect(byName('account').target_key).toBe(demo.measure);
    expect(byName('account').target_code).not.toBe('');
    expect(byName('account').created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(byName('redacted').text).toBe('Rufen Sie Herrn X an: [entfernt]');
    expect(text).not.toContain('0171 555 1234');
    expect(byName('reply').parent_id).toBe(String(ids.account));
    // Cells a spreadsheet would run as formulas start with an apostrophe.
    expect(byName('reply').text).toBe('\'=HYPERLINK("http://evil.example","klick")');
    expect(byName('guest').text).toBe("'+49 351 1234 ruft an");
    expect(byName('guest').author).toBe('Privatperson');
    expect(byName('guest').author_type).toBe('private');
    expect(byName('guest').target_kind).toBe('goal');
    expect(byName('deleted').text).toBe("'-minus am Anfang");
    expect(byName('deleted').author).toBe('Privatperson');
    expect(byName('organisation').text).toBe("'@mention am Anfang");
    expect(byName('organisation').author).toBe('Ausländerrat (Test)');
    expect(byName('organisation').author_type).toBe('organisation');
    expect(byName('statementNamed').author).toBe('Dr. Erika Muster');
    expect(byName('statementNamed').receipt_number).toBe('AI-2026-0001');
    expect(byName('statementNamed').references).toBe(`measure:${demo.measure} goal:${demo.goal}`);
    expect(byName('statementAnonymous').author).toBe('Privatperson');
    expect(byName('statementTextWithheld').text).toBe('');
    expect(byName('statementTextWithheld').title).toBe('');
    expect(byName('statementTextWithheld').text_withheld).toBe('true');
    expect(byName('statementTextWithheld').author).toBe('Ausländerrat (Test)');
  });

  it('serves the same as JSON with the consultation and its licence', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/consultations/${demo.slug}/contributions.json` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).not.toMatch(/@example\.org/);
    expect(res.body).not.toContain('Musterweg');
    const data = JSON.parse(res.body) as {
      consultation: { slug: string; title: string; paper_reference: string | null };
      licence: { name: string };
      contributions: Array<{ id: number; text: string | null; author: string; text_withheld: boolean; references: Array<{ kind: string; key: string; code: string | null }> }>;
    };
    expect(data.consultation.slug).toBe(demo.slug);
    expect(data.consultation.paper_reference).toBe('V1332/21');
    expect(data.licence.name).toBe('CC BY 4.0');
    expect(data.contributions).toHaveLength(9);
    const account = data.contributions.find((c) => c.id === ids.account);
    expect(account?.text).toBe(TRICKY);
    const withheld = data.contributions.find((c) => c.id === ids.statementTextWithheld);
    expect(withheld).toMatchObject({ text: null, text_withheld: true });
    const named = data.contributions.find((c) => c.id === ids.statementNamed);
    expect(named?.references.map((r) => r.kind)).toEqual(expect.arrayContaining(['measure', 'goal']));
    expect(named?.references.every((r) => r.code)).toBe(true);
  });

  it('streams more contributions than one batch, without gaps or repeats', async () => {
    const [c] = await t.db.select({ consultationId: contributions.consultationId, phaseId: contributions.phaseId }).from(contributions).limit(1);
    const rows = Array.from({ length: BATCH_SIZE + 20 }, (_, i) => ({
      consultationId: c!.consultationId,
      phaseId: c!.phaseId,
      kind: 'comment' as const,
      targetKind: 'consultation' as const,
      body: `Massenbeitrag ${i}`,
      language: 'de',
      pageLocale: 'de',
      status: 'published' as const,
      guestEmail: 'masse@example.org',
    }));
    await t.db.insert(contributions).values(rows);
    const res = await t.app.inject({ method: 'GET', url: `/consultations/${demo.slug}/contributions.csv` });
    const ids = records(res.rawPayload.toString('utf8').slice(1)).map((r) => Number(r.id));
    expect(ids).toHaveLength(9 + BATCH_SIZE + 20);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const json = JSON.parse((await t.app.inject({ method: 'GET', url: `/consultations/${demo.slug}/contributions.json` })).body) as { contributions: unknown[] };
    expect(json.contributions).toHaveLength(9 + BATCH_SIZE + 20);
  });

  it('answers 404 for an unknown consultation', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/consultations/gibt-es-nicht/contributions.csv' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/consultations/gibt-es-nicht/contributions.json' })).statusCode).toBe(404);
  });
});

describe('CSV cells', () => {
  it('quotes and neutralises as RFC 4180 and spreadsheets need', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('=1,2')).toBe('"\'=1,2"');
    expect(csvCell('\tTab')).toBe("'\tTab");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(csvCell(false)).toBe('false');
  });
});
