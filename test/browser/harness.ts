/**
 * Browser-test harness: Debian's chromium driven by playwright-core (never a downloaded browser),
 * plus helpers that act as a person would: open the page, register through the form, type.
 *
 * Every page records what must never happen in a session: `securitypolicyviolation` events,
 * uncaught errors, and requests to any origin but the server's own.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or false when they can. */
export function chromiumMissingReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  return `browser tests need Debian's chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`;
}

/** Fails loudly when CI requires the services and chromium is missing; else the skip reason. */
export function browserTestsUnavailable(): string | false {
  const reason = chromiumMissingReason();
  if (reason && process.env.RAMPART_REQUIRE_SERVICES === '1') {
    throw new Error(`RAMPART_REQUIRE_SERVICES=1 but ${CHROMIUM} is missing: the browser tests cannot run`);
  }
  if (reason) console.warn(`\n*** SKIPPING THE WEB CLIENT'S BROWSER TESTS: ${reason} ***\n`);
  return reason;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** playwright's launch() runs the browser on a fresh temporary user-data-dir, deleted on close. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export const PASSWORD = 'correct horse battery';

export interface Watched {
  page: Page;
  context: BrowserContext;
  /** CSP violations seen by the page (each "directive blockedURI"). */
  violations: string[];
  errors: string[];
  /** Every URL the page requested. */
  requests: string[];
}

declare global {
  interface Window {
    __violations?: string[];
    __xss?: unknown;
  }
}

/** A new browser context (its own cookie jar: another person) with one watched page. */
export async function newPerson(browser: Browser, options: { locale?: string; width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<Watched> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  return watchPage(context, await context.newPage());
}

export async function watchPage(context: BrowserContext, page: Page): Promise<Watched> {
  const watched: Watched = { page, context, violations: [], errors: [], requests: [] };
  // Registered before any script of the page runs, so no violation can go unseen.
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations!.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content.Security.Policy|Trusted Type/i.test(text)) watched.violations.push(`console: ${text}`);
  });
  page.on('pageerror', (err) => watched.errors.push(err.message));
  page.on('request', (req) => watched.requests.push(req.url()));
  return watched;
}

export async function violationsOf(w: Watched): Promise<string[]> {
  const inPage = w.page.isClosed() ? [] : await w.page.evaluate(() => window.__violations ?? []).catch(() => []);
  return [...w.violations, ...inPage];
}

/** Opens the client, creates an account through the form and waits until the chat is connected. */
export async function registerInBrowser(w: Watched, baseUrl: string, username: string): Promise<void> {
  const { page } = w;
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await waitConnected(page);
}

export async function loginInBrowser(w: Watched, baseUrl: string, username: string): Promise<void> {
  const { page } = w;
  await page.goto(baseUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitConnected(page);
}

export async function waitConnected(page: Page, timeout = 15_000): Promise<void> {
  await page.locator('.status[data-state="open"]').waitFor({ timeout });
}

/** Opens (joins) a room through the sidebar's "Join a room by name" box and waits for its first page. */
export async function openRoom(page: Page, room: string): Promise<void> {
  await page.getByLabel('Join a room by name').fill(room);
  await page.getByLabel('Join a room by name').press('Enter');
  await page.locator('#room-title', { hasText: room }).waitFor();
  await page.locator('.older .beginning, .older button').first().waitFor();
}

/** Types a message in the composer and sends it with Enter; newlines are typed with Shift+Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.locator('#composer');
  await box.click();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) await box.press('Shift+Enter');
    await box.pressSequentially(lines[i]!, { delay: 0 });
  }
  await box.press('Enter');
}

/** The texts of the delivered messages shown in the active room, in order. */
export function shownTexts(page: Page): Promise<string[]> {
  return page.locator('.msg-list:not(.outbox) .msg .msg-text').allTextContents();
}

/** Waits until `text` is shown as a delivered message exactly `count` times (default once). */
export async function waitForMessage(page: Page, text: string, timeout = 10_000): Promise<void> {
  await page.locator('.msg-list:not(.outbox) .msg-text').filter({ hasText: text }).first().waitFor({ timeout });
}

export async function countShown(page: Page, text: string): Promise<number> {
  return (await shownTexts(page)).filter((t) => t === text).length;
}

/** Polls `fn` until it returns true (for conditions that are not a single selector). */
export async function eventually(fn: () => Promise<boolean> | boolean, timeout = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
