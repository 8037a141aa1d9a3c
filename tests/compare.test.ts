import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparePlans } from '../src/modules/plans/compare/compare.js';
import { type DiffPart, diffList, diffStats, diffWords, normalizeText, tokenize } from '../src/modules/plans/compare/diff.js';
import { demoConsultation } from '../src/modules/demo/content.js';
import { generatePlan } from '../src/modules/demo/generated.js';
import { loadDemo } from '../src/modules/demo/load.js';
import type { PlanDocument, PlanMeasure } from '../src/modules/plans/document.js';
import { consultations, measures, planVersions } from '../src/modules/plans/schema.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

const SLUG = 'aktionsplan-integration-2022-2026';
const COMPARE = `/consultations/${SLUG}/compare`;

const oldSide = (parts: DiffPart[]) => parts.filter((p) => p.op !== 'insert').map((p) => p.text).join('');
const newSide = (parts: DiffPart[]) => parts.filter((p) => p.op !== 'delete').map((p) => p.text).join('');
const ops = (parts: DiffPart[]) => parts.map((p) => `${p.op === 'equal' ? '=' : p.op === 'delete' ? '-' : '+'}${p.text}`);

/** Both texts come back out of the diff (the new text exactly, the old up to whitespace). */
function expectReconstructs(before: string, after: string, parts = diffWords(before, after)): DiffPart[] {
  // Compared as booleans: a failure should not print two texts of thousands of words.
  expect(newSide(parts) === after.normalize('NFC'), `new side of ${JSON.stringify(parts).slice(0, 300)}`).toBe(true);
  expect(normalizeText(oldSide(parts)) === normalizeText(before), `old side of ${JSON.stringify(parts).slice(0, 300)}`).toBe(true);
  // Tidy: no two neighbours of one kind, and no insertion directly before a deletion.
  for (let i = 1; i < parts.length; i++) {
    const a = parts[i - 1] as DiffPart;
    const b = parts[i] as DiffPart;
    expect(a.op === b.op, `${a.op} twice in ${JSON.stringify(parts)}`).toBe(false);
    expect(a.op === 'insert' && b.op === 'delete').toBe(false);
  }
  return parts;
}

