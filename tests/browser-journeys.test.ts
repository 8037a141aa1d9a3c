/**
 * The participation journeys end to end, across the parts that build them (issue "Participation",
 * done when): a guest writes a comment, gets the confirmation mail through a real SMTP server,
 * confirms, and the comment is on the measure page; an organisation's representative comments on
 * its behalf and the organisation's name with its badge stands there. JavaScript on and off.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPRESENTATIVE_EMAIL } from '../src/modules/demo/organisations.js';
import { describeBrowser, modesFor, pageOpener, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';
import { TestSmtp } from './helpers/smtp.js';

const DEMO_PASSWORD = 'Demo-Passwort-2026';

describeBrowser('participation journeys in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer(driver, { AUTH_RATE_LIMIT_MAX: '1000' });
      // Loads the demo (with its example organisations and their representative) and opens a
      // post-moderated phase.
      await openDemoPhase(server.t.db, 'post');
    });
    afterAll(async () => {
      await server?.close();
    });

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const tag = `${driver}-${js ? 'js' : 'nojs'}`;
      const open = pageOpener(browser, () => server.baseUrl, js);

      /** From the measure page to the comment form: inline with htmx, a page of its own without. */
      async function openForm(page: Page): Promise<void> {
        await page.goto(demo.measurePath);
        await page.getByRole('link', { name: 'Kommentieren', exact: true }).click();
        await page.getByLabel('Ihr Kommentar').waitFor();
      }

      it('a guest comments, confirms through the mailed link, and the comment is public', { timeout: 90_000 }, async () => {
        const email = `gast-${tag}@example.org`;
        const text = `Bitte die Beratung auch samstags anbieten (${tag}). نحن بحاجة إلى ذلك`;
        const page = await open();
        await openForm(page);
        await page.getByLabel('Ihr Kommentar').fill(text);
        await page.getByLabel('Ihre E-Mail-Adresse').fill(email);
        await page.getByLabel(/Ich bin einverstanden/).check();
        await page.getByRole('button', { name: 'Kommentar senden' }).click();
        await page.getByRole('heading', { level: 1, name: 'Bitte bestätigen Sie Ihren Kommentar' }).waitFor();

        // Not public before the confirmation.
        const reader = await open();
        await reader.goto(demo.measurePath);
        expect(await reader.locator('#comments').textContent()).not.toContain(text);

        const mail = await server.smtp.waitFor(email, /^Bitte bestätigen Sie Ihren Beitrag$/);
        expect(mail.text).toContain('Bitte die Beratung auch samstags anbieten');
        const link = TestSmtp.link(mail, '/contributions/confirm');
        await page.goto(link);
        await page.getByRole('button', { name: 'Beitrag jetzt bestätigen' }).click();
        await page.getByRole('heading', { level: 1, name: 'Danke! Ihr Beitrag ist veröffentlicht' }).waitFor();

        await reader.goto(demo.measurePath);
        const comment = reader.locator('.comment', { hasText: text }).first();
        await comment.waitFor();
        expect(await comment.textContent()).toContain('Privatperson');
        // Written in two scripts: the text carries its language and lets the browser find the direction.
        const body = comment.locator('[dir="auto"]', { hasText: 'samstags' }).first();
        expect(await body.getAttribute('lang')).toBe('de');
      });

      it('an organisation’s representative comments on its behalf; the organisation is named with its badge', { timeout: 90_000 }, async () => {
        const text = `Wir bieten dafür unsere Räume an (${tag}).`;
        const page = await open();
        await page.goto('/signin');
        await page.locator('input[name="email"]').fill(REPRESENTATIVE_EMAIL);
        await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
        await page.getByRole('button', { name: 'Anmelden' }).last().click();
        await page.waitForURL('**/account');
        await openForm(page);
        await page.getByLabel('Ihr Kommentar').fill(text);
        await page.getByLabel('im Namen von Ausländerrat Beispielstadt e. V. (Beispiel)').check();
        await page.getByRole('button', { name: 'Kommentar senden' }).click();
        // Back on the measure page (with htmx the form was part of it all along), the comment there.
        await page.locator('.comment', { hasText: text }).first().waitFor();
        expect(new URL(page.url()).pathname).toBe(demo.measurePath);

        const reader = await open();
        await reader.goto(demo.measurePath);
        const comment = reader.locator('.comment', { hasText: text }).first();
        await comment.waitFor();
        const content = (await comment.textContent()) ?? '';
        expect(content).toContain('Ausländerrat Beispielstadt e. V. (Beispiel)');
        expect(content).toContain('verifizierte Organisation');
        expect(content).not.toContain(REPRESENTATIVE_EMAIL);
      });
    });
  });
});
