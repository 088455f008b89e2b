// Selection ops (masks, top-k, argmax, one-hot, stop_gradient) must stay off the
// gradient tape: tfjs has no gradient for TopK or the comparisons and throws when a
// backward pass reaches them (tfjs-facts.md §1.2). Running them inside a
// tf.customGrad whose gradient is zero keeps the tape valid and gives their
// inputs an exact zero gradient.
import * as tf from '@tensorflow/tfjs';

/** Wraps `fn` so that its inputs get a zero (float32) gradient. */
export function withoutGradient(inputs: readonly tf.Tensor[], fn: (...xs: tf.Tensor[]) => tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args.slice(0, inputs.length) as tf.Tensor[];
    return {
      value: fn(...xs),
      // The tape insists on float32 gradients, even for int32 inputs.
      gradFunc: () => xs.map((x) => tf.zeros(x.shape, 'float32')),
    };
  });
  return op(...(inputs as tf.Tensor[]));
}
