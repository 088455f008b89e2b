// What the routing analysis needs to know about a graph: the patch grid of an
// image (rows × cols, class-token prefix) and, per MoE block, the router family,
// experts, slots per expert and group size. Read from the graph only.
import type { Graph } from '../../compiler/graph/ir.ts';
import { RuntimeFault } from '../train/fault.ts';

export type RouterFamilyName = 'token_choice' | 'expert_choice' | 'soft';

export interface PatchGrid {
  /** [H, W, C] of an input image. */
  readonly image: readonly [number, number, number];
  readonly patch: readonly [number, number];
  readonly rows: number;
  readonly cols: number;
  /** Tokens before the patches (1 with `pool: cls`). */
  readonly prefix: number;
  /** Tokens per image (prefix + rows·cols). */
  readonly tokens: number;
}

export interface RoutedBlock {
  readonly index: number;
  readonly family: RouterFamilyName;
  /** Router kind, e.g. `soft_moe`, `softmax_token_choice`. */
  readonly router: string;
  readonly routerName?: string;
  readonly experts: number;
  /** Slots per expert per group: capacity C (sparse) or slots P (Soft MoE). */
  readonly capacity: number;
  /** Tokens per routing group S. */
  readonly group: number;
  /** Experts each token asks for: k for token choice, 0 otherwise. */
  readonly k: number;
}

/** The family of a block from its graph `family` field, or (older graphs) its router kind. */
export function familyOfKind(kind: string): RouterFamilyName | undefined {
  if (kind === 'token_choice' || kind === 'expert_choice') return kind;
  if (kind.endsWith('token_choice')) return 'token_choice';
  if (kind.endsWith('expert_choice')) return 'expert_choice';
  if (kind === 'soft_moe' || kind === 'soft') return 'soft';
  return undefined;
}

export function patchGrid(graph: Graph): PatchGrid {
  const src = graph.vit;
  if (!src) throw new RuntimeFault('MOE0707', `model ${graph.meta.model}: the graph does not describe a ViT (no image and patch sizes), so routes cannot be drawn over images`);
  const [H, W, C] = src.image;
  const [ph, pw] = src.patch;
  const rows = Math.floor(H / ph);
  const cols = Math.floor(W / pw);
  const prefix = src.pool === 'cls' ? 1 : 0;
  return { image: [H, W, C], patch: [ph, pw], rows, cols, prefix, tokens: src.tokens };
}

/** The MoE blocks of a graph, in order. */
export function routedBlocks(graph: Graph): RoutedBlock[] {
  const out: RoutedBlock[] = [];
  for (const b of graph.blocks) {
    if (b.kind !== 'moe') continue;
    const family = familyOfKind(b.family ?? b.router ?? '');
    if (!family || !b.experts || !b.capacity || !b.group) throw new RuntimeFault('MOE0707', `block ${b.index} of model ${graph.meta.model}: incomplete router information in the graph (router, experts, capacity, group)`, 'recompile the spec with this version of moec');
    // Token choice: experts per token is k (routers/token-choice.ts expertsPerToken).
    const k = family === 'token_choice' ? Math.round(b.expertsPerToken ?? 1) : 0;
    out.push({ index: b.index, family, router: b.router!, ...(b.routerName ? { routerName: b.routerName } : {}), experts: b.experts, capacity: b.capacity, group: b.group, k });
  }
  return out;
}

/** The blocks to analyse: all MoE blocks, or the one `--block` names (which must be an MoE block). */
export function selectBlocks(graph: Graph, block?: number): RoutedBlock[] {
  const blocks = routedBlocks(graph);
  if (blocks.length === 0) throw new RuntimeFault('MOE0705', `model ${graph.meta.model} has no MoE block: there is no routing to show`, 'add a `blocks ...: moe(...)` line to the model');
  if (block === undefined) return blocks;
  const found = blocks.find((b) => b.index === block);
  if (found) return [found];
  const depth = graph.blocks.length;
  const what = block >= 0 && block < depth ? `block ${block} is a dense block` : `model ${graph.meta.model} has no block ${block} (blocks 0–${depth - 1})`;
  throw new RuntimeFault('MOE0704', `--block ${block}: ${what}, not an MoE block`, `MoE blocks of ${graph.meta.model}: ${blocks.map((b) => b.index).join(', ')}`);
}
