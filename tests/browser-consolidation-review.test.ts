import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments, consolidationSettings, departmentRounds, responses } from '../src/modules/consolidation/schema.js';
import { syncResponses } from '../src/modules/consolidation/service.js';
import { departments } from '../src/modules/departments/schema.js';
import { contributions } from '../src/modules/participation/schema.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { describeBrowser, inspectPage, markupDriver, modesFor, pageOpener, signInThroughForm, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';


describeBrowser('the Abwägung in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    let consultationId = 0;
    let phaseId = 0;
    let roundId = 0;
    let departmentId = 0;
    let departmentName = '';
    beforeAll(async () => {
      server = await startServer(driver);
      ({ consultationId, phaseId } = await openDemoPhase(server.t.db));
      await createUser(server.t.db, 'abw-org1@example.org', ['organiser'], 'Olga Organisatorin');
      await createUser(server.t.db, 'abw-org2@example.org', ['organiser'], 'Otto Zweitprüfer');
      await server.t.db.insert(consolidationSettings).values({ consultationId, requireSecondApproval: true });
      const [dept] = await server.t.db.select().from(departments).limit(1);
      departmentId = dept!.id;
      departmentName = dept!.name;
      const [round] = await server.t.db.insert(departmentRounds).values({ consultationId, title: 'Ämterabfrage 1', deadline: new Date(Date.now() + 7 * 86_400_000) }).returning();
      roundId = round!.id;
    });
    afterAll(() => server?.close());

    /** A published guest comment on the measure, with its unit and a department's draft. */
    async function commentWithDraft(body: string, draft: string): Promise<{ id: number; unitId: number }> {
      const db = server.t.db;
      const [c] = await db
        .insert(contributions)
        .values({ consultationId, phaseId, kind: 'comment', targetKind: 'measure', targetKey: demo.measure, body, language: 'de', pageLocale: 'de', status: 'published', publishedAt: new Date(), guestEmail: `abw-${Date.now()}@example.org` })
        .returning({ id: contributions.id });
      await syncResponses(db, consultationId);
      const [unit] = await db.select().from(responses).where(and(eq(responses.contributionId, c!.id), eq(responses.superseded, false)));
      await db.insert(assignments).values({ roundId, responseId: unit!.id, departmentId, status: 'drafted', draftAnswer: draft, proposedVerdict: 'partly_accepted', draftedAt: new Date() });
      return { id: c!.id, unitId: unit!.id };
    }

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const open = pageOpener(browser, () => server.baseUrl, js);
      const checks = driver === markupDriver && js && !process.env.NO_AXE;

      const signedIn = (email: string) => signInThroughForm(open, email, TEST_PASSWORD);
      const inspect = (journey: Page, name: string) => inspectPage(journey, name, `consolidation-${name}`);

      it('an organiser takes over a department’s draft and decides, a second one approves, the answers are published and read', async () => {
        const mode = js ? 'JS' : 'ohne JS';
        const text = `Schulsozialarbeit an der Abendoberschule, bitte (${driver}, ${mode})`;
        const draft = `Das Schulverwaltungsamt prüft den Einsatz (${driver}, ${mode}).`;
        const { id, unitId } = await commentWithDraft(text, draft);

        // The overview: progress and the list, the unit linked by its number.
        const olga = await signedIn('abw-org1@example.org');
        await olga.goto(`/organiser/consultations/${consultationId}`);
        await olga.getByRole('link', { name: 'Abwägung: Fortschritt und Antworten' }).click();
        await olga.getByRole('heading', { level: 1, name: /Abwägung/ }).waitFor();
        await olga.waitForURL((url) => url.pathname.endsWith('/consolidation'));
        await expect.poll(() => olga.locator('#progress-text').textContent()).toMatch(/von \d+ Einheiten sind freigegeben/);
        if (checks) await inspect(olga, 'overview');
        await olga.locator('#filter-q').fill(text.slice(0, 40));
        await olga.getByRole('button', { name: 'Filtern' }).click();
        // The filtered list must have arrived: a click on the unfiltered one would be overtaken by it.
        await olga.waitForURL((url) => url.searchParams.has('q'));
        await olga.getByRole('link', { name: `#${id}`, exact: true }).click();
        await olga.getByRole('heading', { level: 1, name: `Abwägung zu #${id}` }).waitFor();
        await olga.waitForURL((url) => url.pathname === `/organiser/consolidation/responses/${unitId}`);
        if (checks) await inspect(olga, 'unit');

        // Take over the draft: the form is filled in, nothing stored yet.
        await olga.getByRole('button', { name: `Diesen Entwurf übernehmen (${departmentName})` }).click();
        await olga.getByText(`Der Entwurf von ${departmentName} ist in das Formular übernommen.`).waitFor();
        expect(await olga.locator('#field-answer').inputValue()).toBe(draft);
        expect(await olga.locator('#field-verdict-partly_accepted').isChecked()).toBe(true);
        await olga.locator('#field-answer').fill(`${draft} Ergebnis bis Ende 2026.`);
        await olga.getByLabel('berücksichtigt', { exact: true }).check();
        await olga.getByRole('button', { name: 'Entscheiden (zur Freigabe)' }).click();
        await olga.getByText('Die Antwort ist entschieden und wartet auf die Freigabe durch eine zweite Person.').waitFor();
        // The decider may not approve: told so on the page.
        await olga.getByText('Sie haben diese Antwort entschieden. Nach dem Vier-Augen-Prinzip muss eine andere Person sie freigeben.').waitFor();

        // The second organiser approves.
        const otto = await signedIn('abw-org2@example.org');
        await otto.goto(`/organiser/consolidation/responses/${unitId}`);
        await otto.getByRole('button', { name: 'Antwort freigeben' }).click();
        await otto.getByText('Die Antwort ist freigegeben.').waitFor();
        const [row] = await server.t.db.select().from(responses).where(eq(responses.id, unitId));
        expect(row).toMatchObject({ status: 'approved', verdict: 'accepted', answer: `${draft} Ergebnis bis Ende 2026.` });

        // Publishing, after the confirmation.
        await olga.goto(`/organiser/consultations/${demo.slug}/consolidation`);
        await olga.getByRole('link', { name: 'Antworten veröffentlichen' }).click();
        await olga.getByLabel(/Ich habe die freigegebenen Antworten geprüft/).check();
        await olga.getByRole('button', { name: 'Jetzt veröffentlichen' }).click();
        await olga.getByText(/Die Antworten sind veröffentlicht\./).waitFor();

        // A reader sees the answer under the comment.
        const reader = await open();
        await reader.goto(demo.measurePath);
        const comment = reader.locator(`#comment-${id}`);
        await comment.getByText('Antwort der Stadtverwaltung').waitFor();
        await expect.poll(() => comment.locator('.city-answer').textContent()).toContain('Ergebnis bis Ende 2026.');
        expect(await comment.locator('.city-answer__verdict').textContent()).toContain('berücksichtigt');
        if (checks) await inspect(reader, 'public-answer');
        // Two organisers sign in and three pages are checked with axe: longer than one journey.
      }, 120_000);
    });
  });
});
