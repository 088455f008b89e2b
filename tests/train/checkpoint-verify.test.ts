// The checkpoint as a verified format: every edit or damage of the manifest or of
// tensors.bin that the repro scripts tried (../shared/repro/ckpt-*.sh) is a coded
// error naming the field or tensor, found before any weight is used.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkGraphHash, checkMatches, loadCheckpoint, manifestHashFor, resolveCheckpoint, saveCheckpoint, type Manifest, type NamedArray, type TrainingState } from '../../runtime/checkpoint/checkpoint.ts';
import { CHECKPOINT_FORMAT_1, sha256 } from '../../runtime/checkpoint/manifest.ts';
import { RuntimeFault } from '../../runtime/train/fault.ts';

const state = (step: number): TrainingState => ({
  step,
  epoch: 0,
  batchInEpoch: step,
  batch: 4,
  seed: 1,
  optimizer: { kind: 'adamw', count: step },
  randomStreams: {},
  totalSteps: 10,
  model: 'm',
});

const tensors: NamedArray[] = [
  { name: 'a', group: 'param', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
  { name: 'b', group: 'param', shape: [4], data: Float32Array.from([5, 6, 7, 8]) },
  { name: 'm/a', group: 'optimizer', shape: [2, 2], data: Float32Array.from([0, 0, 0, 1]) },
];

function fault(fn: () => unknown): RuntimeFault {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof RuntimeFault)) throw e;
    return e;
  }
  throw new Error('expected a RuntimeFault');
}

function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'moec-ckv-'));
  return saveCheckpoint(join(dir, 'checkpoints'), tensors, state(2), { graphSha256: sha256('{"graph":1}') });
}

/** A copy of a good checkpoint with its manifest edited; `rehash` recomputes the manifest's own hash (a careful forger). */
function edited(edit: (m: Record<string, any>) => unknown, rehash = false): string {
  const good = fresh();
  const dir = join(mkdtempSync(join(tmpdir(), 'moec-ckv-')), 'step-00000002');
  cpSync(good, dir, { recursive: true });
  const file = join(dir, 'manifest.json');
  let m = JSON.parse(readFileSync(file, 'utf8'));
  const r = edit(m);
  if (r !== undefined) m = r;
  if (rehash && m && typeof m === 'object') m.manifestSha256 = manifestHashFor(m as Manifest);
  writeFileSync(file, JSON.stringify(m));
  return dir;
}

