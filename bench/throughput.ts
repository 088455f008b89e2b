// Figure 2: achieved FLOP/s of a full training step (forward + backward + AdamW) of a
// dense ViT-S/16-shaped model (196 tokens, width 384, mlp 1536, 6 heads) divided by
// the backend's own 2-D matMul FLOP/s on the model's MLP shape, same process.
// Run: node bin/run-ts.mjs bench/throughput.ts [--quick]
import * as tf from '@tensorflow/tfjs';
import { benchModel, type ModelBenchReport } from '../runtime/bench/model-bench.ts';
import { measure } from '../runtime/bench/timing.ts';
import { formatMs, formatRate, formatRatio, type TimingSummary } from '../runtime/bench/stats.ts';
import { compileBenchSpec, isMain, parseBenchArgs, say, useBackend, type BenchOptions } from './common.ts';

export interface MatMulFigure {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly timing: TimingSummary;
  readonly flopsPerSecond: number;
}

export interface ThroughputResult {
  readonly depth: number;
  readonly batch: number;
  readonly step: ModelBenchReport;
  readonly matmul: MatMulFigure;
  /** step FLOP/s / matMul FLOP/s. */
  readonly ratio: number;
}

/** Plain 2-D matMul [m,k]·[k,n] (no transpose flags), fresh inputs reused across reps. */
export async function matMulRate(m: number, k: number, n: number, reps: number): Promise<MatMulFigure> {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  try {
    const timing = await measure(() => tf.tidy(() => tf.matMul(a, b).dataSync()[0]), { reps: Math.max(reps, 5), warmup: 2 });
    return { m, k, n, timing, flopsPerSecond: (2 * m * k * n) / (timing.medianMs / 1000) };
  } finally {
    tf.dispose([a, b]);
  }
}

export function vitSSpec(depth: number): string {
  return `model vit_s_bench extends vit_s16 {
  depth: ${depth}
  classes: 10
}
`;
}

export async function benchThroughput(options: BenchOptions): Promise<ThroughputResult> {
  const depth = options.quick ? 1 : 4;
  const batch = options.quick ? 2 : 8;
  const { graph } = compileBenchSpec(vitSSpec(depth), 'vit-s-throughput.moe');
  const step = await benchModel(graph, { batch, reps: Math.max(2, Math.min(options.reps, 3)) });
  const matmul = await matMulRate(batch * 196, 384, 1536, options.reps);
  return { depth, batch, step, matmul, ratio: step.train.flopsPerSecond / matmul.flopsPerSecond };
}

export function renderThroughput(r: ThroughputResult): string {
  return [
    `(2) training-step FLOP/s / backend 2-D matMul FLOP/s — ViT-S/16 shapes (196 tokens, d 384, mlp 1536, 6 heads), depth ${r.depth}, batch ${r.batch}, dense`,
    `  training step: ${formatMs(r.step.train.timing.medianMs)} (median of ${r.step.reps}), ${formatRate(r.step.forwardFlopsPerImage * 3 * r.batch, 'FLOP')} per step (3× forward) → ${formatRate(r.step.train.flopsPerSecond)}`,
    `  inference: ${formatRate(r.step.inference.flopsPerSecond)} (${(r.step.inference.flopsPerSecond / r.matmul.flopsPerSecond).toFixed(2)}× the matMul rate)`,
    `  matMul [${r.matmul.m}×${r.matmul.k}]·[${r.matmul.k}×${r.matmul.n}]: ${formatMs(r.matmul.timing.medianMs)} (median of ${r.matmul.timing.runs}) → ${formatRate(r.matmul.flopsPerSecond)}`,
    `  ratio: ${formatRatio(r.ratio, 0.5, 'min')}`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const options = parseBenchArgs(process.argv.slice(2));
  say(`backend ${await useBackend(options.backend, options.nativeSlice)}`);
  say(renderThroughput(await benchThroughput(options)));
}
