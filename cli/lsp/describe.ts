// Markdown pieces shared by hover and inlay hints: resolved values, where a field
// came from, and the cost of blocks.
import { basename } from 'node:path';
import type { BlockCost } from '../../compiler/cost.ts';
import type { FieldSource } from '../../compiler/index.ts';
import { modelFieldTexts, trainFieldTexts } from '../../compiler/index.ts';
import type { ResolvedModel, ResolvedTrain } from '../../compiler/model.ts';
import type { Span } from '../../diagnostics/diagnostic.ts';
import type { Analysis } from './analysis.ts';
import { pathToUri } from './paths.ts';

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 2.1 M, 350 k, 12 (for short labels). */
export function short(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toPrecision(3)} G`;
  if (a >= 1e6) return `${(n / 1e6).toPrecision(3)} M`;
  if (a >= 1e3) return `${(n / 1e3).toPrecision(3)} k`;
  return String(Math.round(n));
}

export function gflops(f: number): string {
  return f >= 1e9 ? (f / 1e9).toFixed(3) : f === 0 ? '0' : (f / 1e9).toPrecision(3);
}

/** The resolved value of a model field as .moe text. */
export function modelFieldValue(model: ResolvedModel, field: string): string | undefined {
  return modelFieldTexts(model).find(([name]) => name === field)?.[1];
}

export function trainFieldValue(train: ResolvedTrain, field: string): string | undefined {
  const v = trainFieldTexts(train).find(([name]) => name === field)?.[1];
  return v === undefined ? undefined : String(v);
}

/** `[main.moe:12](file:///…#L12)`: a clickable place. */
export function placeLink(span: Span): string {
  const name = basename(span.file);
  return `[${name}:${span.start.line}](${pathToUri(span.file)}#L${span.start.line})`;
}

/** The source text of a span (the value as written). */
export function sourceText(analysis: Analysis, span: Span): string | undefined {
  return analysis.program.sources.get(span.file)?.slice(span.start.offset, span.end.offset);
}

/** Where a field of `model` got its value, in one line per source (in effect first). */
export function provenance(analysis: Analysis, model: string, sources: readonly FieldSource[] | undefined): string[] {
  if (!sources || sources.length === 0) return ['default value (not written in the model or its bases)'];
  const describe = (s: FieldSource): string => {
    const at = placeLink(s.field.span);
    if (s.model === undefined) return `\`--set\` override`;
    if (s.model === model) return `set in \`${s.model}\` (${at})`;
    if (s.preset) return `from the standard preset \`${s.model}\` (${at})`;
    return `inherited from \`${s.model}\` through \`extends\` (${at})`;
  };
  const [first, ...rest] = sources;
  return [
    describe(first),
    ...rest.map((s) => `replaces \`${sourceText(analysis, s.field.value.span) ?? '…'}\`, ${describe(s)}`),
  ];
}

export function layerText(b: BlockCost): string {
  if (b.kind === 'dense') return 'dense';
  return `MoE ${b.router}${b.routerName ? ` (${b.routerName})` : ''}, ${b.experts} experts × ${b.capacity} slots`;
}

/** A Markdown table of blocks: parameters, active parameters per token and forward GFLOPs per image. */
export function blockTable(blocks: readonly BlockCost[]): string {
  const rows = blocks.map((b) => `| ${b.index} | ${layerText(b)} | ${int(b.params)} | ${int(b.activeParams)} | ${gflops(b.flops)} |`);
  return ['| block | layer | params | active params | GFLOPs |', '| ---: | --- | ---: | ---: | ---: |', ...rows].join('\n');
}
