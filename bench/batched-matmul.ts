// Diagnostic for figure 1: the MoE dispatcher's batched products ([G,E·C,S]·[G,S,d]
// and [G,S,E·C]·[G,E·C,d]) and attention's, forward + backward, with tfjs's native
// BatchMatMul against a loop of fast 2-D matMuls (runtime/bench/batched-matmul.ts).
// Run: node bin/run-ts.mjs bench/batched-matmul.ts [--quick]
import * as tf from '@tensorflow/tfjs';
import Table from 'cli-table3';
import { loopedBatchMatMul } from '../runtime/bench/batched-matmul.ts';
import { measurePair } from '../runtime/bench/timing.ts';
import { formatMs, type TimingSummary } from '../runtime/bench/stats.ts';
import { COMPACT_TABLE, isMain, parseBenchArgs, say, useBackend, type BenchOptions } from './common.ts';

export interface BatchedCase {
  readonly name: string;
  readonly a: number[];
  readonly b: number[];
  readonly transposeB?: boolean;
}

export function batchedCases(quick: boolean): BatchedCase[] {
  const G = quick ? 2 : 8; // images (routing groups) in the batch
  return [
    { name: `ViT-S dispatch Dᵀ·X, ${G} groups`, a: [G, 192, 196], b: [G, 196, 384] },
    { name: `ViT-S combine C·Y, ${G} groups`, a: [G, 196, 192], b: [G, 192, 384] },
    { name: `ViT-S attention Q·Kᵀ, ${G}×6 heads`, a: [G * 6, 196, 64], b: [G * 6, 196, 64], transposeB: true },
    { name: `MNIST Ti dispatch, ${4 * G} groups`, a: [4 * G, 48, 49], b: [4 * G, 49, 192] },
    { name: `MNIST Ti attention Q·Kᵀ, ${8 * G}×3 heads`, a: [24 * G, 49, 64], b: [24 * G, 49, 64], transposeB: true },
    { name: `MNIST Ti attention P·V, ${8 * G}×3 heads`, a: [24 * G, 49, 49], b: [24 * G, 49, 64] },
  ];
}

export interface BatchedRow {
  readonly name: string;
  readonly native: TimingSummary;
  readonly looped: TimingSummary;
  readonly maxDifference: number;
}

function fwdBwd(f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, a: tf.Variable, b: tf.Variable): void {
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(f(a, b))) as tf.Scalar, [a, b]);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
}

export async function benchBatched(options: BenchOptions): Promise<BatchedRow[]> {
  const rows: BatchedRow[] = [];
  for (const c of batchedCases(options.quick)) {
    const a = tf.variable(tf.randomNormal(c.a, 0, 1, 'float32', 1));
    const b = tf.variable(tf.randomNormal(c.b, 0, 1, 'float32', 2));
    const native = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, false, c.transposeB === true);
    const looped = (x: tf.Tensor, y: tf.Tensor) => loopedBatchMatMul(x, y, false, c.transposeB === true);
    const maxDifference = tf.tidy(() => tf.max(tf.abs(tf.sub(native(a, b), looped(a, b)))).dataSync()[0]!);
    const t = await measurePair(() => fwdBwd(native, a, b), () => fwdBwd(looped, a, b), { reps: options.reps, warmup: 1 });
    rows.push({ name: `${c.name}: [${c.a}]·[${c.b}]${c.transposeB ? 'ᵀ' : ''}`, native: t.a, looped: t.b, maxDifference });
    tf.dispose([a, b]);
  }
  return rows;
}

export function renderBatched(rows: readonly BatchedRow[], reps: number): string {
  const table = new Table({ head: ['product (fwd+bwd)', 'BatchMatMul', 'loop of 2-D', 'speed-up', 'max |diff|'], ...COMPACT_TABLE });
  for (const r of rows) table.push([r.name, formatMs(r.native.medianMs), formatMs(r.looped.medianMs), `${(r.native.medianMs / r.looped.medianMs).toFixed(2)}×`, r.maxDifference.toExponential(1)]);
  return [`(1b) batched products, native BatchMatMul vs a loop of fast 2-D matMuls — median of ${reps} alternating runs`, table.toString()].join('\n');
}

if (isMain(import.meta.url)) {
  const options = parseBenchArgs(process.argv.slice(2));
  say(`backend ${await useBackend(options.backend, options.nativeSlice)}`);
  say(renderBatched(await benchBatched(options), options.reps));
}
