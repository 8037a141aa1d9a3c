import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contributions } from '../src/modules/participation/schema.js';
import { Client, createUser, lastLink, TEST_PASSWORD } from './helpers/app.js';
import { axeClean, describeBrowser, markupDriver, modesFor, pageOpener, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';
import { TestSmtp } from './helpers/smtp.js';
import { demo, openDemoPhase } from './helpers/participation.js';

declare const document: { documentElement: { scrollWidth: number; scrollHeight: number } };

const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '.tmp', 'screenshots');
const formToken = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1] ?? '';

describeBrowser('moderation in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    let guests = 0;
    beforeAll(async () => {
      server = await startServer(driver, { CONTRIBUTIONS_PER_ADDRESS_PER_HOUR: '10000', CONTRIBUTIONS_PER_EMAIL_PER_HOUR: '10000' });
      await openDemoPhase(server.t.db, 'pre');
      await createUser(server.t.db, 'moderatorin@example.org', ['moderator'], 'Moderatorin M');
    });
    afterAll(() => server?.close());

    /** A guest writes a comment in the pre-moderated phase and confirms it by the mailed link. */
    async function guestComment(body: string): Promise<{ id: number; email: string }> {
      const email = `gast${++guests}-${driver}@example.org`;
      const guest = new Client(server.t.app);
      const form = await guest.get(`${demo.measurePath}/comments/new`);
      const sent = await guest.post(`${demo.measurePath}/comments/new`, { formToken: formToken(form.body), language: 'de', body, email, consent: 'yes' });
      expect(sent.statusCode).toBe(303);
      const link = await lastLink(server.t.db, email, '/contributions/confirm');
      await guest.get(link);
      const confirmed = await guest.post('/contributions/confirm', { token: new URL(link, 'http://x').searchParams.get('token') ?? '' });
      expect(confirmed.statusCode).toBe(303);
      const [row] = await server.t.db.select().from(contributions).where(eq(contributions.body, body));
      expect(row?.status).toBe('pending');
      return { id: row!.id, email };
    }

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const open = pageOpener(browser, () => server.baseUrl, js);

      async function moderator(): Promise<Page> {
        const page = await open();
        await page.goto('/signin');
        await page.locator('input[name="email"]').fill('moderatorin@example.org');
        await page.locator('input[name="password"]').fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Anmelden' }).last().click();
        await page.getByRole('link', { name: 'Moderation', exact: true }).first().waitFor();
        return page;
      }

      const checks = driver === markupDriver && js && !process.env.NO_AXE;

      /** axe and the 360 px screenshot on a page of their own: they leave styles behind that htmx would later settle. */
      async function inspect(journey: Page, name: string): Promise<void> {
        const page = await journey.context().newPage();
        await page.goto(journey.url());
        await axeClean(page, name);
        await shoot(page, name);
        await page.close();
      }

      async function shoot(page: Page, name: string): Promise<void> {
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        await page.setViewportSize({ width: 360, height: 740 });
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, `${name} fits 360 px`).toBeLessThanOrEqual(360);
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.screenshot({ path: path.join(SCREENSHOTS, `moderation-${name}.png`), fullPage: true, clip: { x: 0, y: 0, width: 360, height: Math.min(2400, height) } });
        await page.setViewportSize({ width: 1280, height: 800 });
      }

      it('a guest’s comment waits, a moderator approves it, it is public and the author is told', async () => {
        const text = `Mehr Abendkurse in Prohlis, bitte (${driver}, ${js ? 'JS' : 'ohne JS'})`;
        const { id, email } = await guestComment(text);
        const reader = await open();
        await reader.goto(demo.measurePath);
        expect(await reader.content()).not.toContain(text);

        const page = await moderator();
        await page.getByRole('link', { name: 'Moderation', exact: true }).first().click();
        await page.getByRole('heading', { level: 1, name: 'Moderation' }).waitFor();
        if (checks) await inspect(page, 'queue');
        // Filter down to this comment by a word in it (htmx swaps the list with JavaScript).
        await page.getByLabel('Suche im Text').fill('Prohlis');
        await page.getByRole('button', { name: 'Filtern' }).click();
        await page.waitForURL((url) => url.searchParams.get('q') === 'Prohlis');
        await page.locator(`#row-${id}`).waitFor();
        await page.getByRole('link', { name: `Kommentar #${id}`, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: /Kommentar #\d+/ }).waitFor();
        expect(await page.locator('.mod-text__body').first().textContent()).toBe(text);
        if (checks) await inspect(page, 'item');
        await page.getByRole('button', { name: 'Freigeben', exact: true }).click();
        await page.getByText('Freigegeben.').first().waitFor();

        await reader.goto(demo.measurePath);
        expect(await reader.content()).toContain(text);
        const mail = await server.smtp.waitFor(email, /Ihr Beitrag/);
        expect(mail.text).toContain('Ihr Beitrag ist jetzt veröffentlicht.');
        expect(mail.text).toContain(`/contributions/${id}`);
      });

      it('rejects with a reason from the house rules: the comment stays away and the mail says why', async () => {
        const text = `Werbung für meinen Laden in Gorbitz (${driver}, ${js ? 'JS' : 'ohne JS'})`;
        const { id, email } = await guestComment(text);
        const page = await moderator();
        await page.goto(`/moderation/contributions/${id}`);
        await page.getByRole('button', { name: 'Ablehnen', exact: true }).click();
        // Without a reason the form comes back and says so.
        await page.getByText('Bitte wählen Sie einen Grund aus der Netiquette.').first().waitFor();
        await page.getByLabel('Werbung oder Spam', { exact: true }).check();
        await page.getByLabel('Hinweis an die Person (freiwillig)').fill('Bitte keine Werbung.');
        await page.getByRole('button', { name: 'Ablehnen', exact: true }).click();
        await page.getByText('Abgelehnt.').first().waitFor();
        expect((await server.t.db.select().from(contributions).where(eq(contributions.id, id)))[0]).toMatchObject({ status: 'rejected', statusReason: 'spam' });
        const reader = await open();
        await reader.goto(demo.measurePath);
        expect(await reader.content()).not.toContain(text);
        const mail = await server.smtp.waitFor(email, /Ihr Beitrag/);
        expect(mail.text).toContain('Der Grund: Werbung oder Spam.');
        expect(mail.text).toContain('> Bitte keine Werbung.');
      });

      it('asks the author to revise: the mailed link leads the guest to the edit page, the new text waits in the queue', async () => {
        const text = `Ruft mich an unter 0351 1234567 (${driver}, ${js ? 'JS' : 'ohne JS'})`;
        const { id, email } = await guestComment(text);
        const page = await moderator();
        await page.goto(`/moderation/contributions/${id}`);
        await page.getByLabel('Was soll die Person ändern?').fill('Bitte ohne Telefonnummer, dann schalten wir ihn frei.');
        await page.getByRole('button', { name: 'Um Überarbeitung bitten' }).click();
        await expect
          .poll(async () => (await server.t.db.select().from(contributions).where(eq(contributions.id, id)))[0]?.status)
          .toBe('revision_requested');
        const mail = await server.smtp.waitFor(email, /^Ihr Beitrag/);
        expect(mail.text).toContain('Bitte ohne Telefonnummer, dann schalten wir ihn frei.');

        const author = await open();
        await author.goto(TestSmtp.link(mail, '/contributions/revise'));
        await author.getByText('Bitte ohne Telefonnummer, dann schalten wir ihn frei.').first().waitFor();
        expect(await author.getByLabel('Ihr Text').inputValue()).toBe(text);
        await author.getByLabel('Ihr Text').fill(`Bitte mehr Beratung in Prohlis (${driver}, ${js ? 'JS' : 'ohne JS'})`);
        await author.getByRole('button', { name: 'Überarbeiteten Beitrag einreichen' }).click();
        await expect.poll(async () => (await server.t.db.select().from(contributions).where(eq(contributions.id, id)))[0]?.status).toBe('pending');

        // Back in the queue with the new text, for a moderator to look at again.
        await page.goto('/moderation?q=Prohlis');
        await page.getByRole('link', { name: `Kommentar #${id}` }).waitFor();
        expect(await page.content()).not.toContain('0351 1234567');
      });

      it.runIf(js)('moves on with j and approves with a, and the keys can be switched off', async () => {
        const first = await guestComment(`Erster für Tasten (${driver})`);
        const second = await guestComment(`Zweiter für Tasten (${driver})`);
        const page = await moderator();
        await page.goto(`/moderation/contributions/${first.id}?q=Tasten`);
        await page.locator('body').press('j');
        await page.waitForURL((url) => url.pathname === `/moderation/contributions/${second.id}`);
        await page.getByRole('heading', { level: 1, name: `Kommentar #${second.id}` }).waitFor();
        await page.locator('body').press('a');
        await page.getByText('Es wartet nichts mehr in dieser Auswahl.').first().waitFor();
        expect((await server.t.db.select().from(contributions).where(eq(contributions.id, second.id)))[0]?.status).toBe('published');
        expect((await server.t.db.select().from(contributions).where(eq(contributions.id, first.id)))[0]?.status).toBe('pending');

        // Typing in a field is typing, not a shortcut; switched off, the keys do nothing.
        await page.goto(`/moderation/contributions/${first.id}`);
        await page.getByLabel('Was soll die Person ändern?').press('a');
        expect((await server.t.db.select().from(contributions).where(eq(contributions.id, first.id)))[0]?.status).toBe('pending');
        await page.getByLabel('Tastenkürzel verwenden').uncheck();
        await page.locator('body').press('a');
        await page.waitForTimeout(300);
        expect(page.url()).toContain(`/moderation/contributions/${first.id}`);
        expect((await server.t.db.select().from(contributions).where(eq(contributions.id, first.id)))[0]?.status).toBe('pending');
        await page.reload();
        expect(await page.getByLabel('Tastenkürzel verwenden').isChecked()).toBe(false);
      });
    });
  });
});
