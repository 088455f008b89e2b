// Checkpoints: one folder per save, `checkpoints/step-00001234/`, holding
//   tensors.bin   every tensor's float32 data, concatenated (little-endian)
//   manifest.json format, tensor table (name, group, shape, byte offset, length),
//                 the SHA-256 of tensors.bin, of graph.json and of the manifest
//                 itself, and the training state (step, data position, optimiser
//                 count, batch, seed, classes).
// A save writes a temporary folder (files fsynced), renames it into place and
// fsyncs the parent, so a crash never leaves a half-written checkpoint under a
// real name. A load verifies everything before returning a single weight: the
// folder and files are what they should be, the manifest passes its schema and
// its own hash, the table tiles tensors.bin exactly, the state is consistent,
// tensors.bin's size and SHA-256 match, and every value is finite.
import { readFileSync, readdirSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { RuntimeFault } from '../train/fault.ts';
import { fsFault, fsyncDir, guarded, makeDir, writeDurable } from '../io/atomic.ts';
import { checkFinite, checkFits, checkLayout, checkState, type ExpectedTensor } from './layout.ts';
import { CHECKPOINT_FORMAT, manifestHash, sha256, validateManifest, type Manifest, type TensorRecord, type TrainingState } from './manifest.ts';

export { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_1, MANIFEST_SCHEMA, type Manifest, type TensorRecord, type TrainingState } from './manifest.ts';
export type { ExpectedTensor } from './layout.ts';

export interface NamedArray {
  readonly name: string;
  readonly group: 'param' | 'optimizer';
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface SaveOptions {
  /** SHA-256 of the run's graph.json (null when there is none). */
  readonly graphSha256?: string | null;
}

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/** Temporary folders of interrupted saves (safe to delete while holding the run's lock). */
export const TEMP_PREFIX = '.tmp-step-';

export function saveCheckpoint(dir: string, tensors: readonly NamedArray[], state: TrainingState, options: SaveOptions = {}): string {
  const final = join(dir, checkpointName(state.step));
  checkFinite(tensors, final, 'MOE0535');
  makeDir(dir);
  const tmp = join(dir, `${TEMP_PREFIX}${String(state.step).padStart(8, '0')}-${process.pid}`);
  const old = join(dir, `.old-${checkpointName(state.step)}-${process.pid}`);
  const total = tensors.reduce((a, t) => a + t.data.length * 4, 0);
  const buffer = Buffer.alloc(total);
  const records: TensorRecord[] = [];
  let offset = 0;
  for (const t of tensors) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(buffer, offset);
    records.push({ name: t.name, group: t.group, shape: [...t.shape], offset, length: t.data.length });
    offset += t.data.byteLength;
  }
  const body: Omit<Manifest, 'manifestSha256'> = {
    format: CHECKPOINT_FORMAT,
    sha256: sha256(buffer),
    bytes: total,
    graphSha256: options.graphSha256 ?? null,
    tensors: records,
    state,
    createdAt: new Date().toISOString(),
  };
  const manifest: Manifest = { ...body, manifestSha256: manifestHash(body) };
  try {
    rmSync(tmp, { recursive: true, force: true });
    makeDir(tmp);
    writeDurable(join(tmp, 'tensors.bin'), buffer);
    writeDurable(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1));
    fsyncDir(tmp);
    // Replacing a checkpoint of the same step (a stop right after a resume): move the old one aside first.
    let replaced = false;
    try {
      renameSync(final, old);
      replaced = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    renameSync(tmp, final);
    fsyncDir(dir);
    if (replaced) rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw fsFault(e, final, 'save the checkpoint');
  }
  return final;
}

export interface LoadedCheckpoint {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly tensors: ReadonlyMap<string, NamedArray>;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw fsFault(e, path, 'read');
  }
}

/** Reads, parses and verifies a manifest (schema, own hash, layout, state) without reading tensors.bin. */
export function readManifest(dir: string): Manifest {
  const d = statOrUndefined(dir);
  if (!d) throw new RuntimeFault('MOE0510', `${dir}: no such checkpoint folder`);
  if (!d.isDirectory()) throw new RuntimeFault('MOE0530', `${dir}: is a file, not a checkpoint folder (a checkpoint is a folder holding manifest.json and tensors.bin)`, 'give a checkpoint folder (checkpoints/step-NNNNNNNN) or a run folder');
  const manifestFile = join(dir, 'manifest.json');
  const dataFile = join(dir, 'tensors.bin');
  const m = statOrUndefined(manifestFile);
  const b = statOrUndefined(dataFile);
  if (!m || !b) throw new RuntimeFault('MOE0510', `${dir}: not a checkpoint (manifest.json and tensors.bin expected)`);
  for (const [file, s] of [[manifestFile, m], [dataFile, b]] as const)
    if (!s.isFile()) throw new RuntimeFault('MOE0530', `${file}: is ${s.isDirectory() ? 'a folder' : 'not a regular file'}, expected a file`, 'the checkpoint folder was damaged; use another checkpoint of the run');
  let json: unknown;
  try {
    json = JSON.parse(guarded(manifestFile, 'read', () => readFileSync(manifestFile, 'utf8')));
  } catch (e) {
    if (e instanceof RuntimeFault) throw e;
    throw new RuntimeFault('MOE0508', `${manifestFile}: corrupt checkpoint manifest (${(e as Error).message})`);
  }
  const manifest = validateManifest(json, manifestFile);
  if (manifest.format === CHECKPOINT_FORMAT && manifestHash(manifest) !== manifest.manifestSha256)
    throw new RuntimeFault('MOE0532', `${manifestFile}: the manifest's SHA-256 does not match its content (the manifest was edited or damaged)`, 'use another checkpoint of the run');
  checkLayout(manifest, manifestFile);
  checkState(manifest, dir, manifestFile);
  return manifest;
}

