// Figure 3: a moec-compiled ViT against the same ViT written directly with
// TensorFlow.js ops (bench/hand-vit.ts, same weights): time per training step
// (forward, softmax cross-entropy, backward, the same AdamW update), as a ratio.
// Run: node bin/run-ts.mjs bench/vs-hand.ts [--quick]
import * as tf from '@tensorflow/tfjs';
import { createGraphModel } from '../runtime/executor/graph-model.ts';
import { BENCH_OPTIMIZER, createTrainStep, syntheticBatch } from '../runtime/bench/step.ts';
import { measurePair } from '../runtime/bench/timing.ts';
import { formatMs, formatRatio, ratio, type TimingSummary } from '../runtime/bench/stats.ts';
import { Optimizer } from '../runtime/train/optimizer.ts';
import { classificationLoss } from '../runtime/train/loss.ts';
import type { GraphModel } from '../runtime/api.ts';
import { handWrittenVit } from './hand-vit.ts';
import { compileBenchSpec, isMain, parseBenchArgs, say, useBackend, type BenchOptions } from './common.ts';

export const MNIST_VIT_TI = `model vit_ti_mnist {
  image: 28x28x1, patch: 4, width: 192, depth: 6, heads: 3, mlp: 768, classes: 10, pool: gap
}
`;

export interface VsHandResult {
  readonly batch: number;
  readonly compiled: TimingSummary;
  readonly hand: TimingSummary;
  readonly ratio: number;
  /** Largest |logit difference| between the two forwards on the bench batch (same weights). */
  readonly maxLogitDifference: number;
}

/** The hand-written training step over the compiled model's variables (forward, loss, grads, AdamW). */
export function handTrainStep(model: GraphModel, images: tf.Tensor4D, labels: tf.Tensor1D): { step(): number; dispose(): void } {
  const vit = handWrittenVit(model.graph, model.variables);
  const params = model.graph.params.filter((p) => p.trainable).map((p) => ({ name: p.name, variable: model.variables.get(p.name)!, decay: p.decay }));
  const names = new Map(params.map((p) => [p.variable.name, p.name]));
  const opt = new Optimizer(BENCH_OPTIMIZER, params);
  return {
    step() {
      const { value, grads } = tf.variableGrads(() => classificationLoss('softmax_xent', vit.forward(images), labels), params.map((p) => p.variable));
      const loss = value.dataSync()[0]!;
      const named = new Map(Object.entries(grads).map(([k, g]) => [names.get(k) ?? k, g]));
      opt.apply(named, BENCH_OPTIMIZER.lr);
      tf.dispose([value, ...Object.values(grads)]);
      return loss;
    },
    dispose: () => opt.dispose(),
  };
}

export function maxLogitDifference(model: GraphModel, images: tf.Tensor4D): number {
  const vit = handWrittenVit(model.graph, model.variables);
  return tf.tidy(() => {
    const a = model.forward(images, { training: false, step: 0 }).logits;
    const b = vit.forward(images);
    return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  });
}

export async function benchVsHand(options: BenchOptions): Promise<VsHandResult> {
  const batch = options.quick ? 8 : 32;
  const { graph } = compileBenchSpec(MNIST_VIT_TI, 'vit-ti-mnist.moe');
  // Two models with identical initial weights (same seed), one per side, so the updates do not interfere.
  const compiledModel = createGraphModel(graph, { seed: 0 });
  const handModel = createGraphModel(graph, { seed: 0 });
  // The head starts at zero (logits = bias for any input); give both the same random
  // head so the equality check below sees the whole network.
  const head = compiledModel.variables.get('head/kernel')!;
  tf.tidy(() => {
    const random = tf.randomNormal(head.shape, 0, 0.05, 'float32', 11);
    for (const m of [compiledModel, handModel]) m.variables.get('head/kernel')!.assign(random);
  });
  const data = syntheticBatch(compiledModel, batch, 3);
  const compiled = createTrainStep(compiledModel, data);
  const hand = handTrainStep(handModel, data.images, data.labels);
  try {
    const maxDiff = maxLogitDifference(handModel, data.images);
    const t = await measurePair(() => compiled.step(), () => hand.step(), { reps: options.reps, warmup: 1 });
    return { batch, compiled: t.a, hand: t.b, ratio: ratio(t.a, t.b), maxLogitDifference: maxDiff };
  } finally {
    compiled.dispose();
    hand.dispose();
    tf.dispose([data.images, data.labels]);
    compiledModel.dispose();
    handModel.dispose();
  }
}

export function renderVsHand(r: VsHandResult): string {
  return [
    `(3) compiled ViT / hand-written tfjs ViT, training step — ViT-Ti-like on MNIST (28x28x1, patch 4 → 49 tokens, d 192, depth 6, 3 heads, mlp 768), batch ${r.batch}, median of ${r.compiled.runs} alternating runs`,
    `  compiled ${formatMs(r.compiled.medianMs)}, hand-written ${formatMs(r.hand.medianMs)} → ${formatRatio(r.ratio, 1.05)}`,
    `  same function: max |logit difference| ${r.maxLogitDifference.toExponential(2)} (same weights)`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const options = parseBenchArgs(process.argv.slice(2));
  say(`backend ${await useBackend(options.backend, options.nativeSlice)}`);
  say(renderVsHand(await benchVsHand(options)));
}
