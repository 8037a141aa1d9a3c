import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../src/core/crypto.js';
import { contributions } from '../src/modules/participation/schema.js';
import { enqueueConfirmation, insertContribution } from '../src/modules/participation/service.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { describeBrowser, markupDriver, modesFor, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';
import { TestSmtp } from './helpers/smtp.js';

declare const document: { documentElement: { scrollWidth: number } };

const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '.tmp', 'screenshots');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

describeBrowser('guests, my contributions and organisations in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    let phase: { consultationId: number; phaseId: number };
    beforeAll(async () => {
      server = await startServer(driver, { AUTH_RATE_LIMIT_MAX: '1000' });
      phase = await openDemoPhase(server.t.db, 'post');
      await createUser(server.t.db, 'buero@example.org', ['organiser'], 'Beteiligungsbüro');
    });
    afterAll(async () => {
      await server?.close();
    });

    describe.each(modesFor(driver))('$label', ({ js }) => {
      const tag = `${driver}-${js ? 'js' : 'nojs'}`;
      const contexts: BrowserContext[] = [];
      const problems: string[] = [];
      const axe = js && driver === markupDriver;

      afterAll(async () => {
        for (const c of contexts) await c.close();
      });

      async function open(width = 1024): Promise<Page> {
        const context = await browser().newContext({ javaScriptEnabled: js, locale: 'de-DE', baseURL: server.baseUrl, viewport: { width, height: 800 } });
        contexts.push(context);
        const page = await context.newPage();
        page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
        return page;
      }

      async function signIn(page: Page, email: string) {
        await page.goto('/signin');
        await page.locator('input[name="email"]').fill(email);
        await page.locator('input[name="password"]').fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Anmelden' }).last().click();
        await page.waitForURL('**/account');
      }

      /** axe (once per page, JS on, first driver), and a 360 px check with a screenshot. */
      async function inspect(page: Page, name: string) {
        if (!axe) return;
        const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
        expect(result.passes.length).toBeGreaterThan(0);
        expect(result.violations.map((v) => `${name}: [${v.id}] ${v.help} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
        const viewport = page.viewportSize();
        await page.setViewportSize({ width: 360, height: 740 });
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, `${name} scrolls sideways at 360 px`).toBeLessThanOrEqual(360);
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SCREENSHOTS, `participation-${name}-${tag}.png`), fullPage: true });
        if (viewport) await page.setViewportSize(viewport);
      }

      it('a participant asks to represent an organisation, an organiser verifies it', { timeout: 120_000 }, async () => {
        const email = `vorstand-${tag}@example.org`;
        const name = `Kulturverein Johannstadt ${tag}`;
        await createUser(server.t.db, email, [], `Vorstand ${tag}`);
        const person = await open();
        await signIn(person, email);
        await person.goto('/organisations');
        await inspect(person, 'organisations');
        await person.getByRole('link', { name: 'Als Vertretung anmelden' }).click();
        await person.waitForURL('**/organisations/represent');
        await inspect(person, 'represent');
        await person.getByLabel('Eine Organisation, die noch nicht in der Liste steht').check();
        // A website that is not http(s) is refused and everything typed stays.
        await person.getByLabel('Name der Organisation').fill(name);
        await person.getByLabel('Migrantenorganisation').check();
        await person.getByLabel('Website').fill('javascript:alert(1)');
        await person.getByLabel('Ihre Verbindung zur Organisation').fill('Ich bin im Vorstand. نحن هنا');
        await person.getByRole('button', { name: 'Anfrage senden' }).click();
        await expect.poll(() => person.locator('.error-summary').textContent()).toContain('http:// oder https://');
        expect(await person.getByLabel('Name der Organisation').inputValue()).toBe(name);
        await person.getByLabel('Website').fill('https://kulturverein.example.org');
        await person.getByRole('button', { name: 'Anfrage senden' }).click();
        await person.waitForURL('**/my/contributions**');
        await expect.poll(() => person.locator('#organisations').textContent()).toContain('Anfrage wird geprüft');

        const organiser = await open();
        await signIn(organiser, 'buero@example.org');
        await organiser.goto('/organiser/organisations');
        await inspect(organiser, 'organiser-organisations');
        const request = organiser.locator('.request', { hasText: name });
        await request.getByRole('button', { name: /Organisation als geprüft markieren/ }).click();
        await expect.poll(() => organiser.locator('#messages').textContent()).toContain('Bestätigt.');
        const again = organiser.locator('.request', { hasText: name });
        await again.getByLabel('Notiz an die Person (freiwillig)').fill('Willkommen!');
        await again.getByRole('button', { name: /Vertretung bestätigen/ }).click();
        await expect.poll(() => organiser.locator('#messages').textContent()).toContain('Bestätigt.');
        await expect.poll(() => organiser.locator('.request', { hasText: name }).count()).toBe(0);

        await organiser.getByRole('link', { name }).click();
        await organiser.waitForURL('**/organiser/organisations/*');
        await inspect(organiser, 'organiser-organisation');

        await person.goto('/my/contributions');
        await expect.poll(() => person.locator('#organisations').textContent()).toContain('bestätigt – Sie können in ihrem Namen schreiben');
        await person.goto('/account');
        expect(await person.locator('main').textContent()).toContain('Vertretung einer Organisation');
        await person.goto('/organisations');
        expect(await person.locator('#organisation-results').textContent()).toContain(name);
        await expect.poll(() => server.smtp.mails.some((m) => m.to.includes(email) && m.subject.includes(name))).toBe(true);
        expect(problems).toEqual([]);
      });

      it('a guest confirms by the mailed link, then opens their contributions and withdraws one', { timeout: 120_000 }, async () => {
        const email = `gast-${tag}@example.org`;
        const text = `Abendkurse mit Kinderbetreuung, bitte (${tag}).`;
        const id = await server.t.db.transaction(async (tx) => {
          const { id } = await insertContribution(tx, {
            consultationId: phase.consultationId,
            phaseId: phase.phaseId,
            kind: 'comment',
            targetKind: 'measure',
            targetKey: demo.measure,
            body: text,
            language: 'de',
            pageLocale: 'de',
            guestEmail: email,
            status: 'unconfirmed',
            formToken: randomToken(),
          });
          await enqueueConfirmation(server.t.app.ctx, tx, {
            contributionId: id,
            email,
            locale: 'de',
            consultationTitle: 'Aktionsplan Integration',
            excerpt: text,
            itemUrl: `${server.baseUrl}${demo.measurePath}`,
          });
          return id;
        });
        server.t.app.ctx.mailQueued();
        const mail = await server.smtp.waitFor(email, /^Bitte bestätigen Sie Ihren Beitrag$/);
        expect(mail.text).toContain(text);
        const guest = await open();
        await guest.goto(TestSmtp.link(mail, '/contributions/confirm'));
        await inspect(guest, 'confirm');
        await guest.getByRole('button', { name: 'Beitrag jetzt bestätigen' }).click();
        await expect.poll(() => guest.locator('h1').textContent()).toBe('Danke! Ihr Beitrag ist veröffentlicht');
        expect(await guest.getByRole('link', { name: 'Beitrag ansehen' }).getAttribute('href')).toBe(`${demo.measurePath}#comment-${id}`);

        await guest.goto('/my/contributions');
        await guest.getByLabel('E-Mail-Adresse').fill(email);
        await guest.getByRole('button', { name: 'Link schicken' }).click();
        await expect.poll(() => guest.locator('h1').textContent()).toBe('Bitte sehen Sie in Ihr Postfach');
        const access = await server.smtp.waitFor(email, /^Ihr Link zu Ihren Beiträgen$/);
        await guest.goto(TestSmtp.link(access, '/contributions/manage'));
        await guest.getByRole('button', { name: 'Meine Beiträge öffnen' }).click();
        await guest.waitForURL('**/my/contributions');
        await expect.poll(() => guest.locator('main').textContent()).toContain(text);
        await inspect(guest, 'my-contributions-guest');
        await guest.getByRole('link', { name: /^Zurückziehen/ }).first().click();
        await expect.poll(() => guest.locator('h1').textContent()).toBe('Beitrag zurückziehen?');
        await inspect(guest, 'withdraw');
        await guest.getByRole('button', { name: 'Ja, zurückziehen' }).click();
        await expect.poll(() => guest.locator('#messages').textContent()).toContain('Der Beitrag ist zurückgezogen.');
        expect(await guest.locator(`#contribution-${id}`).textContent()).toContain('von Ihnen zurückgezogen');
        await guest.getByRole('button', { name: 'Sitzung beenden' }).click();
        await expect.poll(() => guest.locator('main').textContent()).toContain('Ohne Konto');
        const [row] = await server.t.db.select({ status: contributions.status }).from(contributions).where(eq(contributions.id, id));
        expect(row?.status).toBe('withdrawn');
        expect(problems).toEqual([]);
      });

      it.runIf(axe)('my contributions of an account with every status: axe and 360 px', { timeout: 60_000 }, async () => {
        const email = `konto-${tag}@example.org`;
        const userId = await createUser(server.t.db, email, [], 'Mira');
        const statuses = ['unconfirmed', 'pending', 'published', 'rejected', 'withdrawn'] as const;
        for (const status of statuses) {
          await insertContribution(server.t.db, {
            consultationId: phase.consultationId,
            phaseId: phase.phaseId,
            kind: status === 'pending' ? 'statement' : 'comment',
            targetKind: status === 'pending' ? 'consultation' : 'measure',
            targetKey: status === 'pending' ? null : demo.measure,
            receiptNumber: status === 'pending' ? `AI-2026-${tag}` : null,
            body:
              status === 'published'
                ? 'نحتاج إلى دورات مسائية للغة الألمانية مع رعاية الأطفال في الحي'
                : `Ein längerer Beitrag im Stand ${status}: Donaudampfschifffahrtsgesellschaftskapitänsmützenhalterung ohne Leerzeichen und mit https://example.org/ein/sehr/langer/pfad/der/nicht/umbricht`,
            language: status === 'published' ? 'ar' : 'de',
            pageLocale: 'de',
            authorId: userId,
            status,
            formToken: randomToken(),
          });
        }
        const page = await open();
        await signIn(page, email);
        await page.goto('/my/contributions');
        await inspect(page, 'my-contributions');
        expect(problems).toEqual([]);
      });
    });
  });
});
