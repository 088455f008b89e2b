// The routing part of a report: per MoE block the statistics over the test split
// (numbers tables with data-key attributes equal to routes.json, the class × expert
// usage heat map, the experts-per-token histogram) and the pictures of the images.
import type { Picture, RoutesReport } from '../routes/routes.ts';
import { imageCaption, pictureName } from '../routes/routes.ts';
import { escapeHtml } from './escape.ts';
import { chartDiv, table } from './page.ts';
import { routingStatCharts, type VegaLiteSpec } from './charts.ts';

export const fmt = (v: number): string => v.toFixed(4);

/** data URI of a picture's PNG. */
export function pictureUri(p: Picture): string {
  return `data:image/png;base64,${p.png.toString('base64')}`;
}

/** The statistics tables and charts of every block; `prefix` keeps chart ids apart when several reports share a page. */
export function routingStats(report: RoutesReport, charts: Record<string, VegaLiteSpec>, prefix = ''): string {
  const parts: string[] = [];
  if (report.statsOver) parts.push(`<p>Statistics over the ${escapeHtml(report.statsOver)}, checkpoint step ${report.step}.</p>`);
  for (const b of report.blocks) {
    const s = b.stats;
    parts.push(`<h3>Block ${b.index}: ${escapeHtml(b.router)}${b.routerName ? ` (${escapeHtml(b.routerName)})` : ''}, ${b.experts} experts × ${b.capacity} ${b.family === 'soft' ? 'slots' : 'capacity'}, groups of ${b.group} tokens</h3>`);
    if (!s) continue;
    const key = (k: string, v: number) => `<span data-block="${b.index}" data-key="${k}">${fmt(v)}</span>`;
    parts.push(
      table(
        ['statistic', 'value'],
        [
          ['tokens', `<span data-block="${b.index}" data-key="tokens">${s.tokens}</span>`],
          ['drop rate (tokens no expert processes)', key('dropRate', s.dropRate)],
          ['dropped fraction of token choices', key('choiceDropRate', s.choiceDropRate)],
          ['mean experts per token', key('meanExpertsPerToken', s.meanExpertsPerToken)],
        ],
        `class="numbers" data-block="${b.index}"`,
      ),
    );
    parts.push(
      table(
        ['expert', ...s.load.map((_, e) => String(e))],
        [
          ['load (share of routed weight)', ...s.load.map((v, e) => key(`load.${e}`, v))],
          ['fill of capacity', ...s.fill.map((v, e) => key(`fill.${e}`, v))],
        ],
        `class="numbers" data-block="${b.index}"`,
      ),
    );
    parts.push(
      table(
        ['class', 'images', ...s.load.map((_, e) => `e${e}`)],
        s.classUsage.map((row, c) => [escapeHtml(report.classes[c] ?? String(c)), String(s.classImages[c] ?? 0), ...row.map((v, e) => key(`classUsage.${c}.${e}`, v))]),
        `class="numbers usage" data-block="${b.index}"`,
      ),
    );
    const blockCharts = routingStatCharts(b.index, s, report.classes);
    const ids = Object.keys(blockCharts).map((id) => prefix + id);
    Object.entries(blockCharts).forEach(([id, spec]) => (charts[prefix + id] = spec));
    parts.push(`<div class="charts">${ids.map(chartDiv).join('')}</div>`);
  }
  return parts.join('\n');
}

/** The routing pictures, block by block. */
export function routingPictures(report: RoutesReport, pictures: ReadonlyMap<string, Picture>): string {
  const parts: string[] = [];
  for (const b of report.blocks) {
    parts.push(`<h3>Block ${b.index} pictures</h3><div class="pictures">`);
    report.images.forEach((image, i) => {
      const picture = pictures.get(pictureName(b.index, i));
      if (!picture) return;
      const caption = imageCaption(image);
      parts.push(`<figure><img class="route" data-block="${b.index}" data-image="${i}" alt="${escapeHtml(caption)}" src="${pictureUri(picture)}"><figcaption>${escapeHtml(caption)}</figcaption></figure>`);
    });
    parts.push('</div>');
  }
  return parts.join('\n');
}
