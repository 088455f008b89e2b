// One training step and one inference call of a compiled model on a fixed synthetic
// batch, for timing. The training step is what `moec train` does per batch:
// forward, loss (+ router aux loss), backward (tf.variableGrads) and the AdamW
// update of runtime/train/optimizer.ts; every step ends with a synchronous read of
// the loss, so the work is complete when the call returns on every backend.
import * as tf from '@tensorflow/tfjs';
import type { GraphModel } from '../api.ts';
import type { OptimizerSpec } from '../../compiler/model.ts';
import { Optimizer } from '../train/optimizer.ts';
import { classificationLoss } from '../train/loss.ts';
import { uniformGenerator } from '../executor/random.ts';

export const BENCH_OPTIMIZER: OptimizerSpec = { kind: 'adamw', lr: 1e-3, weightDecay: 1e-4, b1: 0.9, b2: 0.999, clip: 1 };

export interface BenchBatch {
  readonly images: tf.Tensor4D;
  readonly labels: tf.Tensor1D;
}

/** A seeded synthetic batch of the model's image shape (values in [−1, 1], labels in [0, classes)). */
export function syntheticBatch(model: GraphModel, batch: number, seed = 0): BenchBatch {
  const [, h, w, c] = model.graph.inputs[0].shape as [unknown, number, number, number];
  const classes = Number(model.graph.nodes.find((n) => n.id === model.graph.outputs.logits)?.shape[1]);
  const next = uniformGenerator(seed);
  const pixels = new Float32Array(batch * h * w * c);
  for (let i = 0; i < pixels.length; i++) pixels[i] = next() * 2 - 1;
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = Math.floor(next() * classes) % classes;
  return { images: tf.tensor4d(pixels, [batch, h, w, c]), labels: tf.tensor1d(labels, 'int32') };
}

export interface TrainStepRunner {
  /** Runs one full step; returns the loss. */
  step(): number;
  /** Forward + backward only (no update); returns the loss. */
  gradients(): number;
  /** One inference forward (training off); returns the first logit (forces completion). */
  infer(): number;
  dispose(): void;
}

/** Binds a step runner to a model and a batch. The optimiser state is created once. */
export function createTrainStep(model: GraphModel, batch: BenchBatch, optimizer: OptimizerSpec = BENCH_OPTIMIZER): TrainStepRunner {
  const params = model.graph.params
    .filter((p) => p.trainable)
    .map((p) => ({ name: p.name, variable: model.variables.get(p.name)!, decay: p.decay }));
  const byVariable = new Map(params.map((p) => [p.variable.name, p.name]));
  const opt = new Optimizer(optimizer, params);
  let step = 0;

  const lossAndGrads = (): { loss: number; grads: Map<string, tf.Tensor> } => {
    const { value, grads } = tf.variableGrads(() => {
      const r = model.forward(batch.images, { training: true, step });
      return tf.add(classificationLoss('softmax_xent', r.logits, batch.labels), r.auxLoss) as tf.Scalar;
    }, params.map((p) => p.variable));
    const loss = value.dataSync()[0]!;
    value.dispose();
    const named = new Map<string, tf.Tensor>();
    for (const [name, g] of Object.entries(grads)) named.set(byVariable.get(name) ?? name, g);
    // A parameter the loss does not reach (e.g. an unused router scale) still needs a gradient for the update.
    for (const p of params) if (!named.has(p.name)) named.set(p.name, tf.zerosLike(p.variable));
    return { loss, grads: named };
  };

  return {
    step() {
      const { loss, grads } = lossAndGrads();
      opt.apply(grads, optimizer.lr);
      tf.dispose([...grads.values()]);
      step += 1;
      return loss;
    },
    gradients() {
      const { loss, grads } = lossAndGrads();
      tf.dispose([...grads.values()]);
      step += 1;
      return loss;
    },
    infer() {
      return tf.tidy(() => {
        const r = model.forward(batch.images, { training: false, step: 0 });
        const first = r.logits.dataSync()[0]!;
          return first;
      });
    },
    dispose() {
      opt.dispose();
    },
  };
}
