// Vega-Lite specifications of the report's charts, built from plain data (metrics
// records, routing statistics). The page embeds each as JSON and vega-embed draws it.
import type { BlockStats } from '../routes/analyse.ts';

export type VegaLiteSpec = Record<string, unknown>;

type Record_ = { step: number; split: string } & Record<string, unknown>;

const WIDTH = 460;
const HEIGHT = 220;

function lines(title: string, values: readonly Record<string, unknown>[], y: string, yTitle: string, colour: string, options: { yDomain?: [number, number] } = {}): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', point: values.length < 60, tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: y, type: 'quantitative', title: yTitle, ...(options.yDomain ? { scale: { domain: options.yDomain } } : {}) },
      color: { field: colour, type: 'nominal', title: colour },
    },
  };
}

const numeric = (r: Record_, key: string) => typeof r[key] === 'number' && Number.isFinite(r[key] as number);

/** Loss and accuracy for train and test, and the learning rate. */
export function trainingCharts(records: readonly Record_[]): Record<string, VegaLiteSpec> {
  const points = (key: string) => records.filter((r) => numeric(r, key)).map((r) => ({ step: r.step, split: r.split, [key]: r[key] }));
  const charts: Record<string, VegaLiteSpec> = {
    loss: lines('Loss (cross-entropy)', points('loss'), 'loss', 'loss', 'split'),
    accuracy: lines('Top-1 accuracy', points('accuracy'), 'accuracy', 'accuracy', 'split', { yDomain: [0, 1] }),
  };
  const lr = records.filter((r) => r.split === 'train' && numeric(r, 'lr')).map((r) => ({ step: r.step, split: 'train', lr: r.lr }));
  if (lr.length > 0) charts.lr = lines('Learning rate', lr, 'lr', 'learning rate', 'split');
  return charts;
}

/** MoE block indices that have routing statistics in the metrics. */
export function metricBlocks(records: readonly Record_[]): number[] {
  const blocks = new Set<number>();
  for (const r of records) for (const k of Object.keys(r)) {
    const m = /^router\/block_(\d+)\/load$/.exec(k);
    if (m) blocks.add(Number(m[1]));
  }
  return [...blocks].sort((a, b) => a - b);
}

/** Per block: each expert's load over training, and the dropped fraction (train and test). */
export function blockCurveCharts(records: readonly Record_[], block: number): Record<string, VegaLiteSpec> {
  const loadKey = `router/block_${block}/load`;
  const load = records
    .filter((r) => r.split === 'train' && Array.isArray(r[loadKey]))
    .flatMap((r) => (r[loadKey] as number[]).map((v, e) => ({ step: r.step, expert: `expert ${e}`, load: v })));
  const dropKey = `router/block_${block}/dropped`;
  const dropped = records.filter((r) => numeric(r, dropKey)).map((r) => ({ step: r.step, split: r.split, dropped: r[dropKey] }));
  return {
    [`load_${block}`]: lines(`Block ${block}: expert load (fraction of routed tokens, train)`, load, 'load', 'load', 'expert'),
    [`dropped_${block}`]: lines(`Block ${block}: dropped fraction of token choices`, dropped, 'dropped', 'dropped', 'split'),
  };
}

/** Class × expert usage heat map and the experts-per-token histogram of one block. */
export function routingStatCharts(block: number, stats: BlockStats, classes: readonly string[]): Record<string, VegaLiteSpec> {
  const usage = stats.classUsage.flatMap((row, c) => row.map((v, e) => ({ class: `${c}: ${classes[c] ?? c}`, expert: e, share: v })));
  const histogram = stats.expertsPerToken.map((count, j) => ({ experts: j, tokens: count }));
  return {
    [`usage_${block}`]: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: `Block ${block}: share of each class's routing per expert`,
      data: { values: usage },
      mark: { type: 'rect', tooltip: true },
      encoding: {
        x: { field: 'expert', type: 'ordinal', title: 'expert' },
        y: { field: 'class', type: 'ordinal', title: 'class', sort: null },
        color: { field: 'share', type: 'quantitative', title: 'share', scale: { scheme: 'viridis' } },
      },
      width: Math.max(120, 28 * (stats.classUsage[0]?.length ?? 1)),
      height: Math.max(80, 18 * stats.classUsage.length),
    },
    [`experts_per_token_${block}`]: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: `Block ${block}: experts per token`,
      data: { values: histogram },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'experts', type: 'ordinal', title: 'experts processing the token' },
        y: { field: 'tokens', type: 'quantitative', title: 'tokens' },
      },
      width: 260,
      height: 160,
    },
  };
}

/** Study: final accuracy against training time, one point per run. */
export function accuracyVsTimeChart(points: readonly { name: string; router: string; seconds: number; accuracy: number; step: number }[]): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Test accuracy against training time',
    width: WIDTH,
    height: HEIGHT + 40,
    data: { values: points },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'seconds', type: 'quantitative', title: 'training time (s)' },
      y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { zero: false } },
      color: { field: 'name', type: 'nominal', title: 'run' },
    },
  };
}
