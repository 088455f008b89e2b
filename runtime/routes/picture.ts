// Routing pictures: one input image with its patch grid, coloured by the expert
// each patch went to (sparse routers) or by one slot's dispatch weights (Soft MoE),
// as SVG (the image embedded as a PNG data URI) and PNG through resvg.
import { svgToPng } from '../plots/line-chart.ts';
import type { ImageRoutes, SoftImageRoutes, SparseImageRoutes } from './analyse.ts';
import type { PatchGrid, RoutedBlock } from './layout.ts';
import { encodePng, imageBytes } from './png.ts';

const TABLEAU = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** A distinct colour per expert (Tableau 10, then golden-angle hues). */
export function expertColour(e: number): string {
  if (e < TABLEAU.length) return TABLEAU[e]!;
  const hue = Math.round((e * 137.508) % 360);
  return `hsl(${hue}, 65%, ${e % 2 ? 45 : 60}%)`;
}

/** Viridis at t ∈ [0, 1] (five stops, linear between). */
export function heatColour(t: number): string {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i]!.map((a, k) => Math.round(a + (stops[i + 1]![k]! - a) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface PictureInput {
  readonly block: RoutedBlock;
  readonly grid: PatchGrid;
  /** The normalised image (H·W·C floats). */
  readonly image: Float32Array;
  readonly routes: ImageRoutes;
  /** One line above the picture (image name, label, prediction). */
  readonly caption: string;
}

const FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="12"';
const TARGET = 224;

function base(input: PictureInput) {
  const [H, W] = input.grid.image;
  const scale = Math.max(1, Math.round(TARGET / Math.max(H, W)));
  const img = imageBytes(input.image, input.grid.image, scale);
  const href = `data:image/png;base64,${encodePng(img.bytes, img.width, img.height, img.channels).toString('base64')}`;
  const [ph, pw] = input.grid.patch;
  return { scale, width: img.width, height: img.height, href, cell: { w: pw * scale, h: ph * scale } };
}

function routerTitle(block: RoutedBlock): string {
  return `block ${block.index} · ${block.router}${block.routerName ? ` (${block.routerName})` : ''} · ${block.experts} experts × ${block.capacity} ${block.family === 'soft' ? 'slots' : 'capacity'}`;
}

function sparseSvg(input: PictureInput, r: SparseImageRoutes): string {
  const b = base(input);
  const { grid, block } = input;
  const x0 = 10;
  const y0 = 48;
  const legendX = x0 + b.width + 20;
  const W = legendX + 230;
  const H = Math.max(y0 + b.height + 30, y0 + 22 * block.experts + 60);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT}>`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${x0}" y="18" font-weight="bold">${escapeXml(routerTitle(block))}</text>`);
  parts.push(`<text x="${x0}" y="36">${escapeXml(input.caption)}</text>`);
  parts.push(`<image x="${x0}" y="${y0}" width="${b.width}" height="${b.height}" href="${b.href}"/>`);
  for (let p = 0; p < grid.rows * grid.cols; p++) {
    const x = x0 + (p % grid.cols) * b.cell.w;
    const y = y0 + Math.floor(p / grid.cols) * b.cell.h;
    const e = r.expert[p]!;
    if (r.dropped[p]) {
      parts.push(`<rect x="${x}" y="${y}" width="${b.cell.w}" height="${b.cell.h}" fill="#000" fill-opacity="0.35" stroke="white" stroke-width="1"/>`);
      const m = Math.min(b.cell.w, b.cell.h) * 0.25;
      parts.push(`<path d="M${x + m},${y + m} L${x + b.cell.w - m},${y + b.cell.h - m} M${x + b.cell.w - m},${y + m} L${x + m},${y + b.cell.h - m}" stroke="white" stroke-width="3"/>`);
      parts.push(`<path d="M${x + m},${y + m} L${x + b.cell.w - m},${y + b.cell.h - m} M${x + b.cell.w - m},${y + m} L${x + m},${y + b.cell.h - m}" stroke="#d00" stroke-width="1.5"/>`);
      continue;
    }
    parts.push(`<rect x="${x}" y="${y}" width="${b.cell.w}" height="${b.cell.h}" fill="${expertColour(e)}" fill-opacity="0.5" stroke="white" stroke-width="1"/>`);
    const second = r.second[p]!;
    if (second >= 0) {
      const rad = Math.max(2, Math.min(b.cell.w, b.cell.h) * 0.18);
      parts.push(`<circle cx="${x + b.cell.w - rad - 2}" cy="${y + rad + 2}" r="${rad}" fill="${expertColour(second)}" stroke="white" stroke-width="1"/>`);
    }
    if (r.partlyDropped[p]) parts.push(`<path d="M${x},${y + b.cell.h} l8,0 l-8,-8 z" fill="#d00"/>`);
  }
  // Legend: colour, tokens of this image, fill of the group vs capacity.
  parts.push(`<text x="${legendX}" y="${y0 - 4}" font-weight="bold">expert: tokens · fill of capacity</text>`);
  for (let e = 0; e < block.experts; e++) {
    const y = y0 + 8 + e * 22;
    const fill = r.fill[e] ?? 0;
    parts.push(`<rect x="${legendX}" y="${y}" width="14" height="14" fill="${expertColour(e)}"/>`);
    parts.push(`<text x="${legendX + 20}" y="${y + 11}">${e}: ${r.expertTokens[e]}</text>`);
    parts.push(`<rect x="${legendX + 70}" y="${y + 2}" width="100" height="10" fill="none" stroke="#999"/>`);
    parts.push(`<rect x="${legendX + 70}" y="${y + 2}" width="${(Math.min(1, fill) * 100).toFixed(1)}" height="10" fill="${expertColour(e)}"/>`);
    parts.push(`<text x="${legendX + 176}" y="${y + 11}">${Math.round(fill * 100)}%</text>`);
  }
  const dropped = r.dropped.filter(Boolean).length;
  const ly = y0 + 8 + block.experts * 22 + 14;
  parts.push(`<text x="${legendX}" y="${ly}">✕ dropped: ${dropped} of ${r.dropped.length} patches</text>`);
  if (r.second.some((s) => s >= 0)) parts.push(`<text x="${legendX}" y="${ly + 18}">● dot: second expert</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

function softSvg(input: PictureInput, r: SoftImageRoutes): string {
  const b = base(input);
  const { grid, block } = input;
  const x0 = 10;
  const y0 = 66;
  const cx = x0 + b.width + 30;
  const cellSize = Math.max(14, Math.min(28, Math.floor(180 / Math.max(block.experts, block.capacity))));
  const W = Math.max(cx + block.capacity * cellSize + 150, cx + 230);
  const H = Math.max(y0 + b.height + 30, y0 + 40 + block.experts * cellSize + 40);
  const peak = Math.max(1e-12, ...r.dispatch);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT}>`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${x0}" y="18" font-weight="bold">${escapeXml(routerTitle(block))}</text>`);
  parts.push(`<text x="${x0}" y="36">${escapeXml(input.caption)}</text>`);
  parts.push(`<text x="${x0}" y="54">${escapeXml(`slot ${r.slot.slot} of expert ${r.slot.expert}: dispatch weights over the patches (max ${r.dispatch[r.hottest]!.toFixed(3)})`)}</text>`);
  parts.push(`<image x="${x0}" y="${y0}" width="${b.width}" height="${b.height}" href="${b.href}"/>`);
  for (let p = 0; p < grid.rows * grid.cols; p++) {
    const x = x0 + (p % grid.cols) * b.cell.w;
    const y = y0 + Math.floor(p / grid.cols) * b.cell.h;
    const t = r.dispatch[p]! / peak;
    parts.push(`<rect x="${x}" y="${y}" width="${b.cell.w}" height="${b.cell.h}" fill="${heatColour(t)}" fill-opacity="${(0.1 + 0.6 * t).toFixed(3)}" stroke="white" stroke-width="0.5"/>`);
  }
  const outline = (p: number, colour: string, width: number) => {
    const x = x0 + (p % grid.cols) * b.cell.w;
    const y = y0 + Math.floor(p / grid.cols) * b.cell.h;
    return `<rect x="${x + width / 2}" y="${y + width / 2}" width="${b.cell.w - width}" height="${b.cell.h - width}" fill="none" stroke="${colour}" stroke-width="${width}"/>`;
  };
  parts.push(outline(r.hottest, '#ff2d00', 3));
  parts.push(outline(r.patch, '#00e5ff', 2));
  // The chosen patch's combine weights over experts (rows) × slots (columns).
  const cPeak = Math.max(1e-12, ...r.combine.flat());
  parts.push(`<text x="${cx}" y="${y0 + 10}" font-weight="bold">patch ${r.patch} (cyan): combine weights</text>`);
  for (let e = 0; e < block.experts; e++) {
    const y = y0 + 22 + e * cellSize;
    parts.push(`<text x="${cx}" y="${y + cellSize / 2 + 4}">e${e}</text>`);
    for (let c = 0; c < block.capacity; c++) {
      const w = r.combine[e]![c]!;
      parts.push(`<rect x="${cx + 28 + c * cellSize}" y="${y}" width="${cellSize - 1}" height="${cellSize - 1}" fill="${heatColour(w / cPeak)}"/>`);
    }
    parts.push(`<text x="${cx + 34 + block.capacity * cellSize}" y="${y + cellSize / 2 + 4}">${r.combineByExpert[e]!.toFixed(3)}</text>`);
  }
  parts.push(`<text x="${cx}" y="${y0 + 38 + block.experts * cellSize}">columns: slots · red: hottest patch ${r.hottest}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

export function routingSvg(input: PictureInput): string {
  return input.routes.kind === 'soft' ? softSvg(input, input.routes) : sparseSvg(input, input.routes);
}

export function routingPng(svg: string): Buffer {
  return Buffer.from(svgToPng(svg));
}