describe('word diff', () => {
  it('cuts text into words, spaces and single punctuation marks, in any script', () => {
    expect(tokenize('Grüße, Dresdner*innen! Deutsch-Englisch (A0391/17)')).toEqual([
      'Grüße', ',', ' ', 'Dresdner', '*', 'innen', '!', ' ', 'Deutsch-Englisch', ' ', '(', 'A0391', '/', '17', ')',
    ]);
    expect(tokenize('Привіт, світе — مرحبا بالعالم')).toEqual(['Привіт', ',', ' ', 'світе', ' ', '—', ' ', 'مرحبا', ' ', 'بالعالم']);
    expect(tokenize('')).toEqual([]);
  });

  it('finds nothing in identical texts', () => {
    const text = 'Förderung ehrenamtlicher Sprachcafés und Sprachpatenschaften';
    expect(diffWords(text, text)).toEqual([{ op: 'equal', text }]);
    expect(diffWords('', '')).toEqual([]);
  });

  it('shows an all-new text as one insertion and an emptied text as one deletion', () => {
    expect(diffWords('', 'Ganz neuer Text.')).toEqual([{ op: 'insert', text: 'Ganz neuer Text.' }]);
    expect(diffWords('Alter Text.', '')).toEqual([{ op: 'delete', text: 'Alter Text.' }]);
  });

  it('marks a word inserted in the middle and nothing else', () => {
    const parts = expectReconstructs('Ausbau der Beratung für Familien', 'Ausbau der mehrsprachigen Beratung für Familien');
    expect(ops(parts)).toEqual(['=Ausbau der ', '+mehrsprachigen ', '=Beratung für Familien']);
  });

  it('marks a deleted word and a replaced word', () => {
    expect(ops(expectReconstructs('eine jährliche große Veranstaltung', 'eine jährliche Veranstaltung'))).toEqual([
      '=eine jährliche ',
      '-große ',
      '=Veranstaltung',
    ]);
    expect(ops(expectReconstructs('für Unternehmen in Dresden', 'für Betriebe in Dresden'))).toEqual(['=für ', '-Unternehmen', '+Betriebe', '= in Dresden']);
  });

  it('reads a rewritten phrase as one replacement, not word by word', () => {
    const parts = expectReconstructs('Durchführung einer jährlichen Informationsveranstaltung für Unternehmen', 'Durchführung von zwei Veranstaltungen pro Jahr für Unternehmen');
    expect(ops(parts)).toEqual(['=Durchführung ', '-einer jährlichen Informationsveranstaltung', '+von zwei Veranstaltungen pro Jahr', '= für Unternehmen']);
  });

  it('handles reordered words by deleting and inserting the moved ones', () => {
    const parts = expectReconstructs('Sprache Arbeit Wohnen', 'Wohnen Sprache Arbeit');
    expect(ops(parts)).toEqual(['+Wohnen ', '=Sprache Arbeit', '- Wohnen']);
  });

  it('treats punctuation as words of its own', () => {
    expect(ops(expectReconstructs('Kita, Schule und Hort', 'Kita; Schule und Hort.'))).toEqual(['=Kita', '-,', '+;', '= Schule und Hort', '+.']);
  });

  it('ignores changes of whitespace only', () => {
    const parts = expectReconstructs('Sprach-  und\nKulturmittlung  ', 'Sprach- und Kulturmittlung');
    expect(parts.every((p) => p.op === 'equal')).toBe(true);
    expect(normalizeText('  a \n\t b ')).toBe('a b');
  });

  it('compares umlauts whatever their Unicode composition', () => {
    const composed = 'Grüße aus Löbtau';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    expect(diffWords(decomposed, composed)).toEqual([{ op: 'equal', text: composed }]);
    expect(ops(expectReconstructs('Öffnung der Ämter', 'Öffnung aller Ämter'))).toEqual(['=Öffnung ', '-der', '+aller', '= Ämter']);
  });

  it('handles long texts and falls back to a whole replacement for huge ones', () => {
    const words = (n: number, seed: number) => Array.from({ length: n }, (_, i) => `wort${(i * seed) % 997}`).join(' ');
    const long = words(2000, 7);
    const changed = `${long.slice(0, 5000)} eingefügt ${long.slice(5000)}`;
    const started = performance.now();
    const parts = expectReconstructs(long, changed);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(diffStats(parts)).toEqual({ deleted: 0, inserted: 1 });

    // Above the cell limit the middle is replaced as a whole, still correct, and fast.
    const a = words(3000, 13);
    const b = words(3000, 17);
    const coarse = expectReconstructs(`Anfang ${a} Ende`, `Anfang ${b} Ende`, diffWords(`Anfang ${a} Ende`, `Anfang ${b} Ende`, 1000));
    expect(coarse[0]?.op).toBe('equal');
    expect(coarse[0]?.text.startsWith('Anfang ')).toBe(true);
    expect(coarse.filter((p) => p.op !== 'equal').length).toBe(2);
    expect(coarse.at(-1)).toEqual({ op: 'equal', text: ' Ende' });
  });

  it('gives back both texts for random edits', () => {
    const vocabulary = ['Amt', 'für', 'Schulen', 'und', 'Kita', ',', '.', 'Beratung', 'ä', 'Ü-Bahn', '  ', '\n', 'Привіт', 'سلام', '2022–2026'];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const sentence = () =>
      Array.from({ length: Math.floor(random() * 30) }, () => vocabulary[Math.floor(random() * vocabulary.length)])
        .join(random() < 0.8 ? ' ' : '');
    for (let i = 0; i < 300; i++) expectReconstructs(sentence(), sentence());
  });

  it('counts changed words and compares lists as sets', () => {
    expect(diffStats(diffWords('a b c', 'a x y c'))).toEqual({ deleted: 1, inserted: 2 });
    expect(diffList(['jugendamt', 'sozialamt'], ['sozialamt', 'buergeramt'])).toEqual({ kept: ['sozialamt'], added: ['buergeramt'], removed: ['jugendamt'] });
  });
});

function measure(key: string, text: string, extra: Partial<PlanMeasure> = {}): PlanMeasure {
  return { key, code: key, text, timeframe: '', relatedPapers: [], isExample: false, lead: [], support: [], committees: [], ...extra };
}

