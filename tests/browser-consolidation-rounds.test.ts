import { eq, inArray } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments, responses, textBlocks } from '../src/modules/consolidation/schema.js';
import { departments } from '../src/modules/departments/schema.js';
import { contributions } from '../src/modules/participation/schema.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { describeBrowser, inspectPage, markupDriver, modesFor, pageOpener, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

const BLOCK = 'Die Verwaltung prüft den Vorschlag im Rahmen der Fortschreibung.';

describeBrowser('department round in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    let consultationId: number;
    let phaseId: number;
    beforeAll(async () => {
      server = await startServer(driver);
      ({ consultationId, phaseId } = await openDemoPhase(server.t.db, 'post'));
      await createUser(server.t.db, 'buero@example.org', ['organiser'], 'Beteiligungsbüro');
      const [jugendamt] = await server.t.db.select().from(departments).where(eq(departments.slug, 'jugendamt'));
      await server.t.db.insert(textBlocks).values({ departmentId: jugendamt!.id, title: 'Prüfauftrag', body: BLOCK });
    });
    afterAll(() => server?.close());

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const open = pageOpener(browser, () => server.baseUrl, js);
      const checks = driver === markupDriver && js && !process.env.NO_AXE;
      const label = js ? 'js' : 'nojs';

      async function signIn(email: string, password: string, landmark: string): Promise<Page> {
        const page = await open();
        await page.goto('/signin');
        await page.locator('input[name="email"]').fill(email);
        await page.locator('input[name="password"]').fill(password);
        await page.getByRole('button', { name: 'Anmelden' }).last().click();
        await page.getByRole('link', { name: landmark, exact: true }).first().waitFor();
        return page;
      }

      const inspect = (journey: Page, name: string) => inspectPage(journey, name, `rounds-${name}`);

      it('the organiser assigns two items by suggestion; the Jugendamt drafts an answer with a text block and hands it in', async () => {
        const ids: number[] = [];
        for (const n of [1, 2]) {
          const [row] = await server.t.db
            .insert(contributions)
            .values({ consultationId, phaseId, kind: 'comment', targetKind: 'measure', targetKey: demo.measure, body: `Abendschule braucht Sozialarbeit (${label} ${n})`, language: 'de', pageLocale: 'de', status: 'published', publishedAt: new Date(), guestEmail: `gast-${label}-${n}@example.org` })
            .returning({ id: contributions.id });
          ids.push(row!.id);
        }

        // The organiser opens a round and takes the suggested department for both.
        const organiser = await signIn('buero@example.org', TEST_PASSWORD, 'Verfahren verwalten');
        await organiser.goto(`/organiser/consultations/${demo.slug}/rounds`);
        if (checks) await inspect(organiser, 'rounds');
        await organiser.getByLabel('Titel der Runde').fill(`Runde ${label}`);
        await organiser.getByRole('textbox', { name: /^Frist/ }).fill(new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10));
        await organiser.getByRole('button', { name: 'Runde eröffnen' }).click();
        await organiser.getByRole('heading', { level: 1, name: new RegExp(`Runde ${label}`) }).waitFor();
        for (const id of ids) {
          await organiser.getByLabel(`Kommentar Nr. ${id}`, { exact: true }).check();
          expect(await organiser.getByLabel(`Amt für Kommentar Nr. ${id}`).locator('option:checked').textContent()).toBe('Jugendamt');
        }
        if (checks) await inspect(organiser, 'round-units');
        await organiser.getByRole('button', { name: 'Vorschläge übernehmen' }).click();
        await organiser.getByText('Zugewiesen: 2.').waitFor();
        await organiser.getByRole('heading', { level: 3, name: 'Jugendamt' }).waitFor();
        if (checks) await inspect(organiser, 'round');
        const units = await server.t.db.select({ id: responses.id }).from(responses).where(inArray(responses.contributionId, ids));
        const made = await server.t.db.select().from(assignments).where(inArray(assignments.responseId, units.map((u) => u.id)));
        expect(made.map((a) => a.status)).toEqual(['open', 'open']);

        // The department editor finds them in the inbox.
        const amt = await signIn('jugendamt@example.org', 'Demo-Passwort-2026', 'Ämterabfrage');
        await amt.getByRole('link', { name: 'Ämterabfrage', exact: true }).first().click();
        await amt.getByRole('heading', { level: 1, name: 'Ämterabfrage' }).waitFor();
        expect(await amt.content()).not.toContain(`gast-${label}-1@example.org`);
        if (checks) await inspect(amt, 'inbox');
        await amt.getByRole('link', { name: `Kommentar Nr. ${ids[0]}`, exact: true }).click();
        await amt.getByRole('heading', { level: 2, name: 'Ihre Abwägungsempfehlung' }).waitFor();
        if (checks) await inspect(amt, 'item');

        const typed = `Danke für den Hinweis (${label}).`;
        await amt.getByLabel('Antwortentwurf').fill(typed);
        await amt.getByLabel('teilweise berücksichtigt', { exact: true }).check();
        await amt.getByLabel('Textbaustein', { exact: true }).selectOption({ label: 'Prüfauftrag' });
        await amt.getByRole('button', { name: 'Textbaustein einfügen' }).click();
        await amt.getByText('Der Textbaustein „Prüfauftrag“ steht jetzt am Ende').waitFor();
        expect(await amt.getByLabel('Antwortentwurf').inputValue()).toBe(`${typed}\n\n${BLOCK}`);
        // With JavaScript htmx swapped only the form and kept the focus on the button; without, the form was sent.
        expect(amt.url().endsWith('/insert')).toBe(!js);
        if (js) await expect.poll(() => amt.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe('insert-block');
        expect(await amt.getByLabel('teilweise berücksichtigt', { exact: true }).isChecked()).toBe(true);
        await amt.getByRole('button', { name: 'Empfehlung abgeben' }).click();
        await amt.getByText('Ihre Empfehlung ist abgegeben.').waitFor();
        if (checks) {
          await amt.getByRole('link', { name: 'Textbausteine Ihres Amtes' }).click();
          await amt.getByRole('heading', { level: 1, name: 'Textbausteine' }).waitFor();
          await inspect(amt, 'blocks');
          await organiser.goto(`/organiser/consultations/${demo.slug}/rounds/overdue`);
          await inspect(organiser, 'overdue');
        }

        const all = await server.t.db.select().from(assignments).where(inArray(assignments.responseId, units.map((u) => u.id)));
        const [first] = await server.t.db.select({ id: responses.id }).from(responses).where(eq(responses.contributionId, ids[0]!));
        const drafted = all.filter((a) => a.status === 'drafted');
        expect(drafted.map((a) => a.responseId)).toEqual([first!.id]);
        expect(drafted[0]).toMatchObject({ draftAnswer: `${typed}\n\n${BLOCK}`, proposedVerdict: 'partly_accepted' });
      });
    });
  });
});
