// Checkpoints: one folder per save, `checkpoints/step-00001234/`, holding
//   tensors.bin   every tensor's float32 data, concatenated (little-endian)
//   manifest.json format, step, tensor table (name, group, shape, byte offset),
//                 the SHA-256 of tensors.bin, and the training state (optimiser
//                 count, data position, random streams, batch).
// A save writes a temporary folder and renames it into place, so a crash never
// leaves a half-written checkpoint under a real name. Loading verifies the
// checksum and refuses a tensor whose name or shape does not match.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RuntimeFault } from '../train/fault.ts';

export const CHECKPOINT_FORMAT = 'moec-checkpoint/1';

export interface TensorRecord {
  readonly name: string;
  /** `param` (model weights) or `optimizer` (slot tensors). */
  readonly group: 'param' | 'optimizer';
  readonly shape: readonly number[];
  readonly offset: number;
  readonly length: number;
}

export interface TrainingState {
  /** Updates completed. */
  readonly step: number;
  readonly epoch: number;
  /** Batches of the current epoch already consumed. */
  readonly batchInEpoch: number;
  readonly batch: number;
  readonly seed: number;
  readonly optimizer: { readonly kind: string; readonly count: number };
  /** Every random stream is stateless: a hash of (seed, stream, step or epoch). */
  readonly randomStreams: Readonly<Record<string, string>>;
  /** Total steps of the run that wrote it (for the schedule). */
  readonly totalSteps: number;
  readonly model: string;
  /** Class names of the training data, index = label (for predict). */
  readonly classes?: readonly string[];
}

export interface Manifest {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly sha256: string;
  readonly bytes: number;
  readonly tensors: readonly TensorRecord[];
  readonly state: TrainingState;
  readonly createdAt: string;
}

export interface NamedArray {
  readonly name: string;
  readonly group: 'param' | 'optimizer';
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

export function saveCheckpoint(dir: string, tensors: readonly NamedArray[], state: TrainingState): string {
  mkdirSync(dir, { recursive: true });
  const final = join(dir, checkpointName(state.step));
  const tmp = join(dir, `.tmp-${checkpointName(state.step)}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const total = tensors.reduce((a, t) => a + t.data.length * 4, 0);
  const buffer = Buffer.alloc(total);
  const records: TensorRecord[] = [];
  let offset = 0;
  for (const t of tensors) {
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    bytes.copy(buffer, offset);
    records.push({ name: t.name, group: t.group, shape: [...t.shape], offset, length: t.data.length });
    offset += bytes.length;
  }
  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    sha256: createHash('sha256').update(buffer).digest('hex'),
    bytes: total,
    tensors: records,
    state,
    createdAt: new Date().toISOString(),
  };
  writeFileSync(join(tmp, 'tensors.bin'), buffer);
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1));
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  return final;
}

export interface LoadedCheckpoint {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly tensors: ReadonlyMap<string, NamedArray>;
}

export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const manifestFile = join(dir, 'manifest.json');
  const dataFile = join(dir, 'tensors.bin');
  if (!existsSync(manifestFile) || !existsSync(dataFile))
    throw new RuntimeFault('MOE0510', `${dir}: not a checkpoint (manifest.json and tensors.bin expected)`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  } catch (e) {
    throw new RuntimeFault('MOE0508', `${manifestFile}: corrupt checkpoint manifest (${(e as Error).message})`);
  }
  if (manifest.format !== CHECKPOINT_FORMAT || !Array.isArray(manifest.tensors) || typeof manifest.sha256 !== 'string')
    throw new RuntimeFault('MOE0508', `${manifestFile}: not a ${CHECKPOINT_FORMAT} manifest`);
  const buffer = readFileSync(dataFile);
  if (buffer.length !== manifest.bytes)
    throw new RuntimeFault('MOE0508', `${dataFile}: ${buffer.length} bytes, the manifest says ${manifest.bytes} (truncated or corrupt checkpoint)`);
  const sha = createHash('sha256').update(buffer).digest('hex');
  if (sha !== manifest.sha256)
    throw new RuntimeFault('MOE0508', `${dataFile}: SHA-256 checksum mismatch (corrupt checkpoint)`, 'resume from an earlier checkpoint of the run');
  const aligned = new Float32Array(buffer.length / 4);
  new Uint8Array(aligned.buffer).set(buffer);
  const tensors = new Map<string, NamedArray>();
  for (const r of manifest.tensors) {
    const expected = r.shape.reduce((a: number, b: number) => a * b, 1);
    if (expected !== r.length || r.offset + r.length * 4 > buffer.length)
      throw new RuntimeFault('MOE0508', `${manifestFile}: tensor ${r.name} has an inconsistent size`);
    tensors.set(`${r.group}:${r.name}`, { name: r.name, group: r.group, shape: r.shape, data: aligned.subarray(r.offset / 4, r.offset / 4 + r.length) });
  }
  return { dir, manifest, tensors };
}

/** Checks that a checkpoint holds exactly the expected tensors of `group` with the expected shapes. */
export function checkMatches(ckpt: LoadedCheckpoint, group: 'param' | 'optimizer', expected: ReadonlyMap<string, readonly number[]>): void {
  for (const [name, shape] of expected) {
    const t = ckpt.tensors.get(`${group}:${name}`);
    if (!t)
      throw new RuntimeFault('MOE0509', `${ckpt.dir}: the checkpoint has no ${group === 'param' ? 'parameter' : 'optimiser tensor'} '${name}' that the model needs`, 'the checkpoint was written for a different model');
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new RuntimeFault('MOE0509', `${ckpt.dir}: tensor '${name}' has shape [${t.shape.join(', ')}] in the checkpoint but [${shape.join(', ')}] in the model`, 'the checkpoint was written for a different model');
  }
  for (const t of ckpt.tensors.values())
    if (t.group === group && !expected.has(t.name))
      throw new RuntimeFault('MOE0509', `${ckpt.dir}: the checkpoint holds tensor '${t.name}' that the model does not have`, 'the checkpoint was written for a different model');
}

/** Checkpoint folders under `dir`, oldest first. */
export function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^step-\d{8}$/.test(n) && statSync(join(dir, n)).isDirectory())
    .sort()
    .map((n) => join(dir, n));
}

export function stepOf(checkpointDir: string): number {
  return Number(basename(checkpointDir).slice(5));
}

/** Deletes checkpoints beyond the last `keepLast`, except those whose step is a multiple of `keepEvery`. */
export function pruneCheckpoints(dir: string, keepLast: number, keepEvery: number): void {
  const all = listCheckpoints(dir);
  const old = all.slice(0, Math.max(0, all.length - keepLast));
  for (const c of old) if (!(keepEvery > 0 && stepOf(c) % keepEvery === 0)) rmSync(c, { recursive: true, force: true });
}

/** A checkpoint folder, or the latest checkpoint of a run folder (or of its checkpoints/ folder). */
export function resolveCheckpoint(path: string): string {
  if (existsSync(join(path, 'manifest.json'))) return path;
  for (const d of [join(path, 'checkpoints'), path]) {
    const list = listCheckpoints(d);
    if (list.length > 0) return list[list.length - 1]!;
  }
  throw new RuntimeFault('MOE0510', `${path}: no checkpoint found (expected a step-NNNNNNNN folder or a run folder with checkpoints/)`);
}
