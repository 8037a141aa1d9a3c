import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceChange } from '../src/core/cache.js';
import { contributions, organisations } from '../src/modules/participation/schema.js';
import { CONTRIBUTIONS_TAG } from '../src/modules/participation/service.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { AXE_TAGS, axeClean, describeBrowser, markupDriver, modesFor, pageOpener, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

declare const document: { documentElement: { scrollWidth: number; scrollHeight: number }; activeElement: { id: string } | null };

const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '.tmp', 'screenshots');
const BASE = `/consultations/${demo.slug}`;
/** A measure with many comments, for "more comments" and the look of a busy page. */
const BUSY = `${BASE}/measures/m-jha-gremium-kindeswohl`;

describeBrowser('comments in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer(driver, { CONTRIBUTIONS_PER_ADDRESS_PER_HOUR: '10000' });
      const { consultationId } = await openDemoPhase(server.t.db, 'post');
      // A busy measure: 24 comments in German, Arabic and with a very long word, a reply, a
      // verified organisation, a withdrawn one.
      const [org] = await server.t.db.insert(organisations).values({ name: 'Ausländerrat Dresden e. V.', kind: 'migrant_organisation', verifiedAt: new Date() }).returning();
      const author = await createUser(server.t.db, `viel-${driver}@example.org`, [], 'Mira K.');
      const start = Date.now() - 3_600_000;
      const texts = [
        'Die Sprachmittlung muss auch für Eltern in der Kita gelten.\nZweiter Absatz mit einem Zeilenumbruch.',
        'نحتاج إلى مزيد من المترجمين في المدارس والمكاتب العامة.',
        `Ein sehr langes Wort: ${'Kinderschutzfachkraftweiterbildungsangebot'.repeat(4)}`,
      ];
      const rows = await server.t.db
        .insert(contributions)
        .values(
          Array.from({ length: 24 }, (_, i) => ({
            consultationId,
            kind: 'comment' as const,
            targetKind: 'measure' as const,
            targetKey: 'm-jha-gremium-kindeswohl',
            body: texts[i % 3] as string,
            language: i % 3 === 1 ? 'ar' : 'de',
            pageLocale: 'de',
            authorId: i % 4 === 0 ? null : author,
            guestEmail: i % 4 === 0 ? 'gast@example.org' : null,
            organisationId: i % 5 === 2 ? org?.id : null,
            status: (i === 21 ? 'withdrawn' : 'published') as 'withdrawn' | 'published',
            publishedAt: new Date(start + i * 60_000),
            createdAt: new Date(start + i * 60_000),
            editedAt: i === 22 ? new Date(start + i * 60_000 + 30_000) : null,
          })),
        )
        .returning({ id: contributions.id });
      await server.t.db.insert(contributions).values({
        consultationId,
        kind: 'comment',
        targetKind: 'measure',
        targetKey: 'm-jha-gremium-kindeswohl',
        parentId: rows[23]?.id,
        body: 'Eine Antwort darauf.',
        language: 'de',
        pageLocale: 'de',
        authorId: author,
        status: 'published',
        publishedAt: new Date(),
      });
      await announceChange(server.t.db, CONTRIBUTIONS_TAG);
      await server.t.app.cacheChannel.settle();
    });
    afterAll(async () => {
      await server?.close();
    });

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const tag = `${driver}-${js ? 'js' : 'nojs'}`;
      const open = pageOpener(browser, () => server.baseUrl, js);

      async function shoot(page: Page, name: string): Promise<void> {
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        await page.setViewportSize({ width: 360, height: 740 });
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.screenshot({ path: path.join(SCREENSHOTS, `comments-${name}.png`), fullPage: true, clip: { x: 0, y: 0, width: 360, height: Math.min(1400, height) } });
      }

      async function openForm(page: Page): Promise<void> {
        await page.getByRole('link', { name: 'Kommentieren', exact: true }).click();
        if (js) {
          // Loaded below the link; the page stays.
          await page.locator('#comment-form-slot textarea').waitFor();
          expect(new URL(page.url()).pathname).toBe(demo.measurePath);
        } else {
          await page.waitForURL((url) => url.pathname === `${demo.measurePath}/comments/new`);
          await page.getByRole('heading', { level: 1, name: 'Kommentar schreiben' }).waitFor();
        }
      }

      it('a signed-in participant comments on a measure and sees it there', { timeout: 60_000 }, async () => {
        const email = `teilnehmerin-${tag}@example.org`;
        await createUser(server.t.db, email, [], `Leyla ${tag}`);
        const page = await open();
        await page.goto('/signin');
        await page.getByLabel('E-Mail-Adresse').fill(email);
        await page.getByLabel('Passwort', { exact: false }).fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
        await page.waitForURL((url) => url.pathname === '/account');
        await page.goto(demo.measurePath);
        await openForm(page);
        const text = `Abendoberschule: bitte auch Beratung auf Ukrainisch (${tag}).`;
        await page.getByLabel('Ihr Kommentar').fill(text);
        await page.getByLabel('Sprache Ihres Textes').selectOption('de');
        await page.getByRole('button', { name: 'Kommentar senden' }).click();
        await page.waitForURL((url) => url.pathname === demo.measurePath);
        const mine = page.locator('.comment', { hasText: text });
        await mine.waitFor();
        expect(await mine.locator('.comment__author').textContent()).toBe(`Leyla ${tag}`);
        const [row] = await server.t.db.select().from(contributions).where(eq(contributions.body, text));
        expect(row?.status).toBe('published');
        expect(await mine.getAttribute('id')).toBe(`comment-${row?.id}`);

        // Its own page: the author may still edit it, and withdraws it after a confirmation.
        await mine.getByRole('link', { name: /^Link/ }).click();
        await page.getByRole('heading', { level: 1, name: `Kommentar ${row?.id}` }).waitFor();
        await page.getByRole('heading', { level: 2, name: 'Kommentar bearbeiten' }).waitFor();
        if (js && driver === markupDriver) {
          await axeClean(page, 'own contribution page');
          await shoot(page, 'own');
        }
        await page.getByRole('link', { name: 'Beitrag zurückziehen' }).click();
        await page.getByRole('heading', { level: 1, name: 'Beitrag zurückziehen' }).waitFor();
        if (js && driver === markupDriver) await axeClean(page, 'withdraw page');
        await page.getByRole('button', { name: 'Ja, zurückziehen' }).click();
        await page.locator('#messages').getByText('Sie haben Ihren Beitrag zurückgezogen.').waitFor();
        await page.goto(demo.measurePath);
        await page.locator(`#comment-${row?.id}`).getByText('Vom Verfasser zurückgezogen').waitFor();
        expect(await page.getByText(text).count()).toBe(0);
      });

      it('a guest writes a comment and is asked to confirm it by mail', { timeout: 60_000 }, async () => {
        const page = await open();
        await page.goto(demo.measurePath);
        await openForm(page);
        const text = `Als Gast geschrieben (${tag}).`;
        await page.getByLabel('Ihr Kommentar').fill(text);
        await page.getByLabel('Ihre E-Mail-Adresse').fill(`gast-${tag}@example.org`);
        // Sent without the consent first: the message comes, the text stays.
        await page.getByRole('button', { name: 'Kommentar senden' }).click();
        await page.getByRole('alert').getByText('Bitte stimmen Sie dem Datenschutzhinweis zu.', { exact: false }).first().waitFor();
        expect(await page.getByLabel('Ihr Kommentar').inputValue()).toBe(text);
        await page.getByLabel(/Ich bin einverstanden/).check();
        await page.getByRole('button', { name: 'Kommentar senden' }).click();
        await page.getByRole('heading', { level: 1, name: 'Bitte bestätigen Sie Ihren Kommentar' }).waitFor();
        const [row] = await server.t.db.select().from(contributions).where(eq(contributions.body, text));
        expect(row?.status).toBe('unconfirmed');
        await page.getByRole('link', { name: 'Zurück zum Plantext' }).click();
        await page.waitForURL((url) => url.pathname === demo.measurePath);
        expect(await page.getByText(text).count()).toBe(0);
      });

      it('more comments: appended with JavaScript (focus on the first new one), the next page without', { timeout: 60_000 }, async () => {
        const page = await open();
        await page.goto(BUSY);
        expect(await page.locator('#comments-list > .comment').count()).toBe(20);
        await page.getByRole('link', { name: 'Weitere Kommentare' }).click();
        if (js) {
          await page.locator('#comments-list > .comment').nth(20).waitFor();
          expect(await page.locator('#comments-list > .comment').count()).toBe(24);
          await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toMatch(/^comment-\d+$/);
          expect(await page.locator('#messages').textContent()).toContain('4 weitere Kommentare geladen.');
          expect(await page.getByRole('link', { name: 'Weitere Kommentare' }).count()).toBe(0);
        } else {
          await page.waitForURL((url) => url.pathname === `${BUSY}/comments` && url.search === '?page=2');
          expect(await page.locator('#comments-list > .comment').count()).toBe(4);
          await page.getByText('Seite 2 von 2').waitFor();
        }
      });

      it.runIf(js && driver === markupDriver)('axe: no WCAG 2.1 A/AA violations on the comment pages; 360 px without sideways scroll', { timeout: 120_000 }, async () => {
        const found: string[] = [];
        const tooWide: string[] = [];
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        const page = await open({ viewport: { width: 360, height: 740 } });
        const [first] = await server.t.db.select({ id: contributions.id }).from(contributions).where(eq(contributions.targetKey, 'm-jha-gremium-kindeswohl')).limit(1);
        const pages: Array<[string, string]> = [
          [BUSY, 'measure'],
          [`${BUSY}/comments/new`, 'form'],
          [`${BUSY}/comments?order=oldest&page=2`, 'list'],
          [`/contributions/${first?.id}`, 'contribution'],
          [`/comments/check-mail?back=${encodeURIComponent(BUSY)}`, 'check-mail'],
        ];
        for (const [url, name] of pages) {
          await page.goto(url);
          const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
          for (const v of result.violations) found.push(`${url}: [${v.id}] ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          if (width > 360) tooWide.push(`${url}: ${width} px`);
          const height = await page.evaluate(() => document.documentElement.scrollHeight);
          const y = name === 'measure' ? Math.max(0, height - 5200) : 0;
          for (let part = 1, top = y; top < height && part <= 3; top += 1400, part++) {
            await page.screenshot({ path: path.join(SCREENSHOTS, `comments-${name}-part${part}.png`), fullPage: true, clip: { x: 0, y: top, width: 360, height: Math.min(1400, height - top) } });
          }
        }
        // The form with its messages, and loaded inline below the link.
        await page.goto(`${BUSY}/comments/new`);
        await page.getByRole('button', { name: 'Kommentar senden' }).click();
        await page.locator('.error-summary').waitFor();
        const errors = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
        for (const v of errors.violations) found.push(`form with errors: [${v.id}] ${v.help}`);
        await page.screenshot({ path: path.join(SCREENSHOTS, 'comments-form-errors.png'), fullPage: true, clip: { x: 0, y: 0, width: 360, height: 1400 } });
        await page.goto(BUSY);
        await page.getByRole('link', { name: 'Kommentieren', exact: true }).click();
        await page.locator('#comment-form-slot textarea').waitFor();
        await page.locator('#comment-form-slot').screenshot({ path: path.join(SCREENSHOTS, 'comments-inline-form.png') });
        const inline = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
        for (const v of inline.violations) found.push(`inline form: [${v.id}] ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(found, `axe violations:\n${found.join('\n')}`).toEqual([]);
        expect(tooWide, 'pages wider than the viewport').toEqual([]);
      });
    });
  });
});
