// The types, ranges and defaults of every model field, train field, router
// parameter and call argument (language.md §3.3, §3.5, §4). The checks and the
// builders both read these tables, so a field is described in one place.

import { enumOf, float, int } from './types.ts';
import type { CallSignature, ParamSpec } from './types.ts';
import { DATASET_SIGNATURES } from '../../runtime/data/signatures.ts';
export type { CallSignature, ParamSpec, ValueType, Typed, TypedCall, DefaultContext } from './types.ts';

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

// Data sets are declared by the data registry's signatures (plain data, no data code or tfjs).
export { DEFAULT_DATA_SIZES } from '../../runtime/data/signatures.ts';
export const DATA_FUNCTIONS: Readonly<Record<string, CallSignature>> = Object.fromEntries(
  Object.entries(DATASET_SIGNATURES).map(([name, sig]) => [name, sig.args]),
);

const lr = { type: float(0, { minExclusive: true }), doc: 'learning rate', default: 1e-3 };
const clip = { type: float(0), doc: 'global-norm clipping (0 = off)', default: 1.0 };
export const OPTIMIZER_FUNCTIONS: Readonly<Record<string, CallSignature>> = {
  adamw: {
    lr,
    weight_decay: { type: float(0), doc: 'decoupled weight decay', default: 1e-4 },
    b1: { type: float(0, { max: 1, maxExclusive: true }), doc: 'Adam β1', default: 0.9 },
    b2: { type: float(0, { max: 1, maxExclusive: true }), doc: 'Adam β2', default: 0.999 },
    clip,
  },
  sgd: { lr, momentum: { type: float(0, { max: 1, maxExclusive: true }), doc: 'momentum', default: 0.9 }, clip },
};

const warmup = { type: int(0), doc: 'warm-up steps', default: 0 };
export const SCHEDULE_FUNCTIONS: Readonly<Record<string, CallSignature>> = {
  constant: {},
  cosine: { warmup },
  linear: { warmup, end: { type: float(0), doc: 'final learning rate', default: 0 } },
  rsqrt: { warmup, cooldown: { type: int(0), doc: 'cool-down steps', default: 0 } },
};

/** A call default: the function with every argument at its own default (filled by the fold). */
const call = (fn: string) => ({ fn, args: new Map() });

export const TRAIN_FIELDS: Readonly<Record<string, ParamSpec>> = {
  model: { type: { kind: 'model' }, doc: 'the model to train', defaultDoc: "the file's only model" },
  data: { type: { kind: 'call', functions: DATA_FUNCTIONS }, doc: 'the data set', default: call('mnist') },
  batch: { type: int(1), doc: 'images per step', default: 64 },
  steps: { type: int(1), doc: 'training steps (or `epochs`)', defaultDoc: '`epochs` decides' },
  epochs: {
    type: int(1),
    doc: 'training epochs; an epoch is ⌊N_train / batch⌋ steps (the last partial batch is dropped)',
    default: (ctx) => (ctx.get('steps') === undefined ? 1 : undefined),
    defaultDoc: '1 when `steps` is not given',
  },
  optimizer: { type: { kind: 'call', functions: OPTIMIZER_FUNCTIONS }, doc: 'the optimizer', default: call('adamw') },
  schedule: { type: { kind: 'call', functions: SCHEDULE_FUNCTIONS }, doc: 'the learning-rate schedule', default: call('cosine') },
  loss: { type: enumOf('softmax_xent', 'sigmoid_xent'), doc: 'the loss', default: 'softmax_xent' },
  eval_every: { type: int(1), doc: 'steps between evaluations on the test split', defaultDoc: 'once per epoch' },
  checkpoint_every: { type: int(1), doc: 'steps between checkpoints', defaultDoc: 'once per epoch' },
  augment: {
    type: int(0),
    doc: 'largest random shift in pixels for training images (0 = off; `--augment` overrides)',
    defaultDoc: '2 for images up to 32 px, else 0',
  },
  seed: { type: int(0), doc: 'the one integer every random stream derives from', default: 0 },
};

/** The arguments `moe(ROUTER, …)` accepts after the router. */
export const MOE_ARGS: Readonly<Record<string, ParamSpec>> = {
  mlp: { type: int(1), doc: 'hidden size of each expert' },
};

// Router parameters are declared by each family's definition (compiler/routers/).
export { ROUTER_FAMILIES, ROUTER_PARAMS, paramsOfFamily } from '../routers/index.ts';
export type { RouterFamily } from '../routers/index.ts';
