// How much backend memory a model needs, from its graph alone: the weights, plus
// every node's output per image (a forward pass keeps its intermediates until it
// ends), twice that for a training step (the backward pass), plus the optimiser's
// slots. Used to size evaluation micro-batches and to refuse, before training, a
// model that cannot fit (wasm has a 4 GiB address space; exceeding it ends in
// "memory access out of bounds", never a clean error).
import * as tf from '@tensorflow/tfjs';
import type { Graph } from '../../compiler/graph/ir.ts';
import { isSymbolic, sizePerExample } from '../../compiler/graph/dims.ts';
import { RuntimeFault } from './fault.ts';

const GiB = 2 ** 30;

export interface MemoryEstimate {
  /** Bytes of all parameters. */
  readonly weights: number;
  /** Bytes of trainable parameters (each has a gradient and up to two optimiser slots in training). */
  readonly trainable: number;
  /** Bytes of node outputs per image. */
  readonly perImage: number;
  /** Bytes of node outputs that do not grow with the batch. */
  readonly fixed: number;
}

export function estimateMemory(graph: Graph): MemoryEstimate {
  let perImage = 0;
  let fixed = 0;
  for (const n of graph.nodes) {
    const bytes = sizePerExample(n.shape) * 4;
    if (n.shape.some(isSymbolic)) perImage += bytes;
    else fixed += bytes;
  }
  const size = (p: Graph['params'][number]) => p.shape.reduce((a, b) => a * b, 1) * 4;
  const weights = graph.params.reduce((a, p) => a + size(p), 0);
  const trainable = graph.params.filter((p) => p.trainable).reduce((a, p) => a + size(p), 0);
  return { weights, trainable, perImage, fixed };
}

export function evaluationBytes(e: MemoryEstimate, batch: number): number {
  return e.weights + e.fixed + batch * e.perImage;
}

export function trainingBytes(e: MemoryEstimate, batch: number): number {
  // weights + gradients + two Adam slots; activations kept for the backward pass and their gradients.
  return e.weights + 3 * e.trainable + e.fixed + 2 * batch * e.perImage;
}

/** What a backend can hold: `limit` is a hard ceiling (training past it is refused), `target` what evaluation aims for. */
export function memoryLimits(backend: string): { limit: number; target: number } {
  if (backend === 'wasm') return { limit: 3 * GiB, target: 1 * GiB };
  if (backend === 'webgpu') return { limit: Infinity, target: 1 * GiB };
  return { limit: Infinity, target: 2 * GiB };
}

/** The evaluation micro-batch: `preferred` (default 250) or fewer images, so that one micro-batch fits the backend's target. */
export function evaluationBatch(graph: Graph, backend: string, preferred = 250): number {
  const e = estimateMemory(graph);
  const room = memoryLimits(backend).target - e.weights - e.fixed;
  return Math.max(1, Math.min(preferred, Math.floor(room / Math.max(1, e.perImage))));
}

function human(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** Refuses (MOE0546, with the estimate) a training step that cannot fit the backend. */
export function checkTrainingFits(graph: Graph, batch: number, backend: string = tf.getBackend()): void {
  const e = estimateMemory(graph);
  const need = trainingBytes(e, batch);
  const { limit } = memoryLimits(backend);
  if (need <= limit) return;
  const fits = Math.floor((limit - e.weights - 3 * e.trainable - e.fixed) / (2 * e.perImage));
  throw new RuntimeFault(
    'MOE0546',
    `a training step of ${batch} images needs about ${human(need)} on ${backend} (weights and optimiser ${human(e.weights + 3 * e.trainable)}, ${human(2 * e.perImage)} per image), more than its ${human(limit)}`,
    fits >= 1 ? `lower batch to ${fits} or less, or use --backend cpu` : 'the weights alone do not fit: use fewer or smaller experts, or --backend cpu',
  );
}
