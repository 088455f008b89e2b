// `moec study` writes report.html comparing its runs: accuracy against time and the
// routing pictures of the same images side by side, checked in headless Chromium.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { findBrowser, launchBrowser, NO_BROWSER_REASON, openReport, type OpenedPage } from '../support/browser.ts';
import { runCli } from '../support/run-cli.ts';
import { HOSTILE_CLASS, specText, writeFolderData } from '../routes/run-fixture.ts';

const browserPath = findBrowser();
if (!browserPath) console.warn(NO_BROWSER_REASON);

describe.skipIf(!browserPath)('moec study report', () => {
  let browser: Browser;
  let opened: OpenedPage;
  let stdout: string;

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'moec-study-'));
    writeFolderData(join(root, 'data'), { train: 8, test: 4 });
    const token = join(root, 'token.moe');
    const soft = join(root, 'soft.moe');
    writeFileSync(token, specText('token_choice(experts: 4, k: 1, capacity: 1.0, multiple_of: 1)'));
    writeFileSync(soft, specText('soft(experts: 4, slots: 1)').replace(/tiny_report/g, 'tiny_soft'));
    const r = await runCli(['study', token, soft, '--steps', '2', '--backend', 'cpu', '--out', join(root, 'study')], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    stdout = r.stdout;
    expect(existsSync(join(root, 'study', 'report.html'))).toBe(true);
    browser = await launchBrowser(browserPath!);
    opened = await openReport(browser, join(root, 'study', 'report.html'));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('prints the report path and opens cleanly', () => {
    expect(stdout).toMatch(/^report: .*study\/report\.html$/m);
    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([]);
    expect(opened.dialogs).toEqual([]);
  });

  it('draws accuracy against time and the same images side by side for both routers', async () => {
    expect(await opened.page.$eval('[data-chart="accuracy_vs_time"]', (e) => e.getAttribute('data-rendered'))).toBe('true');
    const pictures = await opened.page.$$eval('#pictures img.route', (imgs) => imgs.map((i) => [i.getAttribute('data-run'), i.getAttribute('data-image'), (i as HTMLImageElement).naturalWidth] as const));
    expect(pictures).toHaveLength(8);
    for (let image = 0; image < 4; image++) expect(pictures.filter((p) => p[1] === String(image)).map((p) => p[0])).toEqual(['tiny_report', 'tiny_soft']);
    for (const p of pictures) expect(p[2]).toBeGreaterThan(100);
    const usage = await opened.page.$$eval('table.usage td.l', (els) => els.map((e) => e.textContent));
    expect(usage).toContain(HOSTILE_CLASS);
  });
});
