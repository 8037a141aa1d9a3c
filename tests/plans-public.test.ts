import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../src/app.js';
import { createEta } from '../src/core/web.js';
import { departments } from '../src/modules/departments/schema.js';
import { generatePlan } from '../src/modules/demo/generated.js';
import { loadDemo } from '../src/modules/demo/load.js';
import { writePlanDocument } from '../src/modules/plans/document.js';
import { countsByTarget, targetKey } from '../src/modules/plans/queries.js';
import { participationOutlook, shorten } from '../src/modules/plans/routes.js';
import { consultations, measures, phases, planVersions } from '../src/modules/plans/schema.js';
import { highlight, parseSearchQuery } from '../src/modules/plans/search.js';
import { Client, createTestApp, createUser, queriesDuring, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

const slug = 'aktionsplan-integration-2022-2026';
const base = `/consultations/${slug}`;

/** The five measures of the seed page "(JHA)" and the three of "(Bildung, Kita)". */
const JHA = ['m-jha-uam-konzeption', 'm-jha-gremium-kindeswohl', 'm-jha-sprachmittlung-kosten', 'm-jha-schulindex-schulsozialarbeit', 'm-jha-abendoberschule'];
const KITA = ['m-kita-elternbefragungen', 'm-kita-kooperationsmodell', 'm-kita-paedagogische-konzeptionen'];
const CROSS_CUTTING = ['m-d-interkulturelle-oeffnung', 'm-d-strategien-fachplanungen'];

/** The part of a page from the element with `id` to the end of its section (rough, for lists). */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no element with id ${id}`);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end < 0 ? undefined : end);
}

/** The keys of the measures listed (as list items with an anchor) in a piece of a page. */
function measureKeys(html: string): string[] {
  return [...html.matchAll(/<li class="measure" id="measure-([\w-]+)"/g)].map((m) => m[1] as string);
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('search query parsing and highlighting', () => {
  it('tells empty, overlong and punctuation-only queries apart', () => {
    expect(parseSearchQuery('   ').problem).toBe('empty');
    expect(parseSearchQuery('x'.repeat(201)).problem).toBe('tooLong');
    expect(parseSearchQuery('x'.repeat(200)).problem).toBeNull();
    expect(parseSearchQuery('?!… --- ""').problem).toBe('noWords');
    expect(parseSearchQuery('"Schulsozial arbeit" -Kita or die Kita').words).toEqual(['Schulsozial', 'arbeit', 'Kita']);
  });

  it('escapes everything but its own marks', () => {
    const html = highlight('\u0001Kinder\u0002 \u0003script\u0004x\u0003/script\u0004 & "q"', '<script>x</script>', []);
    expect(html).toBe('… <mark>Kinder</mark> &lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot; …');
    // Substring matches (the inside of compound words) are marked too, case-insensitively.
    expect(highlight('Einsatz von Schulsozialarbeit', 'Einsatz von Schulsozialarbeit', ['SOZIAL'])).toBe('Einsatz von Schul<mark>sozial</mark>arbeit');
    // Marker characters in the text itself cannot open a mark.
    expect(highlight('a <b>', 'a <b>', [])).toBe('a &lt;b&gt;');
  });
});

describe('outline texts', () => {
  it('cuts long texts at a word boundary and leaves short ones alone', () => {
    expect(shorten('Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule')).toBe('Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule');
    const long = 'weitere interkulturelle Öffnung der Stadtverwaltung und der Regelangebote (u. a. Diversität des Personals, Mehrsprachigkeit, leicht verständliche deutsche Sprache)';
    expect(shorten(long)).toBe('weitere interkulturelle Öffnung der Stadtverwaltung und der Regelangebote (u. a. Diversität des Personals …');
    expect(shorten('x'.repeat(200), 50)).toBe(`${'x'.repeat(50)} …`);
  });
});

describe('participation outlook from the phases', () => {
  const phase = (id: number, opens: string, closes: string, channels: Array<'comment' | 'statement' | 'event'>) => ({
    id,
    consultationId: 1,
    kind: 'draft_review' as const,
    title: `Phase ${id}`,
    description: '',
    opensAt: new Date(opens),
    closesAt: new Date(closes),
    channels,
    moderationMode: 'pre' as const,
    position: id,
  });
  const phases = [
    phase(1, '2030-01-01', '2030-02-01', ['comment', 'statement']),
    phase(2, '2030-03-01', '2030-04-01', ['event']),
    phase(3, '2030-05-01', '2030-06-01', ['statement']),
  ];
  it('names the open phase, else the next, else the last one that took contributions on plan items', () => {
    expect(participationOutlook(phases, new Date('2030-01-15'))).toMatchObject({ state: 'open', phase: { id: 1 }, channels: ['comment', 'statement'] });
    expect(participationOutlook(phases, new Date('2029-12-01'))).toMatchObject({ state: 'upcoming', phase: { id: 1 } });
    // Phase 2 only has events, which are about the whole plan: phase 3 is next for an item.
    expect(participationOutlook(phases, new Date('2030-03-15'))).toMatchObject({ state: 'upcoming', phase: { id: 3 }, channels: ['statement'] });
    expect(participationOutlook(phases, new Date('2031-01-01'))).toMatchObject({ state: 'closed', phase: { id: 3 } });
    expect(participationOutlook([phase(4, '2030-01-01', '2030-02-01', ['event'])])).toBeNull();
  });
});

describe('contribution counts', () => {
  it('shows a count only where there are contributions, never a "0"', () => {
    const eta = createEta(false);
    const t = catalogue.translator('de');
    const render = (counts: Map<string, number>) => eta.render('/plans/_count', { t, targetKey, counts, kind: 'measure', key: 'm-1' });
    expect(render(new Map()).trim()).toBe('');
    expect(render(new Map([[targetKey('measure', 'm-1'), 0]])).trim()).toBe('');
    expect(render(new Map([[targetKey('measure', 'm-1'), 1]]))).toContain('1 Beitrag');
    expect(render(new Map([[targetKey('measure', 'm-1'), 3]]))).toContain('3 Beiträge');
  });
});

describe.each(drivers)('public plan pages [%s]', (driver) => {
  let t: TestApp;
  let v1 = 0;
  let v2 = 0;
  const get = (url: string, headers: Record<string, string> = {}) => new Client(t.app, headers).get(url);

  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db);
    const versions = await t.db.select().from(planVersions).orderBy(planVersions.position);
    v1 = versions[0]!.id;
    v2 = versions[1]!.id;
  });
  afterAll(() => t?.close());

  describe('consultation page', () => {
    it('shows summary, papers, contact, what can be done now, the timeline and a way into the plan', async () => {
      const res = await get(base);
      expect(res.statusCode).toBe(200);
      const body = text(res.body);
      expect(body).toContain('Gemeinsam. Verantwortung. Leben.');
      expect(body).toContain('Vorlage V1332/21 · Zugehörige Vorlagen: V1070/21, V0586/20');
      expect(body).toContain('integration@example.org');
      expect(body).toContain('Alle Phasen sind abgeschlossen');
      expect(res.body.match(/abgeschlossen am/g)?.length).toBe(4);
      for (const href of [`${base}/plan`, `${base}/committees`, `${base}/departments`, `${base}/print`, `${base}/search`]) {
        expect(res.body).toContain(`"${href}"`);
      }
      // One public version: nothing to compare yet.
      expect(res.body).not.toContain(`${base}/compare`);
    });

    it('has breadcrumbs and a compact outline that links every field, goal and measure page', async () => {
      const res = await get(base);
      expect(res.body).toMatch(/<nav class="breadcrumbs" aria-label="Sie sind hier">/);
      expect(res.body).toContain(`<a href="${base}" aria-current="page">Aktionsplan Integration 2022 bis 2026</a>`);
      const outline = res.body.slice(res.body.indexOf('class="outline"'));
      expect(outline.match(/<details>/g)?.length).toBe(12);
      expect(outline).toContain(`href="${base}/fields/f-kinder-jugendhilfe"`);
      expect(outline).toContain(`href="${base}/goals/g-kjh-zugang"`);
      for (const key of [...JHA, ...KITA, ...CROSS_CUTTING]) expect(outline).toContain(`href="${base}/measures/${key}"`);
    });
  });

  describe('plan view', () => {
    it('shows the seed texts verbatim in the published version', async () => {
      const res = await get(`${base}/plan`);
      expect(res.statusCode).toBe(200);
      const body = text(res.body);
      for (const phrase of [
        'Dresden ist eine vielfältige und weltoffene Stadt, in der Werte wie Demokratie, Zusammenhalt, gemeinsamer Respekt und Wertschätzung gelebt werden.',
        'Die Stadtverwaltung gewährleistet den gleichberechtigten Zugang der Menschen mit Migrationsgeschichte zu allen kommunalen Angeboten und Dienstleistungen.',
        'weitere interkulturelle Öffnung der Stadtverwaltung und der Regelangebote',
        'Fortschreibung Konzeption unbegleitete ausländische Minderjährige',
        'Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule',
        'interkulturelle Öffnung der Elternbefragungen',
        'A0391/17',
      ]) {
        expect(body, phrase).toContain(phrase);
      }
      expect(body).toContain('Entwurf 1');
      // The draft of version 2 is not public.
      expect(body).not.toContain('Entwurf 2');
      expect(res.body).not.toContain('Prüfung und Ausbau von Sprachkursangeboten mit begleitender Kinderbetreuung');
    });

    it('is a navigable outline: contents, anchors, deep links to every goal and measure page, breadcrumbs', async () => {
      const res = await get(`${base}/plan`);
      const sections = [...res.body.matchAll(/<section class="field-of-action" id="(field-[\w-]+)"/g)].map((m) => m[1]);
      expect(sections).toHaveLength(11);
      for (const id of sections) expect(res.body).toContain(`href="#${id}"`);
      for (const id of ['principles', 'strategic-goals', 'cross-cutting']) {
        expect(res.body).toContain(`id="${id}"`);
        expect(res.body).toContain(`href="#${id}"`);
      }
      const goals = [...res.body.matchAll(/<section class="goal" id="goal-([\w-]+)"/g)].map((m) => m[1]);
      expect(goals.length).toBeGreaterThanOrEqual(15);
      for (const key of goals) expect(res.body).toContain(`href="${base}/goals/${key}"`);
      const keys = measureKeys(res.body);
      expect(keys.length).toBeGreaterThanOrEqual(30);
      for (const key of keys) expect(res.body).toContain(`href="${base}/measures/${key}"`);
      expect(res.body).toContain(`<a href="${base}/plan" aria-current="page">Plan (Entwurf 1)</a>`);
      expect(res.body).toContain(`href="${base}/plan.docx" hx-boost="false"`);
      expect(res.body).toContain(`href="${base}/plan.pdf"`);
      // Departments and committees lead to their views.
      expect(res.body).toContain(`href="${base}/departments/jugendamt"`);
      expect(res.body).toContain(`href="${base}/committees/jugendhilfeausschuss"`);
      expect(text(res.body)).toContain('Jugendhilfeausschuss');
      expect(text(res.body)).toContain('Ausschuss für Bildung');
      // No contributions exist yet: no count badges at all, in particular no "0".
      expect(res.body).not.toContain('count-badge');
      expect(res.body).not.toMatch(/\b0 Beitr/);
    });

    it('answers a boosted navigation with the body only, and speaks English when asked', async () => {
      const boosted = await get(`${base}/plan`, { 'hx-request': 'true', 'hx-boosted': 'true' });
      expect(boosted.body).not.toContain('<html');
      expect(boosted.body).toContain('<title>Entwurf 1 – Aktionsplan Integration 2022 bis 2026 – Mitsprache</title>');
      const english = await get(`${base}/plan`, { 'accept-language': 'en' });
      expect(english.body).toContain('<html lang="en" dir="ltr">');
      expect(english.body).toContain('Strategic goals');
      expect(english.body).toContain('Field of action 4: Kinder- und Jugendhilfe');
      expect(english.body).toContain('aria-label="You are here"');
    });
  });

  describe('field, goal and measure pages', () => {
    it('shows a measure with its goal, field, departments, committees, papers and the participation section', async () => {
      const res = await get(`${base}/measures/m-jha-gremium-kindeswohl`);
      expect(res.statusCode).toBe(200);
      const body = text(res.body);
      expect(res.body).toContain('<h1>Maßnahme 4.1.2</h1>');
      expect(body).toContain('Etablierung Gremium zum Fachaustausch zwischen Jugendamt und Ausländerbehörde(n)');
      expect(body).toContain('Vorlagen A0391/17');
      expect(res.body).toContain(`<a href="${base}/departments/jugendamt">Jugendamt</a>`);
      expect(res.body).toContain(`<a href="${base}/departments/buergeramt">Bürgeramt (Ausländerbehörde, Welcome Center)</a>`);
      expect(res.body).toContain(`<a href="${base}/committees/jugendhilfeausschuss">Jugendhilfeausschuss</a>`);
      expect(res.body).toContain(`<a href="${base}/goals/g-kjh-kindeswohl">Ziel 4.1</a>`);
      // Breadcrumbs: home › consultation › plan › field › goal › this measure.
      const crumbs = res.body.slice(res.body.indexOf('class="breadcrumbs"'), res.body.indexOf('</nav>', res.body.indexOf('class="breadcrumbs"')));
      expect([...crumbs.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1])).toEqual([
        '/',
        base,
        `${base}/plan`,
        `${base}/fields/f-kinder-jugendhilfe`,
        `${base}/goals/g-kjh-kindeswohl`,
        `${base}/measures/m-jha-gremium-kindeswohl`,
      ]);
      expect(crumbs).toContain('aria-current="page">Maßnahme 4.1.2</a>');
      // Participation: a marked section that says, from the phases, what was possible and when.
      const participation = section(res.body, 'beteiligung');
      expect(participation).toContain('<h2 id="participation-title">Beteiligung');
      expect(text(participation)).toContain(
        'Die Beteiligung ist abgeschlossen: Vom 1. September 2021 bis zum 30. November 2021 waren hier Kommentare und schriftliche Stellungnahmen möglich (Phase „Diskussion des Entwurfs“).',
      );
      expect(res.body).toContain(`href="${base}/plan#measure-m-jha-gremium-kindeswohl"`);
      expect(res.body).toContain(`rel="prev"`);
      expect(res.body).toContain(`href="${base}/measures/m-jha-sprachmittlung-kosten" rel="next"`);
    });

    it('marks example content and treats cross-cutting measures as belonging to all fields', async () => {
      const example = await get(`${base}/measures/m-sprache-kursuebersicht`);
      expect(example.body).toContain('badge--example');
      const crossCutting = await get(`${base}/measures/m-d-interkulturelle-oeffnung`);
      expect(crossCutting.statusCode).toBe(200);
      expect(text(crossCutting.body)).toContain('Durchgängige Maßnahme – gilt für alle Handlungsfelder');
      expect(crossCutting.body).toContain(`href="${base}/plan#cross-cutting"`);
      expect(crossCutting.body).not.toContain('badge--example');
      expect(crossCutting.body).not.toContain('rel="prev"');
    });

    it('shows a goal with its measures and a field with its goals', async () => {
      const goal = await get(`${base}/goals/g-kjh-zugang`);
      expect(goal.statusCode).toBe(200);
      expect(goal.body).toContain('<h1>Ziel 4.2');
      expect(measureKeys(goal.body)).toEqual(['m-jha-sprachmittlung-kosten', 'm-jha-schulindex-schulsozialarbeit', 'm-jha-abendoberschule']);
      expect(goal.body).toContain(`<a href="${base}/fields/f-kinder-jugendhilfe">Handlungsfeld 4: Kinder- und Jugendhilfe</a>`);
      expect(goal.body).toContain('id="beteiligung"');
      const field = await get(`${base}/fields/f-kinder-jugendhilfe`);
      expect(field.statusCode).toBe(200);
      expect(field.body).toContain('<h1>Handlungsfeld 4: Kinder- und Jugendhilfe</h1>');
      expect(measureKeys(field.body)).toEqual(JHA);
      expect(field.body).toContain(`href="${base}/goals/g-kjh-kindeswohl"`);
      expect(field.body).toContain('id="beteiligung"');
    });

    it('answers unknown keys, consultations, committees, departments and versions with a helpful 404', async () => {
      for (const [url, message] of [
        [`${base}/measures/gibt-es-nicht`, 'Diese Maßnahme gibt es in keiner veröffentlichten Fassung des Plans.'],
        [`${base}/goals/gibt-es-nicht`, 'Dieses Ziel gibt es in keiner veröffentlichten Fassung'],
        [`${base}/fields/gibt-es-nicht`, 'Dieses Handlungsfeld gibt es in keiner veröffentlichten Fassung'],
        [`${base}/committees/gibt-es-nicht`, 'Dieses Gremium gibt es nicht.'],
        [`${base}/departments/gibt-es-nicht`, 'Dieses Amt gibt es nicht.'],
        [`${base}/plan?version=abc`, 'Diese Fassung des Plans gibt es nicht'],
        [`${base}/plan?version=999999`, 'Diese Fassung des Plans gibt es nicht'],
        [`${base}/measures/m-jha-abendoberschule?version=-1`, 'Diese Fassung des Plans gibt es nicht'],
        ['/consultations/gibt-es-nicht/plan', 'Diese Seite gibt es nicht'],
        ['/consultations/gibt-es-nicht/measures/m-jha-abendoberschule', 'Diese Seite gibt es nicht'],
        ['/consultations/gibt-es-nicht/search?q=Kinder', 'Diese Seite gibt es nicht'],
      ]) {
        const res = await get(url as string);
        expect(res.statusCode, url).toBe(404);
        expect(text(res.body), url).toContain(message);
      }
      // A draft version is not public, not even by its id; nor is an item only a draft holds.
      expect((await get(`${base}/plan?version=${v2}`)).statusCode).toBe(404);
      expect((await get(`${base}/measures/m-sprache-kurse-kinderbetreuung`)).statusCode).toBe(404);
    });
  });

  describe('committee view', () => {
    it('shows exactly the five JHA measures of the seed, grouped by field and goal, and no Kita measure', async () => {
      const res = await get(`${base}/committees/jugendhilfeausschuss`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<h1>Maßnahmen für: Jugendhilfeausschuss (JHA)</h1>');
      const main = res.body.slice(res.body.indexOf('id="committee-measures"'), res.body.indexOf('id="cross-cutting"'));
      expect(measureKeys(main)).toEqual(JHA);
      for (const key of KITA) expect(res.body).not.toContain(`measure-${key}`);
      expect(main).toContain('Handlungsfeld 4: Kinder- und Jugendhilfe');
      expect(main).toContain('Ziel 4.1');
      expect(main).toContain('Ziel 4.2');
      expect(text(res.body)).toContain('5 Maßnahmen in 1 Handlungsfeld.');
      // The cross-cutting measures go to every committee; they are listed apart, as in the seed's "(alle)".
      expect(measureKeys(section(res.body, 'cross-cutting'))).toEqual(CROSS_CUTTING);
    });

    it('shows the Kita measures for the committee for education, and everything under "alle"', async () => {
      const bildung = await get(`${base}/committees/ausschuss-fuer-bildung`);
      const main = bildung.body.slice(bildung.body.indexOf('id="committee-measures"'), bildung.body.indexOf('id="cross-cutting"'));
      for (const key of KITA) expect(measureKeys(main)).toContain(key);
      for (const key of JHA) expect(main).not.toContain(key);

      const plan = await get(`${base}/plan`);
      const all = await get(`${base}/committees/alle`);
      expect(all.statusCode).toBe(200);
      expect(all.body).toContain('<h1>Alle Maßnahmen mit ihren Gremien</h1>');
      expect(measureKeys(all.body).sort()).toEqual(measureKeys(plan.body).sort());
      expect(text(all.body)).toContain(`${measureKeys(plan.body).length} Maßnahmen, jede mit den Gremien`);
    });

    it('has an index of committees with their number of measures', async () => {
      const res = await get(`${base}/committees`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(`href="${base}/committees/alle"`);
      expect(text(res.body)).toContain('Jugendhilfeausschuss (JHA) (7 Maßnahmen)');
      expect(res.body).toContain(`<a href="${base}/committees" aria-current="page">Gremien</a>`);
    });
  });

  describe('department view', () => {
    it('lists the measures a department leads, then those it supports', async () => {
      const res = await get(`${base}/departments/jugendamt`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<h1>Maßnahmen von: Jugendamt</h1>');
      const lead = section(res.body, 'lead');
      const support = res.body.slice(res.body.indexOf('id="support"'));
      expect(res.body.indexOf('id="lead"')).toBeLessThan(res.body.indexOf('id="support"'));
      for (const key of JHA) expect(measureKeys(lead)).toContain(key);
      expect(measureKeys(support)).toContain('m-d-strategien-fachplanungen');
      expect(measureKeys(support)).not.toContain('m-jha-abendoberschule');
      expect(text(res.body)).toMatch(/Federführend \(\d+\)/);
    });

    it('has an index of departments, and a page for a department without measures', async () => {
      const index = await get(`${base}/departments`);
      expect(index.statusCode).toBe(200);
      expect(index.body).toContain(`href="${base}/departments/amt-fuer-kindertagesbetreuung"`);
      expect(text(index.body)).toMatch(/Jugendamt \(Federführung: \d+ · beteiligt: \d+\)/);
      // A department that exists but is responsible for nothing in the plan.
      await t.db.insert(departments).values({ slug: 'vermessungsamt', name: 'Städtisches Vermessungsamt' });
      const none = await get(`${base}/departments/vermessungsamt`);
      expect(none.statusCode).toBe(200);
      expect(none.body).toContain('<h1>Maßnahmen von: Städtisches Vermessungsamt</h1>');
      expect(text(none.body)).toContain('an keiner Maßnahme beteiligt');
    });
  });

  describe('print view', () => {
    it('has the whole plan on one page with the web address of every measure', async () => {
      const res = await get(`${base}/print`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('class="print-view"');
      expect(text(res.body)).toContain('Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule');
      expect(res.body).toContain(`http://localhost:3000${base}/measures/m-jha-abendoberschule`);
      expect(res.body.match(/<section class="field-of-action">/g)?.length).toBe(11);
      expect(res.body).not.toContain('class="breadcrumbs"');
      expect(res.body).not.toContain('class="plan-search"');
    });
  });

  describe('search', () => {
    it('finds German word forms, ranked, with the matches marked', async () => {
      const res = await get(`${base}/search?q=Kindern`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<mark>Kinder</mark>');
      expect(res.body).toContain(`href="${base}/measures/m-kita-paedagogische-konzeptionen"`);
      expect(text(res.body)).toMatch(/\d+ Treffer für „Kindern“/);
      expect(res.body).toContain('value="Kindern"');
    });

    it('finds beginnings and insides of words', async () => {
      const prefix = await get(`${base}/search?q=Schulsozial`);
      expect(prefix.body).toContain(`href="${base}/measures/m-jha-abendoberschule"`);
      expect(prefix.body).toContain('<mark>Schulsozialarbeit</mark>');
      const inside = await get(`${base}/search?q=sozialarbeit`);
      expect(inside.body).toContain(`href="${base}/measures/m-jha-abendoberschule"`);
      expect(inside.body).toMatch(/Schul<mark>sozialarbeit<\/mark>/i);
      const code = await get(`${base}/search?q=${encodeURIComponent('A0391/17')}`);
      expect(code.body).toContain(`href="${base}/measures/m-jha-gremium-kindeswohl"`);
      const field = await get(`${base}/search?q=Wohnen`);
      expect(field.body).toContain(`href="${base}/fields/f-wohnen"`);
      const principle = await get(`${base}/search?q=weltoffen`);
      expect(principle.body).toContain(`href="${base}/plan#principles"`);
    });

    it('escapes what the plan says, even markup', async () => {
      const [row] = await t.db.select().from(measures).where(eq(measures.key, 'm-jha-abendoberschule')).limit(1);
      await t.db.update(measures).set({ text: 'Kinderschutz <script>alert("x")</script> & <b>fett</b>' }).where(eq(measures.id, row!.id));
      try {
        const res = await get(`${base}/search?q=Kinderschutz`);
        expect(res.body).toContain('<mark>Kinderschutz</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;fett&lt;/b&gt;');
        expect(res.body).not.toContain('<script>alert');
        expect(res.body).not.toContain('<b>fett');
        // A search for a word inside the markup finds it too: the text is indexed as written.
        const inner = await get(`${base}/search?q=fett`);
        expect(inner.body).toContain('<mark>fett</mark>');
        const page = await get(`${base}/measures/m-jha-abendoberschule`);
        expect(page.body).toContain('&lt;script&gt;alert');
      } finally {
        await t.db.update(measures).set({ text: row!.text }).where(eq(measures.id, row!.id));
      }
    });

    it('answers empty, overlong, punctuation-only and hopeless queries with a clear message', async () => {
      for (const [q, message] of [
        ['', 'Bitte geben Sie einen Suchbegriff ein.'],
        ['   ', 'Bitte geben Sie einen Suchbegriff ein.'],
        ['x'.repeat(300), 'Der Suchbegriff ist zu lang: höchstens 200 Zeichen, Ihrer hat 300.'],
        ['?!"()-', 'nach Satzzeichen allein kann nicht gesucht werden'],
        ['Quantenkryptographie', 'Keine Treffer für „Quantenkryptographie“'],
        ["'", 'nach Satzzeichen allein'],
        ["o'neil & | ! <-> :*", 'Keine Treffer'],
        ['und der die', 'Keine Treffer'],
        ['%_\\', 'nach Satzzeichen allein'],
        ['100%', 'Keine Treffer'],
      ]) {
        const res = await get(`${base}/search?q=${encodeURIComponent(q as string)}`);
        expect(res.statusCode, q).toBe(200);
        expect(text(res.body), q).toContain(message);
      }
      // The first visit, without a query, shows only the form.
      const first = await get(`${base}/search`);
      expect(first.statusCode).toBe(200);
      expect(first.body).toContain('id="search-q"');
      expect(first.body).not.toContain('Bitte geben Sie einen Suchbegriff ein.');
    });

    it('answers search-as-you-type with the results region and its status line only', async () => {
      const res = await get(`${base}/search?q=Kita`, { 'hx-request': 'true', 'hx-target': 'search-results', 'hx-current-url': `http://localhost${base}/search` });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('<html');
      expect(res.body).not.toContain('<main');
      expect(res.body).toContain('<p id="search-status" hx-swap-oob="innerHTML">');
      expect(res.body).toContain('<ol class="search-results">');
      expect(res.headers.vary).toContain('HX-Target');
      // Emptying the box while typing clears the results and says what to do.
      const cleared = await get(`${base}/search?q=`, { 'hx-request': 'true', 'hx-target': 'search-results' });
      expect(cleared.body).toContain('Bitte geben Sie einen Suchbegriff ein.');
      expect(cleared.body).not.toContain('class="search-results"');
      // A boosted form submission gets the whole page body.
      const boosted = await get(`${base}/search?q=Kita`, { 'hx-request': 'true', 'hx-boosted': 'true' });
      expect(boosted.body).toContain('<main id="main"');
    });

    it('runs a fixed number of queries, whatever it finds', async () => {
      const few = await queriesDuring(t.db, () => get(`${base}/search?q=Quantenkryptographie`));
      const many = await queriesDuring(t.db, () => get(`${base}/search?q=die`));
      const lots = await queriesDuring(t.db, () => get(`${base}/search?q=Stadt`));
      expect(few).toBe(7);
      expect(many).toBe(7);
      expect(lots).toBe(7);
    });
  });

  describe('speed and caching', () => {
    const pages = [
      base,
      `${base}/plan`,
      `${base}/print`,
      `${base}/fields/f-kinder-jugendhilfe`,
      `${base}/goals/g-kjh-zugang`,
      `${base}/measures/m-jha-abendoberschule`,
      `${base}/committees`,
      `${base}/committees/jugendhilfeausschuss`,
      `${base}/committees/alle`,
      `${base}/departments`,
      `${base}/departments/jugendamt`,
    ];

    it('loads each page with a handful of queries, and serves it from the cache afterwards', async () => {
      t.app.cacheChannel.cache.invalidate('plans');
      const counts: Record<string, number> = {};
      for (const url of pages) {
        counts[url] = await queriesDuring(t.db, async () => expect((await get(url)).statusCode).toBe(200));
        expect(await queriesDuring(t.db, () => get(url)), `${url} from the cache`).toBe(0);
        // Signed-in readers get the same cached content in their own frame (their session is one query).
      }
      // Pages showing contributions ask for them too: a page of comments, their replies, and the
      // written statements about the item.
      for (const [url, n] of Object.entries(counts)) expect(n, url).toBeLessThanOrEqual(12);
    });

    it('gives signed-in readers the cached content in their own frame', async () => {
      await createUser(t.db, 'leserin@example.org');
      const reader = new Client(t.app);
      await reader.signIn('leserin@example.org');
      await reader.get(`${base}/measures/m-jha-abendoberschule`);
      const n = await queriesDuring(t.db, () => reader.get(`${base}/measures/m-jha-abendoberschule`));
      expect(n).toBeLessThanOrEqual(2);
      expect(reader.last?.body).toContain('Abmelden');
      expect(reader.last?.body).toContain('Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule');
    });

    it('shows a change made in the database at once on every page that shows it', async () => {
      const original = 'Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule';
      for (const url of pages) await get(url);
      await t.db.update(measures).set({ text: `${original} (geändert)` }).where(eq(measures.key, 'm-jha-abendoberschule'));
      try {
        for (const url of [`${base}/plan`, `${base}/measures/m-jha-abendoberschule`, `${base}/committees/jugendhilfeausschuss`, `${base}/departments/jugendamt`]) {
          const deadline = Date.now() + 2000;
          let body = '';
          while (Date.now() < deadline) {
            body = (await get(url)).body;
            if (body.includes(`${original} (geändert)`)) break;
            await new Promise((r) => setTimeout(r, 20));
          }
          expect(body, url).toContain(`${original} (geändert)`);
        }
      } finally {
        await t.db.update(measures).set({ text: original }).where(eq(measures.key, 'm-jha-abendoberschule'));
      }
    });

    it('keeps a page that shows phase states only until the next phase change', async () => {
      const [consultation] = await t.db.select().from(consultations).where(eq(consultations.slug, slug));
      const [phase] = await t.db
        .select()
        .from(phases)
        .where(and(eq(phases.consultationId, consultation!.id), eq(phases.kind, 'draft_review')));
      const closesAt = new Date(Date.now() + 1500);
      await t.db.update(phases).set({ opensAt: new Date(Date.now() - 60_000), closesAt }).where(eq(phases.id, phase!.id));
      try {
        const open = await get(`${base}/measures/m-jha-abendoberschule`);
        expect(text(open.body)).toMatch(/Bis zum \d+\. \w+ \d{4} können Sie hier Kommentare und schriftliche Stellungnahmen abgeben/);
        expect(text(open.body)).toContain('Die Moderation prüft Beiträge, bevor sie veröffentlicht werden.');
        const consultationPage = await get(base);
        expect(text(consultationPage.body)).toContain('Jetzt möglich: Kommentare und schriftliche Stellungnahmen.');
        await new Promise((r) => setTimeout(r, closesAt.getTime() - Date.now() + 50));
        const closed = await get(`${base}/measures/m-jha-abendoberschule`);
        expect(text(closed.body)).toContain('Die Beteiligung ist abgeschlossen');
      } finally {
        await t.db.update(phases).set({ opensAt: phase!.opensAt, closesAt: phase!.closesAt }).where(eq(phases.id, phase!.id));
      }
    });

    it('asks the database just as often for a plan of 11 fields × 6 goals × 5 measures', async () => {
      const departmentSlugs = (await t.db.select({ slug: departments.slug }).from(departments)).map((d) => d.slug);
      const doc = generatePlan(11, 6, 5, departmentSlugs, ['jugendhilfeausschuss', 'ausschuss-fuer-bildung']);
      const [big] = await t.db.insert(consultations).values({ slug: 'gross', title: 'Großer Plan', status: 'published' }).returning();
      const [version] = await t.db.insert(planVersions).values({ consultationId: big!.id, label: 'Fassung 1', position: 0 }).returning();
      await t.db.transaction((tx) => writePlanDocument(tx, version!.id, doc));
      await t.db.update(planVersions).set({ status: 'published', publishedAt: new Date() }).where(eq(planVersions.id, version!.id));
      t.app.cacheChannel.cache.invalidate('plans');
      // The same number of queries as for the demo's small plan: none grows with the plan.
      const expected: Record<string, number> = {
        '/consultations/gross': 12,
        '/consultations/gross/plan': 10,
        '/consultations/gross/measures/m-7-3-2': 12,
        '/consultations/gross/committees/jugendhilfeausschuss': 9,
        '/consultations/gross/departments/jugendamt': 9,
      };
      for (const url of Object.keys(expected)) {
        let res = await get(url);
        t.app.cacheChannel.cache.invalidate('plans');
        const n = await queriesDuring(t.db, async () => {
          res = await get(url);
        });
        expect(res.statusCode, url).toBe(200);
        expect(n, url).toBe(expected[url]);
      }
      const plan = await get('/consultations/gross/plan');
      expect(measureKeys(plan.body)).toHaveLength(1 + 11 * 6 * 5);
      expect(await queriesDuring(t.db, () => get('/consultations/gross/search?q=Migrantenorganisationen'))).toBe(7);
      const search = await get('/consultations/gross/search?q=Migrantenorganisationen');
      expect(text(search.body)).toContain('Mehr als 50 Treffer für „Migrantenorganisationen“');
      expect(search.body.match(/<li class="search-hit">/g)).toHaveLength(50);
    });

    it('counts the contributions of every item of a plan in one query', async () => {
      const counts = await queriesDuring(t.db, async () => expect((await countsByTarget(t.db, 1)).size).toBe(0));
      expect(counts).toBe(1);
    });
  });

  // Changes the versions: runs last.
  describe('versions', () => {
    beforeAll(async () => {
      await t.db.update(planVersions).set({ status: 'published', publishedAt: new Date() }).where(eq(planVersions.id, v2));
    });
    afterAll(async () => {
      await t.db.update(planVersions).set({ status: 'draft', publishedAt: null }).where(eq(planVersions.id, v2));
    });

    it('shows the newest public version, switches to another, and offers the comparison', async () => {
      const newest = await get(`${base}/plan`);
      expect(newest.body).toContain('Prüfung und Ausbau von Sprachkursangeboten mit begleitender Kinderbetreuung');
      expect(newest.body).toContain('<nav class="versions"');
      expect(newest.body).toContain(`<a href="${base}/plan" aria-current="page">Entwurf 2</a>`);
      expect(newest.body).toContain(`href="${base}/compare"`);

      const older = await get(`${base}/plan?version=${v1}`);
      expect(older.statusCode).toBe(200);
      expect(older.body).toContain(`<a href="${base}/plan?version=${v1}" aria-current="page">Entwurf 1</a>`);
      expect(text(older.body)).toContain('Sie lesen die ältere Fassung „Entwurf 1“.');
      expect(older.body).not.toContain('Prüfung und Ausbau von Sprachkursangeboten mit begleitender Kinderbetreuung');
      // Links stay in the chosen version.
      expect(older.body).toContain(`href="${base}/measures/m-jha-abendoberschule?version=${v1}"`);
      expect(older.body).toContain(`href="${base}/plan.docx?version=${v1}"`);
      const consultationPage = await get(base);
      expect(consultationPage.body).toContain(`href="${base}/compare"`);
    });

    it('keeps deep links to a measure that a newer version dropped, with a notice', async () => {
      // 6.1.2 is in Entwurf 1 only.
      const res = await get(`${base}/measures/m-wohnen-broschuere`);
      expect(res.statusCode).toBe(200);
      expect(text(res.body)).toContain('Diese Maßnahme ist in der Fassung „Entwurf 2“ nicht enthalten. Sie sehen sie so, wie sie in der Fassung „Entwurf 1“ steht.');
      expect(res.body).toContain(`<a href="${base}/plan?version=${v1}">Plan (Entwurf 1)</a>`);
      // And the other way round: a measure added in Entwurf 2, asked for in Entwurf 1.
      const added = await get(`${base}/measures/m-sprache-kurse-kinderbetreuung?version=${v1}`);
      expect(added.statusCode).toBe(200);
      expect(text(added.body)).toContain('nicht enthalten. Sie sehen sie so, wie sie in der Fassung „Entwurf 2“ steht.');
    });

    it('costs a handful of queries more only when a deep link needs another version', async () => {
      t.app.cacheChannel.cache.invalidate('plans');
      expect(await queriesDuring(t.db, () => get(`${base}/measures/m-wohnen-broschuere`))).toBeLessThanOrEqual(19);
    });
  });
});
