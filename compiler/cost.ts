// The cost model of an op graph (docs/compile.md): parameters, parameters active
// per token, and forward FLOPs per image, per encoder block and in total.
//
// Active parameters per token: every parameter outside the experts counts fully.
// Expert parameters (`block_i/moe/experts/…`, experts on the leading axis) count
// for the experts one token uses on average:
//   token choice   k experts (an upper bound: a dropped choice uses none);
//   expert choice  E·C/S experts (the E experts take C of the S tokens each);
//   soft MoE       all E experts (every slot mixes every token, so every expert
//                  contributes to every token's output).
// Non-trainable tables (sincos position embeddings) are not parameters.
import type { Graph, ParamSpec } from './graph/ir.ts';
import type { ResolvedModel, RouterKind } from './model.ts';
import { expertsPerToken, routerKind, routerSlots } from './routers/index.ts';

export interface BlockCost {
  readonly index: number;
  readonly kind: 'dense' | 'moe';
  readonly router?: RouterKind;
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

const BLOCK_PREFIX = /^block_(\d+)\//;

function blockOf(name: string): number | undefined {
  const m = BLOCK_PREFIX.exec(name);
  return m ? Number(m[1]) : undefined;
}

export function costOf(graph: Graph): CostSummary {
  const model: ResolvedModel = graph.meta.resolved;
  const perBlock = model.blocks.map(() => ({ params: 0, active: 0, flops: 0 }));
  const outside = { params: 0, flops: 0 };
  for (const p of graph.params) {
    if (!p.trainable) continue;
    const size = paramSize(p);
    const i = blockOf(p.name);
    if (i === undefined || !perBlock[i]) {
      outside.params += size;
      continue;
    }
    perBlock[i].params += size;
    const layer = model.blocks[i];
    if (layer.kind === 'moe' && p.name.startsWith(`block_${i}/moe/experts/`)) {
      perBlock[i].active += (size / layer.router.experts) * expertsPerToken(layer.router);
    } else {
      perBlock[i].active += size;
    }
  }
  for (const n of graph.nodes) {
    const i = blockOf(n.scope + '/');
    if (i === undefined || !perBlock[i]) outside.flops += n.flops;
    else perBlock[i].flops += n.flops;
  }
  const blocks: BlockCost[] = model.blocks.map((layer, index) => {
    const c = perBlock[index];
    const base = { index, params: c.params, activeParams: c.active, flops: c.flops };
    if (layer.kind === 'dense') return { ...base, kind: 'dense' };
    return {
      ...base,
      kind: 'moe',
      router: routerKind(layer.router),
      ...(layer.routerName ? { routerName: layer.routerName } : {}),
      experts: layer.router.experts,
      capacity: routerSlots(layer.router),
    };
  });
  const sum = (f: (b: BlockCost) => number): number => blocks.reduce((a, b) => a + f(b), 0);
  return {
    model: model.name,
    totalParams: outside.params + sum((b) => b.params),
    activeParams: outside.params + sum((b) => b.activeParams),
    flops: outside.flops + sum((b) => b.flops),
    blocks,
    outside,
  };
}
