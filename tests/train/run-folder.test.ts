// Run folders as transactions (../shared/repro/out-reuse.sh, resume-rewrites-run.sh,
// out-faults.sh, concurrent-out.sh): a refused command leaves the folder exactly as it
// was, one training holds a folder at a time, file-system faults are coded user errors.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { fsFault } from '../../runtime/io/atomic.ts';
import { RuntimeFault } from '../../runtime/train/fault.ts';
import { readMetricsFile, truncateMetrics } from '../../runtime/train/metrics-log.ts';
import { firstDifference, specCopies } from '../../runtime/train/run-folder.ts';
import { acquireRunLock } from '../../runtime/train/run-lock.ts';

const model = (width: number) => `
model tiny {
  image: 14x14x1
  patch: 7
  width: ${width}
  depth: 1
  heads: 2
  mlp: 16
  classes: 10
  blocks all: moe(soft(experts: 2, slots: 1))
}`;
const train = `
train t {
  model: tiny
  data: mnist(train: 64, test: 32)
  batch: 16
  steps: 6
  eval_every: 2
  checkpoint_every: 2
  seed: 1
}`;

let dir: string;
let spec: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'moec-run-'));
  spec = join(dir, 'tiny.moe');
  writeFileSync(spec, model(8) + train);
  writeFileSync(join(dir, 'wide.moe'), model(12) + train);
});

const cli = (...argv: string[]) => runCli([...argv, '--backend', 'wasm'], { cwd: dir });

/** Every file under `root` with its SHA-256 (to prove a refused command wrote nothing). */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(root);
  return out;
}

