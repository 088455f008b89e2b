// The run folder: runs/<train>-<YYYYmmdd-HHMMSS>/ (or --out) with the spec and
// every file it imports, the resolved spec, the graph, metrics.jsonl,
// checkpoints/, plots/ and summary.json (docs/training.md, "The run folder").
//
// It is used as a transaction: everything is validated before the first write,
// one training holds it at a time (run-lock.ts), and every file is replaced
// atomically (temp + fsync + rename + fsync of the folder), so a kill or a full
// disk leaves the previous version of each file, never half of one.
import { readdirSync, readFileSync, rmSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { ResolvedModel, ResolvedTrain } from '../../compiler/model.ts';
import { printResolvedSpec } from '../../compiler/index.ts';
import { checkGraph, validateGraph } from '../../compiler/graph/schema.ts';
import { GRAPH_FORMAT_V1 } from '../../compiler/graph/upgrade.ts';
import { PRESETS_FILE } from '../../compiler/program.ts';
import { checkGraphHash, listCheckpoints, removeInterruptedSaves, type LoadedCheckpoint } from '../checkpoint/checkpoint.ts';
import { canonicalJson, sha256 } from '../checkpoint/manifest.ts';
import { guarded, makeDir, writeAtomic } from '../io/atomic.ts';
import { RuntimeFault } from './fault.ts';
import { readMetricsFile, truncateMetrics } from './metrics-log.ts';
import { acquireRunLock, checkNotLocked, LOCK_FILE, type RunLock } from './run-lock.ts';
import { checkResumable, type MetricsRecord } from './trainer.ts';

export function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw new RuntimeFault('MOE0540', `${path}: a part of the path is a file, not a folder`, 'choose another --out folder');
    throw e;
  }
}

/** Picks a new folder name under `runsRoot` (created later, by `claimRun`). */
export function newRunDir(runsRoot: string, name: string): string {
  let dir = join(runsRoot, `${name}-${timestamp()}`);
  for (let k = 2; statOrUndefined(dir); k++) dir = join(runsRoot, `${name}-${timestamp()}-${k}`);
  return dir;
}

/** The most recent run folder of `name` under `runsRoot` that holds a checkpoint. */
export function latestRun(runsRoot: string, name: string): string | undefined {
  if (!statOrUndefined(runsRoot)?.isDirectory()) return undefined;
  const runs = readdirSync(runsRoot)
    .filter((n) => n.startsWith(`${name}-`) && statOrUndefined(join(runsRoot, n))?.isDirectory())
    .map((n) => join(runsRoot, n))
    .filter((d) => listCheckpoints(join(d, 'checkpoints')).length > 0)
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs || a.localeCompare(b));
  return runs[runs.length - 1];
}

/** What a run folder holds (besides files a user put there): what `--force` removes. */
const RUN_ENTRIES = ['spec.moe', 'spec', 'spec.resolved.moe', 'graph.json', 'overrides.txt', 'settings.json', 'metrics.jsonl', 'checkpoints', 'plots', 'summary.json'];

export function isRunFolder(dir: string): boolean {
  return ['graph.json', 'metrics.jsonl', 'checkpoints', 'summary.json'].some((n) => statOrUndefined(join(dir, n)) !== undefined);
}

/** The run folder a checkpoint belongs to (`RUN/checkpoints/step-N` → RUN), if it is in one. */
export function runOfCheckpoint(checkpointDir: string): string | undefined {
  const parent = dirname(checkpointDir);
  return basename(parent) === 'checkpoints' ? dirname(parent) : undefined;
}

/** A fresh run may go into `dir`: it does not exist, is empty, or --force was given. Writes nothing. */
export function checkFreshRunTarget(dir: string, force: boolean): void {
  const s = statOrUndefined(dir);
  if (!s) return;
  if (!s.isDirectory()) throw new RuntimeFault('MOE0540', `--out ${dir}: is a file, not a folder`, 'choose another --out folder');
  checkNotLocked(dir);
  if (force) return;
  const entries = guarded(dir, 'read', () => readdirSync(dir)).filter((n) => n !== LOCK_FILE && !n.startsWith('.tmp-'));
  if (isRunFolder(dir))
    throw new RuntimeFault('MOE0538', `--out ${dir}: is already a run folder (${listCheckpoints(join(dir, 'checkpoints')).length} checkpoints)`, `continue it with --resume ${dir}, or start over with --force (deletes its checkpoints and metrics)`);
  if (entries.length > 0) throw new RuntimeFault('MOE0538', `--out ${dir}: the folder is not empty and is not a run folder`, 'choose a new or empty folder, or give --force to write into it anyway');
}

