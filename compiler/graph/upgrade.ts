// Reads `moec-graph/1` files as `moec-graph/2` graphs. Version 1 had fixed outputs
// ({logits, auxLoss}), statistics listed per block, and blocks described only
// partly (the rest was in meta.resolved). Every v1 file moec wrote was lowered by
// compiler/lower, so its layout is known: this is the one place that relies on it
// (scopes `block_<i>`, routing tensors `block_<i>/moe/router/{dispatch,combine}`,
// expert parameters `block_<i>/moe/experts/…`).
import type { ResolvedModel } from '../model.ts';
import { expertsPerToken, routerKind, routerSlots } from '../routers/index.ts';
import type { BlockInfo, Graph, GraphInput, OpNode, ParamSpec, RoutingStatName } from './ir.ts';
import { GRAPH_FORMAT, blockOutput } from './ir.ts';

export const GRAPH_FORMAT_V1 = 'moec-graph/1';

/** The v1 file layout (what the v1 schema accepts). */
export interface GraphV1 {
  readonly format: typeof GRAPH_FORMAT_V1;
  readonly meta: { readonly model: string; readonly source?: string; readonly compiler: string; readonly resolved: ResolvedModel };
  readonly inputs: readonly GraphInput[];
  readonly params: readonly ParamSpec[];
  readonly nodes: readonly OpNode[];
  readonly outputs: { readonly logits: string; readonly auxLoss: string };
  readonly blocks: readonly {
    readonly index: number;
    readonly kind: 'dense' | 'moe';
    readonly router?: string;
    readonly routerName?: string;
    readonly experts?: number;
    readonly capacity?: number;
    readonly group?: number;
    readonly stats?: readonly { readonly name: RoutingStatName; readonly node: string }[];
  }[];
}

function upgradeBlock(block: GraphV1['blocks'][number], model: ResolvedModel, params: readonly ParamSpec[]): BlockInfo {
  const scope = `block_${block.index}`;
  const layer = model.blocks[block.index];
  if (block.kind === 'dense' || !layer || layer.kind !== 'moe') return { index: block.index, kind: block.kind, scope, mlp: model.mlp };
  const r = layer.router;
  const experts = params.filter((p) => p.name.startsWith(`${scope}/moe/experts/`)).map((p) => p.name);
  return {
    index: block.index,
    kind: 'moe',
    scope,
    mlp: layer.mlp,
    router: routerKind(r),
    family: r.family,
    ...(block.routerName ? { routerName: block.routerName } : {}),
    experts: r.experts,
    capacity: routerSlots(r),
    group: r.group,
    expertsPerToken: expertsPerToken(r),
    expertParams: experts,
    routerParams: { ...r },
  };
}

/** The v2 graph of a valid v1 graph (same nodes and parameters, so the same numbers). */
export function upgradeGraphV1(v1: GraphV1): Graph {
  const m = v1.meta.resolved;
  const ids = new Set(v1.nodes.map((n) => n.id));
  const outputs: Record<string, string> = { logits: v1.outputs.logits, aux_loss: v1.outputs.auxLoss };
  for (const block of v1.blocks) {
    if (block.kind !== 'moe') continue;
    for (const name of ['dispatch', 'combine']) {
      const id = `block_${block.index}/moe/router/${name}`;
      if (ids.has(id)) outputs[blockOutput(block.index, name)] = id;
    }
    for (const s of block.stats ?? []) outputs[blockOutput(block.index, s.name)] = s.node;
  }
  const { image, patch, tokens, width, depth, heads, mlp, classes, pool, posemb, dropout } = m;
  return {
    format: GRAPH_FORMAT,
    meta: v1.meta,
    vit: { image, patch, tokens, width, depth, heads, mlp, classes, pool, posemb, dropout },
    inputs: v1.inputs,
    params: v1.params,
    nodes: v1.nodes,
    outputs,
    blocks: v1.blocks.map((b) => upgradeBlock(b, m, v1.params)),
  };
}