describe('checkpoint manifest verification', () => {
  it('writes format 2 with its own hash and the graph hash, and loads it', () => {
    const c = loadCheckpoint(fresh());
    expect(c.manifest.format).toBe('moec-checkpoint/2');
    expect(c.manifest.graphSha256).toBe(sha256('{"graph":1}'));
    expect(c.manifest.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Array.from(c.tensors.get('param:b')!.data)).toEqual([5, 6, 7, 8]);
    checkGraphHash(c, '{"graph":1}', 'graph.json');
    expect(fault(() => checkGraphHash(c, '{"graph":2}', 'graph.json')).code).toBe('MOE0537');
  });

  it.each([
    ['a null manifest', () => null, 'MOE0531', /\(root\) must be object/],
    ['a null tensor record', (m: any) => void (m.tensors[1] = null), 'MOE0531', /tensors\[1\] must be object/],
    ['a missing shape', (m: any) => void delete m.tensors[0].shape, 'MOE0531', /tensors\[0\] \(tensor 'a'\) is missing 'shape'/],
    ['a string shape', (m: any) => void (m.tensors[0].shape = '2,2'), 'MOE0531', /tensors\[0\]\.shape \(tensor 'a'\) must be array/],
    ['a missing state', (m: any) => void delete m.state, 'MOE0531', /is missing 'state'/],
    ['a negative offset', (m: any) => void (m.tensors[0].offset = -16), 'MOE0531', /tensors\[0\]\.offset \(tensor 'a'\) must be >= 0/],
    ['step "five"', (m: any) => void (m.state.step = 'five'), 'MOE0531', /state\.step must be integer/],
    ['step 1e12', (m: any) => void (m.state.step = 1e12), 'MOE0531', /state\.step must be <= 1000000000/],
    ['an unknown format', (m: any) => void (m.format = 'moec-checkpoint/9'), 'MOE0531', /format must be one of/],
  ])('refuses %s (schema)', (_what, edit, code, message) => {
    const e = fault(() => loadCheckpoint(edited(edit)));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('refuses any edit of a format-2 manifest by its own hash (swapped offsets, a new step)', () => {
    const swap = (m: any) => void ([m.tensors[0].offset, m.tensors[1].offset] = [m.tensors[1].offset, m.tensors[0].offset]);
    expect(fault(() => loadCheckpoint(edited(swap))).code).toBe('MOE0532');
    expect(fault(() => loadCheckpoint(edited((m: any) => void (m.state.step = 3)))).code).toBe('MOE0532');
  });

  it('refuses swapped offsets and inconsistent state even when the hash is recomputed (and in format 1)', () => {
    const swap = (m: any) => void ([m.tensors[0].offset, m.tensors[1].offset] = [m.tensors[1].offset, m.tensors[0].offset]);
    const e = fault(() => loadCheckpoint(edited(swap, true)));
    expect(e.code).toBe('MOE0533');
    expect(e.message).toMatch(/parameter 'a' starts at byte 16, expected 0/);
    const length = fault(() => loadCheckpoint(edited((m: any) => void (m.tensors[1].length = 3), true)));
    expect(length.message).toMatch(/parameter 'b' has shape \[4\] \(4 values\) but length 3/);
    const twice = fault(() => loadCheckpoint(edited((m: any) => void (m.tensors[1].name = 'a'), true)));
    expect(twice.message).toMatch(/parameter 'a' is listed twice/);
    const step = fault(() => loadCheckpoint(edited((m: any) => void (m.state.step = 3), true)));
    expect(step.code).toBe('MOE0536');
    expect(step.message).toMatch(/state\.step is 3 but the folder is step-00000002/);
    const beyond = fault(() => loadCheckpoint(edited((m: any) => void (m.state.totalSteps = 1), true)));
    expect(beyond.message).toMatch(/step 2 is beyond the run's 1 steps/);
    const v1 = fault(() => loadCheckpoint(edited((m: any) => { swap(m); m.format = CHECKPOINT_FORMAT_1; delete m.manifestSha256; })));
    expect(v1.code).toBe('MOE0533');
  });

  it('still loads a format-1 checkpoint (no own hash, no graph hash)', () => {
    const dir = edited((m: any) => { m.format = CHECKPOINT_FORMAT_1; delete m.manifestSha256; delete m.graphSha256; });
    const c = loadCheckpoint(dir);
    expect(c.manifest.format).toBe(CHECKPOINT_FORMAT_1);
    checkGraphHash(c, 'anything', 'graph.json');
    expect(Array.from(c.tensors.get('param:a')!.data)).toEqual([1, 2, 3, 4]);
  });

  it('refuses NaN or infinite weights at load (a forged checksum) and at save', () => {
    const dir = fresh();
    const bin = readFileSync(join(dir, 'tensors.bin'));
    bin.writeFloatLE(Number.NaN, 4 * 5);
    writeFileSync(join(dir, 'tensors.bin'), bin);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    m.sha256 = sha256(bin);
    m.manifestSha256 = manifestHashFor(m);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const e = fault(() => loadCheckpoint(dir));
    expect(e.code).toBe('MOE0534');
    expect(e.message).toMatch(/parameter 'b' holds NaN at index 1/);
    const out = mkdtempSync(join(tmpdir(), 'moec-ckv-'));
    const bad = [{ ...tensors[0]!, data: Float32Array.from([1, Infinity, 3, 4]) }];
    const s = fault(() => saveCheckpoint(out, bad, state(2)));
    expect(s.code).toBe('MOE0535');
    expect(s.message).toMatch(/parameter 'a' holds Infinity at index 1/);
  });

  it('says what is wrong with the path: a file, tensors.bin a folder', () => {
    const base = mkdtempSync(join(tmpdir(), 'moec-ckv-'));
    writeFileSync(join(base, 'file'), 'x');
    expect(fault(() => resolveCheckpoint(join(base, 'file'))).code).toBe('MOE0530');
    expect(fault(() => loadCheckpoint(join(base, 'file'))).code).toBe('MOE0530');
    const dir = fresh();
    rmSync(join(dir, 'tensors.bin'));
    mkdirSync(join(dir, 'tensors.bin'));
    const e = fault(() => loadCheckpoint(dir));
    expect(e.code).toBe('MOE0530');
    expect(e.message).toMatch(/tensors\.bin: is a folder/);
  });

  it('refuses another model, a renamed or a reordered tensor, naming it', () => {
    const c = loadCheckpoint(fresh());
    const model = [{ name: 'a', shape: [2, 2] }, { name: 'b', shape: [4] }];
    checkMatches(c, 'param', model);
    expect(fault(() => checkMatches(c, 'param', [{ name: 'a', shape: [2, 2] }, { name: 'c', shape: [4] }])).message).toMatch(/no parameter 'c'/);
    expect(fault(() => checkMatches(c, 'param', [model[1]!, model[0]!])).message).toMatch(/parameter 'b' is tensor 1 of its group in the checkpoint but 0 in the model/);
    expect(fault(() => checkMatches(c, 'param', [{ name: 'a', shape: [4] }, model[1]!])).message).toMatch(/'a' has shape \[2, 2\] in the checkpoint but \[4\]/);
    const renamed = loadCheckpoint(edited((m: any) => void (m.tensors[1].name = 'bb'), true));
    const e = fault(() => checkMatches(renamed, 'param', model));
    expect(e.code).toBe('MOE0509');
    expect(e.message).toMatch(/no parameter 'b'/);
  });

  it('replaces a checkpoint of the same step atomically, leaving no temporary folder', () => {
    const path = fresh();
    const again = saveCheckpoint(join(path, '..'), tensors.map((t) => ({ ...t, data: t.data.map((v) => v + 1) })), state(2));
    expect(again).toBe(path);
    expect(Array.from(loadCheckpoint(path).tensors.get('param:a')!.data)).toEqual([2, 3, 4, 5]);
    expect(readdirSync(join(path, '..'))).toEqual(['step-00000002']);
  });
});
