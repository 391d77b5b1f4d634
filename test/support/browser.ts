// Debian's Chromium driven by playwright-core, for the browser journeys (test/e2e). No browser is
// downloaded: the system one is used, headless, with every background service that calls home off.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.SUJARIT_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One headless Chromium; the caller closes it (`browser.close()`). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** A phone as a reporter would hold it: small screen, touch, Thai, and by default no JavaScript. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'th-TH',
  timezoneId: 'Asia/Bangkok',
  javaScriptEnabled: false,
};

export type RecordedContext = { context: BrowserContext; page: Page; requests: string[] };

/**
 * A fresh context (own cookies, nothing shared) with one page, recording the URL of every request
 * any of its pages makes, so a test can assert that nothing leaves the server under test.
 * The caller closes it (`context.close()`).
 */
export async function openContext(browser: Browser, options: BrowserContextOptions = {}): Promise<RecordedContext> {
  const context = await browser.newContext({ ...PHONE, ...options });
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  return { context, page, requests };
}

/** Requests that did not go to `origin` (for example http://127.0.0.1:PORT). */
export function foreignRequests(requests: readonly string[], origin: string): string[] {
  return requests.filter((u) => new URL(u).origin !== origin);
}
