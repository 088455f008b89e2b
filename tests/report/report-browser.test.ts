// The run report in a real headless Chromium (puppeteer-core + Debian `chromium`):
// no console errors, no network requests, every section present, charts drawn,
// routing pictures not blank, the numbers equal routes.json, and injected HTML
// from the spec comment and a class folder name shown as text with no script run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { findBrowser, launchBrowser, NO_BROWSER_REASON, openReport, type OpenedPage } from '../support/browser.ts';
import { runCli } from '../support/run-cli.ts';
import { HOSTILE_CLASS, SCRIPT_COMMENT, trainedRun, type RunFixture } from '../routes/run-fixture.ts';
import type { RoutesReport } from '../../runtime/routes/routes.ts';

const browserPath = findBrowser();
if (!browserPath) console.warn(NO_BROWSER_REASON);

describe.skipIf(!browserPath)('moec report in headless Chromium', () => {
  let fixture: RunFixture;
  let browser: Browser;
  let opened: OpenedPage;
  let routes: RoutesReport;

  beforeAll(async () => {
    fixture = await trainedRun();
    const r = await runCli(['report', fixture.run, '--backend', 'cpu'], { cwd: fixture.root });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('report.html');
    routes = JSON.parse(readFileSync(join(fixture.run, 'routes', 'routes.json'), 'utf8')) as RoutesReport;
    browser = await launchBrowser(browserPath!);
    opened = await openReport(browser, join(fixture.run, 'report.html'));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('opens without console errors, network requests or dialogs', () => {
    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([]);
    expect(opened.dialogs).toEqual([]);
  });

  it('has every section and draws every chart', async () => {
    const ids = await opened.page.$$eval('main > section', (s) => s.map((e) => e.id));
    expect(ids).toEqual(['summary', 'spec', 'resolved', 'curves', 'evaluation', 'load', 'routing', 'pictures']);
    const states = await opened.page.$$eval('[data-chart]', (els) => els.map((e) => [e.getAttribute('data-chart'), e.getAttribute('data-rendered'), e.querySelectorAll('svg path, svg line, svg rect').length] as const));
    expect(states.length).toBeGreaterThanOrEqual(6);
    for (const [id, rendered, marks] of states) {
      expect(rendered, id!).toBe('true');
      expect(marks, id!).toBeGreaterThan(3);
    }
    const summary = await opened.page.$eval('#summary', (e) => e.textContent ?? '');
    for (const word of ['parameters', 'active parameters per token', 'forward FLOPs per image', 'tiny_report']) expect(summary).toContain(word);
  });

  it('renders the routing pictures (non-blank pixels in a screenshot)', async () => {
    const pictures = await opened.page.$$('img.route');
    expect(pictures.length).toBe(routes.images.length * routes.blocks.length);
    const shot = await pictures[0]!.screenshot();
    const { data, info } = await sharp(Buffer.from(shot)).raw().toBuffer({ resolveWithObject: true });
    let coloured = 0;
    for (let i = 0; i < data.length; i += info.channels) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
    }
    expect(coloured / (info.width * info.height)).toBeGreaterThan(0.1);
    const natural = await opened.page.$$eval('img.route', (imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    for (const w of natural) expect(w).toBeGreaterThan(100);
  });

  it('shows the numbers of routes.json', async () => {
    const cells = await opened.page.$$eval('[data-key]', (els) => els.map((e) => [Number(e.getAttribute('data-block')), e.getAttribute('data-key')!, e.textContent!] as const));
    expect(cells.length).toBeGreaterThan(10);
    for (const [block, key, text] of cells) {
      const stats = routes.blocks.find((b) => b.index === block)!.stats as unknown as Record<string, unknown>;
      const value = key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], stats) as number;
      expect(Number(text), key).toBeCloseTo(value, 4);
    }
    // The page's data island is the same report.
    const island = await opened.page.$eval('#moec-routes', (e) => JSON.parse(e.textContent!));
    expect(island).toEqual(routes);
  });

  it('renders injected HTML from the spec and a class folder name as text, running nothing', async () => {
    const spec = await opened.page.$eval('pre.spec', (e) => e.textContent ?? '');
    expect(spec).toContain(SCRIPT_COMMENT);
    const classCells = await opened.page.$$eval('table.usage td.l', (els) => els.map((e) => e.textContent));
    expect(classCells).toContain(HOSTILE_CLASS);
    expect(await opened.page.$$('img[src="x"]')).toHaveLength(0);
    const scripts = await opened.page.$$eval('script:not([type])', (s) => s.length);
    expect(scripts).toBe(2); // the inlined Vega builds and the chart boot script, nothing injected
    expect(opened.dialogs).toEqual([]);
  });
});
