import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { eq } from 'drizzle-orm';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../src/modules/demo/load.js';
import { planVersions } from '../src/modules/plans/schema.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { describeBrowser, modesFor, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';

// Callbacks passed to page.evaluate run in the browser; the project has no DOM typings.
declare const document: { documentElement: { scrollWidth: number } };

const COMPARE = '/consultations/aktionsplan-integration-2022-2026/compare';
const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '.tmp', 'screenshots');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];


describeBrowser('version comparison in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    let v1 = 0;
    let v2 = 0;
    beforeAll(async () => {
      server = await startServer(driver, { AUTH_RATE_LIMIT_MAX: '10000' });
      await loadDemo(server.t.db);
      await createUser(server.t.db, `organiser-${driver}@example.org`, ['organiser']);
      const versions = await server.t.db.select({ id: planVersions.id, label: planVersions.label }).from(planVersions);
      v1 = versions.find((v) => v.label === 'Entwurf 1')!.id;
      v2 = versions.find((v) => v.label === 'Entwurf 2')!.id;
    });
    afterAll(async () => {
      await server?.close();
    });

    for (const { js, label } of modesFor(driver)) describe(label, () => {
      const tag = `${driver}-${js ? 'js' : 'nojs'}`;
      const contexts: BrowserContext[] = [];
      const pageErrors: string[] = [];

      async function open(options: BrowserContextOptions = {}): Promise<Page> {
        const context = await browser().newContext({ javaScriptEnabled: js, locale: 'de-DE', baseURL: server.baseUrl, ...options });
        contexts.push(context);
        const page = await context.newPage();
        page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`${page.url()}: ${message.text()}`);
        });
        return page;
      }

      afterAll(async () => {
        for (const context of contexts.splice(0)) await context.close();
        expect(pageErrors.splice(0), 'script errors or CSP refusals in the page').toEqual([]);
      });

      async function axe(page: Page, what: string): Promise<void> {
        // axe-core waits on timers, which never fire with scripts off; the markup is the same.
        if (!js) return;
        const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
        expect(result.passes.length, `${what}: axe checked nothing`).toBeGreaterThan(0);
        const found = result.violations.map((v) => `[${v.id}] ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(found, `${what}: axe violations`).toEqual([]);
      }

      it('the organiser compares the draft with the published version', { timeout: 60_000 }, async () => {
        const page = await open();
        await page.goto('/signin');
        await page.getByLabel('E-Mail-Adresse').fill(`organiser-${driver}@example.org`);
        await page.getByLabel('Passwort', { exact: false }).fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
        await page.waitForURL((url) => url.pathname === '/account');
        await page.goto(`/organiser/versions/${v2}/compare`);
        await page.getByRole('heading', { level: 1, name: /Fassungen vergleichen/ }).waitFor();
        expect(await page.locator('.h1-sub').textContent()).toBe('Entwurf 1 → Entwurf 2');
        expect(await page.locator('ins').count()).toBeGreaterThan(2);
        await axe(page, 'organiser compare');
      });

      describe('once Entwurf 2 is published', () => {
        beforeAll(async () => {
          await server.t.db.update(planVersions).set({ status: 'published', publishedAt: new Date() }).where(eq(planVersions.id, v2));
          await server.t.app.cacheChannel.settle();
        });

        it('shows the changes with counts, marks and collapsed unchanged parts, and passes axe', { timeout: 60_000 }, async () => {
          const page = await open();
          await page.goto(COMPARE);
          await page.getByRole('heading', { level: 1, name: /Fassungen vergleichen/ }).waitFor();
          const summary = page.locator('.compare-summary');
          expect(await summary.getByText('1 neu').count()).toBeGreaterThan(0);
          expect(await summary.getByText('1 entfallen').count()).toBe(1);
          // Word changes: struck and inserted text, each told in words for screen readers.
          const reworded = page.locator('#change-measure-m-arbeit-unternehmen-information');
          expect(await reworded.locator('del').first().textContent()).toMatch(/^gelöscht: .+\(Ende der Löschung\)$/);
          expect(await reworded.locator('ins').first().textContent()).toMatch(/^eingefügt: .+\(Ende der Einfügung\)$/);
          // The visually hidden words are not shown.
          const hidden = reworded.locator('ins .visually-hidden').first();
          expect(await hidden.evaluate((el: { getBoundingClientRect(): { width: number } }) => el.getBoundingClientRect().width)).toBeLessThanOrEqual(1);
          // Unchanged fields collapsed; the toggle works with and without JavaScript (<details>).
          const fields = page.locator('details.unchanged', { hasText: 'Handlungsfelder ohne Änderungen' });
          const firstUnchanged = fields.getByRole('link', { name: /Handlungsfeld 2: Frühkindliche Bildung/ });
          expect(await firstUnchanged.isVisible()).toBe(false);
          await fields.locator('summary').click();
          await firstUnchanged.waitFor({ state: 'visible' });
          // Each changed measure links to its page.
          await reworded.getByRole('link', { name: 'Maßnahme 5.1.2' }).click();
          await page.waitForURL((url) => url.pathname.endsWith('/measures/m-arbeit-unternehmen-information'));
          await page.getByRole('heading', { level: 1, name: /Maßnahme 5\.1\.2/ }).waitFor();
          await page.goBack();
          await page.getByRole('heading', { level: 1, name: /Fassungen vergleichen/ }).waitFor();
          await axe(page, 'public compare');
        });

        it('chooses other versions with the form', { timeout: 60_000 }, async () => {
          const page = await open();
          await page.goto(COMPARE);
          await page.getByLabel('Ältere Fassung').selectOption(String(v2));
          await page.getByLabel('Neuere Fassung').selectOption(String(v1));
          await page.getByRole('button', { name: 'Vergleichen' }).click();
          await page.waitForURL((url) => url.searchParams.get('from') === String(v2) && url.searchParams.get('to') === String(v1));
          await page.locator('.h1-sub', { hasText: 'Entwurf 2 → Entwurf 1' }).waitFor();
          // Reversed, the measure Entwurf 2 dropped is new again.
          await page.locator('#change-measure-m-wohnen-broschuere .badge--added').waitFor();
          await axe(page, 'reversed compare');
        });

        it('reads well at 360 px: nothing scrolls sideways', { timeout: 60_000 }, async () => {
          fs.mkdirSync(SCREENSHOTS, { recursive: true });
          const page = await open({ viewport: { width: 360, height: 740 } });
          for (const [url, name] of [
            [COMPARE, 'compare'],
            [`${COMPARE}?from=${v2}&to=${v1}`, 'compare-reversed'],
          ] as const) {
            await page.goto(url);
            await page.getByRole('heading', { level: 1 }).waitFor();
            const width = await page.evaluate(() => document.documentElement.scrollWidth);
            expect(width, `${url} at 360 px`).toBeLessThanOrEqual(360);
            await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-360-${tag}.png`), fullPage: true });
          }
          // Close-ups to look at: the top of the page, and a reworded measure.
          await page.goto(COMPARE);
          await page.screenshot({ path: path.join(SCREENSHOTS, `compare-360-top-${tag}.png`) });
          await page.locator('.compare-summary').screenshot({ path: path.join(SCREENSHOTS, `compare-360-summary-${tag}.png`) });
          await page.locator('#change-measure-m-arbeit-unternehmen-information').screenshot({ path: path.join(SCREENSHOTS, `compare-360-measure-${tag}.png`) });
          const english = await open({ viewport: { width: 360, height: 740 }, locale: 'en-GB' });
          await english.goto(COMPARE);
          await english.getByRole('heading', { level: 1, name: /Compare versions/ }).waitFor();
          expect(await english.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
          await axe(english, 'compare in English');
        });
      });
    });
  });
});