describe('plan comparison', () => {
  const v1: PlanDocument = demoConsultation.versions[0]!;
  const v2: PlanDocument = demoConsultation.versions[1]!;

  it('finds the demo’s added, reworded and removed measure and nothing else', () => {
    const result = comparePlans(v1, v2);
    expect(result.summary.measures).toMatchObject({ added: 1, changed: 1, removed: 1, moved: 0 });
    expect(result.summary.goals).toMatchObject({ added: 0, changed: 0, removed: 0 });
    expect(result.summary.fields).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: v2.fields.length });
    expect(result.summary.principles).toMatchObject({ added: 0, changed: 0, removed: 0 });
    const all = [...result.crossCutting, ...result.fields.flatMap((f) => f.goals.flatMap((g) => g.measures))];
    const byStatus = (s: string) => all.filter((m) => m.status === s).map((m) => m.key);
    expect(byStatus('added')).toEqual(['m-sprache-kurse-kinderbetreuung']);
    expect(byStatus('changed')).toEqual(['m-arbeit-unternehmen-information']);
    expect(byStatus('removed')).toEqual(['m-wohnen-broschuere']);
    expect(result.summary.measures.unchanged).toBe(all.length - 3);
    const reworded = all.find((m) => m.status === 'changed');
    expect(reworded?.changes?.text?.some((p) => p.op === 'insert' && p.text.includes('Kammern'))).toBe(true);
    expect(reworded?.changes?.lead).toBeNull();
    expect(reworded?.target).toBe('measure:m-arbeit-unternehmen-information');
    // Removed items stay where they were: under their old goal.
    const wohnen = result.fields.find((f) => f.key === 'f-wohnen');
    expect(wohnen?.goals[0]?.measures.map((m) => `${m.key}:${m.status}`)).toEqual(['m-wohnen-beratung:unchanged', 'm-wohnen-broschuere:removed']);
    expect(result.fields.filter((f) => f.touched).map((f) => f.key)).toEqual(['f-sprache', 'f-arbeit', 'f-wohnen']);
    expect(comparePlans(v1, v1).identical).toBe(true);
  });

  it('reports moved measures and goals, changed facts, and principles reworded, added and removed', () => {
    const before = generatePlan(2, 2, 2, ['jugendamt', 'sozialamt', 'buergeramt'], ['jha']);
    const after: PlanDocument = structuredClone(before);
    const f1 = after.fields[0]!;
    const f2 = after.fields[1]!;
    // Move measure 1.1.1 to goal 2.1, goal 1.2 to field 2, and a measure to the cross-cutting ones.
    const moved = f1.goals[0]!.measures.shift()!;
    f2.goals[0]!.measures.push(moved);
    f2.goals.push(f1.goals.pop()!);
    after.crossCuttingMeasures.push(f2.goals[0]!.measures.shift()!);
    const m = f2.goals[0]!.measures[0]!;
    m.lead = ['buergeramt'];
    m.timeframe = '2030';
    m.relatedPapers = ['V9999/30'];
    f1.title = 'Neuer Titel';
    after.principles = [
      { kind: 'guiding_principle', text: 'Die Stadt ist vielfältig, weltoffen und solidarisch (Beispiel).', source: null },
      { kind: 'strategic_goal', text: 'Ein ganz neues Leitziel.', source: null },
    ];
    const result = comparePlans(before, after);
    const measures = [...result.crossCutting, ...result.fields.flatMap((f) => f.goals.flatMap((g) => g.measures))];
    const find = (key: string) => measures.find((x) => x.key === key)!;
    expect(find(moved.key).moved).toMatchObject({ from: { goalKey: 'g-1-1' }, to: { goalKey: 'g-2-1' } });
    const toCross = after.crossCuttingMeasures.at(-1)!;
    expect(find(toCross.key).moved).toMatchObject({ from: { goalKey: 'g-2-1' }, to: { fieldKey: null } });
    expect(result.crossCutting.map((x) => x.key)).toContain(toCross.key);
    const changed = find(m.key);
    expect(changed.status).toBe('changed');
    expect(changed.changes?.lead).toMatchObject({ added: ['buergeramt'] });
    expect(changed.changes?.timeframe).toMatchObject({ after: '2030' });
    expect(changed.changes?.relatedPapers).toMatchObject({ added: ['V9999/30'] });
    expect(changed.changes?.text).toBeNull();
    // Every measure appears exactly once.
    expect(measures.length).toBe(new Set(measures.map((x) => x.key)).size);
    const goal = result.fields.flatMap((f) => f.goals).find((g) => g.key === 'g-1-2')!;
    expect(goal.moved).toMatchObject({ from: { fieldKey: 'f-1' }, to: { fieldKey: 'f-2' } });
    expect(result.fields.find((f) => f.key === 'f-2')?.goals.map((g) => g.key)).toContain('g-1-2');
    expect(result.fields.find((f) => f.key === 'f-1')?.title?.some((p) => p.op === 'insert')).toBe(true);
    expect(result.summary.measures.moved).toBe(2);
    expect(result.summary.goals.moved).toBe(1);
    expect(result.guidingPrinciples.map((p) => p.status)).toEqual(['changed']);
    expect(result.strategicGoals.map((p) => p.status).sort()).toEqual(['changed']);
    expect(result.summary.principles).toMatchObject({ changed: 2, added: 0, removed: 0 });

    const fewer = comparePlans(before, { ...after, principles: [] });
    expect(fewer.summary.principles).toMatchObject({ removed: 2 });
    const more = comparePlans({ ...before, principles: [] }, after);
    expect(more.summary.principles).toMatchObject({ added: 2 });
  });

  it('matches unchanged principles by text, even when reordered around new ones', () => {
    const p = (text: string) => ({ kind: 'strategic_goal' as const, text, source: null });
    const before = { principles: [p('A eins'), p('B zwei'), p('C drei')], crossCuttingMeasures: [], fields: [] };
    const after = { principles: [p('A eins'), p('Neu'), p('B  zwei'), p('C drei geändert')], crossCuttingMeasures: [], fields: [] };
    const result = comparePlans(before, after);
    expect(result.strategicGoals.map((x) => `${x.status}:${x.principle.text}`)).toEqual(['unchanged:A eins', 'added:Neu', 'unchanged:B  zwei', 'changed:C drei geändert']);
    expect(comparePlans({ ...before, crossCuttingMeasures: [measure('x', 'a')] }, { ...before, crossCuttingMeasures: [measure('x', 'a ')] }).identical).toBe(true);
  });
});

