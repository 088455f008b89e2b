// The op graph: moec's intermediate representation between the compiler and the
// runtime (format `moec-graph/2`). Tensor-level ops with static shapes (the batch
// is the symbolic `B`), named parameters with initialisers, named outputs and a
// complete description of every encoder block. It is plain JSON (schema:
// compiler/graph/schema.ts) so it can be written by `moec compile`, edited by hand,
// exported and loaded by the runtime; nothing in it needs the front end's types
// (`meta.resolved` is provenance only). `moec-graph/1` files are upgraded on load
// (compiler/graph/upgrade.ts).
import type { ResolvedModel } from '../model.ts';

/**
 * A dimension: a number, or a rational multiple of the batch written as a
 * string: `"B"`, `"B*49"`, `"B/2"`, `"B*49/98"`. The runtime substitutes the
 * actual batch size and refuses a batch that makes a dimension fractional.
 */
export type Dim = number | string;
export type Shape = readonly Dim[];

export type DType = 'float32' | 'int32';

/** Parameter initialisers (routers.md §5, timm/flax conventions). Fans are computed from the shape. */
export type Initializer =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'truncated_normal'; readonly std: number }
  /** fan_in = product of `fanInAxes` of the shape, fan_out = product of `fanOutAxes`. */
  | { readonly kind: 'xavier_uniform'; readonly fanInAxes: readonly number[]; readonly fanOutAxes: readonly number[] }
  | { readonly kind: 'lecun_normal'; readonly fanInAxes: readonly number[] }
  /** sin-cos 2-D position embedding table (not trained when `trainable` is false). */
  | { readonly kind: 'sincos2d'; readonly gridH: number; readonly gridW: number; readonly prefixTokens: number };

export interface ParamSpec {
  /** Hierarchical name, e.g. `block_6/moe/experts/w1` (experts as the leading axis). */
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Initializer;
  /** Whether decoupled weight decay applies (kernels yes; biases, norms, embeddings no). */
  readonly decay: boolean;
  /** False for fixed tables (sincos position embeddings). */
  readonly trainable: boolean;
  /**
   * Initialise every slice along axis 0 identically (vmoe `split_rngs=False`:
   * all experts start the same; routing breaks the symmetry).
   */
  readonly shareAlongAxis0?: boolean;
}

/** The op kinds. Attributes of each are documented in compiler/graph/ops.ts. */
export type OpKind =
  // sources
  | 'input'
  | 'param'
  | 'constant'
  // elementwise (numpy broadcasting)
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'maximum'
  | 'minimum'
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'square'
  | 'tanh'
  | 'erf'
  | 'sigmoid'
  | 'gelu'
  | 'greater'
  | 'greater_equal'
  | 'less'
  | 'equal'
  | 'where'
  | 'cast'
  | 'stop_gradient'
  // shape
  | 'reshape'
  | 'transpose'
  | 'slice'
  | 'concat'
  | 'broadcast_to'
  // products
  | 'matmul'
  | 'batch_matmul'
  | 'expert_matmul'
  // reductions
  | 'sum'
  | 'mean'
  | 'max'
  | 'min'
  | 'logsumexp'
  // neural-network ops
  | 'softmax'
  | 'log_softmax'
  | 'layer_norm'
  | 'dropout'
  | 'add_noise'
  // selection: no gradient flows through these (their OpDef says grad: 'none')
  | 'top_k_values'
  | 'top_k_indices'
  | 'argmax'
  | 'one_hot'
  // cumulative sum: differentiable (slot positions use it on masks)
  | 'cumsum'
  // composite solvers, one kernel each, used only for selection (no gradient)
  | 'sinkhorn_plan'
  | 'sparse_ot_plan';

export type AttrValue = number | string | boolean | readonly number[] | readonly Dim[] | null;

export interface OpNode {
  /** Unique id; other nodes refer to it in `inputs`. */
  readonly id: string;
  readonly op: OpKind;
  readonly inputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** Static output shape. */
  readonly shape: Shape;
  readonly dtype: DType;
  /** Scope for reports and profiles, e.g. `block_6/moe/router`. */
  readonly scope: string;
  /** Forward FLOPs for one batch element (multiply-add = 2 FLOPs); 0 for data movement. */
  readonly flops: number;
}

/** The routing statistics a MoE block reports per step, as outputs `block_<i>/<name>`. */
export const ROUTING_STATS = ['load', 'dropped', 'experts_per_token', 'importance_loss', 'load_loss', 'aux_loss'] as const;
export type RoutingStatName = (typeof ROUTING_STATS)[number];

/** A routing statistic of a block and the node computing it (used while lowering). */
export interface RoutingStatRef {
  readonly name: RoutingStatName;
  readonly node: string;
}