describe('run folders', () => {
  it('refuses a fresh run into an existing run folder, and replaces it with --force', async () => {
    const out = join(dir, 'reuse');
    expect((await cli('train', spec, '--out', out)).code).toBe(0);
    const before = snapshot(out);
    const again = await cli('train', spec, '--out', out, '--steps', '4', '--seed', '9');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/MOE0538: --out .*reuse: is already a run folder \(3 checkpoints\)/);
    expect(again.stderr).toMatch(/--resume .*reuse.*--force/);
    expect(snapshot(out)).toEqual(before);
    const forced = await cli('train', spec, '--out', out, '--steps', '4', '--seed', '9', '--force');
    expect(forced.code).toBe(0);
    expect(readdirSync(join(out, 'checkpoints'))).toEqual(['step-00000002', 'step-00000004']);
    expect(readMetricsFile(join(out, 'metrics.jsonl')).every((r) => r.step <= 4)).toBe(true);
  });

  it('a failing --resume (another model) writes nothing; a good one keeps every record once', async () => {
    const out = join(dir, 'resume');
    expect((await cli('train', spec, '--out', out)).code).toBe(0);
    const before = snapshot(out);
    const wrong = await cli('train', join(dir, 'wide.moe'), '--resume', join(out, 'checkpoints', 'step-00000004'));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/MOE0509: .*tensor '.*' has shape/);
    expect(snapshot(out)).toEqual(before);
    // Records after the checkpoint's step (and a torn last line) are dropped before the resume appends.
    writeFileSync(join(out, 'metrics.jsonl'), readFileSync(join(out, 'metrics.jsonl'), 'utf8') + '{"step": 7, "spl');
    const ok = await cli('train', spec, '--resume', join(out, 'checkpoints', 'step-00000004'), '--steps', '8');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const keys = readMetricsFile(join(out, 'metrics.jsonl')).map((r) => `${r.split}:${r.step}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k.startsWith('test:'))).toEqual(['test:2', 'test:4', 'test:6', 'test:8']);
    const settings = JSON.parse(readFileSync(join(out, 'settings.json'), 'utf8'));
    expect(settings.resumes).toHaveLength(1);
    expect(settings.resumes[0].step).toBe(4);
    const manifest = JSON.parse(readFileSync(join(out, 'checkpoints', 'step-00000008', 'manifest.json'), 'utf8'));
    expect(manifest.graphSha256).toBe(createHash('sha256').update(readFileSync(join(out, 'graph.json'))).digest('hex'));
  });

  it('refuses a run folder that another live training holds, and takes over a stale lock', async () => {
    const out = join(dir, 'locked');
    mkdirSync(out);
    writeFileSync(join(out, '.lock'), JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), started: 'earlier' }));
    const r = await cli('train', spec, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`MOE0539: .*in use by another training \\(process ${process.ppid}`));
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(out, '.lock'), JSON.stringify({ pid: dead, host: (await import('node:os')).hostname(), started: 'earlier' }));
    const lock = acquireRunLock(out);
    expect(JSON.parse(readFileSync(join(out, '.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(out, '.lock'))).toBe(false);
  });

  it('--out a file or under a file: a coded error, exit 1, nothing created', async () => {
    writeFileSync(join(dir, 'afile'), 'hi');
    const file = await cli('train', spec, '--out', join(dir, 'afile'));
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/MOE0540: --out .*afile: is a file, not a folder/);
    const under = await cli('train', spec, '--out', join(dir, 'afile', 'sub'));
    expect(under.code).toBe(1);
    expect(under.stderr).toMatch(/MOE0540: .*afile\/sub: a part of the path is a file/);
    expect(readFileSync(join(dir, 'afile'), 'utf8')).toBe('hi');
  });

  it('summary.json after a stop keeps the last evaluation', async () => {
    const out = join(dir, 'stop');
    const metrics = join(out, 'metrics.jsonl');
    const timer = setInterval(() => {
      if (existsSync(metrics) && readFileSync(metrics, 'utf8').includes('"split":"test"')) {
        clearInterval(timer);
        process.emit('SIGINT');
      }
    }, 1);
    const r = await cli('train', spec, '--out', out);
    clearInterval(timer);
    expect(r.code).toBe(130);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('stopped');
    expect(typeof summary.test_loss).toBe('number');
    expect(typeof summary.test_accuracy).toBe('number');
    expect(summary.test_step).toBeGreaterThanOrEqual(2);
  });

  it('copies the entry and every imported spec file, so the run folder checks on its own', async () => {
    mkdirSync(join(dir, 'lib'), { recursive: true });
    mkdirSync(join(dir, 'exp'), { recursive: true });
    writeFileSync(join(dir, 'lib', 'models.moe'), model(8));
    writeFileSync(join(dir, 'exp', 'job.moe'), `import "../lib/models.moe"\n${train}`);
    const out = join(dir, 'imports');
    const r = await cli('train', join(dir, 'exp', 'job.moe'), '--out', out, '--steps', '2');
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'spec.moe'), 'utf8')).toContain('import "../lib/models.moe"');
    expect(readFileSync(join(out, 'spec', 'lib', 'models.moe'), 'utf8')).toContain('model tiny');
    const check = await runCli(['check', join(out, 'spec', 'exp', 'job.moe')], { cwd: dir });
    expect(check.stderr).toMatch(/0 errors/);
    expect(check.code).toBe(0);
    expect(specCopies(spec, new Map([[spec, 'x']])).map((c) => c.path)).toEqual(['spec.moe']);
  });

  it('turns file-system errors into coded user errors', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    const cases: [string, string][] = [['ENOTDIR', 'MOE0540'], ['EEXIST', 'MOE0540'], ['EROFS', 'MOE0541'], ['EACCES', 'MOE0541'], ['ENOSPC', 'MOE0542'], ['EIO', 'MOE0543']];
    for (const [code, moe] of cases) {
      const f = fsFault(err(code), '/x/run', 'write');
      expect(f).toBeInstanceOf(RuntimeFault);
      expect((f as RuntimeFault).code, code).toBe(moe);
    }
    const plain = new TypeError('not fs');
    expect(fsFault(plain, '/x', 'write')).toBe(plain);
  });

  it('truncates metrics atomically to a step, each (split, step) once, dropping a torn line', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'moec-metrics-')), 'metrics.jsonl');
    const rec = (split: string, step: number) => JSON.stringify({ split, step, loss: 1 });
    writeFileSync(file, [rec('train', 1), rec('train', 2), rec('test', 2), rec('train', 2), rec('train', 3), '{"split":"tr'].join('\n'));
    expect(truncateMetrics(file, 2)).toBe(3);
    expect(readMetricsFile(file).map((r) => `${r.split}:${r.step}`)).toEqual(['train:1', 'train:2', 'test:2']);
    expect(readdirSync(join(file, '..'))).toEqual(['metrics.jsonl']);
  });

  it('names the first difference of two graphs', () => {
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe('a[1].b');
    expect(firstDifference({ a: 1 }, { a: 1 })).toBeUndefined();
  });
});
