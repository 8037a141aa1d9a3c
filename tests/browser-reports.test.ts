import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceChange } from '../src/core/cache.js';
import { randomToken } from '../src/core/crypto.js';
import { recordAudit } from '../src/modules/audit/service.js';
import { contributions } from '../src/modules/participation/schema.js';
import { CONTRIBUTIONS_TAG, insertContribution } from '../src/modules/participation/service.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { axeClean, describeBrowser, markupDriver, modesFor, pageOpener, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

declare const document: { documentElement: { scrollHeight: number; scrollWidth: number } };

const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '.tmp', 'screenshots');

describeBrowser('reports and revisions in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    let d: { consultationId: number; phaseId: number };
    beforeAll(async () => {
      // One report takes a contribution down: the journey sees it vanish.
      server = await startServer(driver, { REPORT_HIDE_THRESHOLD: '1' });
      d = await openDemoPhase(server.t.db, 'post');
    });
    afterAll(async () => {
      await server?.close();
    });

    async function comment(values: Partial<typeof contributions.$inferInsert>) {
      const { id } = await insertContribution(server.t.db, {
        consultationId: d.consultationId,
        phaseId: d.phaseId,
        kind: 'comment',
        targetKind: 'measure',
        targetKey: demo.measure,
        body: 'Text',
        language: 'de',
        pageLocale: 'de',
        status: 'published',
        publishedAt: new Date(),
        guestEmail: 'gast@example.org',
        formToken: randomToken(),
        ...values,
      });
      await announceChange(server.t.db, CONTRIBUTIONS_TAG);
      await server.t.app.cacheChannel.settle();
      return id;
    }

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const tag = `${driver}-${js ? 'js' : 'nojs'}`;
      const checkMarkup = js && driver === markupDriver;
      const open = pageOpener(browser, () => server.baseUrl, js);

      async function shoot(page: Page, name: string): Promise<void> {
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        await page.setViewportSize({ width: 360, height: 740 });
        const { height, width } = await page.evaluate(() => ({ height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth }));
        expect(width, `${name} scrolls sideways at 360 px`).toBeLessThanOrEqual(360);
        await page.screenshot({ path: path.join(SCREENSHOTS, `reports-${name}.png`), fullPage: true, caret: 'initial', clip: { x: 0, y: 0, width: 360, height: Math.min(1600, height) } });
      }

      it('a reader reports a published comment with a reason, and it leaves the measure page', { timeout: 60_000 }, async () => {
        const text = `Ein Kommentar, den jemand meldet (${tag}).`;
        const id = await comment({ body: text });
        const page = await open();
        await page.goto(demo.measurePath);
        await page.locator('.comment', { hasText: text }).waitFor();
        await page.locator('.comment', { hasText: text }).getByRole('link', { name: /^Melden/ }).click();
        if (js) {
          // Loaded below the comment; the page stays.
          await page.locator(`#report-slot-${id} form`).waitFor();
          expect(new URL(page.url()).pathname).toBe(demo.measurePath);
        } else {
          await page.waitForURL((url) => url.pathname === `/contributions/${id}/report`);
          await page.getByRole('heading', { level: 1, name: 'Beitrag melden' }).waitFor();
        }
        if (checkMarkup) {
          // The whole form page once, for axe and the small screen.
          const formPage = await open();
          await formPage.goto(`/contributions/${id}/report`);
          await axeClean(formPage, 'report form page');
          await shoot(formPage, 'form');
          await page.setViewportSize({ width: 360, height: 740 });
          await page.locator(`#report-slot-${id}`).scrollIntoViewIfNeeded();
          await page.screenshot({ path: path.join(SCREENSHOTS, 'reports-inline.png'), caret: 'initial' });
        }
        // Sending without a reason keeps the note and says what is missing.
        await page.getByLabel('Anmerkung (freiwillig)').fill('Beleidigt eine ganze Gruppe.');
        await page.getByRole('button', { name: 'Meldung absenden' }).click();
        await page.getByText('Bitte wählen Sie einen Grund aus der Liste.').first().waitFor();
        expect(await page.getByLabel('Anmerkung (freiwillig)').inputValue()).toBe('Beleidigt eine ganze Gruppe.');
        await page.getByLabel('Beleidigung, Diskriminierung oder Hetze gegen Gruppen').check();
        await page.getByRole('button', { name: 'Meldung absenden' }).click();
        await page.waitForURL((url) => url.pathname === `/contributions/${id}/report/thanks`);
        await page.getByRole('heading', { level: 1, name: 'Danke für Ihre Meldung' }).waitFor();
        expect(await page.locator('main').textContent()).toContain('vorerst ausgeblendet');
        if (checkMarkup) await shoot(page, 'thanks');

        const [row] = await server.t.db.select().from(contributions).where(eq(contributions.id, id));
        expect(row).toMatchObject({ status: 'hidden', statusReason: 'reported' });
        await page.getByRole('link', { name: 'Zurück zur Seite' }).click();
        await page.waitForURL((url) => url.pathname === demo.measurePath);
        await page.locator('h1').waitFor();
        expect(await page.content()).not.toContain(text);

        // Back in the moderators' queue, with the report and its reason.
        const moderatorEmail = `moderation-${tag}@example.org`;
        await createUser(server.t.db, moderatorEmail, ['moderator'], `Moderation ${tag}`);
        const moderator = await open();
        await moderator.goto('/signin');
        await moderator.locator('input[name="email"]').fill(moderatorEmail);
        await moderator.locator('input[name="password"]').fill(TEST_PASSWORD);
        await moderator.getByRole('button', { name: 'Anmelden' }).last().click();
        await moderator.waitForURL('**/account');
        await moderator.goto('/moderation?reported=yes');
        await moderator.getByRole('link', { name: `Kommentar #${id}` }).waitFor();
        await moderator.goto(`/moderation/contributions/${id}`);
        const reports = (await moderator.locator('main').textContent()) ?? '';
        expect(reports).toContain('Meldungen von Lesenden');
        expect(reports).toContain('Beleidigt eine ganze Gruppe.');
      });

      it('the author revises a contribution the moderators sent back', { timeout: 60_000 }, async () => {
        const email = `autorin-${tag}@example.org`;
        const authorId = await createUser(server.t.db, email, [], `Autorin ${tag}`);
        const id = await comment({ body: 'Meine Nummer: 0351 987654.', status: 'revision_requested', statusReason: 'personal_data', publishedAt: null, guestEmail: null, authorId, moderationVersion: 1 });
        await recordAudit(server.t.db, {
          actorId: null,
          action: 'moderation.revise',
          subjectType: 'contribution',
          subjectId: id,
          reason: 'personal_data',
          after: { status: 'revision_requested', note: 'Bitte lassen Sie die Telefonnummer weg.' },
        });
        const page = await open();
        await page.goto('/signin');
        await page.getByLabel('E-Mail-Adresse').fill(email);
        await page.getByLabel('Passwort', { exact: false }).fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
        await page.waitForURL((url) => url.pathname === '/account');
        await page.goto('/my/contributions');
        await page.getByText('Bitte lassen Sie die Telefonnummer weg.').waitFor();
        await page.getByRole('link', { name: /^Beitrag überarbeiten/ }).click();
        await page.waitForURL((url) => url.pathname === `/contributions/${id}/revise`);
        await page.getByRole('heading', { level: 1, name: 'Beitrag überarbeiten' }).waitFor();
        expect(await page.locator('.revise-note').textContent()).toContain('Bitte lassen Sie die Telefonnummer weg.');
        if (checkMarkup) {
          await axeClean(page, 'revise page');
          await shoot(page, 'revise');
        }
        const body = page.getByLabel('Ihr Text');
        expect(await body.inputValue()).toBe('Meine Nummer: 0351 987654.');
        await body.fill('Rufen Sie das Beteiligungsbüro an, dort weiß man Bescheid.');
        await page.getByRole('button', { name: 'Überarbeiteten Beitrag einreichen' }).click();
        await page.waitForURL((url) => url.pathname === `/contributions/${id}`);
        await page.getByText('Ihr überarbeiteter Beitrag wartet jetzt auf die Moderation').waitFor();
        const [row] = await server.t.db.select().from(contributions).where(eq(contributions.id, id));
        expect(row).toMatchObject({ status: 'pending', body: 'Rufen Sie das Beteiligungsbüro an, dort weiß man Bescheid.', moderationVersion: 2 });
      });
    });
  });
});
