// One self-contained HTML page: sections of trusted markup (built with escapeHtml
// from user text), Vega-Lite charts embedded as JSON and drawn by the inlined
// vega-embed, images as data URIs. A Content-Security-Policy forbids every
// network request (default-src 'none'); Vega needs 'unsafe-eval' for its
// expression language.
import { escapeHtml, jsonForScript } from './escape.ts';
import type { VegaLiteSpec } from './charts.ts';
import { vegaScripts } from './vendor.ts';

export interface Section {
  readonly id: string;
  readonly title: string;
  /** Trusted markup: everything from user files in it went through escapeHtml. */
  readonly html: string;
}

export interface PageInput {
  readonly title: string;
  readonly subtitle?: string;
  readonly sections: readonly Section[];
  readonly charts: Readonly<Record<string, VegaLiteSpec>>;
  /** JSON data islands, by element id (e.g. the routes.json numbers). */
  readonly data?: Readonly<Record<string, unknown>>;
}

const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:";

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "DejaVu Sans", Arial, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #1f2937; color: #f9fafb; padding: 14px 24px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; color: #cbd5e1; }
nav { padding: 8px 24px; background: #e5e7eb; }
nav a { margin-right: 14px; color: #1f2937; }
main { padding: 8px 24px 40px; }
section { background: white; border: 1px solid #e5e7eb; border-radius: 6px; padding: 12px 18px; margin: 16px 0; }
h2 { margin: 4px 0 10px; font-size: 17px; }
h3 { margin: 14px 0 6px; font-size: 15px; }
pre { background: #f3f4f6; padding: 10px; overflow: auto; max-height: 480px; font-size: 12.5px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid #e5e7eb; padding: 3px 8px; text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f9fafb; } td.l, th.l { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { min-width: 300px; min-height: 120px; }
.pictures { display: flex; flex-wrap: wrap; gap: 10px; }
.pictures figure { margin: 0; }
.pictures img { border: 1px solid #e5e7eb; max-width: 100%; }
.note { color: #92400e; background: #fffbeb; border: 1px solid #fde68a; padding: 6px 10px; }
.side { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
`;

// Draws every [data-chart] element; marks the body when all are done (tests wait for it).
const BOOT = `
(function () {
  var specs = JSON.parse(document.getElementById('moec-charts').textContent);
  var jobs = Array.prototype.map.call(document.querySelectorAll('[data-chart]'), function (el) {
    return vegaEmbed(el, specs[el.getAttribute('data-chart')], { actions: false, renderer: 'svg' })
      .then(function () { el.setAttribute('data-rendered', 'true'); })
      .catch(function (e) { el.textContent = 'chart failed: ' + e.message; el.setAttribute('data-rendered', 'failed'); console.error(e); });
  });
  Promise.all(jobs).then(function () { document.body.setAttribute('data-charts-done', 'true'); });
})();
`;

export function chartDiv(id: string): string {
  return `<div class="chart" data-chart="${escapeHtml(id)}"></div>`;
}

export function renderPage(input: PageInput): string {
  const nav = input.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('');
  const sections = input.sections.map((s) => `<section id="${escapeHtml(s.id)}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`).join('\n');
  const islands = Object.entries(input.data ?? {})
    .map(([id, value]) => `<script type="application/json" id="${escapeHtml(id)}">${jsonForScript(value)}</script>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(input.title)}</h1>${input.subtitle ? `<p>${escapeHtml(input.subtitle)}</p>` : ''}</header>
<nav>${nav}</nav>
<main>
${sections}
</main>
<script type="application/json" id="moec-charts">${jsonForScript(input.charts)}</script>
${islands}
<script>${vegaScripts()}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}

/** A table from rows of cells (already-escaped markup); the first `left` columns are left-aligned. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], attrs = '', left = 1): string {
  const cell = (tag: string, v: string, i: number) => `<${tag}${i < left ? ' class="l"' : ''}>${v}</${tag}>`;
  return `<table${attrs ? ' ' + attrs : ''}><thead><tr>${head.map((h, i) => cell('th', h, i)).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((v, i) => cell('td', v, i)).join('')}</tr>`).join('')}</tbody></table>`;
}
