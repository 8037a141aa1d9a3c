import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../src/modules/demo/load.js';
import { describeBrowser, markupDriver, modesFor, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';

// Callbacks passed to page.evaluate run in the browser; the project has no DOM typings, so the
// little they touch is declared here.
interface Element {
  id: string;
  textContent: string | null;
  closest(selector: string): Element | null;
}
declare const window: { planPageMarker?: boolean };
declare const document: { documentElement: { scrollWidth: number; scrollHeight: number }; activeElement: Element | null };

const BASE = '/consultations/aktionsplan-integration-2022-2026';
const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '.tmp', 'screenshots');

/** Every public plan page, with a short name for screenshots. */
const PAGES: Array<[string, string]> = [
  [BASE, 'consultation'],
  [`${BASE}/plan`, 'plan'],
  [`${BASE}/fields/f-kinder-jugendhilfe`, 'field'],
  [`${BASE}/goals/g-kjh-zugang`, 'goal'],
  [`${BASE}/measures/m-jha-gremium-kindeswohl`, 'measure'],
  [`${BASE}/measures/m-d-interkulturelle-oeffnung`, 'measure-cross-cutting'],
  [`${BASE}/committees`, 'committees'],
  [`${BASE}/committees/jugendhilfeausschuss`, 'committee'],
  [`${BASE}/committees/alle`, 'committee-all'],
  [`${BASE}/departments`, 'departments'],
  [`${BASE}/departments/jugendamt`, 'department'],
  [`${BASE}/search`, 'search-empty'],
  [`${BASE}/search?q=Kindern`, 'search'],
  [`${BASE}/search?q=${'x'.repeat(250)}`, 'search-too-long'],
  [`${BASE}/print`, 'print'],
  [`${BASE}/measures/gibt-es-nicht`, 'measure-404'],
];
const SHOTS = new Set(['plan', 'measure', 'committee', 'search', 'consultation']);


