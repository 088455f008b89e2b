// The checked, fully resolved form of a .moe model and train block: every field a
// number or enum, every block a layer, every router with all its parameters and its
// resolved capacity. This is what lowering (compiler/lower) and training
// (runtime/train) consume; it is plain JSON-serialisable data.

import type { RouterConfig } from './routers/config.ts';
// The router configurations are declared by their families (compiler/routers/<family>.ts).
export type { Rounding, RouterConfig, RouterFamily, RouterKind } from './routers/config.ts';

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

/** `{kind, args}` of a registered data set (runtime/data/signatures.ts), every argument filled in. */
export type { DataSpec } from '../runtime/data/signatures.ts';
import type { DataSpec } from '../runtime/data/signatures.ts';

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
