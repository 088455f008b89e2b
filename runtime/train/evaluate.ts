// Evaluation and prediction in micro-batches (no gradients, training mode off).
import * as tf from '@tensorflow/tfjs';
import type { GraphModel } from '../api.ts';
import type { Split } from '../data/dataset.ts';
import { classificationLoss, correctCount, type LossKind } from './loss.ts';
import { StatsAccumulator } from './router-stats.ts';
import { batchMultipleOf } from '../../compiler/graph/dims.ts';
import { evaluationBatch } from './memory.ts';

export interface EvalResult {
  readonly loss: number;
  readonly auxLoss: number;
  readonly accuracy: number;
  readonly count: number;
  readonly router: Record<string, number | number[]>;
}

export const DEFAULT_EVAL_BATCH = 250;

/**
 * `n` images from `images` (at image `start`) as a batch the model can run: when its
 * routing groups span several images the batch must be a multiple of them, so the
 * images are repeated cyclically up to the next multiple (only the first `n` rows count).
 */
export function paddedBatch(images: Float32Array, start: number, n: number, shape: readonly [number, number, number], multiple: number): tf.Tensor4D {
  const pixels = shape[0] * shape[1] * shape[2];
  const padded = Math.ceil(n / multiple) * multiple;
  const own = images.subarray(start * pixels, (start + n) * pixels);
  if (padded === n) return tf.tensor4d(own, [n, ...shape]);
  const data = new Float32Array(padded * pixels);
  for (let i = 0; i < padded; i++) data.set(own.subarray((i % n) * pixels, ((i % n) + 1) * pixels), i * pixels);
  return tf.tensor4d(data, [padded, ...shape]);
}

/** The micro-batch when none is given: up to 250 images, fewer when the model's memory estimate asks for it. */
export function defaultEvalBatch(model: GraphModel): number {
  return evaluationBatch(model.graph, tf.getBackend(), DEFAULT_EVAL_BATCH);
}

/**
 * Test loss, accuracy and routing statistics, in micro-batches (a multiple of the
 * images a routing group spans; the last one padded, see paddedBatch — its routing
 * statistics include the repeated images). Reads asynchronously (webgpu cannot read synchronously).
 */
export async function evaluate(
  model: GraphModel,
  split: Split,
  shape: readonly [number, number, number],
  options: { loss: LossKind; step: number; batch?: number },
): Promise<EvalResult> {
  const multiple = batchMultipleOf(model.graph);
  const batch = Math.max(multiple, Math.floor((options.batch ?? defaultEvalBatch(model)) / multiple) * multiple);
  const stats = new StatsAccumulator();
  let lossSum = 0;
  let auxSum = 0;
  let correct = 0;
  for (let start = 0; start < split.count; start += batch) {
    const n = Math.min(batch, split.count - start);
    const out = tf.tidy(() => {
      const x = paddedBatch(split.images, start, n, shape, multiple);
      const y = tf.tensor1d(split.labels.subarray(start, start + n), 'int32');
      const r = model.forward(x, { training: false, step: options.step });
      const logits = x.shape[0] === n ? r.logits : r.logits.slice([0, 0], [n, -1]);
      // A plain object, so that tidy keeps the statistics' tensors.
      return { loss: classificationLoss(options.loss, logits, y), aux: r.auxLoss, correct: correctCount(logits, y), stats: Object.fromEntries(r.stats) };
    });
    const batchStats = new Map(Object.entries(out.stats));
    try {
      await stats.addAsync(batchStats, n);
      lossSum += (await out.loss.data())[0]! * n;
      auxSum += (await out.aux.data())[0]! * n;
      correct += (await out.correct.data())[0]!;
    } finally {
      tf.dispose([out.loss, out.aux, out.correct, ...batchStats.values()]);
    }
  }
  return { loss: lossSum / split.count, auxLoss: auxSum / split.count, accuracy: correct / split.count, count: split.count, router: stats.summary() };
}

/** Class probabilities (softmax, or per-class sigmoid for sigmoid_xent) for `n` images, in micro-batches sized like evaluation's. */
export async function predictProbabilities(model: GraphModel, images: Float32Array, n: number, shape: readonly [number, number, number], loss: LossKind): Promise<Float32Array[]> {
  const multiple = batchMultipleOf(model.graph);
  const batch = Math.max(multiple, Math.floor(defaultEvalBatch(model) / multiple) * multiple);
  const out: Float32Array[] = [];
  for (let start = 0; start < n; start += batch) {
    const m = Math.min(batch, n - start);
    const p = tf.tidy(() => {
      const x = paddedBatch(images, start, m, shape, multiple);
      const all = model.forward(x, { training: false, step: 0 }).logits;
      const logits = x.shape[0] === m ? all : all.slice([0, 0], [m, -1]);
      return loss === 'sigmoid_xent' ? tf.sigmoid(logits) : tf.softmax(logits);
    });
    const classes = p.shape[1]!;
    const flat = (await p.data()) as Float32Array;
    p.dispose();
    for (let i = 0; i < m; i++) out.push(flat.slice(i * classes, (i + 1) * classes));
  }
  return out;
}
