import fs from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responses } from '../src/modules/consolidation/schema.js';
import { contributions } from '../src/modules/participation/schema.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { describeBrowser, modesFor, pageOpener, signInThroughForm, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

/**
 * The whole consolidation across its parts, as the people doing it see it: a guest's comment
 * goes to the Jugendamt in a department round, the department drafts, the organiser takes the
 * draft over and approves it, publishes the answers, the guest gets the answer by mail and reads
 * it under the comment, and the committee's Abwägungstabelle carries it without the guest's
 * address.
 */
describeBrowser('the consolidation from comment to committee table in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    let consultationId = 0;
    let phaseId = 0;
    beforeAll(async () => {
      server = await startServer(driver);
      ({ consultationId, phaseId } = await openDemoPhase(server.t.db));
      await createUser(server.t.db, 'journey-buero@example.org', ['organiser'], 'Beteiligungsbüro');
      server.t.app.reportWorker.start();
    }, 60_000);
    afterAll(() => server?.close());

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const open = pageOpener(browser, () => server.baseUrl, js);

      const signedIn = (email: string, password: string) => signInThroughForm(open, email, password, { acceptDownloads: true });

      it('a guest’s comment is answered through the department round, mailed, shown and exported for the JHA', async () => {
        const mode = js ? 'js' : 'nojs';
        const guest = `journey-${driver}-${mode}@example.org`;
        const text = `Die Abendoberschule braucht eine feste Ansprechperson für Sozialarbeit (${driver}, ${mode}).`;
        const [comment] = await server.t.db
          .insert(contributions)
          .values({ consultationId, phaseId, kind: 'comment', targetKind: 'measure', targetKey: demo.measure, body: text, language: 'de', pageLocale: 'de', status: 'published', publishedAt: new Date(), guestEmail: guest })
          .returning({ id: contributions.id });
        const id = comment!.id;

        // The organiser opens a round and sends the comment to the suggested department.
        const buero = await signedIn('journey-buero@example.org', TEST_PASSWORD);
        await buero.goto(`/organiser/consultations/${demo.slug}/rounds`);
        await buero.getByLabel('Titel der Runde').fill(`Ämterabfrage ${mode}`);
        await buero.getByRole('textbox', { name: /^Frist/ }).fill(new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10));
        await buero.getByRole('button', { name: 'Runde eröffnen' }).click();
        await buero.getByRole('heading', { level: 1, name: new RegExp(`Ämterabfrage ${mode}`) }).waitFor();
        await buero.getByLabel(`Kommentar Nr. ${id}`, { exact: true }).check();
        expect(await buero.getByLabel(`Amt für Kommentar Nr. ${id}`).locator('option:checked').textContent()).toBe('Jugendamt');
        await buero.getByRole('button', { name: 'Vorschläge übernehmen' }).click();
        await buero.getByText(/Zugewiesen: \d+\./).waitFor();

        // The Jugendamt drafts its recommendation and hands it in; it never sees the guest's address.
        const amt = await signedIn('jugendamt@example.org', 'Demo-Passwort-2026');
        await amt.goto('/department/inbox');
        expect(await amt.content()).not.toContain(guest);
        await amt.getByRole('link', { name: `Kommentar Nr. ${id}`, exact: true }).click();
        await amt.getByRole('heading', { level: 2, name: 'Ihre Abwägungsempfehlung' }).waitFor();
        expect(await amt.content()).not.toContain(guest);
        const draft = `Das Jugendamt prüft eine feste Ansprechperson an der Abendoberschule (${mode}).`;
        await amt.getByLabel('Antwortentwurf').fill(draft);
        await amt.getByLabel('teilweise berücksichtigt', { exact: true }).check();
        await amt.getByRole('button', { name: 'Empfehlung abgeben' }).click();
        await amt.getByText('Ihre Empfehlung ist abgegeben.').waitFor();

        // The organiser takes the draft over, sharpens it and decides (no four-eyes rule here).
        const [unit] = await server.t.db.select().from(responses).where(and(eq(responses.contributionId, id), eq(responses.superseded, false)));
        await buero.goto(`/organiser/consolidation/responses/${unit!.id}`);
        await buero.getByRole('button', { name: 'Diesen Entwurf übernehmen (Jugendamt)' }).click();
        await buero.getByText('Der Entwurf von Jugendamt ist in das Formular übernommen.').waitFor();
        expect(await buero.locator('#field-answer').inputValue()).toBe(draft);
        const answer = `${draft} Ein Ergebnis liegt bis zum Schuljahr 2026/27 vor.`;
        await buero.locator('#field-answer').fill(answer);
        await buero.getByRole('button', { name: 'Entscheiden und freigeben' }).click();
        await buero.getByText('Die Antwort ist entschieden und freigegeben.').waitFor();

        // Publishing: the first time it is published, later approvals are published as they come.
        await buero.goto(`/organiser/consultations/${demo.slug}/consolidation/publish`);
        const confirm = buero.getByLabel(/Ich habe die freigegebenen Antworten geprüft/);
        if (await confirm.count()) {
          await confirm.check();
          await buero.getByRole('button', { name: 'Jetzt veröffentlichen' }).click();
          await buero.getByText(/Die Antworten sind veröffentlicht\./).waitFor();
        }

        // The guest gets the answer by mail, with a link to the comment, and reads it there.
        const mail = await server.smtp.waitFor(guest, /Antwort der Stadtverwaltung/);
        expect(mail.text).toContain(answer);
        expect(mail.text).toContain('teilweise berücksichtigt');
        const link = /https?:\/\/\S+/.exec(mail.text.slice(mail.text.indexOf(answer)))?.[0];
        expect(link, 'the mail links the contribution').toBeTruthy();
        const reader = await open();
        await reader.goto(link!.replace(server.baseUrl, ''));
        await reader.getByText(text).first().waitFor();
        await reader.getByText('Antwort der Stadtverwaltung').first().waitFor();
        await expect.poll(() => reader.locator('.city-answer').first().textContent()).toContain(answer);

        // The JHA's Abwägungstabelle as CSV, final: the answer with its Votum, the guest anonymised.
        await buero.goto(`/organiser/consultations/${demo.slug}/reports`);
        await buero.getByLabel('Ein Gremium (nur die ihm zugeordneten Maßnahmen)').check();
        await buero.getByLabel('Gremium', { exact: true }).selectOption({ label: 'Jugendhilfeausschuss (JHA)' });
        await buero.getByLabel('CSV').check();
        const draftBox = buero.getByLabel('Als Entwurf exportieren');
        if (await draftBox.isChecked()) await draftBox.uncheck();
        await buero.getByRole('button', { name: 'Export starten' }).click();
        await buero.waitForURL(/\/organiser\/reports\/\d+$/);
        const done = buero.getByText('Der Export ist fertig.');
        for (let i = 0; i < 60 && !(await done.isVisible()); i++) {
          await buero.waitForTimeout(500);
          if (!js) await buero.getByRole('link', { name: 'Stand neu laden' }).click();
        }
        await done.waitFor();
        const [download] = await Promise.all([buero.waitForEvent('download'), buero.getByRole('link', { name: 'Herunterladen' }).click()]);
        expect(download.suggestedFilename()).toBe(`abwaegungstabelle-${demo.slug}-jha.csv`);
        const csv = fs.readFileSync((await download.path()) as string, 'utf8');
        expect(csv).toContain(text);
        expect(csv).toContain(answer);
        expect(csv).toContain('teilweise berücksichtigt');
        expect(csv).toMatch(/Privatperson \d+/);
        expect(csv).not.toContain(guest);
      }, 180_000);
    });
  });
});
