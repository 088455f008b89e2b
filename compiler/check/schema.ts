// The types, ranges and defaults of every model field, train field, router
// parameter and call argument (language.md §3.3, §3.5, §4). The checks and the
// builders both read these tables, so a field is described in one place.

import { enumOf, float, int } from './types.ts';
import type { CallSignature, ParamSpec, ValueType } from './types.ts';
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

// Router parameters are declared by each family's definition (compiler/routers/).
export { ROUTER_FAMILIES, ROUTER_PARAMS, paramsOfFamily } from '../routers/index.ts';
export type { RouterFamily } from '../routers/index.ts';
