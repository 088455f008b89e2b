// Figure 1: for each router, MoE layer forward+backward time / that of a dense MLP
// layer with the same forward FLOPs, on ViT-S shapes (196 tokens, width 384) and on
// ViT-Ti shapes at MNIST size (49 tokens, width 192). Run: node bin/run-ts.mjs bench/router-layers.ts [--quick]
import * as tf from '@tensorflow/tfjs';
import Table from 'cli-table3';
import { buildMoeLayer, createDenseMlp, denseForwardBackward, equalFlopsHidden, layerInput, moeForwardBackward, routerCases, type LayerShape } from '../runtime/bench/layers.ts';
import { measurePair } from '../runtime/bench/timing.ts';
import { formatMs, formatRatio, ratio, type TimingSummary } from '../runtime/bench/stats.ts';
import { COMPACT_TABLE, isMain, parseBenchArgs, say, useBackend, type BenchOptions } from './common.ts';

export interface RouterLayerRow {
  readonly shape: string;
  readonly router: string;
  readonly expression: string;
  readonly capacity: number;
  readonly moeFlopsPerImage: number;
  readonly denseHidden: number;
  readonly moe: TimingSummary;
  readonly dense: TimingSummary;
  /** moe / dense (medians). */
  readonly ratio: number;
  /** moe / Soft MoE on the same shape (medians). */
  readonly vsSoft?: number;
}

export const EXPERTS = 8;

export function layerShapes(quick: boolean): LayerShape[] {
  return [
    { name: 'ViT-S (196 tokens, d 384, mlp 1536)', tokens: 196, width: 384, mlp: 1536, heads: 6, batch: quick ? 2 : 8 },
    { name: 'ViT-Ti at MNIST size (49 tokens, d 192, mlp 768)', tokens: 49, width: 192, mlp: 768, heads: 3, batch: quick ? 8 : 32 },
  ];
}

export async function benchRouterLayers(options: BenchOptions): Promise<RouterLayerRow[]> {
  const rows: RouterLayerRow[] = [];
  for (const shape of layerShapes(options.quick)) {
    const x = layerInput(shape);
    let softTime: number | undefined;
    for (const c of routerCases(shape.tokens, EXPERTS)) {
      const moe = buildMoeLayer(c.expression, shape);
      const hidden = equalFlopsHidden(moe.flopsPerImage / shape.tokens, shape.width);
      const dense = createDenseMlp(shape.width, hidden);
      try {
        // Alternating runs, so both sides see the same load from other processes.
        const t = await measurePair(() => moeForwardBackward(moe.layer, x), () => denseForwardBackward(dense, x), { reps: options.reps, warmup: 1 });
        if (c.router === 'soft_moe') softTime = t.a.medianMs;
        rows.push({
          shape: `${shape.name}, batch ${shape.batch}`,
          router: c.router,
          expression: c.expression,
          capacity: moe.capacity,
          moeFlopsPerImage: moe.flopsPerImage,
          denseHidden: hidden,
          moe: t.a,
          dense: t.b,
          ratio: ratio(t.a, t.b),
          ...(softTime !== undefined && c.router !== 'soft_moe' ? { vsSoft: t.a.medianMs / softTime } : {}),
        });
      } finally {
        moe.layer.dispose();
        dense.dispose();
      }
    }
    x.dispose();
  }
  return rows;
}

export function renderRouterLayers(rows: readonly RouterLayerRow[], reps: number): string {
  const out: string[] = [`(1) MoE layer fwd+bwd / dense MLP of equal forward FLOPs — ${EXPERTS} experts, median of ${reps} alternating runs`];
  const table = new Table({
    head: ['shape', 'router', 'slots/expert', 'dense H', 'MoE fwd+bwd', 'dense fwd+bwd', 'MoE / dense', 'vs Soft MoE'],
    ...COMPACT_TABLE,
  });
  for (const r of rows) {
    const target = r.router === 'soft_moe' ? 1.2 : undefined;
    table.push([
      r.shape,
      r.router,
      String(r.capacity),
      String(r.denseHidden),
      formatMs(r.moe.medianMs),
      formatMs(r.dense.medianMs),
      formatRatio(r.ratio, target),
      r.vsSoft === undefined ? '–' : formatRatio(r.vsSoft, 2),
    ]);
  }
  out.push(table.toString());
  return out.join('\n');
}

if (isMain(import.meta.url)) {
  const options = parseBenchArgs(process.argv.slice(2));
  const backend = await useBackend(options.backend, options.nativeSlice);
  say(`backend ${backend}`);
  const before = tf.memory().numTensors;
  say(renderRouterLayers(await benchRouterLayers(options), options.reps));
  say(`tensors leaked: ${tf.memory().numTensors - before}`);
}
