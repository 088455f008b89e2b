// `moec train` / `eval` / `predict` end to end on a tiny spec (wasm backend):
// run folder, SIGINT → checkpoint → resume, eval and predict from the checkpoint.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const SPEC = `
model tiny {
  image: 14x14x1
  patch: 7
  width: 16
  depth: 2
  heads: 2
  mlp: 32
  classes: 10
  blocks all: dense
  blocks last 1: moe(soft(experts: 4, slots: 1))
}

train t {
  model: tiny
  data: mnist(train: 256, test: 64)
  batch: 32
  steps: 30
  optimizer: adamw(lr: 3e-3)
  schedule: cosine(warmup: 2)
  eval_every: 10
  checkpoint_every: 5
  seed: 1
}
`;

let dir: string;
let spec: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'moec-cli-'));
  spec = join(dir, 'tiny.moe');
  writeFileSync(spec, SPEC);
});

describe('moec train / eval / predict', () => {
  it('trains, stops cleanly on SIGINT with a checkpoint, and resumes to the end', async () => {
    const out = join(dir, 'run');
    const metrics = join(out, 'metrics.jsonl');
    const timer = setInterval(() => {
      if (existsSync(metrics) && readFileSync(metrics, 'utf8').length > 0) {
        clearInterval(timer);
        process.emit('SIGINT');
      }
    }, 2);
    const stopped = await runCli(['train', spec, '--out', out, '--backend', 'wasm'], { cwd: dir });
    clearInterval(timer);
    expect(stopped.stderr).toContain('SIGINT: saving a checkpoint');
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/stopped at step \d+ \(SIGINT\)/);
    expect(stopped.stdout).toContain('resume with: moec train');
    for (const f of ['spec.moe', 'spec.resolved.moe', 'graph.json', 'metrics.jsonl', 'summary.json']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).status).toBe('stopped');

    const resumed = await runCli(['train', spec, '--resume', out, '--backend', 'wasm'], { cwd: dir });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/resuming from step \d+/);
    expect(resumed.stdout).toMatch(/done: 30 steps .* test accuracy \d+\.\d+%/);
    const records = readFileSync(metrics, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.filter((r) => r.split === 'test').map((r) => r.step)).toEqual([10, 20, 30]);
    expect(records.at(-1)).toMatchObject({ step: 30, split: 'test' });
    expect(typeof records.at(-1)['router/block_1/load_max_over_mean']).toBe('number');
    for (const f of ['loss', 'accuracy', 'load_block_1']) {
      expect(readFileSync(join(out, 'plots', `${f}.svg`), 'utf8')).toMatch(/^<svg/);
      expect(readFileSync(join(out, 'plots', `${f}.png`)).subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('stops on SIGTERM too, with exit status 143 and a checkpoint', async () => {
    const out = join(dir, 'term');
    const timer = setInterval(() => {
      if (existsSync(join(out, 'metrics.jsonl')) && readFileSync(join(out, 'metrics.jsonl'), 'utf8').length > 0) {
        clearInterval(timer);
        process.emit('SIGTERM');
      }
    }, 2);
    const r = await runCli(['train', spec, '--out', out, '--backend', 'wasm'], { cwd: dir });
    clearInterval(timer);
    expect(r.code).toBe(143);
    expect(r.stdout).toMatch(/stopped at step (\d+) \(SIGTERM\); checkpoint .*step-0000/);
  });

  it('eval gives the loss and accuracy the run recorded for its final checkpoint (so the weights were applied)', async () => {
    const records = readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const final = records.filter((r) => r.split === 'test').at(-1);
    expect(final.step).toBe(30);
    const text = await runCli(['eval', spec, '--checkpoint', join(dir, 'run'), '--backend', 'wasm'], { cwd: dir });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\(step 30\)/);
    expect(text.stdout).toContain(`test loss ${final.loss.toFixed(4)}  accuracy ${(final.accuracy * 100).toFixed(2)}%`);
    // The run folder alone: its own graph.json and spec.resolved.moe, no spec path.
    for (const args of [['eval', join(dir, 'run')], ['eval', spec, '--checkpoint', join(dir, 'run')]]) {
      const r = await runCli([...args, '--backend', 'wasm', '--format', 'json'], { cwd: dir });
      expect(r.stderr, args.join(' ')).toBe('');
      const json = JSON.parse(r.stdout);
      expect(json.step).toBe(30);
      expect(json.loss).toBeCloseTo(final.loss, 5);
      expect(json.accuracy).toBeCloseTo(final.accuracy, 6);
    }
  });

  it('predict prints the top classes with probabilities', async () => {
    const img = join(dir, 'digit.png');
    const raw = Buffer.alloc(28 * 28);
    for (let y = 4; y < 24; y++) raw[y * 28 + 14] = 255; // a "1"
    await sharp(raw, { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('b-w').png().toFile(img);
    const r = await runCli(['predict', spec, '--checkpoint', join(dir, 'run'), img, '--backend', 'wasm'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toContain('digit.png');
    expect(lines.slice(1)).toHaveLength(3);
    const probs = lines.slice(1).map((l) => Number(/(\d+\.\d+)%$/.exec(l)![1]));
    expect(probs[0]).toBeGreaterThanOrEqual(probs[1]!);
  });

  it('shows a progress bar on a terminal', async () => {
    const r = await runCli(['train', spec, '--steps', '4', '--out', join(dir, 'tty'), '--backend', 'wasm', '--set', 'eval_every=4'], { cwd: dir, tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/step 4\/4 \|.*\| loss \d+\.\d{4} \| acc/);
    expect(r.stderr).toMatch(/eval @ step 4: test loss/);
  });

  it('reports bad input without a stack trace', async () => {
    const missing = await runCli(['eval', spec, '--checkpoint', join(dir, 'nowhere'), '--backend', 'wasm'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/MOE0510: .*nowhere: no checkpoint found/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const badBackend = await runCli(['train', spec, '--backend', 'gpu9000'], { cwd: dir });
    expect(badBackend.code).toBe(1);
    expect(badBackend.stderr).toMatch(/unknown backend 'gpu9000'/);
    const badSteps = await runCli(['train', spec, '--steps', '0'], { cwd: dir });
    expect(badSteps.code).toBe(1);
    expect(badSteps.stderr).toMatch(/--steps expects an integer ≥ 1, got '0'/);
  });
});
