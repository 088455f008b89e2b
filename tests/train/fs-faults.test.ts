// File-system faults end in coded user errors (../shared/repro/out-faults.sh): a
// read-only file system and a full disk. Needs tmpfs mounts (root on Linux); skipped
// where mounting is not permitted (the error mapping itself is tested in run-folder.test.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'moec-fs-'));
const mounted: string[] = [];
function mount(name: string, options: string): string | undefined {
  const dir = join(root, name);
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
  if (r.status !== 0) return undefined;
  mounted.push(dir);
  return dir;
}
const ro = process.platform === 'linux' ? mount('ro', 'ro,size=1m') : undefined;
const full = process.platform === 'linux' ? mount('full', 'size=200k') : undefined;
afterAll(() => {
  for (const d of mounted) execFileSync('umount', [d]);
  rmSync(root, { recursive: true, force: true });
});

const spec = join(root, 'tiny.moe');
writeFileSync(
  spec,
  `model tiny {
  image: 28x28x1
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
  data: mnist(train: 64, test: 32)
  batch: 16
  steps: 12
  eval_every: 12
  checkpoint_every: 2
  seed: 3
}
`,
);

describe('file-system faults', () => {
  it.skipIf(!ro)('a read-only --out: MOE0541, exit 1', async () => {
    const r = await runCli(['train', spec, '--out', join(ro!, 'run'), '--backend', 'wasm']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MOE0541: cannot create the folder .*ro\/run: the file system is read-only/);
  });

  it.skipIf(!full)('a full disk: MOE0542, exit 1, the last good checkpoint kept, no temporary folder left', async () => {
    const out = join(full!, 'run');
    const r = await runCli(['train', spec, '--out', out, '--backend', 'wasm', '--keep-last', '10']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MOE0542: .*the disk is full/);
    expect(r.stderr).not.toMatch(/internal error/);
    const left = readdirSync(join(out, 'checkpoints'));
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((n) => /^step-\d{8}$/.test(n))).toBe(true);
  });
});
