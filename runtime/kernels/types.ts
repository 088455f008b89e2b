// A kernel runs one op kind of the graph on TensorFlow.js tensors. The executor
// looks kernels up by op name (compiler/graph/ops.ts) and never special-cases an op.
import type * as tf from '@tensorflow/tfjs';
import type { AttrValue, OpNode } from '../../compiler/graph/ir.ts';

export interface KernelContext {
  /** Training mode: dropout and noise active. */
  readonly training: boolean;
  /** Global step (seeds random ops together with `seed` and the node's stream name). */
  readonly step: number;
  /** The model seed. */
  readonly seed: number;
  /** Concrete batch size of this call. */
  readonly batch: number;
  /** The node being run (id, attrs, static shape). */
  readonly node: OpNode;
  /** The node's static shape with B substituted. */
  readonly outputShape: readonly number[];
  /** Substitutes the batch size in a shape attribute. */
  concrete(shape: readonly (number | string)[]): number[];
  /** A deterministic 32-bit seed for a named random stream at this step. */
  randomSeed(stream: string): number;
}

export type Kernel = (inputs: readonly tf.Tensor[], attrs: Readonly<Record<string, AttrValue>>, ctx: KernelContext) => tf.Tensor;

export type KernelTable = Readonly<Record<string, Kernel>>;
