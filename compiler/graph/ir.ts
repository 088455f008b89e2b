// The op graph: moec's intermediate representation between the compiler and the
// runtime. Tensor-level ops with static shapes (the batch is the symbolic `B`),
// named parameters with initialisers, and the model's metadata. It is plain JSON
// (schema: compiler/graph/schema.ts) so it can be written by `moec compile`,
// edited by hand and loaded by the runtime.
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
  // selection (no gradient flows through these)
  | 'top_k_values'
  | 'top_k_indices'
  | 'argmax'
  | 'one_hot'
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

/** A named routing statistic reported per step (routers.md; issue: per-expert load, drops, …). */
export interface RoutingStatRef {
  readonly name: 'load' | 'dropped' | 'experts_per_token' | 'importance_loss' | 'load_loss' | 'aux_loss';
  readonly node: string;
}

export interface BlockInfo {
  readonly index: number;
  readonly kind: 'dense' | 'moe';
  /** Router kind (moe only), e.g. `soft_moe`. */
  readonly router?: string;
  readonly routerName?: string;
  readonly experts?: number;
  /** Slots per expert per group (moe only). */
  readonly capacity?: number;
  readonly group?: number;
  /** Routing statistics of this block (moe only). */
  readonly stats?: readonly RoutingStatRef[];
}

export interface GraphInput {
  readonly name: 'images';
  readonly shape: Shape;
  readonly dtype: 'float32';
}

export interface Graph {
  readonly format: 'moec-graph/1';
  readonly meta: {
    readonly model: string;
    /** The spec file it came from, if any. */
    readonly source?: string;
    /** moec version that wrote it. */
    readonly compiler: string;
    /** The resolved model (every field and block). */
    readonly resolved: ResolvedModel;
  };
  readonly inputs: readonly GraphInput[];
  readonly params: readonly ParamSpec[];
  /** Topologically ordered: every input of a node is defined earlier. */
  readonly nodes: readonly OpNode[];
  readonly outputs: {
    /** [B, classes] */
    readonly logits: string;
    /** Scalar: the weighted sum of all routers' auxiliary losses (0 when none). */
    readonly auxLoss: string;
  };
  readonly blocks: readonly BlockInfo[];
}
