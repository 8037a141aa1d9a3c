import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../src/modules/demo/load.js';
import { type PlanDocument, readPlanDocument } from '../src/modules/plans/document.js';
import { consultations, planVersions } from '../src/modules/plans/schema.js';
import { fromJson } from '../src/modules/plans/transfer/json.js';
import { fromMarkdown } from '../src/modules/plans/transfer/markdown.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { describeBrowser, markupDriver, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';

declare const document: {
  documentElement: { scrollWidth: number };
  activeElement: { id: string; className: string } | null;
};

const fixtures = path.resolve(import.meta.dirname, 'fixtures', 'transfer');
const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '.tmp', 'screenshots');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Departments and committees come back from the database in slug order. */
function slugOrder(doc: PlanDocument): PlanDocument {
  const sortLinks = <T extends { lead: string[]; support: string[]; committees: string[] }>(m: T): T => ({
    ...m,
    lead: [...m.lead].sort(),
    support: [...m.support].sort(),
    committees: [...m.committees].sort(),
  });
  return {
    ...doc,
    crossCuttingMeasures: doc.crossCuttingMeasures.map(sortLinks),
    fields: doc.fields.map((f) => ({ ...f, goals: f.goals.map((g) => ({ ...g, measures: g.measures.map(sortLinks) })) })),
  };
}