/**
 * What an encoder block is, complete enough that cost models and exporters need
 * only the graph (never the front end's ResolvedModel).
 */
export interface BlockInfo {
  readonly index: number;
  readonly kind: 'dense' | 'moe';
  /** Scope of the block's nodes and parameters (`block_<i>`): a node or parameter is in the block when its scope is this or below it. */
  readonly scope: string;
  /** Hidden width of the block's MLP (of each expert, for moe). */
  readonly mlp: number;
  /** Router kind (moe only), e.g. `soft_moe`, `softmax_token_choice`. */
  readonly router?: string;
  /** Router family (moe only): `token_choice`, `expert_choice`, `soft`. */
  readonly family?: string;
  /** The router's declared name in the spec, if it had one. */
  readonly routerName?: string;
  readonly experts?: number;
  /** Slots per expert per group (moe only): capacity C for sparse routers, slots P for Soft MoE. */
  readonly capacity?: number;
  /** Tokens per routing group S (moe only). */
  readonly group?: number;
  /** How many experts' parameters a token uses on average (moe only; docs/compile.md, cost). */
  readonly expertsPerToken?: number;
  /** Names of the expert parameters (moe only; experts on the leading axis). */
  readonly expertParams?: readonly string[];
  /**
   * Every resolved parameter of the router (moe only), as plain data: `family`,
   * `experts`, `group`, and per family e.g. `normalize`, `k`, `capacityFactor`,
   * `noise`, `iterations`, `combine` (docs/routers.md). For exporters that write
   * a router configuration (vmoe).
   */
  readonly routerParams?: Readonly<Record<string, number | string | boolean>>;
}

/** The ViT the graph implements (absent for graphs that are not a whole ViT, e.g. one MoE layer). */
export interface VitInfo {
  readonly image: readonly [number, number, number];
  readonly patch: readonly [number, number];
  /** Tokens per image entering the encoder (patches, plus 1 with `pool: cls`). */
  readonly tokens: number;
  readonly width: number;
  readonly depth: number;
  readonly heads: number;
  /** Hidden width of the dense MLP blocks. */
  readonly mlp: number;
  readonly classes: number;
  readonly pool: 'gap' | 'cls';
  readonly posemb: 'learned' | 'sincos2d';
  readonly dropout: number;
}

export interface GraphInput {
  readonly name: 'images';
  readonly shape: Shape;
  readonly dtype: 'float32';
}

export const GRAPH_FORMAT = 'moec-graph/2';

/**
 * Named outputs (graph v2). Always `logits` [B, classes] and `aux_loss` (scalar,
 * the weighted sum of all routers' auxiliary losses, 0 when none); per MoE block i:
 * - `block_<i>/dispatch`, `block_<i>/combine`: the router's dispatch weights D and
 *   combine weights Cw, [G, S, E, C] (G = B·T/S groups, S tokens per group, E experts,
 *   C slots per expert), the very tensors the dispatcher uses;
 * - `block_<i>/<stat>` for each stat of ROUTING_STATS the router has;
 * - `block_<i>/probe/<name>`: the router's intermediates (logits, gates, plan, …)
 *   and `expert_inputs` / `expert_outputs` [G, E·C, d].
 */
export type GraphOutputs = Readonly<Record<string, string>>;

export interface Graph {
  readonly format: typeof GRAPH_FORMAT;
  readonly meta: {
    readonly model: string;
    /** The spec file it came from, if any. */
    readonly source?: string;
    /** moec version that wrote it. */
    readonly compiler: string;
    /** Provenance only: the resolved model it was lowered from. Nothing downstream may need it. */
    readonly resolved?: ResolvedModel;
  };
  /** The ViT's dimensions (absent for graphs that are not a whole ViT). */
  readonly vit?: VitInfo;
  readonly inputs: readonly GraphInput[];
  readonly params: readonly ParamSpec[];
  /** Topologically ordered: every input of a node is defined earlier. */
  readonly nodes: readonly OpNode[];
  /** Output name → node id (see GraphOutputs). */
  readonly outputs: GraphOutputs;
  readonly blocks: readonly BlockInfo[];
}

/** Output names of block i's routing tensors, statistics and probes. */
export const blockOutput = (index: number, name: string): string => `block_${index}/${name}`;
export const probeOutput = (index: number, name: string): string => `block_${index}/probe/${name}`;

const STAT_OUTPUT = new RegExp(`^block_(\\d+)/(${ROUTING_STATS.join('|')})$`);

/** Whether an output name is a routing statistic `block_<i>/<stat>`. */
export function isStatOutput(name: string): boolean {
  return STAT_OUTPUT.test(name);
}