describeBrowser('plan pages in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer(driver);
      await loadDemo(server.t.db);
    });
    afterAll(async () => {
      await server?.close();
    });

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const tag = `${driver}-${js ? 'js' : 'nojs'}`;
      const contexts: BrowserContext[] = [];
      const pageErrors: string[] = [];

      async function open(options: BrowserContextOptions = {}): Promise<Page> {
        const context = await browser().newContext({ javaScriptEnabled: js, locale: 'de-DE', baseURL: server.baseUrl, ...options });
        contexts.push(context);
        const page = await context.newPage();
        page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
        page.on('console', (message) => {
          // Typing on while a search is under way aborts the older request on purpose (hx-sync);
          // htmx logs that abort and its afterRequest as errors. Real failures still show up as
          // htmx:responseError or page errors.
          const text = message.text();
          const expected = text.startsWith('Failed to load resource') || text.startsWith('htmx:sendAbort') || text.startsWith('htmx:afterRequest');
          if (message.type() === 'error' && !expected) pageErrors.push(`${page.url()}: ${text}`);
        });
        return page;
      }

      async function closeAll(): Promise<void> {
        for (const context of contexts.splice(0)) await context.close();
        expect(pageErrors.splice(0), 'script errors or CSP refusals in the page').toEqual([]);
      }
      afterAll(async () => {
        for (const context of contexts) await context.close();
      });

      async function landOn(page: Page, pathname: string, title: string | RegExp): Promise<void> {
        await page.waitForURL((url) => url.pathname === pathname);
        await page.getByRole('heading', { level: 1, name: title }).waitFor();
      }

      /** Presses Tab until the focused element's text matches, at most `max` times. */
      async function tabTo(page: Page, text: string | RegExp, max = 80): Promise<void> {
        for (let i = 0; i < max; i++) {
          await page.keyboard.press('Tab');
          const focused = await page.evaluate(() => document.activeElement?.textContent?.replace(/\s+/g, ' ').trim() ?? '');
          if (typeof text === 'string' ? focused === text : text.test(focused)) return;
        }
        throw new Error(`Tab never reached "${text}"`);
      }

      it.runIf(js && driver === markupDriver)('axe: no WCAG 2.1 A/AA violations on any plan page, in German and English', { timeout: 180_000 }, async () => {
        const found: string[] = [];
        const check = async (page: Page, label: string) => {
          const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
          if (result.passes.length === 0) found.push(`${label}: axe checked nothing`);
          for (const v of result.violations) {
            found.push(`${label}: [${v.id}] ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n')}`);
          }
        };
        const page = await open();
        for (const [url] of PAGES) {
          await page.goto(url);
          await check(page, url);
        }
        // The consultation's outline opened, and the search results as swapped in by htmx.
        await page.goto(BASE);
        for (const summary of await page.locator('.outline summary').all()) await summary.click();
        await check(page, `${BASE} (outline open)`);
        await page.goto(`${BASE}/search`);
        await page.getByLabel('Im Plan suchen').pressSequentially('Schulsozial');
        await page.locator('#search-results .search-hit').first().waitFor();
        await check(page, `${BASE}/search (typed)`);
        const english = await open({ locale: 'en-GB' });
        for (const url of [BASE, `${BASE}/plan`, `${BASE}/measures/m-jha-gremium-kindeswohl`, `${BASE}/search?q=Kita`]) {
          await english.goto(url);
          await check(english, `${url} (en)`);
        }
        expect(found, `axe violations:\n${found.join('\n')}`).toEqual([]);
        await closeAll();
      });

      it.runIf(driver === markupDriver)('360 px wide: no plan page scrolls sideways', { timeout: 120_000 }, async () => {
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        const page = await open({ viewport: { width: 360, height: 740 } });
        const tooWide: string[] = [];
        for (const [url, name] of PAGES) {
          await page.goto(url);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          if (width > 360) tooWide.push(`${url}: ${width} px`);
          if (SHOTS.has(name)) {
            await page.screenshot({ path: path.join(SCREENSHOTS, `plans-${name}-${tag}.png`), fullPage: true });
            // Readable pieces of long pages, to look at them at their real size.
            const height = await page.evaluate(() => document.documentElement.scrollHeight);
            for (let y = 0, part = 1; y < height && part <= 4; y += 1400, part++) {
              const clip = { x: 0, y, width: 360, height: Math.min(1400, height - y) };
              await page.screenshot({ path: path.join(SCREENSHOTS, `plans-${name}-${tag}-part${part}.png`), fullPage: true, clip });
            }
          }
        }
        expect(tooWide, 'pages wider than the viewport').toEqual([]);
        await closeAll();
      });

      it('print: no navigation or search, each field of action on a new page, readable in black and white', async () => {
        const page = await open({ viewport: { width: 800, height: 1100 } });
        await page.emulateMedia({ media: 'print' });
        await page.goto(`${BASE}/print`);
        for (const selector of ['.site-header', '.site-footer', '.screen-only']) expect(await page.locator(selector).first().isVisible(), selector).toBe(false);
        const style = await page.locator('.field-of-action').first().evaluate((el) => {
          const s = (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(el);
          return { breakBefore: s.breakBefore, color: s.color };
        });
        expect(style.breakBefore).toBe('page');
        expect(style.color).toBe('rgb(0, 0, 0)');
        await page.getByText(`${server.baseUrl}${BASE}/measures/m-jha-abendoberschule`).waitFor();
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SCREENSHOTS, `plans-print-${tag}.png`), clip: { x: 0, y: 0, width: 800, height: 1400 }, fullPage: true });
        // The plan page itself prints without its navigation too.
        await page.goto(`${BASE}/plan`);
        for (const selector of ['.breadcrumbs', '.plan-search', '.plan-tools', '.toc']) expect(await page.locator(selector).first().isVisible(), selector).toBe(false);
        await closeAll();
      });

      it('reading: from the consultation into the plan, down to a measure and back up the breadcrumbs', async () => {
        const page = await open();
        await page.goto(BASE);
        await page.getByRole('link', { name: 'Den Plan lesen' }).click();
        await landOn(page, `${BASE}/plan`, /Aktionsplan Integration 2022 bis 2026/);
        await page.getByRole('navigation', { name: 'Inhalt' }).getByRole('link', { name: '4 Kinder- und Jugendhilfe' }).click();
        await page.waitForURL((url) => url.hash === '#field-f-kinder-jugendhilfe');
        await page.getByRole('link', { name: 'Maßnahme 4.2.3' }).click();
        await landOn(page, `${BASE}/measures/m-jha-abendoberschule`, 'Maßnahme 4.2.3');
        const crumbs = page.getByRole('navigation', { name: 'Sie sind hier' });
        expect(await crumbs.locator('[aria-current="page"]').textContent()).toBe('Maßnahme 4.2.3');
        await page.getByRole('heading', { level: 2, name: 'Beteiligung' }).waitFor();
        await page.getByRole('link', { name: /Nächste: Maßnahme 5\.1\.1/ }).click();
        await landOn(page, `${BASE}/measures/m-arbeit-anerkennung`, 'Maßnahme 5.1.1');
        await page.getByRole('link', { name: /Vorherige: Maßnahme 4\.2\.3/ }).waitFor();
        await crumbs.getByRole('link', { name: 'Handlungsfeld 5' }).click();
        await landOn(page, `${BASE}/fields/f-arbeit`, 'Handlungsfeld 5: Arbeit');
        await crumbs.getByRole('link', { name: 'Plan (Entwurf 1)' }).click();
        await landOn(page, `${BASE}/plan`, /Aktionsplan/);
        await page.getByRole('link', { name: 'Nach Gremien' }).click();
        await landOn(page, `${BASE}/committees`, 'Der Plan nach Gremien');
        await page.getByRole('link', { name: 'Jugendhilfeausschuss (JHA)' }).click();
        await landOn(page, `${BASE}/committees/jugendhilfeausschuss`, 'Maßnahmen für: Jugendhilfeausschuss (JHA)');
        expect(await page.locator('#committee-measures .measure').count()).toBe(5);
        await page.getByRole('link', { name: 'Jugendamt' }).first().click();
        await landOn(page, `${BASE}/departments/jugendamt`, 'Maßnahmen von: Jugendamt');
        await closeAll();
      });

      it('keyboard: the outline on the consultation page and the plan’s contents work without a mouse', async () => {
        const page = await open();
        await page.goto(BASE);
        // The outline's fields open with the keyboard; their links follow in the tab order.
        await tabTo(page, /^4 Kinder- und Jugendhilfe/);
        await page.keyboard.press('Enter');
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Handlungsfeld 4 im Überblick: Kinder- und Jugendhilfe');
        await page.keyboard.press('Enter');
        await landOn(page, `${BASE}/fields/f-kinder-jugendhilfe`, 'Handlungsfeld 4: Kinder- und Jugendhilfe');

        // The plan: a contents link moves the reading (and tabbing) position to its section.
        await page.goto(`${BASE}/plan`);
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Zum Inhalt springen');
        await tabTo(page, '4 Kinder- und Jugendhilfe');
        await page.keyboard.press('Enter');
        await page.waitForURL((url) => url.hash === '#field-f-kinder-jugendhilfe');
        await page.keyboard.press('Tab');
        const inSection = await page.evaluate(() => document.activeElement?.closest('section.field-of-action')?.id ?? null);
        expect(inSection).toBe('field-f-kinder-jugendhilfe');
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Handlungsfeld 4: Kinder- und Jugendhilfe');
        await tabTo(page, 'Ziel 4.2', 30);
        await page.keyboard.press('Enter');
        await landOn(page, `${BASE}/goals/g-kjh-zugang`, 'Ziel 4.2');
        await closeAll();
      });

      it('search from a plan page with the search box (a plain form without JavaScript)', async () => {
        const page = await open();
        await page.goto(`${BASE}/plan`);
        await page.getByLabel('Im Plan suchen').fill('Kindern');
        await page.getByLabel('Im Plan suchen').press('Enter');
        await landOn(page, `${BASE}/search`, 'Suche im Plan');
        expect(new URL(page.url()).searchParams.get('q')).toBe('Kindern');
        await page.locator('.search-hit mark', { hasText: 'Kinder' }).first().waitFor();
        expect(await page.locator('#search-status').textContent()).toMatch(/\d+ Treffer für „Kindern“/);
        // An empty search says so instead of failing.
        await page.getByLabel('Im Plan suchen').fill('');
        await page.getByRole('button', { name: 'Suchen' }).click();
        await page.locator('#search-status', { hasText: 'Bitte geben Sie einen Suchbegriff ein.' }).waitFor();
        await page.getByRole('link', { name: 'Maßnahme 2.2.1' }).waitFor({ state: 'detached' });
        await closeAll();
      });

      it.runIf(js)('search as you type: results follow the typing in the same page, and the address follows too', async () => {
        const page = await open();
        await page.goto(`${BASE}/search`);
        await page.evaluate(() => {
          window.planPageMarker = true;
        });
        const box = page.getByLabel('Im Plan suchen');
        await box.pressSequentially('Schulsozial', { delay: 30 });
        await page.locator('#search-results .search-hit', { hasText: 'Maßnahme 4.2.3' }).waitFor();
        await page.locator('#search-status', { hasText: 'Treffer für „Schulsozial“' }).waitFor();
        await page.waitForURL((url) => url.searchParams.get('q') === 'Schulsozial');
        expect(await page.locator('#search-results mark').first().textContent()).toBe('Schulsozialarbeit');
        await box.fill('');
        await box.pressSequentially('Elternbefragungen', { delay: 20 });
        await page.locator('#search-results .search-hit', { hasText: 'Maßnahme 2.1.1' }).waitFor();
        await page.locator('#search-results .search-hit', { hasText: 'Maßnahme 4.2.3' }).waitFor({ state: 'detached' });
        // Earlier keystrokes ("Elternbef…") find the same measure; wait for the last one's answer.
        await page.locator('#search-status', { hasText: 'Treffer für „Elternbefragungen“' }).waitFor();
        expect(await page.evaluate(() => window.planPageMarker)).toBe(true);
        // Focus stays in the box while the results change.
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('search-q');
        expect(await page.title()).toBe('Suche: Elternbefragungen – Aktionsplan Integration 2022 bis 2026 – Mitsprache');
        // Back in history shows the earlier search again.
        await page.goBack();
        await page.waitForURL((url) => url.searchParams.get('q') !== 'Elternbefragungen');
        await closeAll();
      });
    });
  });
});
