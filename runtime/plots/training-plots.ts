// The plots of a run folder, from its metrics records: loss and accuracy curves
// (train and test), and per MoE block the load of each expert over training.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChartSvg, svgToPng, type ChartSpec, type Series } from './line-chart.ts';

type MetricsRecord = { step: number; split: string } & Record<string, unknown>;

function series(records: readonly MetricsRecord[], split: string, key: string, name: string): Series {
  return {
    name,
    points: records.filter((r) => r.split === split && typeof r[key] === 'number').map((r) => [r.step, r[key] as number] as const),
  };
}

export function trainingCharts(records: readonly MetricsRecord[]): Map<string, ChartSpec> {
  const charts = new Map<string, ChartSpec>();
  charts.set('loss', {
    title: 'Loss',
    xLabel: 'step',
    yLabel: 'cross-entropy',
    series: [series(records, 'train', 'loss', 'train'), series(records, 'test', 'loss', 'test')],
  });
  charts.set('accuracy', {
    title: 'Top-1 accuracy',
    xLabel: 'step',
    yLabel: 'accuracy',
    yRange: [0, 1],
    series: [series(records, 'train', 'accuracy', 'train'), series(records, 'test', 'accuracy', 'test')],
  });
  const loadKeys = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) if (/^router\/block_\d+\/load$/.test(k)) loadKeys.add(k);
  for (const key of [...loadKeys].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
    const block = key.split('/')[1]!;
    const rows = records.filter((r) => r.split === 'train' && Array.isArray(r[key]));
    const experts = Math.max(0, ...rows.map((r) => (r[key] as number[]).length));
    charts.set(`load_${block}`, {
      title: `Expert load, ${block.replace('_', ' ')} (fraction of routed tokens, train)`,
      xLabel: 'step',
      yLabel: 'load',
      series: Array.from({ length: experts }, (_, e) => ({
        name: `expert ${e}`,
        points: rows.map((r) => [r.step, (r[key] as number[])[e]!] as const),
      })),
    });
  }
  return charts;
}

/** Writes <name>.svg and <name>.png for every chart into `dir`; returns the file names. */
export function writeTrainingPlots(dir: string, records: readonly MetricsRecord[]): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const [name, chart] of trainingCharts(records)) {
    const svg = lineChartSvg(chart);
    writeFileSync(join(dir, `${name}.svg`), svg);
    writeFileSync(join(dir, `${name}.png`), svgToPng(svg));
    files.push(`${name}.svg`, `${name}.png`);
  }
  return files;
}
