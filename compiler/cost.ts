// The cost model of an op graph (docs/compile.md): parameters, parameters active
// per token, and forward FLOPs per image, per encoder block and in total.
//
// Everything comes from the graph: a parameter or node belongs to the block whose
// `scope` holds it (graph.blocks[i].scope). Active parameters per token: every
// parameter outside the experts counts fully. Expert parameters
// (graph.blocks[i].expertParams, experts on the leading axis) count for the
// experts one token uses on average (graph.blocks[i].expertsPerToken, set at
// lowering by the router's definition, compiler/routers/):
//   token choice   k experts (an upper bound: a dropped choice uses none);
//   expert choice  E·C/S experts (the E experts take C of the S tokens each);
//   soft MoE       all E experts (every slot mixes every token, so every expert
//                  contributes to every token's output).
// Non-trainable tables (sincos position embeddings) are not parameters.
import type { BlockInfo, Graph, ParamSpec } from './graph/ir.ts';
import { expertsPerToken } from './routers/index.ts';

export interface BlockCost {
  readonly index: number;
  readonly kind: 'dense' | 'moe';
  /** Router kind, e.g. `soft_moe` (graph.blocks[i].router). */
  readonly router?: string;
  readonly routerName?: string;
  readonly experts?: number;
  /** Slots per expert per group (moe only). */
  readonly capacity?: number;
  readonly params: number;
  readonly activeParams: number;
  /** Forward FLOPs per image (multiply-add = 2). */
  readonly flops: number;
}

export interface CostSummary {
  readonly model: string;
  readonly totalParams: number;
  readonly activeParams: number;
  readonly flops: number;
  readonly blocks: readonly BlockCost[];
  /** Everything outside the encoder blocks: embedding, class token, position embedding, final norm, head. */
  readonly outside: { readonly params: number; readonly flops: number };
}

export function paramSize(p: ParamSpec): number {
  return p.shape.reduce((a, b) => a * b, 1);
}

// How many experts' parameters a token uses on average: each router definition says (compiler/routers/).
export { expertsPerToken };

/** The block whose scope holds `scope` (the scope itself or below it). */
function blockIndexer(blocks: readonly BlockInfo[]): (scope: string) => number | undefined {
  const byScope = new Map(blocks.map((b, i) => [b.scope, i]));
  return (scope) => {
    for (let s = scope; s !== ''; s = s.includes('/') ? s.slice(0, s.lastIndexOf('/')) : '') {
      const i = byScope.get(s);
      if (i !== undefined) return i;
    }
    return undefined;
  };
}

/** Cost from the graph alone: its parameters, nodes and block descriptions. */
export function costOf(graph: Graph): CostSummary {
  const blockOf = blockIndexer(graph.blocks);
  const perBlock = graph.blocks.map(() => ({ params: 0, active: 0, flops: 0 }));
  const outside = { params: 0, flops: 0 };
  // A parameter belongs to the scope of the node that reads it.
  const paramScope = new Map<string, string>();
  for (const n of graph.nodes) if (n.op === 'param' && !paramScope.has(String(n.attrs.name))) paramScope.set(String(n.attrs.name), n.scope);
  const expertParams = new Set(graph.blocks.flatMap((b) => b.expertParams ?? []));
  for (const p of graph.params) {
    if (!p.trainable) continue;
    const size = paramSize(p);
    const i = blockOf(paramScope.get(p.name) ?? '');
    if (i === undefined) {
      outside.params += size;
      continue;
    }
    perBlock[i].params += size;
    const block = graph.blocks[i];
    if (block.kind === 'moe' && expertParams.has(p.name) && block.experts && block.expertsPerToken !== undefined) {
      perBlock[i].active += (size / block.experts) * block.expertsPerToken;
    } else {
      perBlock[i].active += size;
    }
  }
  for (const n of graph.nodes) {
    const i = blockOf(n.scope);
    if (i === undefined) outside.flops += n.flops;
    else perBlock[i].flops += n.flops;
  }
  const blocks: BlockCost[] = graph.blocks.map((block, i) => {
    const c = perBlock[i];
    const base = { index: block.index, params: c.params, activeParams: c.active, flops: c.flops };
    if (block.kind === 'dense') return { ...base, kind: 'dense' };
    return {
      ...base,
      kind: 'moe',
      ...(block.router ? { router: block.router } : {}),
      ...(block.routerName ? { routerName: block.routerName } : {}),
      ...(block.experts !== undefined ? { experts: block.experts } : {}),
      ...(block.capacity !== undefined ? { capacity: block.capacity } : {}),
    };
  });
  const sum = (f: (b: BlockCost) => number): number => blocks.reduce((a, b) => a + f(b), 0);
  return {
    model: graph.meta.model,
    totalParams: outside.params + sum((b) => b.params),
    activeParams: outside.params + sum((b) => b.activeParams),
    flops: outside.flops + sum((b) => b.flops),
    blocks,
    outside,
  };
}