/** The graph as the text written to graph.json, schema-checked first (an invalid graph is a bug in moec). */
export function graphText(graph: Graph): { text: string; sha256: string } {
  const errors = validateGraph(graph).filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`internal: the graph to be written is not schema-valid: ${errors[0]!.message}`);
  const text = JSON.stringify(graph);
  return { text, sha256: sha256(text) };
}

/** The run folder's graph.json, validated and in the current format (for a resume); `upgraded` for a moec-graph/1 file. */
export function readRunGraph(runDir: string): { graph: Graph; text: string; upgraded: boolean } | undefined {
  const file = join(runDir, 'graph.json');
  const s = statOrUndefined(file);
  if (!s) return undefined;
  if (!s.isFile()) throw new RuntimeFault('MOE0545', `${file}: is not a file`);
  const text = guarded(file, 'read', () => readFileSync(file, 'utf8'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RuntimeFault('MOE0545', `${file}: not valid JSON (${(e as Error).message})`, 'the run folder was damaged; start a new run');
  }
  const checked = checkGraph(json, text, 'json', file);
  const error = checked.diagnostics.find((d) => d.severity === 'error');
  if (error || !checked.graph) throw new RuntimeFault('MOE0545', `${file}: ${error?.message ?? 'not a graph'}`, 'the run folder was damaged; start a new run');
  return { graph: checked.graph, text, upgraded: (json as { format?: unknown }).format === GRAPH_FORMAT_V1 };
}

/** The first JSON path where two values differ (iterative: graphs can be deep and large). */
export function firstDifference(a: unknown, b: unknown): string | undefined {
  const stack: [unknown, unknown, string][] = [[a, b, '']];
  while (stack.length > 0) {
    const [x, y, path] = stack.pop()!;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || Array.isArray(x) !== Array.isArray(y)) return path || '(root)';
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].reverse();
    for (const k of keys) stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], Array.isArray(x) ? `${path}[${k}]` : path ? `${path}.${k}` : k]);
  }
  return undefined;
}

/** The graph without where it came from (a spec moved or resumed from elsewhere is the same model). */
function structure(graph: Graph): unknown {
  const { source: _s, compiler: _c, ...meta } = graph.meta;
  return { ...graph, meta };
}

/** A resume continues the run's own model: the spec's graph must equal the run's graph.json (but for its source path). */
export function checkSameGraph(runDir: string, runGraph: Graph, graph: Graph): void {
  const a = structure(runGraph);
  const b = structure(graph);
  if (canonicalJson(a) === canonicalJson(b)) return;
  throw new RuntimeFault(
    'MOE0544',
    `${join(runDir, 'graph.json')}: the spec's model differs from the run's (first difference at ${firstDifference(a, b)})`,
    `resume with the run's own spec (${join(runDir, 'spec.moe')}), or start a new run with --out`,
  );
}

export interface RunFiles {
  readonly specPath: string;
  /** Every spec file read (entry and imports), by path: all are copied. */
  readonly sources?: ReadonlyMap<string, string>;
  readonly model: ResolvedModel;
  readonly train: ResolvedTrain;
  readonly graph: Graph;
  readonly overrides: readonly string[];
  readonly settings: Record<string, unknown>;
}

/**
 * Where the spec files go: `spec.moe` is the entry; when it imports others, `spec/`
 * holds the entry and every import at their paths relative to the folder that
 * contains them all, so `moec check RUN/spec/<entry>` reads the same files.
 */
export function specCopies(specPath: string, sources: ReadonlyMap<string, string> | undefined): { path: string; text: string }[] {
  const entry = resolve(specPath);
  const files = new Map<string, string>();
  // The standard presets are part of moec, not of the user's spec.
  for (const [p, text] of sources ?? []) if (p !== PRESETS_FILE) files.set(resolve(p), text);
  const entryText = files.get(entry) ?? guarded(entry, 'read', () => readFileSync(entry, 'utf8'));
  const out = [{ path: 'spec.moe', text: entryText }];
  files.delete(entry);
  if (files.size === 0) return out;
  const all = [entry, ...files.keys()];
  let root = dirname(entry);
  while (!all.every((p) => p.startsWith(root.endsWith(sep) ? root : root + sep))) root = dirname(root);
  out.push({ path: join('spec', relative(root, entry)), text: entryText });
  for (const [p, text] of files) out.push({ path: join('spec', relative(root, p)), text });
  return out;
}

/** Creates the folder (and its parents) and takes its lock. Throws coded errors for a file in the way, read-only, locked. */
export function claimRun(dir: string): RunLock {
  makeDir(dir);
  const lock = acquireRunLock(dir);
  try {
    removeInterruptedSaves(join(dir, 'checkpoints'));
    for (const n of guarded(dir, 'read', () => readdirSync(dir))) if (n.startsWith('.tmp-')) rmSync(join(dir, n), { force: true });
  } catch (e) {
    lock.release();
    throw e;
  }
  return lock;
}

