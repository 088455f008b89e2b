// The study's outputs: a markdown table, JSON, and the accuracy-against-training-time
// plot (one point per router at the end of training, with its evaluation curve).
import { lineChartSvg, type ChartSpec } from '../plots/line-chart.ts';
import { ROUTER_KIND_LABELS } from '../../compiler/routers/index.ts';
import type { StudyEntry } from './entry.ts';

export interface StudySettings {
  readonly backend: string;
  /** The wasm backend's threads (absent: not recorded). */
  readonly threads?: number;
  readonly data: string;
  readonly steps: number;
  readonly batch: number;
  readonly seed: number;
  readonly machine: string;
  readonly date: string;
}

/** `wasm, 2 threads` where the count was recorded. */
export function backendWithThreads(s: Pick<StudySettings, 'backend' | 'threads'>): string {
  return s.threads === undefined ? s.backend : `${s.backend}, ${s.threads} thread${s.threads === 1 ? '' : 's'}`;
}

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

const pct = (v: number | undefined): string => (v === undefined ? '–' : `${(v * 100).toFixed(2)} %`);

export function studyMarkdown(entries: readonly StudyEntry[], s: StudySettings): string {
  const lines = [
    `# Router study`,
    '',
    `${s.data}; ${s.steps} steps of batch ${s.batch}, seed ${s.seed}; backend ${backendWithThreads(s)}; ${s.machine}; ${s.date}.`,
    'Training time excludes evaluations. FLOPs: forward, per image (cost model).',
    '',
    '| model | router | final test accuracy | training time | images/s | parameters | FLOPs / image | status |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const e of entries) {
    lines.push(
      `| ${e.model} | ${e.router} | ${pct(e.finalAccuracy)} | ${e.trainSeconds.toFixed(1)} s | ${e.imagesPerSecond.toFixed(1)} | ${e.params.toLocaleString('en-US')} | ${human(e.forwardFlopsPerImage)} | ${e.status}${e.reason ? `: ${e.reason.replace(/\|/g, '\\|')}` : ''} |`,
    );
  }
  return lines.join('\n') + '\n';
}

export function studyJson(entries: readonly StudyEntry[], s: StudySettings): string {
  return JSON.stringify({ settings: s, entries }, null, 2) + '\n';
}

/** `dense` and every router kind of the router table (compiler/routers/). */
const SHORT_NAMES: Readonly<Record<string, string>> = { dense: 'Dense', ...ROUTER_KIND_LABELS };

/** A legend label short enough for the chart (the paper's abbreviations). */
export function shortRouterName(router: string): string {
  return SHORT_NAMES[router] ?? router.slice(0, 16);
}

/** Accuracy against training seconds: each router's evaluation curve, ending at its final point. */
export function accuracyChart(entries: readonly StudyEntry[], s: StudySettings): ChartSpec {
  return {
    title: `Test accuracy vs training time (${s.steps} steps, ${s.backend})`,
    xLabel: 'training time (s)',
    yLabel: 'test accuracy',
    series: entries
      .filter((e) => e.curve.length > 0)
      .map((e) => ({ name: shortRouterName(e.router), points: e.curve.map((p) => [p.seconds, p.accuracy] as const) })),
  };
}

export function accuracyChartSvg(entries: readonly StudyEntry[], s: StudySettings): string {
  return lineChartSvg({ ...accuracyChart(entries, s), width: 900, height: 480 });
}
