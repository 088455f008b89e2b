// Figure 4: how compile time (check + lower) and training-step time grow with depth,
// number of experts and routing-group size, on an MNIST-sized ViT (49 tokens, width
// 64, 4 heads, mlp 128) with Softmax Expert Choice MoE in the second half of the blocks.
// Run: node bin/run-ts.mjs bench/scaling.ts [--quick]
import * as tf from '@tensorflow/tfjs';
import Table from 'cli-table3';
import { createGraphModel } from '../runtime/executor/graph-model.ts';
import { createTrainStep, syntheticBatch } from '../runtime/bench/step.ts';
import { measure } from '../runtime/bench/timing.ts';
import { formatMs, type TimingSummary } from '../runtime/bench/stats.ts';
import { COMPACT_TABLE, compileBenchSpec, isMain, parseBenchArgs, say, useBackend, type BenchOptions } from './common.ts';

export interface ScalingPoint {
  readonly axis: 'depth' | 'experts' | 'group';
  readonly value: number;
  readonly nodes: number;
  readonly params: number;
  readonly compile: TimingSummary;
  readonly step: TimingSummary;
}

export interface ScalingConfig {
  readonly depth: number;
  readonly experts: number;
  /** Tokens per routing group (49 = one image). */
  readonly group: number;
}

export function scalingSpec(c: ScalingConfig): string {
  const moeBlocks = Math.max(1, Math.floor(c.depth / 2));
  return `model scaling {
  image: 28x28x1, patch: 4, width: 64, depth: ${c.depth}, heads: 4, mlp: 128, classes: 10
  blocks last ${moeBlocks}: moe(expert_choice(normalize: softmax, experts: ${c.experts}, group: ${c.group}))
}
`;
}

export function scalingAxes(quick: boolean): { axis: ScalingPoint['axis']; values: number[] }[] {
  return quick
    ? [
        { axis: 'depth', values: [2, 4] },
        { axis: 'experts', values: [4, 16] },
        { axis: 'group', values: [49, 196] },
      ]
    : [
        { axis: 'depth', values: [2, 4, 8] },
        { axis: 'experts', values: [4, 8, 16, 32] },
        { axis: 'group', values: [49, 98, 196, 392] },
      ];
}

export const SCALING_BASE: ScalingConfig = { depth: 4, experts: 8, group: 49 };

export async function benchScaling(options: BenchOptions): Promise<{ batch: number; points: ScalingPoint[] }> {
  const batch = options.quick ? 8 : 32;
  const points: ScalingPoint[] = [];
  for (const { axis, values } of scalingAxes(options.quick)) {
    for (const value of values) {
      const config = { ...SCALING_BASE, [axis]: value };
      const text = scalingSpec(config);
      let graph = compileBenchSpec(text).graph;
      const compile = await measure(() => (graph = compileBenchSpec(text).graph), { reps: 5, warmup: 1 });
      const model = createGraphModel(graph, { seed: 0 });
      const data = syntheticBatch(model, batch, 5);
      const runner = createTrainStep(model, data);
      try {
        const step = await measure(() => runner.step(), { reps: Math.min(options.reps, 3), warmup: 1 });
        const params = graph.params.filter((p) => p.trainable).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
        points.push({ axis, value, nodes: graph.nodes.length, params, compile, step });
      } finally {
        runner.dispose();
        tf.dispose([data.images, data.labels]);
        model.dispose();
      }
    }
  }
  return { batch, points };
}

export function renderScaling(r: { batch: number; points: readonly ScalingPoint[] }): string {
  const base = SCALING_BASE;
  const out = [
    `(4) scaling — MNIST ViT (49 tokens, d 64, mlp 128), Softmax Expert Choice in the last half of the blocks; base depth ${base.depth}, ${base.experts} experts, group ${base.group} tokens; batch ${r.batch}; each row changes one axis`,
  ];
  const table = new Table({ head: ['axis', 'value', 'graph nodes', 'params', 'compile (check+lower)', 'train step', 'step / first row of axis'], ...COMPACT_TABLE });
  const first = new Map<string, number>();
  for (const p of r.points) {
    if (!first.has(p.axis)) first.set(p.axis, p.step.medianMs);
    table.push([p.axis, String(p.value), String(p.nodes), p.params.toLocaleString('en-US'), formatMs(p.compile.medianMs), formatMs(p.step.medianMs), `${(p.step.medianMs / first.get(p.axis)!).toFixed(2)}×`]);
  }
  out.push(table.toString());
  return out.join('\n');
}

if (isMain(import.meta.url)) {
  const options = parseBenchArgs(process.argv.slice(2));
  say(`backend ${await useBackend(options.backend, options.nativeSlice)}`);
  say(renderScaling(await benchScaling(options)));
}
