import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contributionGroupMembers, contributionGroups, contributionSections, responses } from '../src/modules/consolidation/schema.js';
import { contributions } from '../src/modules/participation/schema.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { axeClean, describeBrowser, inspectPage, markupDriver, modesFor, pageOpener, signInThroughForm, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

declare const document: {
  querySelector(selector: string): { firstChild: unknown; textContent: string } | null;
  createRange(): { setStart(node: unknown, offset: number): void; setEnd(node: unknown, offset: number): void };
};
declare const window: { getSelection(): { removeAllRanges(): void; addRange(range: unknown): void } | null };

describeBrowser('sorting what came in, in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    let consultationId: number;
    let phaseId: number;
    beforeAll(async () => {
      server = await startServer(driver);
      ({ consultationId, phaseId } = await openDemoPhase(server.t.db));
      await createUser(server.t.db, 'sortiererin@example.org', ['organiser'], 'Sortiererin');
    });
    afterAll(() => server?.close());

    async function insert(values: Partial<typeof contributions.$inferInsert>): Promise<number> {
      const [row] = await server.t.db
        .insert(contributions)
        .values({ consultationId, phaseId, kind: 'comment', targetKind: 'measure', targetKey: demo.measure, body: '', language: 'de', pageLocale: 'de', status: 'published', ...values })
        .returning({ id: contributions.id });
      return row!.id;
    }

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const open = pageOpener(browser, () => server.baseUrl, js);
      const checks = driver === markupDriver && js && !process.env.NO_AXE;
      const mode = js ? 'js' : 'nojs';

      const organiser = () => signInThroughForm(open, 'sortiererin@example.org', TEST_PASSWORD);
      const inspect = (journey: Page, name: string) => inspectPage(journey, name, `sorting-${name}-${mode}`, 3000);

      it('splits a statement into two sections and groups two comments from the suggestions', async () => {
        const passages = [
          `Zur Abendoberschule (${driver}, ${mode}): Sie sollte auch in Prohlis und Gorbitz Kurse anbieten, am besten mit Kinderbetreuung.`,
          `Zum Handlungsfeld Sprache (${driver}, ${mode}): Es fehlen Sprachkurse für Menschen, die im Schichtdienst arbeiten.`,
        ];
        const statement = await insert({ kind: 'statement', targetKind: 'consultation', targetKey: null, body: passages.join('\n\n'), receiptNumber: `SORT-${driver}-${mode}`, title: 'Stellungnahme des Elternvereins', channel: 'letter' });
        const a = await insert({ body: `Bitte mehr Deutschkurse am Abend für berufstätige Eltern in Prohlis, mit Kinderbetreuung während der Kurse (${mode}).` });
        const b = await insert({ body: `Bitte mehr Deutschkurse am Abend für berufstätige Eltern in Prohlis – mit Kinderbetreuung während des Kurses! (${mode})` });
        const unrelated = await insert({ body: `Die Ausländerbehörde braucht längere Öffnungszeiten und Termine online (${mode}).` });

        const page = await organiser();
        await page.goto(`/organiser/consultations/${demo.slug}/sorting?kind=statement`);
        await page.getByRole('heading', { level: 1, name: 'Beiträge einordnen' }).waitFor();
        if (checks) await inspect(page, 'list');
        await page.getByRole('link', { name: `Beitrag #${statement}`, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: `Stellungnahme SORT-${driver}-${mode} einordnen` }).waitFor();
        if (checks) await inspect(page, 'item');

        const targets = [`measure:${demo.measure}`, `field:${demo.field}`];
        for (const [i, passage] of passages.entries()) {
          if (js) {
            // Select the passage in the statement's text and take it into the field.
            await page.evaluate((text) => {
              const el = document.querySelector('#contribution-text');
              const node = el?.firstChild;
              const start = el?.textContent.indexOf(text) ?? -1;
              const range = document.createRange();
              range.setStart(node, start);
              range.setEnd(node, start + text.length);
              const selection = window.getSelection();
              selection?.removeAllRanges();
              selection?.addRange(range);
            }, passage);
            await page.getByRole('button', { name: 'Markierten Text übernehmen' }).click();
            await expect.poll(() => page.getByLabel('Text des Abschnitts').inputValue()).toBe(passage);
          } else {
            await page.getByLabel('Text des Abschnitts').fill(passage);
            expect(await page.getByRole('button', { name: 'Markierten Text übernehmen' }).count()).toBe(0);
          }
          await page.getByLabel('Der Abschnitt gehört zu').selectOption(targets[i]!);
          await page.getByRole('button', { name: 'Abschnitt hinzufügen' }).click();
          await page.getByText('Abschnitt hinzugefügt.').first().waitFor();
          await page.getByRole('heading', { level: 3, name: `Abschnitt ${i + 1}` }).waitFor();
        }
        const sections = await server.t.db.select().from(contributionSections).where(eq(contributionSections.contributionId, statement)).orderBy(asc(contributionSections.position));
        expect(sections.map((s) => s.body)).toEqual(passages);
        const units = await server.t.db.select().from(responses).where(eq(responses.contributionId, statement));
        expect(units.filter((u) => u.sectionId !== null).map((u) => `${u.targetKind}:${u.targetKey}`).sort()).toEqual([...targets].sort());
        expect(units.find((u) => u.sectionId === null && u.groupId === null)?.superseded).toBe(true);
        if (checks) await inspect(page, 'item-sections');

        // The comment's page suggests its near-duplicate, not the unrelated one.
        await page.goto(`/organiser/consolidation/contributions/${a}`);
        await page.getByRole('heading', { level: 2, name: 'Ähnliche Beiträge' }).waitFor();
        expect(await page.locator(`#similar-${b}`).count()).toBe(1);
        expect(await page.locator(`#similar-${unrelated}`).count()).toBe(0);
        await expect.poll(async () => (await page.locator(`#similar-${b} .badge`).textContent()) ?? '').toMatch(/^\d+\s%\sähnlich$/);
        await page.getByRole('button', { name: `Mit diesem gruppieren (Beitrag #${b})` }).click();
        await page.getByText('Gruppiert.').first().waitFor();
        await page.getByRole('link', { name: 'Zur Gruppe' }).waitFor();
        const [group] = await server.t.db.select().from(contributionGroups).where(eq(contributionGroups.leadContributionId, a));
        expect(group).toBeDefined();
        const members = await server.t.db.select().from(contributionGroupMembers).where(eq(contributionGroupMembers.groupId, group!.id));
        expect(members.map((m) => m.contributionId).sort()).toEqual([a, b].sort());
        for (const id of [a, b]) {
          const [own] = await server.t.db.select().from(responses).where(and(eq(responses.contributionId, id), isNull(responses.sectionId), isNull(responses.groupId)));
          expect(own?.superseded).toBe(true);
        }
        await page.getByRole('link', { name: 'Zur Gruppe' }).click();
        await page.getByRole('heading', { level: 2, name: 'Beiträge der Gruppe (2)' }).waitFor();
        if (checks) await inspect(page, 'group');
      }, 120_000);

      it.runIf(checks)('the tags, groups, duplicates and section pages pass axe and fit 360 px, with a refused label too', async () => {
        const page = await organiser();
        await page.goto(`/organiser/consultations/${demo.slug}/tags`);
        await page.getByLabel('Neues Schlagwort').fill('Abendkurse');
        await page.getByRole('button', { name: 'Anlegen' }).click();
        await page.getByText('Schlagwort angelegt.').first().waitFor();
        await page.getByLabel('Neues Schlagwort').fill('abendkurse');
        await page.getByRole('button', { name: 'Anlegen' }).click();
        await page.getByText('Das Schlagwort „abendkurse“ gibt es in diesem Verfahren schon.').first().waitFor();
        expect(await page.getByLabel('Neues Schlagwort').inputValue()).toBe('abendkurse');
        await axeClean(page, 'tags-422');
        await inspect(page, 'tags');
        for (const [url, name] of [
          [`/organiser/consultations/${demo.slug}/groups`, 'groups'],
          [`/organiser/consultations/${demo.slug}/duplicates`, 'duplicates'],
        ] as const) {
          await page.goto(url);
          await inspect(page, name);
        }
        const [section] = await server.t.db.select().from(contributionSections).limit(1);
        await page.goto(`/organiser/consolidation/contributions/${section!.contributionId}/sections/${section!.id}/edit`);
        await page.getByRole('button', { name: 'Abschnitt speichern' }).waitFor();
        await inspect(page, 'section');
      }, 120_000);
    });
  });
});