/** `--force`: removes what an earlier run left (only run-folder entries; other files stay). Call holding the lock. */
export function clearRun(dir: string): void {
  for (const n of RUN_ENTRIES) guarded(join(dir, n), 'delete', () => rmSync(join(dir, n), { recursive: true, force: true }));
}

/** Writes the run's description files, each atomically. Returns graph.json's SHA-256. */
export function writeRunFiles(dir: string, f: RunFiles, options: { specs?: boolean } = {}): string {
  const graph = graphText(f.graph);
  if (options.specs !== false)
    for (const c of specCopies(f.specPath, f.sources)) {
      makeDir(dirname(join(dir, c.path)));
      writeAtomic(join(dir, c.path), c.text);
    }
  writeAtomic(join(dir, 'spec.resolved.moe'), printResolvedSpec(f.model, f.train));
  writeAtomic(join(dir, 'graph.json'), graph.text);
  if (f.overrides.length > 0) writeAtomic(join(dir, 'overrides.txt'), f.overrides.join('\n') + '\n');
  writeAtomic(join(dir, 'settings.json'), JSON.stringify(f.settings, null, 2) + '\n');
  return graph.sha256;
}

export function readMetrics(dir: string): MetricsRecord[] {
  return readMetricsFile<MetricsRecord>(join(dir, 'metrics.jsonl'));
}

export { LOCK_FILE };

export interface TrainingRunPlan {
  /** The run folder to write. */
  readonly dir: string;
  /** `--force`: a fresh run may replace an earlier run in `dir`. */
  readonly force: boolean;
  /** The checkpoint to continue from (already loaded and verified). */
  readonly resume?: LoadedCheckpoint;
  readonly files: RunFiles;
}

export interface OpenedRun {
  readonly dir: string;
  /** SHA-256 of the folder's graph.json (for every checkpoint's manifest). */
  readonly graphSha256: string;
  /** True when the run continues in the checkpoint's own folder. */
  readonly inPlace: boolean;
  readonly lock: RunLock;
}

/**
 * Opens a run folder for training as a transaction: first every check (the target,
 * the checkpoint against the model and the run's graph.json), then the lock, then the
 * writes (each atomic). A refusal leaves the folder exactly as it was.
 */
export function openTrainingRun(plan: TrainingRunPlan): OpenedRun {
  const { dir, resume, files } = plan;
  const inPlace = resume !== undefined && runOfCheckpoint(resume.dir) !== undefined && resolve(runOfCheckpoint(resume.dir)!) === resolve(dir);
  let runGraph: ReturnType<typeof readRunGraph>;
  if (resume) checkResumable(resume, files.graph, files.train.optimizer);
  if (inPlace) {
    checkNotLocked(dir);
    runGraph = readRunGraph(dir);
    if (runGraph) {
      checkGraphHash(resume!, runGraph.text, join(dir, 'graph.json'));
      // A run of an older moec (moec-graph/1) is compared by its tensors only (checkResumable).
      if (!runGraph.upgraded) checkSameGraph(dir, runGraph.graph, files.graph);
    }
  } else checkFreshRunTarget(dir, plan.force);
  graphText(files.graph);

  const lock = claimRun(dir);
  try {
    const metricsFile = join(dir, 'metrics.jsonl');
    if (inPlace) {
      truncateMetrics(metricsFile, resume!.manifest.state.step);
      const sha = runGraph ? sha256(runGraph.text) : writeRunFiles(dir, files);
      recordResume(dir, { from: resume!.dir, step: resume!.manifest.state.step, settings: files.settings });
      return { dir, graphSha256: sha, inPlace, lock };
    }
    // Between the check and the lock another training may have filled the folder.
    checkFreshRunTarget(dir, plan.force);
    if (plan.force) clearRun(dir);
    const sha = writeRunFiles(dir, files);
    writeAtomic(metricsFile, '');
    return { dir, graphSha256: sha, inPlace, lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Adds a resume to settings.json (the first run's settings stay as they were). */
function recordResume(dir: string, entry: { from: string; step: number; settings: Record<string, unknown> }): void {
  const file = join(dir, 'settings.json');
  let settings: Record<string, unknown> = {};
  try {
    settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    settings = {};
  }
  const resumes = Array.isArray(settings.resumes) ? settings.resumes : [];
  writeAtomic(file, JSON.stringify({ ...settings, resumes: [...resumes, { at: new Date().toISOString(), fromCheckpoint: entry.from, step: entry.step, ...entry.settings }] }, null, 2) + '\n');
}
