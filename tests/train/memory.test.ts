// Memory as a user error (../shared/repro/soft-1024-experts.sh): a Soft MoE with
// 1,024 experts evaluates in micro-batches sized from its memory estimate instead of
// a fixed 250 (wasm's 4 GiB ended in "memory access out of bounds"), and a training
// step that cannot fit is refused before training, with the estimate.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.ts';
import { checkTrainingFits, estimateMemory, evaluationBatch, evaluationBytes } from '../../runtime/train/memory.ts';
import { RuntimeFault } from '../../runtime/train/fault.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'moec-mem-'));
const soft1024 = join(dir, 'soft1024.moe');
writeFileSync(soft1024, readFileSync('examples/mnist_soft.moe', 'utf8').replace('soft(experts: 8, slots: 2)', 'soft(experts: 1024, slots: 1)'));

function graphOf(file: string) {
  const c = compile(file, { train: false });
  if (!c.ok) throw new Error('spec did not check');
  return c.graph();
}

describe('memory estimate', () => {
  it('sizes evaluation micro-batches from the estimate', () => {
    const big = graphOf(soft1024);
    const e = estimateMemory(big);
    // 2 MoE blocks × 1,024 experts × (64×128 + 128×64 + biases) float32 ≈ 130 MiB of weights.
    expect(e.weights / 2 ** 20).toBeGreaterThan(120);
    expect(e.weights / 2 ** 20).toBeLessThan(140);
    const batch = evaluationBatch(big, 'wasm');
    expect(batch).toBeLessThan(250);
    expect(batch).toBeGreaterThan(10);
    expect(evaluationBytes(e, batch)).toBeLessThanOrEqual(2 ** 30);
    expect(evaluationBytes(e, 250)).toBeGreaterThan(2 * 2 ** 30);
    // A small model keeps the usual 250.
    expect(evaluationBatch(graphOf('examples/mnist_soft.moe'), 'wasm')).toBe(250);
  });

  it('refuses a training step that cannot fit wasm, with the estimate, and accepts one that can', () => {
    const big = graphOf(soft1024);
    checkTrainingFits(big, 64, 'wasm');
    checkTrainingFits(big, 1024, 'cpu');
    let fault: RuntimeFault | undefined;
    try {
      checkTrainingFits(big, 1024, 'wasm');
    } catch (e) {
      fault = e as RuntimeFault;
    }
    expect(fault?.code).toBe('MOE0546');
    expect(fault?.message).toMatch(/a training step of 1024 images needs about \d+\.\d+ GiB on wasm .* more than its 3\.00 GiB/);
    expect(fault?.help).toMatch(/lower batch to \d+ or less/);
  });

  it('moec train refuses before it writes a run folder', async () => {
    const out = join(dir, 'run');
    const r = await runCli(['train', soft1024, '--batch', '1024', '--out', out, '--backend', 'wasm']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MOE0546: a training step of 1024 images needs about/);
    expect(existsSync(out)).toBe(false);
  });
});
