// The study's report.html: the runs side by side — a table, test accuracy against
// training time (each run's evaluation curve), and per router the routing
// pictures of the same test images next to each other, with each run's routing
// statistics. Same page machinery as the run report (page.ts).
import type { GraphModel } from '../api.ts';
import type { Dataset } from '../data/dataset.ts';
import type { StudyEntry } from '../study/entry.ts';
import { backendWithThreads, type StudySettings } from '../study/render.ts';
import { patchGrid, routedBlocks } from '../routes/layout.ts';
import { analyseRoutes, imageCaption, pictureName, routePictures, type Picture, type RoutesReport } from '../routes/routes.ts';
import { firstImages } from '../routes/images.ts';
import { accuracyVsTimeChart, type VegaLiteSpec } from './charts.ts';
import { escapeHtml } from './escape.ts';
import { chartDiv, renderPage, table, type Section } from './page.ts';
import { pictureUri, routingStats } from './routing-section.ts';

export interface StudyRoutes {
  readonly report: RoutesReport;
  readonly pictures: ReadonlyMap<string, Picture>;
}

/** The routing of a trained study model on the first `images` test images (statistics over at most `statsImages`). */
export async function studyRoutes(model: GraphModel, data: Dataset, options: { images?: number; statsImages?: number } = {}): Promise<StudyRoutes | undefined> {
  const blocks = routedBlocks(model.graph);
  if (blocks.length === 0) return undefined;
  const grid = patchGrid(model.graph);
  const shown = firstImages(data.test, grid.image, options.images ?? 4);
  const count = Math.min(data.test.count, options.statsImages ?? 500);
  const size = grid.image[0] * grid.image[1] * grid.image[2];
  const split = { images: data.test.images.subarray(0, count * size), labels: data.test.labels.subarray(0, count), count };
  const report = await analyseRoutes({ model, blocks, grid, classes: data.classes, images: shown, statsSplit: { split, description: `test split of ${data.name} (${count} images)` } });
  return { report, pictures: routePictures(report, shown.pixels) };
}

const pct = (v: number | undefined) => (v === undefined ? '–' : `${(v * 100).toFixed(2)}%`);

export function studyReportHtml(entries: readonly StudyEntry[], settings: StudySettings, routes: ReadonlyMap<number, StudyRoutes>): string {
  const charts: Record<string, VegaLiteSpec> = {};
  const sections: Section[] = [];
  sections.push({
    id: 'summary',
    title: 'Runs',
    html:
      `<p>${escapeHtml(`${settings.data}; ${settings.steps} steps of batch ${settings.batch}, seed ${settings.seed}; backend ${backendWithThreads(settings)}; ${settings.machine}; ${settings.date}`)}</p>` +
      table(
        ['model', 'router', 'file', 'status', 'test accuracy', 'training s', 'img/s', 'params', 'FLOPs/image'],
        entries.map((e) => [escapeHtml(e.model), escapeHtml(e.router), escapeHtml(e.file), escapeHtml(e.status + (e.reason ? `: ${e.reason}` : '')), pct(e.finalAccuracy), e.trainSeconds.toFixed(1), e.imagesPerSecond.toFixed(1), e.params.toLocaleString('en-US'), e.forwardFlopsPerImage.toLocaleString('en-US')]),
        'class="runs"',
        4,
      ),
  });
  charts.accuracy_vs_time = accuracyVsTimeChart(entries.flatMap((e) => e.curve.map((p) => ({ name: `${e.model} (${e.router})`, router: e.router, seconds: p.seconds, accuracy: p.accuracy, step: p.step }))));
  sections.push({ id: 'accuracy', title: 'Accuracy against training time', html: `<div class="charts">${chartDiv('accuracy_vs_time')}</div>` });

  // Side by side: one row per test image, one picture per run and MoE block.
  const withRoutes = entries.map((e, i) => [e, routes.get(i)] as const).filter((x): x is readonly [StudyEntry, StudyRoutes] => x[1] !== undefined);
  const images = withRoutes[0]?.[1].report.images.length ?? 0;
  const rows: string[] = [];
  for (let i = 0; i < images; i++) {
    const first = withRoutes[0]![1].report.images[i]!;
    rows.push(`<h3>${escapeHtml(first.name)}${first.labelName !== undefined ? ` · label ${escapeHtml(first.labelName)}` : ''}</h3><div class="side">`);
    for (const [e, r] of withRoutes)
      for (const b of r.report.blocks) {
        const p = r.pictures.get(pictureName(b.index, i));
        if (!p) continue;
        const caption = `${e.model} (${e.router}), block ${b.index}: ${imageCaption(r.report.images[i]!)}`;
        rows.push(`<figure><img class="route" data-run="${escapeHtml(e.model)}" data-block="${b.index}" data-image="${i}" alt="${escapeHtml(caption)}" src="${pictureUri(p)}"><figcaption>${escapeHtml(caption)}</figcaption></figure>`);
      }
    rows.push('</div>');
  }
  sections.push({ id: 'pictures', title: 'Routing of the same images, side by side', html: rows.length ? rows.join('\n') : '<p class="note">No run has an MoE block.</p>' });
  sections.push({
    id: 'routing',
    title: 'Routing statistics per run',
    html: withRoutes.map(([e, r], k) => `<h3>${escapeHtml(`${e.model} (${e.router})`)}</h3>${routingStats(r.report, charts, `run${k}_`)}`).join('\n') || '<p class="note">No run has an MoE block.</p>',
  });
  return renderPage({ title: 'moec study', subtitle: `${entries.length} runs`, sections, charts });
}
