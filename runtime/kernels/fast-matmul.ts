// The flag-free 2-D matMul with a custom gradient (products.ts explains why): its own
// module, because both products.ts and batch-matmul.ts build on it.
import * as tf from '@tensorflow/tfjs';

/** [m,k]·[k,n] with forward and backward made of flag-free 2-D matMuls. */
export const fastMatMul = tf.customGrad((a, b, save) => {
  const x = a as tf.Tensor2D;
  const w = b as tf.Tensor2D;
  (save as tf.GradSaveFunc)([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as tf.Tensor2D[];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(ws)), tf.matMul(tf.transpose(xs), g)];
    },
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;
