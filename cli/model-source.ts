// What `moec export`, and `--engine onnx` of predict/eval/bench, start from: a
// spec file (compiled with its overrides) or a run folder (its graph.json), and
// a checkpoint's weights checked against that graph.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Graph } from '../compiler/graph/ir.ts';
import type { ResolvedModel } from '../compiler/model.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { checkMatches, loadCheckpoint, resolveCheckpoint, type LoadedCheckpoint } from '../runtime/checkpoint/checkpoint.ts';
import { loadGraphFromFile } from '../runtime/executor/load.ts';
import { loadSpec } from '../runtime/train/session.ts';
import { runOfCheckpoint } from '../runtime/train/run-folder.ts';
import { UserError } from './context.ts';

export type Weights = Map<string, { shape: number[]; data: Float32Array }>;

export type ModelSource =
  | { readonly ok: true; readonly graph: Graph; readonly model?: ResolvedModel; readonly runDir?: string; readonly diagnostics: readonly Diagnostic[]; readonly sources: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly sources: ReadonlyMap<string, string> };

/** A .moe spec, or a run folder (its graph.json). */
export function openModelSource(path: string, options: { cwd: string; overrides?: readonly string[]; train?: string }): ModelSource {
  const full = resolve(options.cwd, path);
  if (!existsSync(full)) throw new UserError(`${path}: no such file or folder`, 'give a .moe spec or a run folder');
  if (statSync(full).isDirectory()) {
    const graphFile = join(full, 'graph.json');
    if (!existsSync(graphFile)) throw new UserError(`${path}: a folder without graph.json is not a run folder`, 'give a .moe spec, or the folder `moec train` wrote');
    return { ok: true, graph: loadGraphFromFile(graphFile), runDir: full, diagnostics: [], sources: new Map() };
  }
  const spec = loadSpec({ file: path, cwd: options.cwd, train: options.train, overrides: options.overrides, trainOptional: true });
  if (!spec.ok) return spec;
  return { ok: true, graph: spec.graph, model: spec.model, diagnostics: spec.diagnostics, sources: spec.sources };
}

/** The checkpoint at `path` (a checkpoint, or a run folder's latest) with its weights checked against `graph`. */
export function weightsFor(graph: Graph, path: string, cwd: string): { checkpoint: LoadedCheckpoint; weights: Weights; runDir?: string } {
  const checkpoint = loadCheckpoint(resolveCheckpoint(resolve(cwd, path)));
  // A spec/checkpoint mismatch names the tensor (MOE0509) before anything is exported.
  checkMatches(checkpoint, 'param', new Map(graph.params.map((p) => [p.name, p.shape])));
  const weights: Weights = new Map();
  for (const p of graph.params) {
    const t = checkpoint.tensors.get(`param:${p.name}`)!;
    weights.set(p.name, { shape: [...t.shape], data: t.data });
  }
  return { checkpoint, weights, runDir: runOfCheckpoint(checkpoint.dir) };
}
