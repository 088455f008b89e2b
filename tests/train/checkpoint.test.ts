import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMatches, listCheckpoints, loadCheckpoint, pruneCheckpoints, resolveCheckpoint, saveCheckpoint, type TrainingState } from '../../runtime/checkpoint/checkpoint.ts';
import { RuntimeFault } from '../../runtime/train/fault.ts';

const state = (step: number): TrainingState => ({
  step,
  epoch: 0,
  batchInEpoch: step,
  batch: 4,
  seed: 1,
  optimizer: { kind: 'adamw', count: step },
  randomStreams: {},
  totalSteps: 100,
  model: 'm',
});

const tensors = [
  { name: 'w', group: 'param' as const, shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  { name: 'm/w', group: 'optimizer' as const, shape: [2, 3], data: Float32Array.from([0.5, 0, 0, 0, 0, -0.5]) },
];

function fault(fn: () => unknown): RuntimeFault {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RuntimeFault);
    return e as RuntimeFault;
  }
  throw new Error('expected a RuntimeFault');
}

describe('checkpoints', () => {
  it('round-trip tensors and state, leaving no temporary folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moec-ckpt-'));
    const path = saveCheckpoint(dir, tensors, state(5));
    expect(path.endsWith('step-00000005')).toBe(true);
    expect(readdirSync(dir)).toEqual(['step-00000005']);
    const c = loadCheckpoint(path);
    expect(c.manifest.state.step).toBe(5);
    expect(Array.from(c.tensors.get('param:w')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(c.tensors.get('optimizer:m/w')!.data)).toEqual([0.5, 0, 0, 0, 0, -0.5]);
    expect(resolveCheckpoint(dir)).toBe(path);
  });

  it('refuses a corrupt checkpoint (checksum), and a truncated one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moec-ckpt-'));
    const path = saveCheckpoint(dir, tensors, state(1));
    const bin = join(path, 'tensors.bin');
    const bytes = readFileSync(bin);
    bytes[5] ^= 0xff;
    writeFileSync(bin, bytes);
    const e = fault(() => loadCheckpoint(path));
    expect(e.code).toBe('MOE0508');
    expect(e.message).toMatch(/tensors\.bin: SHA-256 checksum mismatch/);
    writeFileSync(bin, bytes.subarray(0, 10));
    expect(fault(() => loadCheckpoint(path)).message).toMatch(/10 bytes, the manifest says 48/);
    writeFileSync(join(path, 'manifest.json'), '{ not json');
    expect(fault(() => loadCheckpoint(path)).code).toBe('MOE0508');
  });

  it('refuses a checkpoint that does not match the model, naming the tensor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moec-ckpt-'));
    const c = loadCheckpoint(saveCheckpoint(dir, tensors, state(1)));
    const shape = fault(() => checkMatches(c, 'param', new Map([['w', [3, 2]]])));
    expect(shape.code).toBe('MOE0509');
    expect(shape.message).toMatch(/tensor 'w' has shape \[2, 3\] in the checkpoint but \[3, 2\] in the model/);
    expect(fault(() => checkMatches(c, 'param', new Map([['w', [2, 3]], ['b', [3]]]))).message).toMatch(/no parameter 'b'/);
    expect(fault(() => checkMatches(c, 'param', new Map())).message).toMatch(/holds tensor 'w' that the model does not have/);
  });

  it('keeps the last K and every M-th', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moec-ckpt-'));
    for (const s of [10, 20, 30, 40, 50, 60]) saveCheckpoint(dir, tensors, state(s));
    pruneCheckpoints(dir, 2, 20);
    expect(listCheckpoints(dir).map((p) => Number(p.slice(-8)))).toEqual([20, 40, 50, 60]);
    expect(existsSync(join(dir, 'step-00000010'))).toBe(false);
  });

  it('says clearly when there is no checkpoint', () => {
    const e = fault(() => resolveCheckpoint(mkdtempSync(join(tmpdir(), 'moec-ckpt-'))));
    expect(e.code).toBe('MOE0510');
  });
});
