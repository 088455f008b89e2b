// The contract between the executor (runtime/executor) and its users (training,
// evaluation, prediction, benchmarks). Implemented by runtime/executor/graph-model.ts.
import type * as tf from '@tensorflow/tfjs';
import type { Graph } from '../compiler/graph/ir.ts';
import type { BackendProfile } from './backends/profile.ts';

export interface ForwardOptions {
  /** Training mode: dropout and router noise on. */
  readonly training: boolean;
  /** The global step; with the model's seed it seeds every random op of this call (dropout, noise). */
  readonly step: number;
  /**
   * Named graph outputs to return in ForwardResult.outputs (graph.outputs keys,
   * e.g. `block_3/dispatch`). Unknown names are an error; none by default.
   */
  readonly outputs?: readonly string[];
}

export interface ForwardResult {
  /** [batch, classes] */
  readonly logits: tf.Tensor2D;
  /** Scalar: weighted sum of the routers' auxiliary losses (0 when there are none). */
  readonly auxLoss: tf.Scalar;
  /**
   * Routing statistics, keyed `block_<i>/<stat>` (stat names of RoutingStatRef):
   * `load` [E] fraction of routed tokens (or slots) per expert, `dropped` scalar
   * fraction of token choices dropped, `experts_per_token` scalar mean, and the
   * aux losses. Tensors; the caller disposes them (or runs forward inside tf.tidy).
   */
  readonly stats: ReadonlyMap<string, tf.Tensor>;
  /** The requested named outputs (ForwardOptions.outputs), by name; the caller disposes them. */
  readonly outputs: ReadonlyMap<string, tf.Tensor>;
}

/** A compiled graph bound to tfjs variables, ready to run. */
export interface GraphModel {
  readonly graph: Graph;
  /** Every parameter, by its graph name (trainable and fixed). */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Runs the graph. Synchronous and tape-friendly: call it inside tf.variableGrads / tf.tidy. */
  forward(images: tf.Tensor4D, options: ForwardOptions): ForwardResult;
  /** Frees every variable and cached tensor. */
  dispose(): void;
}

export interface CreateModelOptions {
  /** Seeds initialisation (derived stream `init`) and every random op (streams per node). */
  readonly seed: number;
  /**
   * The backend profile whose kernels the model binds (runtime/backends/), by
   * name or as a profile; default: the active backend's. Bound once, at creation.
   */
  readonly backend?: string | BackendProfile;
}
