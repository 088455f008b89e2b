// `moec report RUN`: the run folder as one self-contained HTML page — spec and
// resolved spec, summary (parameters, active parameters, FLOPs per block),
// training curves, evaluation history, per-block load and drop curves, and the
// routing of the last checkpoint on held-out images (docs/report.md).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Graph } from '../../compiler/graph/ir.ts';
import { costOf } from '../../compiler/cost.ts';
import type { GraphModel } from '../api.ts';
import type { Dataset } from '../data/dataset.ts';
import { loadDataset } from '../data/index.ts';
import { createGraphModel } from '../executor/graph-model.ts';
import { listCheckpoints, loadCheckpoint } from '../checkpoint/checkpoint.ts';
import { readMetrics } from '../train/run-folder.ts';
import { restoreParams, type MetricsRecord } from '../train/trainer.ts';
import { UserError } from '../../diagnostics/fault.ts';
import { patchGrid, routedBlocks } from '../routes/layout.ts';
import { analyseRoutes, routePictures, writeRoutes, type Picture, type RoutesReport } from '../routes/routes.ts';
import { firstImages } from '../routes/images.ts';
import { runData, runGraph } from '../routes/source.ts';
import { blockCurveCharts, metricBlocks, trainingCharts, type VegaLiteSpec } from './charts.ts';
import { escapeHtml } from './escape.ts';
import { chartDiv, renderPage, table, type Section } from './page.ts';
import { fmt, routingPictures, routingStats } from './routing-section.ts';

export interface RunReportOptions {
  /** The trained model, when the caller still holds it (`moec train`); else the last checkpoint is loaded. */
  readonly model?: GraphModel;
  readonly dataset?: Dataset;
  /** Test images to picture (default 8). */
  readonly images?: number;
  /** Test images the routing statistics cover (default: all, at most 2000). */
  readonly statsImages?: number;
}

export interface RunReportResult {
  readonly file: string;
  /** Why the routing section is missing or partial (no checkpoint, data not found…). */
  readonly notes: readonly string[];
  readonly routes?: RoutesReport;
}

/** Spec files of the run folder: spec.moe and every file under spec/ (imports). */
function specFiles(runDir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const entry = join(runDir, 'spec.moe');
  if (existsSync(entry)) out.push({ path: 'spec.moe', text: readFileSync(entry, 'utf8') });
  const walk = (dir: string) => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.moe')) out.push({ path: relative(runDir, p), text: readFileSync(p, 'utf8') });
    }
  };
  if (existsSync(join(runDir, 'spec'))) walk(join(runDir, 'spec'));
  return out;
}

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

export function summarySection(graph: Graph, summary: Record<string, unknown> | undefined): string {
  const cost = costOf(graph);
  const parts: string[] = [];
  const rows: string[][] = [
    ['model', escapeHtml(graph.meta.model)],
    ['parameters', `${cost.totalParams.toLocaleString('en-US')} (${human(cost.totalParams)})`],
    ['active parameters per token', `${Math.round(cost.activeParams).toLocaleString('en-US')} (${human(cost.activeParams)})`],
    ['forward FLOPs per image', `${human(cost.flops)}FLOPs`],
  ];
  if (graph.vit) rows.push(['image, patch, tokens', `${graph.vit.image.join('×')}, ${graph.vit.patch.join('×')}, ${graph.vit.tokens}`]);
  if (summary)
    for (const [k, v] of Object.entries(summary)) if (v !== null && typeof v !== 'object') rows.push([escapeHtml(k), escapeHtml(typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v))]);
  parts.push(table(['', ''], rows, 'class="summary"', 1));
  parts.push(
    table(
      ['block', 'kind', 'router', 'experts', 'capacity', 'params', 'active params', 'FLOPs per image'],
      cost.blocks.map((b) => [String(b.index), b.kind, escapeHtml(b.router ?? ''), String(b.experts ?? ''), String(b.capacity ?? ''), human(b.params), human(b.activeParams), human(b.flops)]),
      'class="blocks"',
      3,
    ),
  );
  return parts.join('\n');
}

function evaluationSection(records: readonly MetricsRecord[]): string {
  const evals = records.filter((r) => r.split === 'test');
  if (evals.length === 0) return '<p class="note">No evaluation yet.</p>';
  return table(
    ['step', 'test loss', 'test accuracy'],
    evals.map((r) => [String(r.step), typeof r.loss === 'number' ? fmt(r.loss) : '', typeof r.accuracy === 'number' ? `${(r.accuracy * 100).toFixed(2)}%` : '']),
    'class="evaluation"',
    0,
  );
}

/** The run's data, from its spec copy (for the test images). */
async function runDataset(runDir: string, graph: Graph): Promise<Dataset> {
  const found = runData(runDir, graph);
  if ('error' in found) throw new UserError(found.error);
  return loadDataset(found.data, { shape: graph.vit!.image, classes: graph.vit!.classes, baseDir: found.baseDir });
}

