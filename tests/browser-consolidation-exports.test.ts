import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committeeReports } from '../src/modules/consolidation/schema.js';
import { contributions } from '../src/modules/participation/schema.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { axeClean, describeBrowser, markupDriver, modesFor, pageOpener, signInThroughForm, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

describeBrowser('committee exports in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer(driver);
      const { consultationId } = await openDemoPhase(server.t.db);
      await server.t.db.insert(contributions).values([
        { consultationId, kind: 'comment', targetKind: 'measure', targetKey: demo.measure, body: 'نحتاج إلى مزيد من الدورات المسائية في المدرسة.', language: 'ar', pageLocale: 'de', status: 'published', guestEmail: 'browser-gast@example.org' },
        { consultationId, kind: 'comment', targetKind: 'measure', targetKey: demo.measure, body: 'Більше вечірніх курсів, будь ласка.', language: 'uk', pageLocale: 'de', status: 'published', guestEmail: 'browser-gast2@example.org' },
      ]);
      await createUser(server.t.db, 'export-orga@example.org', ['organiser'], 'Export Orga');
      server.t.app.reportWorker.start();
    }, 60_000);
    afterAll(() => server?.close());

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const open = pageOpener(browser, () => server.baseUrl, js);

      const organiser = () => signInThroughForm(open, 'export-orga@example.org', TEST_PASSWORD, { acceptDownloads: true });

      it('requests a draft export, follows its progress to done and downloads the file', async () => {
        const page = await organiser();
        await page.goto(`/organiser/consultations/${demo.slug}/reports`);
        if (driver === markupDriver && js) await axeClean(page, 'reports page');
        // A final version is refused while units are open: the message names the count, the choices stay.
        await page.getByLabel('Als Entwurf exportieren').uncheck();
        await page.getByLabel('CSV').check();
        await page.getByRole('button', { name: 'Export starten' }).click();
        await page.getByText('Einheiten in diesem Umfang sind nicht freigegeben').first().waitFor();
        expect(await page.getByLabel('CSV').isChecked()).toBe(true);
        await page.getByLabel('Als Entwurf exportieren').check();
        await page.getByRole('button', { name: 'Export starten' }).click();
        await page.waitForURL(/\/organiser\/reports\/\d+$/);
        const done = page.getByText('Der Export ist fertig.');
        if (js) {
          // htmx polls the status fragment every second until it is done.
          await done.waitFor({ timeout: 30_000 });
        } else {
          for (let i = 0; i < 30 && !(await done.isVisible()); i++) {
            await page.waitForTimeout(500);
            await page.getByRole('link', { name: 'Stand neu laden' }).click();
          }
          await done.waitFor();
        }
        if (driver === markupDriver && js) await axeClean(page, 'report page');
        const id = Number(/\/organiser\/reports\/(\d+)/.exec(page.url())?.[1]);
        const [row] = await server.t.db.select().from(committeeReports).where(eq(committeeReports.id, id));
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Herunterladen' }).click()]);
        expect(download.suggestedFilename()).toBe(`abwaegungstabelle-${demo.slug}-entwurf.csv`);
        const bytes = fs.readFileSync((await download.path()) as string);
        expect(createHash('sha512').update(bytes).digest('hex')).toBe(row?.sha512);
        expect(bytes.toString('utf8')).toContain('Більше вечірніх курсів');
        expect(bytes.toString('utf8')).not.toContain('browser-gast');
        // The list shows it with its shortened checksum.
        await page.goto(`/organiser/consultations/${demo.slug}/reports`);
        await page.locator(`code[title="${row?.sha512}"]`).first().waitFor();
        if (driver === markupDriver && js) await axeClean(page, 'reports page with list');
      }, 90_000);
    });
  });
});
