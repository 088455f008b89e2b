// `moec bench` and `moec study` through the command line, on tiny models (cpu backend).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

let dir: string;
const tiny = (name: string, blocks: string) =>
  `model ${name} {\n  image: 28x28x1, patch: 14, width: 8, depth: 1, heads: 2, mlp: 8, classes: 10\n  ${blocks}\n}\n` +
  `train t_${name} {\n  model: ${name}\n  data: mnist(train: 64, test: 32)\n  batch: 16\n  steps: 2\n  eval_every: 1\n  seed: 0\n}\n`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'moec-bench-cli-'));
  writeFileSync(join(dir, 'dense.moe'), tiny('d', ''));
  writeFileSync(join(dir, 'soft.moe'), tiny('s', 'blocks all: moe(soft(experts: 2))'));
  writeFileSync(join(dir, 'two.moe'), tiny('a', '') + tiny('b', ''));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (argv: string[]) => runCli(argv, { cwd: dir });

describe('moec bench', () => {
  it('prints a JSON report', async () => {
    const r = await run(['bench', 'soft.moe', '--backend', 'cpu', '--batch', '2', '--steps', '1', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.model).toBe('s');
    expect(report.batch).toBe(2);
    expect(report.profile.forwardByBlock.map((b: { name: string }) => b.name).sort()).toEqual(['block_0', 'outside blocks']);
  });

  it('prints tables without --json, and can skip the profile', async () => {
    const r = await run(['bench', 'dense.moe', '--backend', 'cpu', '--batch', '2', '--steps', '1', '--no-profile']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('training step (fwd+bwd+AdamW)');
    expect(r.stdout).not.toContain('per block');
  });

  it('asks which model when a file has several, and rejects bad flags', async () => {
    const several = await run(['bench', 'two.moe', '--backend', 'cpu']);
    expect(several.code).toBe(1);
    expect(several.stderr).toContain('--model a');
    const bad = await run(['bench', 'dense.moe', '--steps', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--steps expects an integer");
  });

  it('refuses a backend that cannot read synchronously, before measuring (its profile says so)', async () => {
    const r = await run(['bench', 'dense.moe', '--backend', 'webgpu', '--batch', '2', '--steps', '1']);
    expect(r.code).toBe(1);
    // Where WebGPU cannot start at all, the error says what to install instead.
    if (!/npm install webgpu|install Mesa/.test(r.stderr)) {
      expect(r.stderr).toContain('moec bench cannot run on webgpu: it reads results synchronously');
      expect(r.stderr).toContain('use --backend wasm or cpu');
    }
  }, 60_000);
});

describe('moec study', () => {
  it('trains every spec and writes the table, JSON and plot', async () => {
    const r = await run(['study', 'dense.moe', 'soft.moe', '--backend', 'cpu', '--out', 'out']);
    expect(r.code).toBe(0);
    for (const f of ['study.md', 'study.json', 'accuracy_vs_time.svg', 'accuracy_vs_time.png']) expect(existsSync(join(dir, 'out', f))).toBe(true);
    const json = JSON.parse(readFileSync(join(dir, 'out', 'study.json'), 'utf8'));
    expect(json.settings).toMatchObject({ steps: 2, batch: 16, seed: 0, backend: 'cpu' });
    expect(json.entries.map((e: { router: string; status: string }) => [e.router, e.status])).toEqual([
      ['dense', 'completed'],
      ['soft_moe', 'completed'],
    ]);
    expect(json.entries[1].curve.map((p: { step: number }) => p.step)).toEqual([1, 2]);
    expect(r.stdout).toContain('| d | dense |');
  });

  it('needs at least one readable spec', async () => {
    const r = await run(['study', 'missing.moe', '--backend', 'cpu']);
    expect(r.code).toBe(1);
  });
});