export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const manifest = readManifest(dir);
  const dataFile = join(dir, 'tensors.bin');
  const buffer = guarded(dataFile, 'read', () => readFileSync(dataFile));
  if (buffer.length !== manifest.bytes)
    throw new RuntimeFault('MOE0508', `${dataFile}: ${buffer.length} bytes, the manifest says ${manifest.bytes} (truncated or corrupt checkpoint)`);
  if (sha256(buffer) !== manifest.sha256)
    throw new RuntimeFault('MOE0508', `${dataFile}: SHA-256 checksum mismatch (corrupt checkpoint)`, 'resume from an earlier checkpoint of the run');
  const aligned = new Float32Array(buffer.length / 4);
  new Uint8Array(aligned.buffer).set(buffer);
  const tensors = new Map<string, NamedArray>();
  for (const r of manifest.tensors)
    tensors.set(`${r.group}:${r.name}`, { name: r.name, group: r.group, shape: r.shape, data: aligned.subarray(r.offset / 4, r.offset / 4 + r.length) });
  checkFinite(tensors.values(), dir, 'MOE0534');
  return { dir, manifest, tensors };
}

/** The own hash a manifest must carry (for tools that rewrite manifests on purpose, and tests). */
export function manifestHashFor(m: Manifest): string {
  return manifestHash(m);
}

/** Checks that a checkpoint holds exactly the expected tensors of `group` (names, order, shapes). */
export function checkMatches(ckpt: LoadedCheckpoint, group: 'param' | 'optimizer', expected: ReadonlyMap<string, readonly number[]> | readonly ExpectedTensor[]): void {
  const list = Array.isArray(expected) ? (expected as readonly ExpectedTensor[]) : [...(expected as ReadonlyMap<string, readonly number[]>)].map(([name, shape]) => ({ name, shape }));
  checkFits(ckpt.manifest, ckpt.dir, group, list);
}

/** The checkpoint was written against this graph.json (format 1 and checkpoints outside a run record none). */
export function checkGraphHash(ckpt: { dir: string; manifest: Manifest }, graphJsonText: string, graphFile: string): void {
  const recorded = ckpt.manifest.graphSha256;
  if (recorded && recorded !== sha256(graphJsonText))
    throw new RuntimeFault('MOE0537', `${ckpt.dir}: the checkpoint was written for another graph than ${graphFile} (graphSha256 differs)`, 'the run folder was edited, or the checkpoint was copied from another run');
}

/** Checkpoint folders under `dir`, oldest first. */
export function listCheckpoints(dir: string): string[] {
  const d = statOrUndefined(dir);
  if (!d?.isDirectory()) return [];
  return guarded(dir, 'list', () => readdirSync(dir))
    .filter((n) => /^step-\d{8}$/.test(n) && statOrUndefined(join(dir, n))?.isDirectory())
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
  for (const c of old) if (!(keepEvery > 0 && stepOf(c) % keepEvery === 0)) guarded(c, 'delete', () => rmSync(c, { recursive: true, force: true }));
}

/** Removes what interrupted saves left (`.tmp-step-…`, `.old-step-…`); call only while holding the run's lock. */
export function removeInterruptedSaves(dir: string): void {
  if (!statOrUndefined(dir)?.isDirectory()) return;
  for (const n of readdirSync(dir)) if (n.startsWith(TEMP_PREFIX) || n.startsWith('.old-step-')) rmSync(join(dir, n), { recursive: true, force: true });
}

/** A checkpoint folder, or the latest checkpoint of a run folder (or of its checkpoints/ folder). */
export function resolveCheckpoint(path: string): string {
  const s = statOrUndefined(path);
  if (!s) throw new RuntimeFault('MOE0510', `${path}: no checkpoint found (no such folder)`);
  if (!s.isDirectory()) throw new RuntimeFault('MOE0530', `${path}: is a file, not a checkpoint or run folder`, 'give a checkpoint folder (checkpoints/step-NNNNNNNN) or a run folder');
  if (statOrUndefined(join(path, 'manifest.json'))) return path;
  for (const d of [join(path, 'checkpoints'), path]) {
    const list = listCheckpoints(d);
    if (list.length > 0) return list[list.length - 1]!;
  }
  throw new RuntimeFault('MOE0510', `${path}: no checkpoint found (expected a step-NNNNNNNN folder or a run folder with checkpoints/)`);
}