describe.each(drivers)('version comparison pages [%s]', (driver) => {
  let t: TestApp;
  let ids: { v1: number; v2: number; otherDraft: number };

  async function versionId(label: string): Promise<number> {
    const [row] = await t.db.select({ id: planVersions.id }).from(planVersions).where(eq(planVersions.label, label));
    return row!.id;
  }

  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db);
    await createUser(t.db, 'organiser@example.org', ['organiser']);
    await createUser(t.db, 'participant@example.org');
    // A second consultation whose version must not be reachable through the demo's slug.
    const [other] = await t.db.insert(consultations).values({ slug: 'anderes', title: 'Anderes Verfahren', status: 'published' }).returning({ id: consultations.id });
    const [draft] = await t.db.insert(planVersions).values({ consultationId: other!.id, label: 'Fremd', status: 'published', position: 0 }).returning({ id: planVersions.id });
    ids = { v1: await versionId('Entwurf 1'), v2: await versionId('Entwurf 2'), otherDraft: draft!.id };
  });
  afterAll(() => t?.close());

  it('says there is nothing to compare while only one version is public', async () => {
    const res = await new Client(t.app).get(COMPARE);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Bisher ist nur eine Fassung des Plans veröffentlicht');
    expect(res.body).not.toContain('<ins>');
  });

  it('refuses malformed version parameters with 400 and unknown, draft or foreign versions with 404', async () => {
    const client = new Client(t.app);
    for (const query of ['from=abc', 'to=-1', 'from=1.5', 'to=0', 'from=99999999999', 'to=%201', 'from=1e3']) {
      const res = await client.get(`${COMPARE}?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.body).toContain('Die Angabe der Fassung in der Adresse ist ungültig');
    }
    for (const query of [`from=${ids.v1}&to=${ids.v2}`, `to=${ids.v2}`, `from=${ids.otherDraft}`, 'from=999999']) {
      const res = await client.get(`${COMPARE}?${query}`);
      expect(res.statusCode, query).toBe(404);
      expect(res.body).toContain('Diese Fassung gibt es nicht oder sie ist nicht veröffentlicht.');
    }
    expect((await client.get('/consultations/gibt-es-nicht/compare')).statusCode).toBe(404);
  });

  it('lets organisers compare the draft with the published version, and nobody else', async () => {
    const organiser = new Client(t.app);
    await organiser.signIn('organiser@example.org');
    const res = await organiser.get(`/organiser/versions/${ids.v2}/compare`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Entwurf 1 → Entwurf 2');
    expect(res.body).toContain('<ins>');
    expect(res.body).toContain('<del>');
    // Items link to their place in the editor.
    expect(res.body).toMatch(new RegExp(`href="/organiser/versions/${ids.v2}#measure-\\d+"`));
    expect(res.body).toMatch(new RegExp(`href="/organiser/versions/${ids.v1}#measure-\\d+"`));
    const reverse = await organiser.get(`/organiser/versions/${ids.v1}/compare?with=${ids.v2}`);
    expect(reverse.statusCode).toBe(200);
    expect(reverse.body).toContain('Entwurf 2 → Entwurf 1');
    expect((await organiser.get(`/organiser/versions/${ids.v2}/compare?with=${ids.otherDraft}`)).statusCode).toBe(404);
    expect((await organiser.get(`/organiser/versions/${ids.v2}/compare?with=x`)).statusCode).toBe(400);
    expect((await organiser.get('/organiser/versions/abc/compare')).statusCode).toBe(404);
    expect((await organiser.get('/organiser/versions/999999/compare')).statusCode).toBe(404);

    const anonymous = await new Client(t.app).get(`/organiser/versions/${ids.v2}/compare`);
    expect(anonymous.statusCode).toBe(303);
    const participant = new Client(t.app);
    await participant.signIn('participant@example.org');
    expect((await participant.get(`/organiser/versions/${ids.v2}/compare`)).statusCode).toBe(403);
  });

  describe('once Entwurf 2 is published', () => {
    beforeAll(async () => {
      await t.db.update(planVersions).set({ status: 'published', publishedAt: new Date() }).where(eq(planVersions.id, ids.v2));
      await t.app.cacheChannel.settle();
    });

    it('compares the two newest versions by default: added, reworded and removed measure, with counts', async () => {
      const res = await new Client(t.app).get(COMPARE);
      expect(res.statusCode).toBe(200);
      const body = res.body;
      expect(body).toContain('<title>Vergleich Entwurf 1 mit Entwurf 2 – Aktionsplan Integration 2022 bis 2026 – Mitsprache</title>');
      // Counts at the top.
      const summary = body.slice(body.indexOf('compare-summary'), body.indexOf('</section>', body.indexOf('compare-summary')));
      expect(summary).toMatch(/<dt>Maßnahmen<\/dt>\s*<dd><ul class="compare-summary__counts">\s*<li[^>]*>1 neu<\/li>\s*<li[^>]*>1 geändert<\/li>\s*<li[^>]*>1 entfallen<\/li>\s*<li[^>]*>\d+ unverändert<\/li>/);
      // The added measure, inserted; the removed one, deleted; the reworded one word by word.
      expect(body).toMatch(/id="change-measure-m-sprache-kurse-kinderbetreuung"[\s\S]*?<span class="badge badge--added">neu<\/span>[\s\S]*?<ins><span class="visually-hidden">eingefügt: <\/span>Prüfung und Ausbau von Sprachkursangeboten/);
      expect(body).toMatch(/id="change-measure-m-wohnen-broschuere"[\s\S]*?entfallen[\s\S]*?<del><span class="visually-hidden">gelöscht: <\/span>Erstellung einer Broschüre/);
      const reworded = body.slice(body.indexOf('id="change-measure-m-arbeit-unternehmen-information"'));
      const article = reworded.slice(0, reworded.indexOf('</article>'));
      expect(article).toContain('<span class="badge badge--changed">geändert</span>');
      expect(article).toMatch(/Durchführung <del><span class="visually-hidden">gelöscht: <\/span>einer jährlichen Informationsveranstaltung/);
      expect(article).toMatch(/<ins><span class="visually-hidden">eingefügt: <\/span>[^<]*gemeinsam mit den Kammern und der Agentur für Arbeit/);
      expect(article).toContain('(Ende der Einfügung)');
      // Each changed measure links to its measure page; the removed one to the version that had it.
      expect(article).toContain(`href="/consultations/${SLUG}/measures/m-arbeit-unternehmen-information"`);
      expect(body).toContain(`href="/consultations/${SLUG}/measures/m-wohnen-broschuere?version=${ids.v1}"`);
      // Unchanged things are collapsed behind <details>, fields without changes counted.
      expect(body).toContain('<details class="unchanged">');
      expect(body).toContain('8 Handlungsfelder ohne Änderungen anzeigen');
      expect(body).toContain('1 unveränderte Maßnahme anzeigen');
      // The version chooser works without JavaScript: a GET form with labelled selects.
      expect(body).toMatch(/<form method="get" action="\/consultations\/[\w-]+\/compare"/);
      expect(body).toContain('<label for="compare-from">Ältere Fassung</label>');
      expect(body).toContain(`<option value="${ids.v1}" selected>Entwurf 1`);
    });

    it('answers explicit and reversed pairs, and the same version twice', async () => {
      const client = new Client(t.app);
      const explicit = await client.get(`${COMPARE}?from=${ids.v1}&to=${ids.v2}`);
      expect(explicit.statusCode).toBe(200);
      expect(explicit.body).toContain('Entwurf 1 → Entwurf 2');
      const reversed = await client.get(`${COMPARE}?from=${ids.v2}&to=${ids.v1}`);
      expect(reversed.body).toContain('Entwurf 2 → Entwurf 1');
      expect(reversed.body).toMatch(/id="change-measure-m-wohnen-broschuere"[\s\S]*?badge--added/);
      const same = await client.get(`${COMPARE}?from=${ids.v2}&to=${ids.v2}`);
      expect(same.statusCode).toBe(200);
      expect(same.body).toContain('Sie haben zweimal dieselbe Fassung gewählt');
      expect(same.body).toContain('Die beiden Fassungen stimmen vollständig überein.');
      expect((await client.get(`${COMPARE}?from=${ids.otherDraft}&to=${ids.v2}`)).statusCode).toBe(404);
    });

    it('speaks English', async () => {
      const res = await new Client(t.app, { 'accept-language': 'en' }).get(COMPARE);
      expect(res.body).toContain('<html lang="en"');
      expect(res.body).toContain('<span class="visually-hidden">inserted: </span>');
      expect(res.body).toContain('1 new');
      expect(res.body).not.toContain('gelöscht');
      // The plan's German texts say so, the spoken marks stay English.
      expect(res.body).toMatch(/<ins><span class="visually-hidden">inserted: <\/span><span lang="de">[^<]*gemeinsam mit den Kammern/);
      expect(res.body).toMatch(/Durchführung <\/span><del><span class="visually-hidden">deleted: <\/span><span lang="de">einer jährlichen/);
      expect(res.body).toContain('<del><span class="visually-hidden">deleted: </span>deleted text<span');
    });

    it('is served from the page cache and dropped when the plan changes', async () => {
      const client = new Client(t.app);
      const first = await client.get(COMPARE);
      expect(first.body).toContain('gemeinsam mit den Kammern');
      expect(t.app.cacheChannel.cache.size).toBeGreaterThan(0);
      // A direct change (the editor refuses published versions; the trigger fires all the same).
      await t.db
        .update(measures)
        .set({ text: 'Durchführung von Informationsveranstaltungen mit den Handwerkskammern' })
        .where(and(eq(measures.planVersionId, ids.v2), eq(measures.key, 'm-arbeit-unternehmen-information')));
      await t.app.cacheChannel.settle();
      const second = await client.get(COMPARE);
      expect(second.body).toContain('Handwerkskammern');
      expect(second.body).not.toContain('gemeinsam mit den Kammern');
    });
  });
});