async function runRoutes(runDir: string, graph: Graph, options: RunReportOptions, notes: string[]): Promise<{ report: RoutesReport; pictures: Map<string, Picture> } | undefined> {
  const blocks = routedBlocks(graph);
  if (blocks.length === 0) return undefined;
  const checkpoints = listCheckpoints(join(runDir, 'checkpoints'));
  if (!options.model && checkpoints.length === 0) {
    notes.push('the run has no checkpoint yet, so there is no routing to show');
    return undefined;
  }
  let dataset = options.dataset;
  try {
    dataset ??= await runDataset(runDir, graph);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    notes.push(`the test images could not be loaded: ${e.message}`);
    return undefined;
  }
  const grid = patchGrid(graph);
  const ckpt = options.model ? undefined : loadCheckpoint(checkpoints[checkpoints.length - 1]!);
  const model = options.model ?? createGraphModel(graph, { seed: 0 });
  try {
    if (ckpt) restoreParams(model, ckpt);
    const shown = firstImages(dataset.test, grid.image, options.images ?? 8);
    const statsCount = Math.min(dataset.test.count, options.statsImages ?? 2000);
    const size = grid.image[0] * grid.image[1] * grid.image[2];
    const split = { images: dataset.test.images.subarray(0, statsCount * size), labels: dataset.test.labels.subarray(0, statsCount), count: statsCount };
    const step = ckpt?.manifest.state.step ?? (readMetrics(runDir).at(-1)?.step ?? 0);
    const report = await analyseRoutes({
      model,
      blocks,
      grid,
      classes: ckpt?.manifest.state.classes ?? dataset.classes,
      images: shown,
      statsSplit: { split, description: `test split of ${dataset.name} (${statsCount} images)` },
      step,
      ...(ckpt ? { checkpoint: relative(runDir, ckpt.dir) } : {}),
    });
    const pictures = routePictures(report, shown.pixels);
    writeRoutes(join(runDir, 'routes'), report, pictures);
    return { report, pictures };
  } finally {
    if (!options.model) model.dispose();
  }
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Writes the report of `runDir` to `out` (default RUN/report.html). */
export async function writeRunReport(runDir: string, out = join(runDir, 'report.html'), options: RunReportOptions = {}): Promise<RunReportResult> {
  const graph = runGraph(runDir);
  const records = readMetrics(runDir);
  const summary = readJson(join(runDir, 'summary.json'));
  const notes: string[] = [];
  const routes = await runRoutes(runDir, graph, options, notes);
  const charts: Record<string, VegaLiteSpec> = {};

  const sections: Section[] = [];
  sections.push({ id: 'summary', title: 'Summary', html: summarySection(graph, summary) });
  const specs = specFiles(runDir);
  sections.push({
    id: 'spec',
    title: 'Spec',
    html: specs.length ? specs.map((f) => `<h3>${escapeHtml(f.path)}</h3><pre class="spec">${escapeHtml(f.text)}</pre>`).join('\n') : '<p class="note">The run folder holds no spec copy.</p>',
  });
  const resolved = existsSync(join(runDir, 'spec.resolved.moe')) ? readFileSync(join(runDir, 'spec.resolved.moe'), 'utf8') : undefined;
  sections.push({ id: 'resolved', title: 'Resolved spec', html: resolved ? `<pre class="resolved">${escapeHtml(resolved)}</pre>` : '<p class="note">No resolved spec.</p>' });

  Object.assign(charts, trainingCharts(records));
  sections.push({ id: 'curves', title: 'Training curves', html: records.length ? `<div class="charts">${Object.keys(trainingCharts(records)).map(chartDiv).join('')}</div>` : '<p class="note">No metrics recorded yet.</p>' });
  sections.push({ id: 'evaluation', title: 'Evaluation history', html: evaluationSection(records) });

  const blocks = metricBlocks(records);
  const curveParts: string[] = [];
  for (const b of blocks) {
    const c = blockCurveCharts(records, b);
    Object.assign(charts, c);
    curveParts.push(`<div class="charts">${Object.keys(c).map(chartDiv).join('')}</div>`);
  }
  sections.push({ id: 'load', title: 'Expert load and drops per block', html: curveParts.length ? curveParts.join('\n') : '<p class="note">No MoE block statistics in the metrics.</p>' });

  const noteHtml = notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
  sections.push({ id: 'routing', title: 'Routing statistics', html: noteHtml + (routes ? routingStats(routes.report, charts) : routedBlocks(graph).length ? '' : '<p>The model has no MoE block.</p>') });
  sections.push({ id: 'pictures', title: 'Routing pictures', html: noteHtml + (routes ? routingPictures(routes.report, routes.pictures) : '') });

  const step = routes?.report.step ?? records.at(-1)?.step;
  const html = renderPage({
    title: `moec report: ${graph.meta.model}`,
    subtitle: `run ${runDir}${step !== undefined ? ` · step ${step}` : ''}`,
    sections,
    charts,
    data: routes ? { 'moec-routes': routes.report } : {},
  });
  writeFileSync(out, html);
  return { file: out, notes, ...(routes ? { routes: routes.report } : {}) };
}
