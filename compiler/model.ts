// The checked, fully resolved form of a .moe model and train block: every field a
// number or enum, every block a layer, every router with all its parameters and its
// resolved capacity. This is what lowering (compiler/lower) and training
// (runtime/train) consume; it is plain JSON-serialisable data.

export type Rounding = 'ceil' | 'round';

/** `token_choice(normalize: softmax|sinkhorn, …)`: routers.md §4.1, §4.2. */
export interface TokenChoiceRouter {
  readonly family: 'token_choice';
  readonly normalize: 'softmax' | 'sinkhorn';
  readonly experts: number;
  readonly k: number;
  readonly capacityFactor: number;
  readonly rounding: Rounding;
  readonly multipleOf: number;
  /** Tokens per routing group S (resolved; default one image's tokens). */
  readonly group: number;
  /** Slots per expert per group C (routers.md §3), resolved from the above. */
  readonly capacity: number;
  readonly bpr: boolean;
  /** Training noise std multiplier; σ = noise / experts. */
  readonly noise: number;
  readonly importanceLoss: number;
  readonly loadLoss: number;
  /** Sinkhorn iterations (sinkhorn only, else unused). */
  readonly iterations: number;
  /** Combine weights from the softmax gates or the transport plan (sinkhorn only). */
  readonly combine: 'softmax' | 'plan';
}

/** `expert_choice(normalize: softmax|sinkhorn|sparsity, …)`: routers.md §4.3–4.5. */
export interface ExpertChoiceRouter {
  readonly family: 'expert_choice';
  readonly normalize: 'softmax' | 'sinkhorn' | 'sparsity';
  readonly experts: number;
  readonly capacityFactor: number;
  readonly rounding: Rounding;
  readonly multipleOf: number;
  readonly group: number;
  readonly capacity: number;
  readonly noise: number;
  /** Sinkhorn iterations, or the sparse-OT solver's maximum Adam steps. */
  readonly iterations: number;
  readonly combine: 'softmax' | 'plan';
}

/** `soft(experts, slots | capacity, …)`: routers.md §4.6. */
export interface SoftRouter {
  readonly family: 'soft';
  readonly experts: number;
  /** Slots per expert P (resolved from `slots` or `capacity`). */
  readonly slots: number;
  readonly capacityFactor: number;
  readonly rounding: Rounding;
  readonly group: number;
  /** Noise std on the logits in training (not divided by E). */
  readonly noise: number;
}

export type RouterConfig = TokenChoiceRouter | ExpertChoiceRouter | SoftRouter;

/** The paper's six routers, by the name used in the router cases and reports. */
export type RouterKind =
  | 'softmax_token_choice'
  | 'sinkhorn_token_choice'
  | 'softmax_expert_choice'
  | 'sinkhorn_expert_choice'
  | 'sparsity_constrained_expert_choice'
  | 'soft_moe';

export function routerKind(r: RouterConfig): RouterKind {
  switch (r.family) {
    case 'token_choice':
      return r.normalize === 'softmax' ? 'softmax_token_choice' : 'sinkhorn_token_choice';
    case 'expert_choice':
      return r.normalize === 'softmax'
        ? 'softmax_expert_choice'
        : r.normalize === 'sinkhorn'
          ? 'sinkhorn_expert_choice'
          : 'sparsity_constrained_expert_choice';
    case 'soft':
      return 'soft_moe';
  }
}

export interface DenseBlockLayer {
  readonly kind: 'dense';
}

export interface MoeBlockLayer {
  readonly kind: 'moe';
  /** Hidden size of each expert. */
  readonly mlp: number;
  readonly router: RouterConfig;
  /** The router's declared name, when it was a named router. */
  readonly routerName?: string;
}

export type BlockLayer = DenseBlockLayer | MoeBlockLayer;

export interface ResolvedModel {
  readonly name: string;
  /** [height, width, channels]. */
  readonly image: readonly [number, number, number];
  /** [patch height, patch width]. */
  readonly patch: readonly [number, number];
  readonly width: number;
  readonly depth: number;
  readonly heads: number;
  readonly mlp: number;
  readonly classes: number;
  readonly pool: 'gap' | 'cls';
  readonly dropout: number;
  readonly posemb: 'learned' | 'sincos2d';
  /** Tokens per image entering the encoder (patches, plus 1 with `pool: cls`). */
  readonly tokens: number;
  /** One entry per encoder block, index = block number. */
  readonly blocks: readonly BlockLayer[];
  /** Where the model came from: file and declaration name (for reports). */
  readonly source?: { readonly file: string; readonly line: number };
}

export type DataSpec =
  | { readonly kind: 'mnist'; readonly train: number; readonly test: number }
  | { readonly kind: 'fashion_mnist'; readonly train: number; readonly test: number }
  | { readonly kind: 'idx'; readonly dir: string }
  | { readonly kind: 'folder'; readonly train: string; readonly test: string }
  | { readonly kind: 'cifar10'; readonly dir: string };

export type OptimizerSpec =
  | {
      readonly kind: 'adamw';
      readonly lr: number;
      readonly weightDecay: number;
      readonly b1: number;
      readonly b2: number;
      /** Global-norm gradient clipping; 0 = off. */
      readonly clip: number;
    }
  | { readonly kind: 'sgd'; readonly lr: number; readonly momentum: number; readonly clip: number };

export type ScheduleSpec =
  | { readonly kind: 'constant' }
  | { readonly kind: 'cosine'; readonly warmup: number }
  | { readonly kind: 'linear'; readonly warmup: number; readonly end: number }
  | { readonly kind: 'rsqrt'; readonly warmup: number; readonly cooldown: number };

export interface ResolvedTrain {
  readonly name: string;
  /** The name of the model to train (a key of the program's models). */
  readonly model: string;
  readonly data: DataSpec;
  readonly batch: number;
  /** Exactly one of steps / epochs is set. */
  readonly steps?: number;
  readonly epochs?: number;
  readonly optimizer: OptimizerSpec;
  readonly schedule: ScheduleSpec;
  readonly loss: 'softmax_xent' | 'sigmoid_xent';
  /** Steps between evaluations; undefined = once per epoch. */
  readonly evalEvery?: number;
  /** Steps between checkpoints; undefined = once per epoch. */
  readonly checkpointEvery?: number;
  /** Largest random shift (pixels) applied to training images; undefined = 2 for images up to 32 px, else 0. */
  readonly augment?: number;
  readonly seed: number;
}
