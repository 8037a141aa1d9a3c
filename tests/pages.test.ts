import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../src/modules/demo/load.js';
import { Client, createTestApp, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

const slug = 'aktionsplan-integration-2022-2026';

describe.each(drivers)('public pages with the demo consultation [%s]', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db);
  });
  afterAll(() => t?.close());

  it('lists the consultation on the start page with its council paper and phase timeline', async () => {
    const res = await new Client(t.app).get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="de" dir="ltr">');
    expect(res.body).toContain(`href="/consultations/${slug}"`);
    expect(res.body).toContain('Aktionsplan Integration 2022 bis 2026');
    expect(res.body).toContain('Vorlage V1332/21');
    // Four phases, all in the past for the demo: each says when it closed.
    expect(res.body.match(/abgeschlossen am/g)?.length).toBe(4);
  });

  it('shows the plan with the seed texts verbatim', async () => {
    const res = await new Client(t.app).get(`/consultations/${slug}/plan`);
    expect(res.statusCode).toBe(200);
    const text = res.body.replace(/\s+/g, ' ');
    for (const phrase of [
      'Dresden ist eine vielfältige und weltoffene Stadt, in der Werte wie Demokratie, Zusammenhalt, gemeinsamer Respekt und Wertschätzung gelebt werden.',
      'Die Stadtverwaltung gewährleistet den gleichberechtigten Zugang der Menschen mit Migrationsgeschichte zu allen kommunalen Angeboten und Dienstleistungen.',
      'Die Stadtverwaltung fördert das solidarische Miteinander und den Zusammenhalt der Dresdner*innen.',
      'Die Stadtverwaltung positioniert sich deutlich gegen die Erscheinungsformen Gruppenbezogener Menschenfeindlichkeit und gegen Diskriminierung.',
      'weitere interkulturelle Öffnung der Stadtverwaltung und der Regelangebote',
      'Fortschreibung Konzeption unbegleitete ausländische Minderjährige',
      'Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule',
      'A0391/17',
      'interkulturelle Öffnung der Elternbefragungen',
      'V1332/21',
      'V1070/21',
      'V0586/20',
      'Jugendhilfeausschuss',
      'Ausschuss für Bildung',
    ]) {
      expect(text, phrase).toContain(phrase);
    }
    // The published version is shown, not the draft of version 2.
    expect(text).toContain('Entwurf 1');
    expect(text).not.toContain('Entwurf 2');
  });

  it('gives every field of action, goal and measure an anchor, and marks invented content', async () => {
    const res = await new Client(t.app).get(`/consultations/${slug}/plan`);
    const fieldAnchors = res.body.match(/<section class="field-of-action" id="field-/g) ?? [];
    expect(fieldAnchors.length).toBe(11);
    expect(res.body).toMatch(/id="goal-[\w-]+"/);
    expect(res.body).toMatch(/id="measure-[\w-]+"/);
    expect(res.body).toContain('Beispielinhalt');
    // Table of contents links to every field.
    for (const id of res.body.matchAll(/<section class="field-of-action" id="(field-[\w-]+)"/g)) {
      expect(res.body).toContain(`href="#${id[1]}"`);
    }
  });

  it('speaks English when asked, with the right lang attribute', async () => {
    const res = await new Client(t.app, { 'accept-language': 'en-GB,en;q=0.9' }).get(`/consultations/${slug}`);
    expect(res.body).toContain('<html lang="en" dir="ltr">');
    expect(res.body).toContain('Strategic goals');
    expect(res.body).toContain('Council paper V1332/21');
  });

  it('switches language with the form and remembers it', async () => {
    const client = new Client(t.app);
    const home = await client.get('/');
    // Anonymous pages carry no token: the language form is a GET that only sets a cookie.
    expect(home.body).toContain('<form method="get" action="/language"');
    const res = await client.get(`/language?next=${encodeURIComponent(`/consultations/${slug}`)}&lang=en`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/consultations/${slug}`);
    const page = await client.get('/');
    expect(page.body).toContain('<html lang="en"');
    expect(page.body).toContain('Consultations');
    await client.get(`/language?lang=xx&next=${encodeURIComponent('https://evil.example')}`);
    expect(client.last?.headers.location).toBe('/');
    expect((await client.get('/')).body).toContain('<html lang="en"');
  });

  it('answers a boosted htmx navigation with the body only, title included', async () => {
    const res = await new Client(t.app).get(`/consultations/${slug}`, { 'hx-request': 'true', 'hx-boosted': 'true' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<html');
    expect(res.body).not.toContain('<head>');
    expect(res.body).toContain('<title>Aktionsplan Integration 2022 bis 2026 – Mitsprache</title>');
    expect(res.body).toContain('<main id="main"');
  });

  it('answers an unknown consultation with the 404 page', async () => {
    const res = await new Client(t.app).get('/consultations/gibt-es-nicht');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Seite nicht gefunden');
  });

  it('loads the demo only once', async () => {
    await loadDemo(t.db);
    const res = await new Client(t.app).get('/');
    expect(res.body.match(new RegExp(`href="/consultations/${slug}"`, 'g'))?.length).toBe(2);
  });
});

describe.each(drivers)('language of plan content on pages in another language [%s]', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db);
  });
  afterAll(() => t?.close());

  it('marks German plan texts with lang="de" on an English page, and not on a German one', async () => {
    const text = 'Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule';
    const english = await new Client(t.app, { 'accept-language': 'en' }).get(`/consultations/${slug}/measures/m-jha-abendoberschule`);
    expect(english.body).toContain('<html lang="en"');
    expect(english.body).toContain(`<span lang="de">${text}</span>`);
    const german = await new Client(t.app).get(`/consultations/${slug}/measures/m-jha-abendoberschule`);
    expect(german.body).toContain(text);
    expect(german.body).not.toContain('<span lang="de">');
  });
});

describe.each(drivers)('page weight [%s]', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db);
  });
  afterAll(() => t?.close());

  it('sends a measure page with its CSS, script and htmx in at most 60 KB compressed', async () => {
    const client = new Client(t.app, { 'accept-encoding': 'br, gzip' });
    const page = await client.get(`/consultations/${slug}/measures/m-jha-abendoberschule`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-encoding']).toBe('br');
    const html = zlib.brotliDecompressSync(page.rawPayload).toString('utf8');
    expect(html).toContain('Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule');
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(assets).toEqual(expect.arrayContaining(['/assets/app.css', '/assets/app.js', '/assets/vendor/htmx.min.js']));
    let total = page.rawPayload.length;
    for (const asset of new Set(assets)) {
      const res = await client.get(asset);
      expect(res.statusCode, asset).toBe(200);
      expect(res.headers['content-encoding'], asset).toBeDefined();
      total += res.rawPayload.length;
    }
    console.log(`measure page + assets: ${total} bytes compressed`);
    expect(total).toBeLessThanOrEqual(60 * 1024);
  });
});
