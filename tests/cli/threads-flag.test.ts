// `--threads N` / MOEC_THREADS on the commands that run a model: validated before any
// work (MOE0561, MOE0562), shown in the train header, recorded in settings.json, and
// ignored (with a note) by backends moec does not size.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { ONE_THREAD_BELOW_FLOPS, threadsForWork } from '../../cli/shared/backend.ts';

const SPEC = `
model tiny {
  image: 14x14x1
  patch: 7
  width: 16
  depth: 1
  heads: 2
  mlp: 32
  classes: 10
  blocks all: dense
}

train t {
  model: tiny
  data: mnist(train: 64, test: 32)
  batch: 16
  steps: 1
  seed: 1
}
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'moec-threads-flag-'));
  writeFileSync(join(dir, 'tiny.moe'), SPEC);
});

describe('--threads', () => {
  it('is offered by every command that runs a model', async () => {
    for (const command of ['train', 'eval', 'predict', 'bench', 'study', 'routes', 'report']) {
      const r = await runCli([command, '--help']);
      expect(r.stdout, command).toMatch(/--threads <n>\s+threads of the wasm backend/);
    }
  });

  it('rejects a count that is not an integer ≥ 1 (MOE0561) before anything is written', async () => {
    for (const bad of ['0', 'two', '1.5']) {
      const r = await runCli(['train', 'tiny.moe', '--threads', bad, '--out', 'bad-run'], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('MOE0561');
      expect(r.stderr).toContain(`--threads expects an integer ≥ 1, got '${bad}'`);
      expect(r.stderr).not.toContain('internal error');
    }
    expect(existsSync(join(dir, 'bad-run'))).toBe(false);
    const bench = await runCli(['bench', 'tiny.moe', '--threads', '-1'], { cwd: dir });
    expect(bench.code).toBe(1);
    expect(bench.stderr).toContain('MOE0561');
  });

  it('reads MOEC_THREADS when the flag is absent (MOE0562 when it is bad); the flag wins', async () => {
    const bad = await runCli(['eval', 'tiny.moe'], { cwd: dir, env: { MOEC_THREADS: 'all' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('MOE0562');
    expect(bad.stderr).toContain("MOEC_THREADS expects an integer ≥ 1, got 'all'");
    const r = await runCli(['train', 'tiny.moe', '--backend', 'wasm', '--threads', '1', '--out', 'run-wasm', '--no-report'], { cwd: dir, env: { MOEC_THREADS: 'all' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('backend wasm, 1 thread (requested with --backend wasm)');
    expect(JSON.parse(readFileSync(join(dir, 'run-wasm', 'settings.json'), 'utf8')).threads).toBe(1);
  });

  it('trains a small model on one thread when none is asked for, and says why', async () => {
    const r = await runCli(['train', 'tiny.moe', '--backend', 'wasm', '--out', 'run-small', '--no-report'], { cwd: dir, env: { MOEC_THREADS: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/backend wasm, 1 thread: [\d.e+-]+ GFLOP per step is too little work to share \(--threads N for more\)/);
    expect(JSON.parse(readFileSync(join(dir, 'run-small', 'settings.json'), 'utf8')).threads).toBe(1);
  });

  it('leaves every core to work above the threshold', () => {
    expect(threadsForWork(ONE_THREAD_BELOW_FLOPS)).toBeUndefined();
    expect(threadsForWork(0.9e9)).toEqual({ threads: 1, why: '0.90 GFLOP per step is too little work to share (--threads N for more)' });
  });

  it('applies to the wasm backend only: others say so and record 1', async () => {
    const r = await runCli(['train', 'tiny.moe', '--backend', 'cpu', '--threads', '2', '--out', 'run-cpu', '--no-report'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('backend cpu: threads apply to the wasm backend only (requested with --backend cpu)');
    expect(JSON.parse(readFileSync(join(dir, 'run-cpu', 'settings.json'), 'utf8')).threads).toBe(1);
  });
});
