// Headless Chromium for the report tests, through puppeteer-core pointed at the
// system browser (Debian's `chromium`; .ci/run installs it). Tests skip, saying
// why, only when no browser is found.
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The browser executable: $CHROMIUM_PATH, $PUPPETEER_EXECUTABLE_PATH, or a system install. */
export function findBrowser(): string | undefined {
  for (const p of [process.env.CHROMIUM_PATH, process.env.PUPPETEER_EXECUTABLE_PATH, ...CANDIDATES]) if (p && existsSync(p)) return p;
  return undefined;
}

export const NO_BROWSER_REASON = 'no Chromium found (install Debian package `chromium`, or set CHROMIUM_PATH); the browser tests are skipped';

export async function launchBrowser(executablePath: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath,
    headless: true,
    // Root in containers needs --no-sandbox; no GPU in CI.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'],
  });
}

export interface OpenedPage {
  readonly page: Page;
  /** console.error messages and uncaught page errors. */
  readonly errors: string[];
  /** Every request other than the page itself and data: URIs (there must be none). */
  readonly requests: string[];
  /** alert/confirm/prompt dialogs that opened (an injected script would open one). */
  readonly dialogs: string[];
}

/** Opens an HTML file, recording errors, network requests and dialogs; waits until the charts are drawn. */
export async function openReport(browser: Browser, file: string): Promise<OpenedPage> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  const url = `file://${file}`;
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const u = r.url();
    if (u !== url && !u.startsWith('data:')) {
      requests.push(u);
      void r.abort();
    } else void r.continue();
  });
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-charts-done]', { timeout: 30000 });
  return { page, errors, requests, dialogs };
}
