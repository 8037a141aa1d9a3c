import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments, contributionReferences, contributions } from '../src/modules/participation/schema.js';
import { createUser } from './helpers/app.js';
import { describeBrowser, markupDriver, modesFor, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

declare const document: { documentElement: { scrollWidth: number; scrollHeight: number } };

const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '.tmp', 'screenshots');
const PDF = path.resolve(import.meta.dirname, 'fixtures', 'attachments', 'stellungnahme.pdf');
const NEW = `/consultations/${demo.slug}/statements/new`;
const STAFF_NEW = `/organiser/consultations/${demo.slug}/contributions/new`;
const SECOND = 'm-jha-schulindex-schulsozialarbeit';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

describeBrowser('written statements and staff entry in Chromium', () => {
  const browser = useBrowser();
  beforeAll(() => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer(driver);
      await openDemoPhase(server.t.db, 'post');
      await createUser(server.t.db, 'olena@example.org', [], 'Olena');
      await createUser(server.t.db, 'buero@example.org', ['organiser'], 'Beteiligungsbüro');
    });
    afterAll(async () => {
      await server?.close();
    });

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const contexts: BrowserContext[] = [];
      const errors: string[] = [];
      const checkPages = js && driver === markupDriver;
      const axeFound: string[] = [];

      async function open(width = 1024): Promise<Page> {
        const context = await browser().newContext({ javaScriptEnabled: js, locale: 'de-DE', baseURL: server.baseUrl, viewport: { width, height: 900 } });
        contexts.push(context);
        const page = await context.newPage();
        page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
        return page;
      }
      afterAll(async () => {
        for (const c of contexts) await c.close();
      });

      async function signIn(page: Page, email: string) {
        await page.goto('/signin');
        await page.fill('#field-email', email);
        await page.fill('#field-password', 'correct horse battery');
        await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/signin')), page.click('main form button[type="submit"]')]);
      }

      /** axe (once per page kind) and a 360 px look without sideways scrolling, with a screenshot. */
      async function inspect(page: Page, name: string) {
        if (!checkPages) return;
        const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
        if (result.passes.length === 0) axeFound.push(`${name}: axe checked nothing`);
        for (const v of result.violations) axeFound.push(`${name}: ${v.id} ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
        const url = page.url();
        const narrow = await open(360);
        // The narrow look shares the signed-in session of the page it checks.
        await narrow.context().addCookies(await page.context().cookies());
        await narrow.goto(url);
        const width = await narrow.evaluate(() => document.documentElement.scrollWidth);
        expect(width, `${name} scrolls sideways at 360 px`).toBeLessThanOrEqual(360);
        // Tall pages in parts, so each can be looked at.
        const height = await narrow.evaluate(() => document.documentElement.scrollHeight);
        for (let part = 0; part * 1400 < height; part++) {
          const clip = { x: 0, y: part * 1400, width: 360, height: Math.min(1400, height - part * 1400) };
          await narrow.screenshot({ path: path.join(SCREENSHOTS, `statements-${name}-part${part}.png`), fullPage: true, clip });
        }
      }

      it('a participant submits a statement on two measures with a PDF and sees the receipt number', { timeout: 120_000 }, async () => {
        const page = await open();
        await signIn(page, 'olena@example.org');
        await page.goto(`${NEW}?measure=${demo.measure}`);
        await expect.poll(() => page.isChecked(`#ref-measure-${demo.measure}`)).toBe(true);
        await inspect(page, 'form');
        await page.fill('#field-title', 'Abendkurse für Berufstätige');
        await page.fill('#field-body', 'Bitte mehr Plätze an der Abendoberschule.\nВечірні курси дуже потрібні.');
        // The second measure's field is closed: open it, as a person would.
        const second = page.locator(`#ref-measure-${SECOND}`);
        if (!(await second.isVisible())) await page.locator('details', { has: second }).locator('summary').click();
        await second.check();
        await page.setInputFiles('#field-attachments', PDF);
        await page.check('#field-privacy');
        await page.check('#field-publishText');
        await page.check('#field-publishName-no');
        await Promise.all([page.waitForURL(/\/statements\/received\//), page.click('#statement-form button[type="submit"]')]);
        const number = (await page.locator('.receipt-number strong').textContent())?.trim() ?? '';
        expect(number).toMatch(/^AI-\d{4}-\d{4}$/);
        await expect.poll(() => page.title()).toContain('Vielen Dank');
        expect(await page.locator('.ref-list li').count()).toBe(2);
        expect(await page.locator('.file-list').textContent()).toContain('stellungnahme.pdf');

        const [row] = await server.t.db.select().from(contributions).where(eq(contributions.receiptNumber, number));
        expect(row).toMatchObject({ status: 'published', publishName: false, title: 'Abendkurse für Berufstätige' });
        const refs = await server.t.db.select().from(contributionReferences).where(eq(contributionReferences.contributionId, row!.id));
        expect(refs.map((r) => r.targetKey).sort()).toEqual([demo.measure, SECOND].sort());
        const [file] = await server.t.db.select().from(attachments).where(eq(attachments.contributionId, row!.id));
        expect(file?.size).toBe(fs.statSync(PDF).size);
        await inspect(page, 'receipt');

        // The public page: text shown, name withheld, the PDF offered.
        await page.goto(`/consultations/${demo.slug}/statements/${number}`);
        expect(await page.locator('h1').textContent()).toContain('Abendkurse für Berufstätige');
        expect(await page.locator('.facts').textContent()).toContain('Privatperson');
        expect(await page.locator('.contributed-text').getAttribute('dir')).toBe('auto');
        await inspect(page, 'public');
        expect(errors).toEqual([]);
      });

      it('the privacy notice and the house rules read well', async () => {
        if (!checkPages) return;
        const page = await open();
        await page.goto('/privacy');
        expect(await page.locator('h1').textContent()).toBe('Datenschutzhinweise');
        await inspect(page, 'privacy');
        await page.goto('/netiquette#personal-data');
        await inspect(page, 'netiquette');
      });

      it('an organiser enters a letter with its scan', { timeout: 120_000 }, async () => {
        const page = await open();
        await signIn(page, 'buero@example.org');
        await page.goto(STAFF_NEW);
        await inspect(page, 'staff-form');
        await page.check('#field-channel');
        await page.check('#field-kind');
        await page.fill('#field-name', 'Familie Haddad');
        await page.fill('#field-details', 'Musterstraße 1, 01067 Dresden');
        await page.check('#field-publishText-no');
        await page.check('#field-publishName-no');
        await page.fill('#field-body', 'Wir wünschen uns Sprachkurse mit Kinderbetreuung.');
        await page.setInputFiles('#field-attachments', PDF);
        await Promise.all([page.waitForURL(/\/contributions\/\d+$/), page.click('main form button[type="submit"]')]);
        const facts = (await page.locator('.facts').textContent()) ?? '';
        expect(facts).toContain('Brief');
        expect(facts).toContain('Musterstraße 1');
        expect(facts).toMatch(/AI-\d{4}-\d{4}/);
        await inspect(page, 'staff-detail');
        await page.goto(`/organiser/consultations/${demo.slug}/contributions`);
        expect(await page.locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
        await inspect(page, 'staff-list');
        expect(errors).toEqual([]);
      });

      it.runIf(checkPages)('axe: no WCAG 2.1 A/AA violations on the statement pages', () => {
        expect(axeFound, `axe violations:\n${axeFound.join('\n')}`).toEqual([]);
      });
    });
  });
});
