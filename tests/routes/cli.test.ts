// `moec routes` end to end on a real tiny run, and its bad-input messages.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { classImage, trainedRun, type RunFixture } from './run-fixture.ts';
import { encodePng } from '../../runtime/routes/png.ts';
import type { RoutesReport } from '../../runtime/routes/routes.ts';

let fx: RunFixture;
const routes = (...args: string[]) => runCli(['routes', ...args, '--backend', 'cpu'], { cwd: fx.root });

beforeAll(async () => {
  fx = await trainedRun();
}, 60_000);

describe('moec routes', () => {
  it('moec train wrote report.html and printed its path', () => {
    expect(fx.trainOutput).toMatch(/^report: .*run\/report\.html$/m);
    expect(readFileSync(join(fx.run, 'report.html'), 'utf8')).toContain('id="pictures"');
    expect(existsSync(join(fx.run, 'routes', 'routes.json'))).toBe(true);
  });

  it('pictures test images of a run folder and writes routes.json', async () => {
    const out = join(fx.root, 'out-split');
    const r = await routes(fx.run, '--split', 'test', '--n', '3', '-o', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/routes of 3 images in block 1/);
    const report = JSON.parse(readFileSync(join(out, 'routes.json'), 'utf8')) as RoutesReport;
    expect(report.format).toBe('moec-routes/1');
    expect(report.images.map((i) => i.name)).toEqual(['test[0]', 'test[1]', 'test[2]']);
    expect(report.blocks.map((b) => [b.index, b.family, b.k])).toEqual([[1, 'token_choice', 2]]);
    const stats = report.blocks[0]!.stats!;
    expect(stats.images).toBe(12);
    expect(stats.tokens).toBe(12 * 4);
    // Token choice k 2: every token is processed by 0, 1 or 2 experts.
    expect(stats.expertsPerToken.slice(3).every((c) => c === 0)).toBe(true);
    expect(stats.expertsPerToken.reduce((a, b) => a + b, 0)).toBe(stats.tokens);
    for (let i = 0; i < 3; i++) {
      const png = await sharp(join(out, `block1-image00${i}.png`)).metadata();
      expect(png.width).toBeGreaterThan(200);
      expect(readFileSync(join(out, `block1-image00${i}.svg`), 'utf8')).toMatch(/^<svg /);
    }
  });

  it('takes the spec with --checkpoint and image files', async () => {
    const img = join(fx.root, 'digit.png');
    writeFileSync(img, encodePng(classImage(0, 0), 14, 14, 1));
    const out = join(fx.root, 'out-files');
    const r = await routes(fx.spec, img, '--checkpoint', fx.run, '-o', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'routes.json'), 'utf8')) as RoutesReport;
    expect(report.images).toHaveLength(1);
    expect(report.blocks[0]!.stats).toBeUndefined();
    expect(existsSync(join(out, 'block1-image000.png'))).toBe(true);
  });

  it('refuses an image of the wrong size (MOE0702) or channels (MOE0703)', async () => {
    const small = join(fx.root, 'small.png');
    writeFileSync(small, encodePng(new Uint8Array(100).fill(128), 10, 10, 1));
    let r = await routes(fx.run, small);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: MOE0702: small\.png: the image is 10×10 pixels, the model takes 14×14/);
    const colour = join(fx.root, 'colour.png');
    writeFileSync(colour, encodePng(Uint8Array.from({ length: 14 * 14 * 3 }, (_, i) => (i % 3 === 0 ? 250 : 10)), 14, 14, 3));
    r = await routes(fx.run, colour);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: MOE0703: colour\.png: images have 3 channels but the model expects 1/);
  });

  it('refuses a block that is not an MoE block (MOE0704)', async () => {
    let r = await routes(fx.run, '--block', '0');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MOE0704: --block 0: block 0 is a dense block, not an MoE block');
    expect(r.stderr).toContain('help: MoE blocks of tiny_report: 1');
    r = await routes(fx.run, '--block', '9');
    expect(r.stderr).toContain('MOE0704: --block 9: model tiny_report has no block 9 (blocks 0–1)');
  });

  it('says when a run folder has no checkpoint (MOE0701) or a folder is not a run (MOE0706)', async () => {
    const bare = join(fx.root, 'bare-run');
    cpSync(fx.run, bare, { recursive: true });
    rmSync(join(bare, 'checkpoints'), { recursive: true, force: true });
    mkdirSync(join(bare, 'checkpoints'));
    let r = await routes(bare);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: MOE0701: .*bare-run: the run folder holds no checkpoint yet/);
    const empty = join(fx.root, 'empty');
    mkdirSync(empty);
    r = await routes(empty);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: MOE0706: .*empty: not a run folder \(no graph\.json\)/);
    // The report of a run without checkpoints is still written, with a note.
    r = await runCli(['report', bare, '--backend', 'cpu'], { cwd: fx.root });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('note: the run has no checkpoint yet');
    expect(readFileSync(join(bare, 'report.html'), 'utf8')).toContain('the run has no checkpoint yet');
  });

  it('checks --slot and --patch', async () => {
    let r = await routes(fx.run, '--patch', '4');
    expect(r.stderr).toContain('MOE0708: --patch 4: the model has 4 patches');
    r = await routes(fx.run, '--slot', '9:0');
    expect(r.stderr).toContain('MOE0708: --slot 9:0');
    r = await routes(fx.run, '--slot', 'x');
    expect(r.stderr).toContain("--slot expects EXPERT:SLOT");
  });
});