describeBrowser('plan import and export in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    let consultationId = 0;
    let position = 100;
    const email = `organiser-transfer-${driver}@example.org`;

    beforeAll(async () => {
      server = await startServer(driver, { AUTH_RATE_LIMIT_MAX: '10000' });
      await loadDemo(server.t.db);
      await createUser(server.t.db, email, ['organiser'], 'Beteiligungsbüro');
      const [c] = await server.t.db.select({ id: consultations.id }).from(consultations);
      consultationId = c!.id;
    });
    afterAll(async () => {
      await server?.close();
    });

    for (const js of [true, false]) {
      describe(js ? 'JavaScript on' : 'JavaScript off', () => {
        const tag = `${driver}-${js ? 'js' : 'nojs'}`;
        const contexts: BrowserContext[] = [];
        const pageErrors: string[] = [];

        async function open(viewport = { width: 1100, height: 900 }): Promise<Page> {
          const context = await browser().newContext({ javaScriptEnabled: js, locale: 'de-DE', baseURL: server.baseUrl, viewport });
          contexts.push(context);
          const page = await context.newPage();
          page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
          page.on('console', (message) => {
            if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`${page.url()}: ${message.text()}`);
          });
          await page.goto('/signin');
          await page.getByLabel('E-Mail-Adresse').fill(email);
          await page.getByLabel('Passwort', { exact: false }).fill(TEST_PASSWORD);
          await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
          await page.waitForURL((url) => url.pathname === '/account');
          return page;
        }

        afterAll(async () => {
          for (const context of contexts) await context.close();
        });

        async function newDraft(label: string): Promise<number> {
          const [row] = await server.t.db
            .insert(planVersions)
            .values({ consultationId, label, status: 'draft', position: position++ })
            .returning({ id: planVersions.id });
          return row!.id;
        }

        async function axe(page: Page, label: string): Promise<string[]> {
          // axe-core runs as a script in the page: with JavaScript off it cannot run, and the
          // markup it would check is the same.
          if (!js) return [];
          const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
          const found = result.passes.length === 0 ? [`${label}: axe checked nothing`] : [];
          for (const v of result.violations) {
            found.push(`${label}: [${v.id}] ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n')}`);
          }
          return found;
        }

        it('upload a malformed file, see the errors by line; paste a good plan, preview, import, see it', { timeout: 90_000 }, async () => {
          const versionId = await newDraft(`Browser ${tag}`);
          const importPath = `/organiser/versions/${versionId}/import`;
          const page = await open();
          const violations: string[] = [];

          await page.goto(importPath);
          await page.getByRole('heading', { level: 1, name: `Plan importieren: Browser ${tag}` }).waitFor();
          expect(await page.locator('main').textContent()).toContain('Diese Fassung hat noch keinen Inhalt.');
          violations.push(...(await axe(page, 'import page')));

          // A malformed Markdown file: every problem with its line, nothing imported.
          await page.getByLabel('Datei (.json oder .md)').setInputFiles(path.join(fixtures, 'plan-malformed.md'));
          await page.getByRole('button', { name: 'Vorschau anzeigen' }).click();
          const alert = page.getByRole('alert');
          await alert.waitFor();
          const problems = (await alert.textContent())?.replace(/\s+/g, ' ') ?? '';
          expect(problems).toContain('Die Datei kann so nicht importiert werden');
          expect(problems).toContain('Zeile 9: Maßnahme außerhalb eines Ziels.');
          expect(problems).toContain('Zeile 16: Unbekannte Angabe „Zuständig“.');
          expect(problems).toContain('Zeile 17: Maßnahme 1.1.1: Das Gremium „jugendhilfeausschus“ ist nicht angelegt – meinten Sie „jugendhilfeausschuss“?');
          expect(problems).toContain('Zeile 19: Falsche Überschriftenebene „###“ für ein Handlungsfeld.');
          expect(problems).toContain('Zeile 21: Falsche Überschriftenebene „####“ für ein Ziel.');
          expect(new URL(page.url()).pathname).toBe(importPath);
          // The file's text is in the text field, to be corrected in place.
          expect(await page.getByLabel('Oder den Text einfügen').inputValue()).toContain('### Handlungsfeld 2: Arbeit {#f-arbeit}');
          // Focus moves once the swapped-in problems have settled: wait for it, not for the first look.
          if (js) await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('import-problems');
          expect(await page.getByRole('button', { name: 'Importieren und Inhalt ersetzen' }).count()).toBe(0);
          violations.push(...(await axe(page, 'import page with errors')));
          expect((await readPlanDocument(server.t.db, versionId)).fields).toEqual([]);

          // A malformed JSON file: line and column.
          await page.getByLabel('Datei (.json oder .md)').setInputFiles(path.join(fixtures, 'plan-malformed.json'));
          await page.getByRole('button', { name: 'Vorschau anzeigen' }).click();
          await page.getByRole('alert').filter({ hasText: 'Zeile 10, Spalte 9' }).waitFor();

          // Paste a good plan: preview first, then import.
          const good = fs.readFileSync(path.join(fixtures, 'plan-small.md'), 'utf8');
          await page.getByLabel('Oder den Text einfügen').fill(good);
          await page.getByRole('button', { name: 'Vorschau anzeigen' }).click();
          await page.getByRole('heading', { level: 2, name: 'Vorschau' }).waitFor();
          const preview = (await page.locator('.transfer-preview').textContent())?.replace(/\s+/g, ' ') ?? '';
          expect(preview).toContain('Eingefügter Text, gelesen als Markdown-Gliederung. Keine Fehler gefunden.');
          expect(preview).toContain('Der Import ersetzt den gesamten Inhalt der Fassung');
          expect(await page.getByRole('alert').count()).toBe(0);
          violations.push(...(await axe(page, 'preview')));
          expect((await readPlanDocument(server.t.db, versionId)).fields).toEqual([]);

          await page.getByRole('button', { name: 'Importieren und Inhalt ersetzen' }).click();
          await page.locator('#messages .notice', { hasText: 'Der Plan wurde importiert.' }).waitFor();
          expect(new URL(page.url()).pathname).toBe(importPath);
          const current = (await page.locator('section', { has: page.getByRole('heading', { name: 'Aktueller Inhalt dieser Fassung' }) }).textContent())?.replace(/\s+/g, ' ') ?? '';
          expect(current).toContain('1 Sprache');
          expect(current).toContain('2 Kinder- und Jugendhilfe');
          expect(await readPlanDocument(server.t.db, versionId)).toEqual(slugOrder(fromMarkdown(good).doc));
          violations.push(...(await axe(page, 'after the import')));

          // The export links download the same plan (no htmx: a file, not a page).
          const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Als JSON herunterladen' }).click()]);
          expect(download.suggestedFilename()).toBe(`aktionsplan-integration-2022-2026-browser-${tag}.json`);
          const file = fs.readFileSync((await download.path()) as string, 'utf8');
          expect(fromJson(file).doc).toEqual(slugOrder(fromMarkdown(good).doc));

          expect(violations, `axe violations:\n${violations.join('\n')}`).toEqual([]);
          expect(pageErrors.splice(0), 'script errors or CSP refusals').toEqual([]);
        });

        it.runIf(driver === markupDriver)('is usable 360 px wide, with errors shown', { timeout: 60_000 }, async () => {
          const versionId = await newDraft(`Schmal ${tag}`);
          const page = await open({ width: 360, height: 740 });
          await page.goto(`/organiser/versions/${versionId}/import`);
          await page.getByLabel('Datei (.json oder .md)').setInputFiles(path.join(fixtures, 'plan-invalid.json'));
          await page.getByRole('button', { name: 'Vorschau anzeigen' }).click();
          await page.getByRole('alert').waitFor();
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
          fs.mkdirSync(SCREENSHOTS, { recursive: true });
          await page.screenshot({ path: path.join(SCREENSHOTS, `import-errors-${tag}.png`), fullPage: true });
          const versions = await server.t.db.select().from(planVersions).where(eq(planVersions.id, versionId));
          expect(versions[0]?.status).toBe('draft');
          expect(pageErrors.splice(0), 'script errors or CSP refusals').toEqual([]);
        });
      });
    }
  });
});
