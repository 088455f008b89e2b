// Where routing is read from: a run folder (its graph.json and latest checkpoint)
// or a spec plus a checkpoint. Bad folders are coded errors (MOE0701, MOE0706).
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { DataSpec } from '../../compiler/model.ts';
import { compile } from '../../compiler/compile.ts';
import { listCheckpoints, loadCheckpoint, resolveCheckpoint, type LoadedCheckpoint } from '../checkpoint/checkpoint.ts';
import { isRunFolder, readRunGraph } from '../train/run-folder.ts';
import { RuntimeFault } from '../train/fault.ts';

/** Whether `path` is a run folder (rather than a spec file). */
export function looksLikeRun(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** A run folder's graph; MOE0706 when `dir` is not one. */
export function runGraph(dir: string): Graph {
  if (!existsSync(dir)) throw new RuntimeFault('MOE0706', `${dir}: no such run folder`, 'give a run folder (runs/<train>-<time>/) or a .moe file with --checkpoint');
  if (!isRunFolder(dir) || !existsSync(join(dir, 'graph.json')))
    throw new RuntimeFault('MOE0706', `${dir}: not a run folder (no graph.json)`, 'give the folder `moec train` wrote (it prints "run folder: …")');
  return readRunGraph(dir)!.graph;
}

/** The checkpoint to analyse: a checkpoint folder, or a run folder's latest (MOE0701 when it has none yet). */
export function routingCheckpoint(path: string): LoadedCheckpoint {
  if (existsSync(path) && statSync(path).isDirectory() && !existsSync(join(path, 'manifest.json')) && isRunFolder(path) && listCheckpoints(join(path, 'checkpoints')).length === 0)
    throw new RuntimeFault('MOE0701', `${path}: the run folder holds no checkpoint yet`, 'train longer (a checkpoint is written at every eval and at the end), or give --checkpoint of another run');
  return loadCheckpoint(resolveCheckpoint(path));
}

/**
 * The data of a run's train block, from the run's copy of the spec. Relative data
 * paths resolve against the folder of the original spec (graph.meta.source) when it
 * still exists, as they did when training, else against the copy's folder.
 */
export function runData(runDir: string, graph: Graph, train?: string): { data: DataSpec; baseDir: string; seed: number } | { error: string } {
  const c = compile(join(runDir, 'spec.moe'), { cwd: runDir, ...(train !== undefined ? { train } : {}) });
  if (!c.ok || !c.train) return { error: `${join(runDir, 'spec.moe')}: ${c.diagnostics.find((d) => d.severity === 'error')?.message ?? 'does not check'}` };
  const spec = { train: c.train, baseDir: dirname(c.path) };
  const source = graph.meta.source;
  const baseDir = source && isAbsolute(source) && existsSync(source) ? dirname(source) : spec.baseDir;
  return { data: spec.train.data, baseDir, seed: spec.train.seed };
}
