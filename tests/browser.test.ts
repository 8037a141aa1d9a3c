import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { and, eq } from 'drizzle-orm';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRoles } from '../src/modules/accounts/schema.js';
import { loadDemo } from '../src/modules/demo/load.js';
import { createUser, TEST_PASSWORD } from './helpers/app.js';
import { describeBrowser, markupDriver, modes, modesFor, startServer, type TestServer, useBrowser } from './helpers/browser.js';
import { drivers } from './helpers/db.js';

// Callbacks passed to page.evaluate run in the browser; the project has no DOM typings, so the
// little they touch is declared here (module scope only).
declare const window: { stillTheSamePage?: boolean };
declare const document: {
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): Iterable<{ textContent: string | null }>;
};

const CONSULTATION = '/consultations/aktionsplan-integration-2022-2026';
const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '.tmp', 'screenshots');
const NEW_PASSWORD = 'a brand new passphrase';


describeBrowser('in Chromium', () => {
  const browser = useBrowser();

  describe.each(drivers)('[%s]', (driver) => {
    let server: TestServer;
    beforeAll(async () => {
      // Every test signs in and out many times from 127.0.0.1; the per-address limit of sign-in
      // attempts is tested elsewhere and would only get in the way here.
      server = await startServer(driver, { AUTH_RATE_LIMIT_MAX: '10000' });
      await loadDemo(server.t.db);
    });
    afterAll(async () => {
      await server?.close();
    });

    for (const { js, label } of modesFor(driver, modes)) describe(label, () => {
      const tag = `${driver}-${js ? 'js' : 'nojs'}`;
      const contexts: BrowserContext[] = [];
      const pageErrors: string[] = [];

      /** A fresh browser profile; German unless a locale is given. */
      async function open(options: BrowserContextOptions = {}): Promise<Page> {
        const context = await browser().newContext({ javaScriptEnabled: js, locale: 'de-DE', baseURL: server.baseUrl, ...options });
        contexts.push(context);
        const page = await context.newPage();
        page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
        page.on('console', (message) => {
          // Status codes of intended 4xx pages are logged as errors by Chromium; CSP refusals and
          // script errors are what matters here.
          if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
            pageErrors.push(`${page.url()}: ${message.text()}`);
          }
        });
        return page;
      }

      afterAll(async () => {
        for (const context of contexts) await context.close();
      });

      async function closeAll(): Promise<void> {
        for (const context of contexts.splice(0)) await context.close();
        expect(pageErrors.splice(0), 'script errors or CSP refusals in the page').toEqual([]);
      }

      async function heading(page: Page, name: string | RegExp): Promise<void> {
        await page.getByRole('heading', { level: 1, name }).waitFor();
      }

      /** Waits for the page at `pathname` (htmx pushes it, a plain form navigates) with `title` as h1. */
      async function landOn(page: Page, pathname: string, title: string | RegExp): Promise<void> {
        await page.waitForURL((url) => url.pathname === pathname);
        await heading(page, title);
      }

      async function notice(page: Page, text: string): Promise<void> {
        await page.locator('#messages .notice', { hasText: text }).waitFor();
      }

      /** The link of the mail to `to` whose subject matches, as sent: it must lead to this server. */
      async function mailedLink(to: string, subject: RegExp, linkPath: string): Promise<string> {
        const mail = await server.smtp.waitFor(to, subject);
        const match = new RegExp(`https?://\\S+${linkPath.replace(/\//g, '\\/')}\\?token=[\\w-]+`).exec(mail.text);
        expect(match, `a ${linkPath} link in "${mail.subject}"`).not.toBeNull();
        const url = match![0];
        expect(url.startsWith(`${server.baseUrl}/`)).toBe(true);
        return url;
      }

      async function signIn(page: Page, email: string, password: string): Promise<void> {
        await page.goto('/signin');
        await page.getByLabel('E-Mail-Adresse').fill(email);
        await page.getByLabel('Passwort', { exact: false }).fill(password);
        await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
      }

      async function signOut(page: Page): Promise<void> {
        await page.getByRole('button', { name: 'Abmelden' }).click();
        await landOn(page, '/', 'Beteiligungsverfahren');
        await notice(page, 'Sie sind abgemeldet.');
        await page.getByRole('link', { name: 'Anmelden', exact: true }).waitFor();
      }

      async function expectSignInFails(page: Page, email: string, password: string): Promise<void> {
        await signIn(page, email, password);
        const alert = page.getByRole('alert');
        await alert.waitFor();
        expect(await alert.textContent()).toContain('E-Mail-Adresse oder Passwort stimmen nicht.');
        expect(new URL(page.url()).pathname).toBe('/signin');
      }

      it('journey: register, confirm, sign in three ways, reset the password, delete the account', { timeout: 90_000 }, async () => {
        const email = `journey-${tag}@example.org`;
        const page = await open();

        await page.goto('/');
        await page.getByRole('link', { name: 'Registrieren' }).click();
        await landOn(page, '/register', 'Registrieren');
        await page.getByLabel('E-Mail-Adresse').fill(email);
        await page.getByLabel('Anzeigename').fill('Mira aus Pieschen');
        await page.getByLabel('Passwort').fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Konto anlegen' }).click();
        await landOn(page, '/check-mail', 'Bitte sehen Sie in Ihr Postfach');

        // Confirm the address with the mailed link: the link shows a page, the button confirms.
        await page.goto(await mailedLink(email, /bestätigen/, '/confirm'));
        await heading(page, 'E-Mail-Adresse bestätigen');
        await page.getByRole('button', { name: 'Adresse bestätigen' }).click();
        await landOn(page, '/account', 'Mein Konto');
        await notice(page, 'Ihre E-Mail-Adresse ist bestätigt');
        expect(await page.locator('main').textContent()).toContain(`Ihre E-Mail-Adresse: ${email}`);

        await signOut(page);
        await signIn(page, email, TEST_PASSWORD);
        await landOn(page, '/account', 'Mein Konto');
        await signOut(page);

        // A link by mail instead of the password.
        await page.getByRole('link', { name: 'Anmelden', exact: true }).click();
        await landOn(page, '/signin', 'Anmelden');
        await page.getByRole('link', { name: /Ohne Passwort anmelden/ }).click();
        await landOn(page, '/signin/link', 'Anmelden mit einem Link');
        await page.getByLabel('E-Mail-Adresse').fill(email);
        await page.getByRole('button', { name: 'Link senden' }).click();
        await landOn(page, '/check-mail', 'Bitte sehen Sie in Ihr Postfach');
        await page.goto(await mailedLink(email, /Anmeldelink/, '/signin/magic'));
        await page.getByRole('button', { name: 'Jetzt anmelden' }).click();
        await landOn(page, '/account', 'Mein Konto');
        await notice(page, 'Sie sind angemeldet.');

        // Forgot the password: a mailed link sets a new one and signs in.
        await signOut(page);
        await page.getByRole('link', { name: 'Anmelden', exact: true }).click();
        await page.getByRole('link', { name: 'Passwort vergessen?' }).click();
        await landOn(page, '/password/forgot', 'Passwort vergessen');
        await page.getByLabel('E-Mail-Adresse').fill(email);
        await page.getByRole('button', { name: 'Link anfordern' }).click();
        await landOn(page, '/check-mail', 'Bitte sehen Sie in Ihr Postfach');
        await page.goto(await mailedLink(email, /Passwort zurücksetzen/, '/password/reset'));
        await heading(page, 'Neues Passwort festlegen');
        await page.getByLabel('Neues Passwort').fill(NEW_PASSWORD);
        await page.getByRole('button', { name: 'Passwort speichern' }).click();
        await landOn(page, '/account', 'Mein Konto');
        await notice(page, 'Ihr neues Passwort ist gespeichert.');
        await server.smtp.waitFor(email, /Passwort wurde geändert/);

        await signOut(page);
        await expectSignInFails(page, email, TEST_PASSWORD);
        await signIn(page, email, NEW_PASSWORD);
        await landOn(page, '/account', 'Mein Konto');

        // Delete the account, confirmed with the password.
        await page.getByRole('link', { name: 'Konto löschen …' }).click();
        await landOn(page, '/account/delete', 'Konto löschen');
        await page.getByLabel('Zur Bestätigung: Ihr Passwort').fill(NEW_PASSWORD);
        await page.getByRole('button', { name: 'Konto endgültig löschen' }).click();
        await landOn(page, '/', 'Beteiligungsverfahren');
        await notice(page, 'Ihr Konto ist gelöscht.');
        await page.getByRole('link', { name: 'Anmelden', exact: true }).waitFor();
        await server.smtp.waitFor(email, /Konto wurde gelöscht/);
        await expectSignInFails(page, email, NEW_PASSWORD);
        await closeAll();
      });

      it('validation: the register form comes back with an error summary and keeps what was typed', async () => {
        const page = await open();
        await page.goto('/register');
        if (js) await page.evaluate(() => (window.stillTheSamePage = true));
        await page.getByLabel('E-Mail-Adresse').fill('not-an-address');
        await page.getByLabel('Anzeigename').fill('Mira aus Pieschen');
        await page.getByLabel('Passwort').fill('short');
        await page.getByRole('button', { name: 'Konto anlegen' }).click();

        const summary = page.getByRole('alert');
        await summary.waitFor();
        expect(await summary.getByRole('heading').textContent()).toBe('Bitte prüfen Sie Ihre Eingaben');
        const links = summary.getByRole('link');
        expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['#field-email', '#field-password']);
        expect(await page.locator('#field-email-error').textContent()).toContain('Das sieht nicht wie eine E-Mail-Adresse aus');
        expect(await page.locator('#field-password-error').textContent()).toContain('Das Passwort ist zu kurz');
        expect(await page.getByLabel('E-Mail-Adresse').getAttribute('aria-invalid')).toBe('true');
        expect(await page.getByLabel('E-Mail-Adresse').getAttribute('aria-describedby')).toBe('field-email-error');
        expect(await page.getByLabel('E-Mail-Adresse').inputValue()).toBe('not-an-address');
        expect(await page.getByLabel('Anzeigename').inputValue()).toBe('Mira aus Pieschen');
        expect(await page.getByLabel('Passwort').inputValue()).toBe('');

        if (js) {
          // Swapped in by htmx: the same document, and focus on the summary for screen readers.
          expect(await page.evaluate(() => window.stillTheSamePage)).toBe(true);
          await page.locator('.error-summary:focus').waitFor();
        }
        expect(new URL(page.url()).pathname).toBe('/register');

        // A link in the summary takes the person to the field.
        await links.first().click();
        await page.locator('#field-email:focus').waitFor();
        await closeAll();
      });

      it('language: English and back, remembered across pages; Accept-Language chooses first', async () => {
        const page = await open();
        await page.goto('/');
        expect(await page.locator('html').getAttribute('lang')).toBe('de');
        await page.getByRole('button', { name: 'English' }).click();
        await landOn(page, '/', 'Consultations');
        expect(await page.locator('html').getAttribute('lang')).toBe('en');
        expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');

        await page.getByRole('link', { name: 'Sign in', exact: true }).click();
        await landOn(page, '/signin', 'Sign in');
        await page.getByLabel('E-mail address').waitFor();
        await page.reload();
        await heading(page, 'Sign in');
        expect(await page.locator('html').getAttribute('lang')).toBe('en');

        await page.getByRole('button', { name: 'Deutsch' }).click();
        await landOn(page, '/signin', 'Anmelden');
        expect(await page.locator('html').getAttribute('lang')).toBe('de');
        await page.goto('/register');
        await heading(page, 'Registrieren');

        const english = await open({ locale: 'en-US' });
        await english.goto('/');
        await heading(english, 'Consultations');
        expect(await english.locator('html').getAttribute('lang')).toBe('en');
        await english.getByRole('button', { name: 'Deutsch' }).click();
        await heading(english, 'Beteiligungsverfahren');
        expect(await english.locator('html').getAttribute('lang')).toBe('de');

        // The language saved in "My account" (with JavaScript a boosted form: only <body> is
        // swapped, yet <html lang> must follow).
        const email = `language-${tag}@example.org`;
        await createUser(server.t.db, email);
        await signIn(page, email, TEST_PASSWORD);
        await landOn(page, '/account', 'Mein Konto');
        await page.getByLabel('Sprache für E-Mails und Seiten').selectOption('en');
        await page.getByRole('button', { name: 'Speichern' }).click();
        await landOn(page, '/account', 'My account');
        await notice(page, 'Your details are saved.');
        expect(await page.locator('html').getAttribute('lang')).toBe('en');
        await closeAll();
      });

      it('admin: finds a user, grants and revokes the moderator role', { timeout: 60_000 }, async () => {
        const adminEmail = `admin-${tag}@example.org`;
        await createUser(server.t.db, adminEmail, ['admin'], 'Administration');
        const targetEmail = `zielperson-${tag}@example.org`;
        const targetId = await createUser(server.t.db, targetEmail, [], `Zielperson ${tag}`);
        const page = await open();
        await signIn(page, adminEmail, TEST_PASSWORD);
        await landOn(page, '/account', 'Mein Konto');
        await page.getByRole('link', { name: 'Verwaltung' }).click();
        await landOn(page, '/admin/users', 'Benutzer*innen und Rollen');

        const search = page.getByLabel('Suche nach E-Mail-Adresse oder Anzeigename');
        const rows = page.locator('#user-results tbody tr');
        if (js) {
          await page.evaluate(() => (window.stillTheSamePage = true));
          // No button pressed: the list follows the typing.
          await search.pressSequentially(`zielperson-${tag}`, { delay: 20 });
          await page.waitForFunction((expected) => {
            const found = [...document.querySelectorAll('#user-results tbody tr')];
            return found.length === 1 && found[0]?.textContent?.includes(expected);
          }, targetEmail);
          expect(await page.evaluate(() => window.stillTheSamePage)).toBe(true);
          await page.waitForURL((url) => url.searchParams.get('q') === `zielperson-${tag}`);
        } else {
          await search.fill(`zielperson-${tag}`);
          await page.getByRole('button', { name: 'Suchen' }).click();
          await page.waitForURL((url) => url.searchParams.get('q') === `zielperson-${tag}`);
          await page.locator('#user-results', { hasText: '1 gefunden' }).waitFor();
        }
        expect(await rows.count()).toBe(1);

        await page.getByRole('link', { name: targetEmail }).click();
        await landOn(page, `/admin/users/${targetId}`, `Benutzer*in: Zielperson ${tag}`);
        const moderation = page.locator('.toggle-list li', { has: page.locator('strong', { hasText: /^Moderation$/ }) });
        expect(await moderation.locator('span').textContent()).toBe('Moderation: hat diese Rolle nicht');

        await page.getByRole('button', { name: 'Rolle „Moderation“ vergeben' }).click();
        await page.getByRole('button', { name: 'Rolle „Moderation“ entziehen' }).waitFor();
        await notice(page, 'Die Änderung ist gespeichert.');
        expect(await moderation.locator('span').textContent()).toBe('Moderation: hat diese Rolle');
        const granted = await server.t.db
          .select()
          .from(userRoles)
          .where(and(eq(userRoles.userId, targetId), eq(userRoles.role, 'moderator')));
        expect(granted).toHaveLength(1);

        await page.getByRole('button', { name: 'Rolle „Moderation“ entziehen' }).click();
        await page.getByRole('button', { name: 'Rolle „Moderation“ vergeben' }).waitFor();
        expect(await moderation.locator('span').textContent()).toBe('Moderation: hat diese Rolle nicht');
        const revoked = await server.t.db
          .select()
          .from(userRoles)
          .where(and(eq(userRoles.userId, targetId), eq(userRoles.role, 'moderator')));
        expect(revoked).toHaveLength(0);
        await closeAll();
      });

      /** Every page there is, anonymous (German and English) and signed in as an admin. */
      async function everyPage(
        name: string,
        options: BrowserContextOptions,
        visit: (page: Page, url: string, label: string) => Promise<void>,
      ): Promise<void> {
        const adminEmail = `${name}-admin-${tag}@example.org`;
        const adminId = await createUser(server.t.db, adminEmail, ['admin'], 'Seitenprüfung');
        const anonymous = [
          '/',
          CONSULTATION,
          '/signin',
          '/register',
          '/signin/link',
          '/password/forgot',
          '/check-mail?reason=register',
          '/confirm?token=x',
          '/signin/magic?token=x',
          '/password/reset?token=x',
          '/no-such-page',
        ];
        const visitor = await open(options);
        for (const url of anonymous) await visit(visitor, url, url);
        await visitor.goto('/register');
        await visitor.getByLabel('E-Mail-Adresse').fill('not-an-address');
        await visitor.getByRole('button', { name: 'Konto anlegen' }).click();
        await visitor.getByRole('alert').waitFor();
        await visit(visitor, '', '/register with errors');

        const english = await open({ ...options, locale: 'en-GB' });
        for (const url of ['/', CONSULTATION, '/signin', '/register', '/no-such-page']) await visit(english, url, `${url} (en)`);
        await english.goto('/register');
        await english.getByRole('button', { name: 'Create account' }).click();
        await english.getByRole('alert').waitFor();
        await visit(english, '', '/register with errors (en)');

        const admin = await open(options);
        await signIn(admin, adminEmail, TEST_PASSWORD);
        await landOn(admin, '/account', 'Mein Konto');
        for (const url of ['/account', '/account/delete', '/admin/users', `/admin/users/${adminId}`, '/']) await visit(admin, url, `${url} (admin)`);
        await admin.goto('/account/delete');
        await admin.getByRole('button', { name: 'Konto endgültig löschen' }).click();
        await admin.getByRole('alert').waitFor();
        await visit(admin, '', '/account/delete with errors');
      }

      // Only with JavaScript: axe-core runs in the page and waits on timers, which never fire
      // when scripts are disabled. The markup it would check is the same either way.
      if (js && driver === markupDriver) it('axe: no WCAG 2.1 A/AA violations on any page', { timeout: 120_000 }, async () => {
        const found: string[] = [];
        await everyPage('axe', {}, async (page, url, label) => {
          if (url) await page.goto(url);
          const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
          // An empty result would also mean that axe never looked at the page.
          if (result.passes.length === 0) found.push(`${label}: axe checked nothing`);
          for (const v of result.violations) {
            found.push(`${label}: [${v.id}] ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n')}`);
          }
        });
        expect(found, `axe violations:\n${found.join('\n')}`).toEqual([]);
        await closeAll();
      });

      it.runIf(driver === markupDriver)('360 px wide: no page scrolls sideways', { timeout: 120_000 }, async () => {
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        const shots: Record<string, string> = {
          '/': 'home',
          [CONSULTATION]: 'consultation',
          '/register with errors': 'register-errors',
          '/admin/users (admin)': 'admin-users',
        };
        const tooWide: string[] = [];
        await everyPage('narrow', { viewport: { width: 360, height: 740 } }, async (page, url, label) => {
          if (url) await page.goto(url);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          if (width > 360) tooWide.push(`${label}: ${width} px`);
          const shot = shots[label];
          if (shot) await page.screenshot({ path: path.join(SCREENSHOTS, `${shot}-${tag}.png`), fullPage: true });
        });
        expect(tooWide, 'pages wider than the viewport').toEqual([]);
        await closeAll();
      });

      it('keyboard: the skip link comes first and the sign-in form works without a mouse', async () => {
        const email = `keyboard-${tag}@example.org`;
        await createUser(server.t.db, email);
        const page = await open();
        await page.goto('/signin');
        await page.keyboard.press('Tab');
        const skip = page.locator('a.skip-link:focus');
        await skip.waitFor();
        expect(await skip.textContent()).toBe('Zum Inhalt springen');
        await page.keyboard.press('Enter');
        await page.locator('#main:focus').waitFor();

        await page.keyboard.press('Tab');
        await page.locator('#field-email:focus').waitFor();
        await page.keyboard.type(email);
        await page.keyboard.press('Tab');
        await page.locator('#field-password:focus').waitFor();
        await page.keyboard.type(TEST_PASSWORD);
        await page.keyboard.press('Enter');
        await landOn(page, '/account', 'Mein Konto');
        expect(await page.locator('main').textContent()).toContain(email);
        await closeAll();
      });
    });
  });
});
