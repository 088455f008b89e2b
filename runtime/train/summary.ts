// A short model summary for the console: parameters, FLOPs per image, block layout.
import type { Graph } from '../../compiler/graph/ir.ts';

export function parameterCount(graph: Graph, trainableOnly = true): number {
  return graph.params.filter((p) => !trainableOnly || p.trainable).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
}

export function flopsPerImage(graph: Graph): number {
  return graph.nodes.reduce((a, n) => a + n.flops, 0);
}

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

export function modelSummary(graph: Graph): string {
  const m = graph.vit;
  const lines = [
    m
      ? `model ${graph.meta.model}: ${m.image.join('x')} images, patch ${m.patch.join('x')} → ${m.tokens} tokens, width ${m.width}, depth ${m.depth}, heads ${m.heads}, ${m.classes} classes`
      : `model ${graph.meta.model}`,
    `  parameters: ${parameterCount(graph).toLocaleString('en-US')} trainable (${human(parameterCount(graph))}), forward ${human(flopsPerImage(graph))}FLOPs per image`,
  ];
  for (const b of graph.blocks) {
    const what = b.kind === 'dense' ? 'dense MLP' : `MoE ${b.router}${b.routerName ? ` (${b.routerName})` : ''}: ${b.experts} experts, capacity ${b.capacity} per group of ${b.group}`;
    lines.push(`  block ${b.index}: ${what}`);
  }
  return lines.join('\n');
}
