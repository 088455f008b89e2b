// A trained run as an artefact: the run folder `moec train` writes (graph.json, the
// spec copies, checkpoints/step-N) opened for evaluation, prediction, export and
// reports, without the original spec file. Bad folders are coded RuntimeFaults.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { ResolvedTrain } from '../../compiler/model.ts';
import { compile } from '../../compiler/compile.ts';
import { RuntimeFault } from '../../diagnostics/fault.ts';
import { listCheckpoints } from '../checkpoint/checkpoint.ts';
import { readRunGraph } from '../train/run-folder.ts';

export interface RunFolder {
  /** The run folder (absolute). */
  readonly dir: string;
  /** The copy of the entry spec (`spec.moe`), when the run has one. */
  readonly spec?: string;
  /** The trained graph (graph.json, schema-checked, in the current format). */
  readonly graph: Graph;
  /** graph.json's text, as checkpoints' graphSha256 hashes it. */
  readonly graphText: string;
  /** Checkpoint folders, oldest first. */
  readonly checkpoints: readonly string[];
  /** The newest checkpoint folder, if any. */
  latest(): string | undefined;
}

const hint = 'give the folder `moec train` wrote (it prints "run folder: …")';

/** Opens a run folder; MOE0520 when `dir` is not one, MOE0545 when its graph.json is damaged. */
export function openRun(dir: string): RunFolder {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new RuntimeFault('MOE0520', `${dir}: no such run folder`, hint);
  if (!statSync(abs).isDirectory()) throw new RuntimeFault('MOE0520', `${dir}: is a file, not a run folder`, hint);
  const read = readRunGraph(abs);
  if (!read) throw new RuntimeFault('MOE0520', `${dir}: not a run folder (no graph.json)`, hint);
  const checkpoints = listCheckpoints(join(abs, 'checkpoints'));
  const spec = join(abs, 'spec.moe');
  return {
    dir: abs,
    ...(existsSync(spec) ? { spec } : {}),
    graph: read.graph,
    graphText: read.text,
    checkpoints,
    latest: () => checkpoints[checkpoints.length - 1],
  };
}

/**
 * The train block the run was trained with (data, loss, seed, batch as used: flags and
 * --set included), from the run's spec.resolved.moe, and the folder its relative data
 * paths are read from: the original spec's folder when it still exists, else the run's.
 */
export function runTrainSettings(run: RunFolder): { train: ResolvedTrain; baseDir: string } {
  const file = join(run.dir, 'spec.resolved.moe');
  if (!existsSync(file)) throw new RuntimeFault('MOE0521', `${file}: missing, so the run's data and loss are unknown`, 'give the spec too: moec eval SPEC --checkpoint RUN');
  const c = compile(file, { readFile: (p) => (p === file ? readFileSync(file, 'utf8') : undefined) });
  if (!c.ok || !c.train) {
    const first = c.diagnostics.find((d) => d.severity === 'error');
    throw new RuntimeFault('MOE0521', `${file}: does not check${first ? ` (${first.code}: ${first.message})` : ''}`, 'give the spec too: moec eval SPEC --checkpoint RUN');
  }
  const source = run.graph.meta.source;
  const baseDir = source && isAbsolute(source) && existsSync(source) ? dirname(source) : run.dir;
  return { train: c.train, baseDir };
}
