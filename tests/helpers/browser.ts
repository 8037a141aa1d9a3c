import fs from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './app.js';
import { type Driver, drivers } from './db.js';
import { freePort, TestSmtp } from './smtp.js';

/** Debian's Chromium; playwright-core brings no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const browserAvailable = fs.existsSync(CHROMIUM_PATH);
/** On CI a missing browser must fail the run: a silent skip would hide that nothing was tested. */
const browserRequired = process.env.CI === 'true';

/**
 * `describe` for tests that need Chromium. Without it they are skipped with the reason in the
 * name, or fail when CI=true.
 */
export function describeBrowser(name: string, fn: () => void): void {
  if (browserAvailable) {
    describe(name, fn);
  } else if (browserRequired) {
    describe(name, () => {
      it('has Chromium to run in', () => {
        throw new Error(`${CHROMIUM_PATH} not found, and CI=true makes the browser tests mandatory (apt-get install chromium)`);
      });
    });
  } else {
    const reason = `${CHROMIUM_PATH} not found (apt-get install chromium to run the browser tests)`;
    console.warn(`Skipping "${name}": ${reason}`);
    describe.skip(`${name} — skipped: ${reason}`, fn);
  }
}

/** One headless Chromium per test file; tests open their own contexts (never --user-data-dir). */
function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One Chromium for the test file (or describe block) it is called in, closed after it. */
export function useBrowser(): () => Browser {
  let browser: Browser | null = null;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser is not started yet (use it inside a test or a hook)');
    return browser;
  };
}

export interface TestServer {
  t: TestApp;
  smtp: TestSmtp;
  /** http://127.0.0.1:<port>, the same as the server's BASE_URL so mailed links lead back here. */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * The real app listening on a free local port, with the mail worker sending through a real SMTP
 * server in the test process.
 */
export async function startServer(driver: Driver, env: Record<string, string> = {}): Promise<TestServer> {
  const smtp = new TestSmtp();
  await smtp.start();
  // The port is chosen before the app is built because BASE_URL (used in mailed links) names it.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await createTestApp(driver, { BASE_URL: baseUrl, SMTP_URL: smtp.url, MAIL_POLL_MS: '100', ...env });
  try {
    await t.app.listen({ port, host: '127.0.0.1' });
  } catch (error) {
    await t.close();
    await smtp.stop();
    throw error;
  }
  t.app.mailWorker.start();
  return {
    t,
    smtp,
    baseUrl,
    async close() {
      await t.close();
      await smtp.stop();
    },
  };
}

/**
 * axe and layout checks look at markup, which does not depend on the database driver: they run
 * once, on the first driver, while journeys run on every driver.
 */
export const markupDriver = drivers[0];

export interface Mode {
  js: boolean;
  label: string;
}

/** Every journey runs with JavaScript on and with it off. */
export const modes: Mode[] = [
  { js: true, label: 'JavaScript on' },
  { js: false, label: 'JavaScript off' },
];

/**
 * The modes a journey runs in on one driver. What JavaScript changes lives in the browser and
 * what the driver changes lives in the database, so the full matrix repeats itself: every journey
 * runs in both modes on the first driver (where axe looks at the markup too) and with JavaScript
 * on (htmx fragments and boosted pages: the most kinds of request) on the other. Each journey so
 * runs on both databases and in both modes, in three runs instead of four.
 */
export function modesFor<M extends Mode>(driver: Driver, all: readonly M[] = modes as M[]): M[] {
  return driver === markupDriver ? [...all] : all.filter((m) => m.js);
}

/** WCAG 2.1 A and AA: what axe checks on every page. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** No axe violation on the page as it is now; `label` names the page in the failure. */
export async function axeClean(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  expect(result.violations.map((v) => `${label}: [${v.id}] ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/**
 * Opens pages for one mode of a describe block: each in a context of its own (JavaScript on or
 * off, German, the server's address), collecting script errors and CSP refusals; after the block
 * the contexts are closed and no such error may have happened.
 */
export function pageOpener(browser: () => Browser, baseUrl: () => string, js: boolean): (options?: BrowserContextOptions) => Promise<Page> {
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close();
    expect(errors, 'script errors or CSP refusals in the page').toEqual([]);
  });
  return async (options = {}) => {
    const context = await browser().newContext({ javaScriptEnabled: js, locale: 'de-DE', baseURL: baseUrl(), ...options });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`${page.url()}: ${message.text()}`);
    });
    return page;
  };
}

declare const document: { documentElement: { scrollWidth: number; scrollHeight: number } };

export const SCREENSHOTS = `${import.meta.dirname}/../../.tmp/screenshots`;

/**
 * axe and the 360 px check on the journey's current address, in a page of its own in the same
 * session (htmx leaves styles behind that it settles later), with a screenshot to look at in
 * `.tmp/screenshots/<file>.png`.
 */
export async function inspectPage(journey: Page, label: string, file: string, maxHeight = 2400): Promise<void> {
  const page = await journey.context().newPage();
  await page.goto(journey.url());
  await axeClean(page, label);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.setViewportSize({ width: 360, height: 740 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${label} fits 360 px`).toBeLessThanOrEqual(360);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.screenshot({ path: `${SCREENSHOTS}/${file}.png`, fullPage: true, clip: { x: 0, y: 0, width: 360, height: Math.min(maxHeight, height) } });
  await page.close();
}

/** Signs in through the form on a new page of `open` and waits until the sign-in page is left. */
export async function signInThroughForm(open: (options?: BrowserContextOptions) => Promise<Page>, email: string, password: string, options: BrowserContextOptions = {}): Promise<Page> {
  const page = await open(options);
  await page.goto('/signin');
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Anmelden' }).last().click();
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
  return page;
}
