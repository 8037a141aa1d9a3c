import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { and, asc, desc, eq } from 'drizzle-orm';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries } from '../src/modules/audit/schema.js';
import { loadDemo } from '../src/modules/demo/load.js';
import { committees, departments } from '../src/modules/departments/schema.js';
import { consultations, fields, goals, measures, phases, planVersions } from '../src/modules/plans/schema.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { describeBrowser, markupDriver, modesFor, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';

// Callbacks passed to page.evaluate run in the browser; the project has no DOM typings.
declare const window: { stillTheSamePage?: boolean };
declare const document: { activeElement: { id: string } | null; documentElement: { scrollWidth: number } };

const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '.tmp', 'screenshots');
const modes = [
  // Each mode works on its own field of action of the demo's draft, so they can share a server.
  { js: true, label: 'JavaScript on', field: '2', year: 2030 },
  { js: false, label: 'JavaScript off', field: '4', year: 2031 },
];

describeBrowser('organiser pages in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    let consultationId: number;
    let draftId: number;
    let publishedId: number;

    beforeAll(async () => {
      server = await startServer(driver, { AUTH_RATE_LIMIT_MAX: '10000' });
      await loadDemo(server.t.db);
      const db = server.t.db;
      consultationId = (await db.select().from(consultations))[0]!.id;
      draftId = (await db.select().from(planVersions).where(eq(planVersions.label, 'Entwurf 2')))[0]!.id;
      publishedId = (await db.select().from(planVersions).where(eq(planVersions.label, 'Entwurf 1')))[0]!.id;
    });
    afterAll(async () => {
      await server?.close();
    });

    for (const { js, label, field, year } of modesFor(driver, modes)) describe(label, () => {
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

      async function closeAll(): Promise<void> {
        for (const context of contexts.splice(0)) await context.close();
        expect(pageErrors.splice(0), 'script errors or CSP refusals in the page').toEqual([]);
      }
      afterAll(closeAll);

      const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();
      async function landOn(page: Page, pathname: string, title: string | RegExp): Promise<void> {
        await page.waitForURL((url) => url.pathname === pathname);
        await heading(page, title);
      }
      const notice = (page: Page, text: string) => page.locator('#messages .notice', { hasText: text }).waitFor();

      async function signInAs(roles: Array<'organiser' | 'admin'>, name: string): Promise<Page> {
        const email = `${name}-${tag}@example.org`;
        await createUser(server.t.db, email, roles, `Beteiligungsbüro ${tag}`);
        const page = await open();
        await page.goto('/signin');
        await page.getByLabel('E-Mail-Adresse').fill(email);
        await page.getByLabel('Passwort', { exact: false }).fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
        await landOn(page, '/account', 'Mein Konto');
        return page;
      }

      it('journey: a phase with a wrong date range, fixed; edit a measure, move it up, delete a goal', { timeout: 120_000 }, async () => {
        const db = server.t.db;
        const page = await signInAs(['organiser'], 'journey');
        await page.getByRole('link', { name: 'Verfahren verwalten' }).click();
        await landOn(page, '/organiser/consultations', 'Verfahren verwalten');
        await page.getByRole('link', { name: 'Aktionsplan Integration 2022 bis 2026' }).click();
        await landOn(page, `/organiser/consultations/${consultationId}`, /Aktionsplan Integration 2022 bis 2026/);

        // A phase that ends before it starts: the form comes back with the message and the values.
        await page.getByRole('link', { name: 'Phase hinzufügen' }).click();
        await landOn(page, `/organiser/consultations/${consultationId}/phases/new`, 'Neue Phase');
        if (js) await page.evaluate(() => (window.stillTheSamePage = true));
        await page.getByLabel('Art der Phase').selectOption('implementation');
        await page.getByLabel('Titel').fill(`Umsetzung ${tag}`);
        const opens = page.getByRole('group', { name: 'Beginn' });
        const closes = page.getByRole('group', { name: 'Ende' });
        await opens.getByLabel('Datum').fill(`${year}-06-10`);
        await opens.getByLabel('Uhrzeit').fill('09:30');
        await closes.getByLabel('Datum').fill(`${year}-06-01`);
        await page.getByLabel('Kommentare').check();
        await page.getByRole('button', { name: 'Phase anlegen' }).click();
        const summary = page.getByRole('alert');
        await summary.waitFor();
        expect(await summary.textContent()).toContain('Das Ende muss nach dem Beginn liegen.');
        expect(await page.locator('#field-closesDate-error').textContent()).toContain('Das Ende muss nach dem Beginn liegen.');
        expect(await closes.getByLabel('Datum').getAttribute('aria-invalid')).toBe('true');
        expect(await page.getByLabel('Titel').inputValue()).toBe(`Umsetzung ${tag}`);
        expect(await page.getByLabel('Art der Phase').inputValue()).toBe('implementation');
        expect(await opens.getByLabel('Datum').inputValue()).toBe(`${year}-06-10`);
        expect(await opens.getByLabel('Uhrzeit').inputValue()).toBe('09:30');
        expect(await closes.getByLabel('Datum').inputValue()).toBe(`${year}-06-01`);
        expect(await page.getByLabel('Kommentare').isChecked()).toBe(true);
        if (js) {
          expect(await page.evaluate(() => window.stillTheSamePage)).toBe(true);
          await page.locator('.error-summary:focus').waitFor();
        }
        await closes.getByLabel('Datum').fill(`${year}-06-30`);
        await page.getByRole('button', { name: 'Phase anlegen' }).click();
        await landOn(page, `/organiser/consultations/${consultationId}`, /Aktionsplan Integration 2022 bis 2026/);
        await notice(page, 'Die Phase ist angelegt.');
        await page.getByText(`10. Juni ${year} um 09:30 bis 30. Juni ${year} um 23:59`).waitFor();
        const [phase] = await db.select().from(phases).where(eq(phases.title, `Umsetzung ${tag}`));
        expect(phase!.opensAt.toISOString()).toBe(`${year}-06-10T07:30:00.000Z`);

        // The draft's outline.
        await page.getByRole('link', { name: 'Entwurf 2' }).first().click();
        await landOn(page, `/organiser/versions/${draftId}`, /Entwurf 2/);
        const [f] = await db.select().from(fields).where(and(eq(fields.planVersionId, draftId), eq(fields.code, field)));
        const goalRows = await db.select().from(goals).where(eq(goals.fieldId, f!.id)).orderBy(asc(goals.position));
        const first = goalRows[0]!;
        const lastGoal = goalRows.at(-1)!;
        const ms = await db.select().from(measures).where(eq(measures.goalId, first.id)).orderBy(asc(measures.position));
        const [m1, m2] = [ms[0]!, ms[1]!];

        // Edit the first measure of the field's first goal.
        await page.getByRole('link', { name: `Bearbeiten Maßnahme ${m1.code}`, exact: true }).click();
        await landOn(page, `/organiser/versions/${draftId}/measures/${m1.id}/edit`, `Maßnahme ${m1.code} bearbeiten`);
        expect(await page.getByLabel('Text').inputValue()).toBe(m1.text);
        await page.getByLabel('Text').fill(`Geänderter Text ${tag}`);
        await page.getByLabel('Zeitraum').fill('2024–2026');
        await page.getByRole('group', { name: 'Federführung' }).getByLabel('Jugendamt').check();
        await page.getByRole('button', { name: 'Speichern' }).click();
        await landOn(page, `/organiser/versions/${draftId}`, /Entwurf 2/);
        await notice(page, 'Die Änderungen sind gespeichert.');
        await page.locator(`#measure-${m1.id}`, { hasText: `Geänderter Text ${tag}` }).waitFor();
        expect(await page.locator(`#measure-${m1.id}`).textContent()).toContain('Jugendamt');

        // Move the second measure up.
        if (js) await page.evaluate(() => (window.stillTheSamePage = true));
        await page.getByRole('button', { name: `Nach oben Maßnahme ${m2.code}`, exact: true }).click();
        await notice(page, 'Der Eintrag ist eine Stelle nach oben gerückt.');
        const order = () => page.locator(`#goal-${first.id} .editor-item--measure`).evaluateAll((els) => els.map((e) => e.id));
        expect((await order()).slice(0, 2)).toEqual([`measure-${m2.id}`, `measure-${m1.id}`]);
        if (js) {
          // Only the outline was swapped, and the focus stayed on the button just pressed.
          expect(await page.evaluate(() => window.stillTheSamePage)).toBe(true);
          await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`up-measure-${m2.id}`);
          expect(await page.locator(`#up-measure-${m2.id}`).getAttribute('aria-disabled')).toBe('true');
        } else {
          expect(new URL(page.url()).hash).toBe(`#measure-${m2.id}`);
        }
        const positions = await db.select().from(measures).where(eq(measures.goalId, first.id)).orderBy(asc(measures.position));
        expect(positions.slice(0, 2).map((m) => m.id)).toEqual([m2.id, m1.id]);

        // Delete the field's last goal through its confirmation page.
        const goalMeasures = await db.select().from(measures).where(eq(measures.goalId, lastGoal.id));
        await page.getByRole('link', { name: `Löschen Ziel ${lastGoal.code}`, exact: true }).click();
        await landOn(page, `/organiser/versions/${draftId}/goals/${lastGoal.id}/delete`, `Ziel ${lastGoal.code} löschen?`);
        await page.getByText(`Mit dem Ziel werden auch seine Maßnahmen (${goalMeasures.length}) gelöscht.`).waitFor();
        await page.getByRole('button', { name: 'Ja, löschen' }).click();
        await landOn(page, `/organiser/versions/${draftId}`, /Entwurf 2/);
        await notice(page, 'Der Eintrag ist gelöscht.');
        expect(await page.locator(`#goal-${lastGoal.id}`).count()).toBe(0);
        expect(await db.select().from(goals).where(eq(goals.id, lastGoal.id))).toEqual([]);

        // The measure's history shows the edit and the move.
        await page.getByRole('link', { name: `Verlauf Maßnahme ${m1.code}`, exact: true }).click();
        await landOn(page, `/organiser/audit/measure/${m1.id}`, /^Verlauf: /);
        const history = (await page.locator('main').textContent()) ?? '';
        expect(history).toContain(`Geänderter Text ${tag}`);
        expect(history).toContain(m1.text);
        expect(history).toContain('Geändert');
        expect(history).toContain(`Beteiligungsbüro ${tag}`);
        await page.goto(`/organiser/audit/measure/${m2.id}`);
        await heading(page, /^Verlauf: /);
        const moved = page.locator('.audit-entry', { hasText: 'Verschoben' });
        expect(await moved.locator('tbody tr').first().textContent()).toMatch(/Stelle in der Reihenfolge\s*2\s*1/);
        await closeAll();
      });

      /** The organiser's and the admin's pages, including forms with errors. */
      async function everyPage(visit: (page: Page, url: string, label: string) => Promise<void>): Promise<void> {
        const db = server.t.db;
        const page = await signInAs(['organiser', 'admin'], 'pages');
        const [f] = await db.select().from(fields).where(eq(fields.planVersionId, draftId)).orderBy(asc(fields.position));
        const [g] = await db.select().from(goals).where(eq(goals.fieldId, f!.id)).orderBy(asc(goals.position));
        const [m] = await db.select().from(measures).where(eq(measures.goalId, g!.id)).orderBy(asc(measures.position));
        const [p] = await db.select().from(phases).where(eq(phases.consultationId, consultationId));
        const [d] = await db.select().from(departments).where(eq(departments.slug, 'jugendamt'));
        const [c] = await db.select().from(committees).where(eq(committees.slug, 'jugendhilfeausschuss'));
        const v = `/organiser/versions/${draftId}`;
        const urls = [
          '/organiser/consultations',
          '/organiser/consultations/new',
          `/organiser/consultations/${consultationId}`,
          `/organiser/consultations/${consultationId}/edit`,
          `/organiser/consultations/${consultationId}/phases/new`,
          `/organiser/phases/${p!.id}/edit`,
          `/organiser/phases/${p!.id}/delete`,
          `/organiser/consultations/${consultationId}/versions/new`,
          v,
          `/organiser/versions/${publishedId}`,
          `${v}/edit`,
          `${v}/publish`,
          `/organiser/versions/${publishedId}/adopt`,
          `${v}/principles/new?kind=guiding_principle`,
          `${v}/fields/new`,
          `${v}/goals/new?field=${f!.id}`,
          `${v}/measures/new?goal=${g!.id}`,
          `${v}/measures/new`,
          `${v}/measures/${m!.id}/edit`,
          `${v}/fields/${f!.id}/edit`,
          `${v}/goals/${g!.id}/delete`,
          `${v}/fields/${f!.id}/delete`,
          `/organiser/audit/measure/${m!.id}`,
          `/organiser/audit/consultation/${consultationId}`,
          '/admin/departments',
          '/admin/departments/new',
          `/admin/departments/${d!.id}/edit`,
          `/admin/departments/${d!.id}/delete`,
          '/admin/committees',
          `/admin/committees/${c!.id}/edit`,
          `/admin/committees/${c!.id}/delete`,
        ];
        for (const url of urls) await visit(page, url, url);

        // Forms with errors.
        await page.goto(`/organiser/consultations/${consultationId}/phases/new`);
        await page.getByRole('group', { name: 'Beginn' }).getByLabel('Datum').fill('2021-06-01');
        await page.getByRole('group', { name: 'Ende' }).getByLabel('Datum').fill('2021-06-30');
        await page.getByRole('button', { name: 'Phase anlegen' }).click();
        await page.getByRole('alert').waitFor();
        await visit(page, '', 'phase form with errors');
        await page.goto(`${v}/measures/${m!.id}/edit`);
        await page.getByLabel('Nummer').fill('');
        await page.getByLabel('Schlüssel').fill('Nicht Gültig');
        await page.getByRole('group', { name: 'Beteiligte Ämter und Eigenbetriebe' }).getByLabel('Jugendamt').check();
        await page.getByRole('group', { name: 'Federführung' }).getByLabel('Jugendamt').check();
        await page.getByRole('button', { name: 'Speichern' }).click();
        await page.getByRole('alert').waitFor();
        await visit(page, '', 'measure form with errors');
        await page.goto('/organiser/consultations/new');
        await page.getByRole('button', { name: 'Verfahren anlegen' }).click();
        await page.getByRole('alert').waitFor();
        await visit(page, '', 'consultation form with errors');
        await page.goto('/admin/committees/new');
        await page.getByRole('button', { name: 'Anlegen' }).click();
        await page.getByRole('alert').waitFor();
        await visit(page, '', 'committee form with errors');
      }

      if (js && driver === markupDriver) it('axe: no WCAG 2.1 A/AA violations on the organiser and department pages', { timeout: 180_000 }, async () => {
        const found: string[] = [];
        await everyPage(async (page, url, label) => {
          if (url) {
            const res = await page.goto(url);
            if (res?.status() !== 200) found.push(`${label}: status ${res?.status()}`);
          }
          const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
          if (result.passes.length === 0) found.push(`${label}: axe checked nothing`);
          for (const violation of result.violations) {
            found.push(`${label}: [${violation.id}] ${violation.help}\n${violation.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n')}`);
          }
        });
        expect(found, `axe:\n${found.join('\n')}`).toEqual([]);
        await closeAll();
      });

      if (js && driver === markupDriver) it('360 px: nothing wider than the screen; screenshots of the editor and the phase form', { timeout: 60_000 }, async () => {
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        const page = await signInAs(['organiser'], 'narrow');
        await page.setViewportSize({ width: 360, height: 780 });
        const shots: Array<[string, string]> = [
          [`/organiser/versions/${draftId}`, 'editor'],
          [`/organiser/consultations/${consultationId}/phases/new`, 'phase-form'],
          [`/organiser/consultations/${consultationId}`, 'consultation'],
        ];
        const [m] = await server.t.db.select().from(measures).where(eq(measures.planVersionId, draftId));
        // The history of the measure the journey edited and moved, so the page has changes to show.
        const [edited] = await server.t.db.select().from(auditEntries).where(eq(auditEntries.action, 'measure.updated')).orderBy(desc(auditEntries.id)).limit(1);
        shots.push([`/organiser/versions/${draftId}/measures/${m!.id}/edit`, 'measure-form'], [`/organiser/audit/measure/${edited?.subjectId ?? m!.id}`, 'audit']);
        const wide: string[] = [];
        for (const [url, name] of shots) {
          await page.goto(url);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          if (width > 360) wide.push(`${url}: ${width}px`);
          await page.screenshot({ path: path.join(SCREENSHOTS, `editor-360-${name}-${driver}.png`), fullPage: name !== 'editor' });
        }
        // The editor's outline is long; a second shot shows a field of action with its buttons.
        await page.goto(`/organiser/versions/${draftId}`);
        await page.locator('.editor-item--goal').first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(SCREENSHOTS, `editor-360-editor-goal-${driver}.png`) });
        expect(wide).toEqual([]);
        await closeAll();
      });
    });
  });
});
