// The op graph as Graphviz DOT: one node per op (label: op and shape), one edge
// per input, and one cluster per top-level scope (embedding, block_i, head).
import type { Graph } from './ir.ts';

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function graphAsDot(graph: Graph): string {
  const lines = [`digraph ${quote(graph.meta.model)} {`, '  rankdir=TB;', '  node [shape=box, fontname="Helvetica", fontsize=10];'];
  const clusters = new Map<string, string[]>();
  for (const n of graph.nodes) {
    const top = n.scope.split('/')[0] || 'model';
    const label = `${n.op}${n.op === 'param' ? ` ${String(n.attrs.name)}` : ''}\\n[${n.shape.join(', ')}]`;
    const style = n.op === 'param' ? ', shape=ellipse, style=filled, fillcolor="#eeeeee"' : n.op === 'input' ? ', shape=invhouse' : '';
    const line = `    ${quote(n.id)} [label=${quote(label).replace(/\\\\n/g, '\\n')}${style}];`;
    clusters.set(top, [...(clusters.get(top) ?? []), line]);
  }
  let i = 0;
  for (const [scope, nodes] of clusters) {
    lines.push(`  subgraph cluster_${i++} {`, `    label=${quote(scope)};`, ...nodes, '  }');
  }
  for (const n of graph.nodes) for (const input of n.inputs) lines.push(`  ${quote(input)} -> ${quote(n.id)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
