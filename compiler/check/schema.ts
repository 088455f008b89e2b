// The types, ranges and defaults of every model field, train field, router
// parameter and call argument (language.md §3.3, §3.5, §4). The checks and the
// builders both read these tables, so a field is described in one place.

export type ValueType =
  | { readonly kind: 'int'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'float'; readonly min?: number; readonly max?: number; readonly maxExclusive?: boolean; readonly minExclusive?: boolean }
  | { readonly kind: 'bool' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'string' }
  /** `HxWxC` (length 3) or `P` / `PhxPw` (patch). */
  | { readonly kind: 'image' }
  | { readonly kind: 'patch' }
  /** A model name. */
  | { readonly kind: 'model' }
  /** One of several calls (or, for a call with no required arguments, its bare name). */
  | { readonly kind: 'call'; readonly functions: Readonly<Record<string, CallSignature>> };

export interface ParamSpec {
  readonly type: ValueType;
  readonly required?: boolean;
  /** What the field means, for messages. */
  readonly doc: string;
}

export type CallSignature = Readonly<Record<string, ParamSpec>>;

const int = (min?: number, max?: number): ValueType => ({ kind: 'int', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
const float = (min: number, extra: Partial<{ max: number; maxExclusive: boolean; minExclusive: boolean }> = {}): ValueType => ({
  kind: 'float',
  min,
  ...extra,
});
const enumOf = (...values: string[]): ValueType => ({ kind: 'enum', values });

export const MODEL_FIELDS: Readonly<Record<string, ParamSpec>> = {
  image: { type: { kind: 'image' }, required: true, doc: 'input size HxWxC' },
  patch: { type: { kind: 'patch' }, required: true, doc: 'patch side P or PhxPw' },
  width: { type: int(1), required: true, doc: 'token dimension' },
  depth: { type: int(1, 10_000), required: true, doc: 'number of encoder blocks' },
  heads: { type: int(1), required: true, doc: 'attention heads' },
  mlp: { type: int(1), required: true, doc: 'MLP hidden size' },
  classes: { type: int(2), required: true, doc: 'output classes' },
  pool: { type: enumOf('gap', 'cls'), doc: 'pooling' },
  dropout: { type: float(0, { max: 1, maxExclusive: true }), doc: 'dropout rate' },
  posemb: { type: enumOf('learned', 'sincos2d'), doc: 'position embedding' },
};

const count = { type: int(1), doc: 'a number of images' };
const dir = { type: { kind: 'string' } as ValueType, required: true, doc: 'a folder' };

export const DATA_FUNCTIONS: Readonly<Record<string, CallSignature>> = {
  mnist: { train: count, test: count },
  fashion_mnist: { train: count, test: count },
  idx: { dir },
  folder: { train: { ...dir, doc: 'the training folder' }, test: { ...dir, doc: 'the test folder' } },
  cifar10: { dir },
};

const lr = { type: float(0, { minExclusive: true }), doc: 'learning rate' };
const clip = { type: float(0), doc: 'global-norm clipping (0 = off)' };
export const OPTIMIZER_FUNCTIONS: Readonly<Record<string, CallSignature>> = {
  adamw: {
    lr,
    weight_decay: { type: float(0), doc: 'decoupled weight decay' },
    b1: { type: float(0, { max: 1, maxExclusive: true }), doc: 'Adam β1' },
    b2: { type: float(0, { max: 1, maxExclusive: true }), doc: 'Adam β2' },
    clip,
  },
  sgd: { lr, momentum: { type: float(0, { max: 1, maxExclusive: true }), doc: 'momentum' }, clip },
};

const warmup = { type: int(0), doc: 'warm-up steps' };
export const SCHEDULE_FUNCTIONS: Readonly<Record<string, CallSignature>> = {
  constant: {},
  cosine: { warmup },
  linear: { warmup, end: { type: float(0), doc: 'final learning rate' } },
  rsqrt: { warmup, cooldown: { type: int(0), doc: 'cool-down steps' } },
};

export const TRAIN_FIELDS: Readonly<Record<string, ParamSpec>> = {
  model: { type: { kind: 'model' }, doc: 'the model to train' },
  data: { type: { kind: 'call', functions: DATA_FUNCTIONS }, doc: 'the data set' },
  batch: { type: int(1), doc: 'images per step' },
  steps: { type: int(1), doc: 'training steps' },
  epochs: { type: int(1), doc: 'training epochs' },
  optimizer: { type: { kind: 'call', functions: OPTIMIZER_FUNCTIONS }, doc: 'the optimizer' },
  schedule: { type: { kind: 'call', functions: SCHEDULE_FUNCTIONS }, doc: 'the learning-rate schedule' },
  loss: { type: enumOf('softmax_xent', 'sigmoid_xent'), doc: 'the loss' },
  eval_every: { type: int(1), doc: 'steps between evaluations' },
  checkpoint_every: { type: int(1), doc: 'steps between checkpoints' },
  augment: { type: int(0), doc: 'largest random shift in pixels for training images (0 = off)' },
  seed: { type: int(0), doc: 'random seed' },
};

/** The arguments `moe(ROUTER, …)` accepts after the router. */
export const MOE_ARGS: Readonly<Record<string, ParamSpec>> = {
  mlp: { type: int(1), doc: 'hidden size of each expert' },
};

export type RouterFamily = 'token_choice' | 'expert_choice' | 'soft';
export const ROUTER_FAMILIES: readonly RouterFamily[] = ['token_choice', 'expert_choice', 'soft'];

export interface RouterParamSpec extends ParamSpec {
  readonly families: readonly RouterFamily[];
  /** Only with these normalizers (token and expert choice). */
  readonly normalizers?: readonly string[];
}

export const ROUTER_PARAMS: Readonly<Record<string, RouterParamSpec>> = {
  experts: { type: int(1), required: true, families: ['token_choice', 'expert_choice', 'soft'], doc: 'number of experts' },
  normalize: { type: enumOf('softmax', 'sinkhorn', 'sparsity'), families: ['token_choice', 'expert_choice'], doc: 'normalizer' },
  k: { type: int(1), families: ['token_choice'], doc: 'experts per token' },
  capacity: { type: float(0, { minExclusive: true }), families: ['token_choice', 'expert_choice', 'soft'], doc: 'capacity factor' },
  slots: { type: int(1), families: ['soft'], doc: 'slots per expert' },
  rounding: { type: enumOf('ceil', 'round'), families: ['token_choice', 'expert_choice', 'soft'], doc: 'capacity rounding' },
  multiple_of: { type: int(1), families: ['token_choice', 'expert_choice'], doc: 'slot multiple' },
  group: { type: int(1), families: ['token_choice', 'expert_choice', 'soft'], doc: 'tokens per routing group' },
  bpr: { type: { kind: 'bool' }, families: ['token_choice'], doc: 'Batch Priority Routing' },
  noise: { type: float(0), families: ['token_choice', 'expert_choice', 'soft'], normalizers: ['softmax', 'sinkhorn'], doc: 'training noise' },
  importance_loss: { type: float(0), families: ['token_choice'], doc: 'importance loss weight' },
  load_loss: { type: float(0), families: ['token_choice'], doc: 'load loss weight' },
  iterations: { type: int(1), families: ['token_choice', 'expert_choice'], normalizers: ['sinkhorn', 'sparsity'], doc: 'solver iterations' },
  combine: { type: enumOf('softmax', 'plan'), families: ['token_choice', 'expert_choice'], normalizers: ['sinkhorn', 'sparsity'], doc: 'combine weights' },
};

export function paramsOfFamily(family: RouterFamily): string[] {
  return Object.entries(ROUTER_PARAMS)
    .filter(([, p]) => p.families.includes(family))
    .map(([n]) => n);
}
