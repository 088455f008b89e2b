// The routing analysis of a model on a few images (pictures) and on a whole split
// (statistics): `moec routes`, the run report and the study report call this.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphModel } from '../api.ts';
import type { Split } from '../data/dataset.ts';
import { BlockStatsAccumulator, imageRoutes, type BlockStats, type ImageChoice, type ImageRoutes } from './analyse.ts';
import { captureRouting, checkRoutingOutputs, imagesPerGroup } from './capture.ts';
import type { PatchGrid, RoutedBlock } from './layout.ts';
import { routingPng, routingSvg } from './picture.ts';

export const ROUTES_FORMAT = 'moec-routes/1';

export interface RoutesImage {
  /** File name, or `test[i]` for an image of the test split. */
  readonly name: string;
  readonly label?: number;
  readonly labelName?: string;
  readonly predicted: number;
  readonly predictedName: string;
  /** Block index → routes of this image. */
  readonly blocks: Readonly<Record<string, ImageRoutes>>;
}

export interface RoutesBlock extends RoutedBlock {
  /** Statistics over `statsSplit` (absent when no split was analysed). */
  readonly stats?: BlockStats;
}

export interface RoutesReport {
  readonly format: typeof ROUTES_FORMAT;
  readonly model: string;
  readonly checkpoint?: string;
  readonly step: number;
  readonly grid: PatchGrid;
  readonly classes: readonly string[];
  /** Which images the block statistics cover, e.g. `test split (2000 images)`. */
  readonly statsOver?: string;
  readonly blocks: readonly RoutesBlock[];
  readonly images: readonly RoutesImage[];
}

export interface RoutesInput {
  readonly model: GraphModel;
  readonly blocks: readonly RoutedBlock[];
  readonly grid: PatchGrid;
  readonly classes: readonly string[];
  /** Images to picture: normalised pixels, names and (optional) labels. */
  readonly images: { readonly pixels: Float32Array; readonly names: readonly string[]; readonly labels?: ArrayLike<number> };
  /** A split to compute the per-block statistics over. */
  readonly statsSplit?: { readonly split: Split; readonly description: string };
  readonly choice?: ImageChoice;
  readonly step?: number;
  readonly checkpoint?: string;
  /** Images per forward pass for the statistics (rounded to whole routing groups). */
  readonly batch?: number;
}

/** Repeats the first images so that `count` becomes a multiple of `multiple` (routing groups must be whole). */
function padded(pixels: Float32Array, count: number, multiple: number, size: number): { pixels: Float32Array; count: number } {
  const total = Math.ceil(count / multiple) * multiple;
  if (total === count) return { pixels, count };
  const out = new Float32Array(total * size);
  out.set(pixels.subarray(0, count * size));
  for (let i = count; i < total; i++) out.set(pixels.subarray(((i - count) % count) * size, ((i - count) % count + 1) * size), i * size);
  return { pixels: out, count: total };
}

export async function analyseRoutes(input: RoutesInput): Promise<RoutesReport> {
  const { model, blocks, grid } = input;
  checkRoutingOutputs(model, blocks);
  const step = input.step ?? 0;
  const size = grid.image[0] * grid.image[1] * grid.image[2];
  const multiple = imagesPerGroup(blocks, grid);
  const n = input.images.names.length;
  const className = (c: number) => input.classes[c] ?? String(c);

  const shown = padded(input.images.pixels, n, multiple, size);
  const captured = await captureRouting(model, shown.pixels, shown.count, grid, blocks, step);
  const images: RoutesImage[] = input.images.names.map((name, i) => {
    const label = input.images.labels?.[i];
    const routes: Record<string, ImageRoutes> = {};
    for (const b of blocks) routes[String(b.index)] = imageRoutes(b, grid, captured.blocks.get(b.index)!, i, input.choice);
    return {
      name,
      ...(label !== undefined ? { label, labelName: className(label) } : {}),
      predicted: captured.predicted[i]!,
      predictedName: className(captured.predicted[i]!),
      blocks: routes,
    };
  });

  let stats: Map<number, BlockStats> | undefined;
  if (input.statsSplit) {
    const { split } = input.statsSplit;
    const acc = new Map(blocks.map((b) => [b.index, new BlockStatsAccumulator(b, grid, input.classes.length)]));
    const batch = Math.max(multiple, Math.floor((input.batch ?? 200) / multiple) * multiple);
    for (let start = 0; start < split.count; start += batch) {
      const count = Math.min(batch, split.count - start);
      const part = padded(split.images.subarray(start * size, (start + count) * size), count, multiple, size);
      const c = await captureRouting(model, part.pixels, part.count, grid, blocks, step);
      const labels = Int32Array.from({ length: part.count }, (_, i) => (i < count ? split.labels[start + i]! : -1));
      for (const b of blocks) acc.get(b.index)!.add(c.blocks.get(b.index)!, labels, count);
    }
    stats = new Map([...acc].map(([i, a]) => [i, a.summary()]));
  }
  return {
    format: ROUTES_FORMAT,
    model: model.graph.meta.model,
    ...(input.checkpoint ? { checkpoint: input.checkpoint } : {}),
    step,
    grid,
    classes: [...input.classes],
    ...(input.statsSplit ? { statsOver: input.statsSplit.description } : {}),
    blocks: blocks.map((b) => ({ ...b, ...(stats?.get(b.index) ? { stats: stats.get(b.index) } : {}) })),
    images,
  };
}

export function imageCaption(image: RoutesImage): string {
  const label = image.labelName !== undefined ? ` · label ${image.labelName}` : '';
  return `${image.name}${label} · predicted ${image.predictedName}`;
}

/** The picture file stem of image i in block b. */
export const pictureName = (block: number, image: number): string => `block${block}-image${String(image).padStart(3, '0')}`;

export interface Picture {
  readonly svg: string;
  readonly png: Buffer;
}

/** Every picture of a report (SVG and its PNG), keyed by pictureName. */
export function routePictures(report: RoutesReport, pixels: Float32Array): Map<string, Picture> {
  const size = report.grid.image[0] * report.grid.image[1] * report.grid.image[2];
  const out = new Map<string, Picture>();
  report.images.forEach((image, i) => {
    for (const b of report.blocks) {
      const routes = image.blocks[String(b.index)]!;
      const svg = routingSvg({ block: b, grid: report.grid, image: pixels.subarray(i * size, (i + 1) * size), routes, caption: imageCaption(image) });
      out.set(pictureName(b.index, i), { svg, png: routingPng(svg) });
    }
  });
  return out;
}

/** Writes routes.json and a .svg and .png per image and block into `dir`; returns the file names. */
export function writeRoutes(dir: string, report: RoutesReport, pictures: ReadonlyMap<string, Picture>): string[] {
  mkdirSync(dir, { recursive: true });
  const files = ['routes.json'];
  writeFileSync(join(dir, 'routes.json'), JSON.stringify(report, null, 1) + '\n');
  for (const [name, p] of pictures) {
    writeFileSync(join(dir, `${name}.svg`), p.svg);
    writeFileSync(join(dir, `${name}.png`), p.png);
    files.push(`${name}.svg`, `${name}.png`);
  }
  return files;
}
