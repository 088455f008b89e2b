// The weights `--engine onnx` exports: a moec checkpoint's parameters, checked
// against the graph first (a spec/checkpoint mismatch names the tensor).
import { resolve } from 'node:path';
import type { Graph } from '../compiler/graph/ir.ts';
import { checkMatches, loadCheckpoint, resolveCheckpoint, type LoadedCheckpoint } from '../runtime/checkpoint/checkpoint.ts';
import { runOfCheckpoint } from '../runtime/train/run-folder.ts';

export type Weights = Map<string, { shape: number[]; data: Float32Array }>;

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
