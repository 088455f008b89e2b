// What moec hands the PyTorch side for one case, in one folder: the op graph
// (graph.json, `moec-graph/2`, exactly what moec's worker runs), moec's initial
// parameters (params.npz: every variable by its parameter name, float32, written
// by the moec worker from the model it created with the case's seed) and the batch
// (batch.npz: `images` [B,H,W,C] and `labels` [B] as float32, .npz holding only
// float32 here). Both sides read the same files, so they start from the same
// weights and see the same tensors. Also the bookkeeping that checks both sides
// built the same model: parameter counts, losses and logits within stated tolerances.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { NpyArray } from '../../export/npz/npy.ts';

export const HANDOFF_FILES = { graph: 'graph.json', params: 'params.npz', batch: 'batch.npz' } as const;

/** The two arrays of batch.npz. */
export function batchArrays(imageShape: readonly number[], images: Float32Array, labels: Int32Array): [string, NpyArray][] {
  if (images.length !== imageShape.reduce((a, b) => a * b, 1)) throw new Error(`batch images: ${images.length} values for shape [${imageShape}]`);
  if (labels.length !== imageShape[0]) throw new Error(`batch labels: ${labels.length} labels for a batch of ${imageShape[0]}`);
  return [
    ['images', { shape: [...imageShape], data: images }],
    ['labels', { shape: [labels.length], data: Float32Array.from(labels) }],
  ];
}

/** Writes the case's graph into its hand-off folder (created if needed); returns the folder. */
export function writeHandoffGraph(dir: string, graph: Graph): string {
  mkdirSync(dir, { recursive: true });
  // Provenance (meta.resolved) is not part of the model; leaving it out keeps the file small.
  const { resolved: _resolved, ...meta } = graph.meta;
  writeFileSync(join(dir, HANDOFF_FILES.graph), JSON.stringify({ ...graph, meta }));
  return dir;
}

/** What a worker says about the model it loaded. */
export interface LoadedModelReport {
  /** Trainable parameter elements. */
  readonly params: number;
  /** All parameter elements (fixed tables such as sincos position embeddings included). */
  readonly allParams: number;
  /** Parameter tensors. */
  readonly tensors: number;
}

/** Parameter counts of the graph and of both sides; `equal` only when all three agree on every count. */
export function compareParameterCounts(graph: Graph, moec: LoadedModelReport, torch: LoadedModelReport): { equal: boolean; text: string } {
  const trainable = graph.params.filter((p) => p.trainable).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
  const all = graph.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
  const equal =
    moec.params === trainable && torch.params === trainable && moec.allParams === all && torch.allParams === all && moec.tensors === graph.params.length && torch.tensors === graph.params.length;
  const text = equal
    ? `${trainable.toLocaleString('en-US')} trainable parameters (${graph.params.length} tensors) on both sides`
    : `parameter counts differ: graph ${trainable}/${all} in ${graph.params.length} tensors, moec ${moec.params}/${moec.allParams} in ${moec.tensors}, torch ${torch.params}/${torch.allParams} in ${torch.tensors} (trainable/all)`;
  return { equal, text };
}

/**
 * Losses agree when |a − b| ≤ tolerance·max(1, |a|) for every step. The default,
 * 1e-5, is "6 significant digits" for losses around 1–10: float32 products and
 * sums in a different order (tfjs/XNNPACK vs PyTorch/oneDNN) move the loss in the
 * 7th digit, and the two optimisers' updates are the same formula.
 */
export const LOSS_TOLERANCE = 1e-5;

/** Logits agree when max |a − b| ≤ tolerance·max(1, max |a|). */
export const LOGIT_TOLERANCE = 1e-4;

export interface Agreement {
  readonly equal: boolean;
  /** Largest |a − b| / max(1, |a|) seen. */
  readonly worst: number;
}

export function compareLosses(moec: readonly number[], torch: readonly number[], tolerance = LOSS_TOLERANCE): Agreement {
  if (moec.length !== torch.length || moec.length === 0) return { equal: false, worst: Number.POSITIVE_INFINITY };
  let worst = 0;
  for (let i = 0; i < moec.length; i++) {
    const a = moec[i]!;
    const b = torch[i]!;
    const d = Math.abs(a - b) / Math.max(1, Math.abs(a));
    worst = Math.max(worst, Number.isFinite(d) ? d : Number.POSITIVE_INFINITY);
  }
  return { equal: worst <= tolerance, worst };
}

export function compareLogits(moec: readonly number[], torch: readonly number[], tolerance = LOGIT_TOLERANCE): Agreement {
  if (moec.length !== torch.length || moec.length === 0) return { equal: false, worst: Number.POSITIVE_INFINITY };
  let scale = 1;
  let diff = 0;
  for (let i = 0; i < moec.length; i++) {
    scale = Math.max(scale, Math.abs(moec[i]!));
    const d = Math.abs(moec[i]! - torch[i]!);
    diff = Math.max(diff, Number.isFinite(d) ? d : Number.POSITIVE_INFINITY);
  }
  const worst = diff / scale;
  return { equal: worst <= tolerance, worst };
}

/** Random ops active in training (dropout, noise): PyTorch draws its own numbers there, so losses cannot agree. */
export function activeRandomOps(graph: Graph): string[] {
  return graph.nodes.filter((n) => (n.op === 'dropout' && Number(n.attrs.rate) > 0) || (n.op === 'add_noise' && Number(n.attrs.std) > 0)).map((n) => n.id);
}
