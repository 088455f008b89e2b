// Classification losses, averaged over the batch.
//   softmax_xent: −log softmax(z)[y]
//   sigmoid_xent: Σ_c [max(z_c,0) − z_c·t_c + log(1+e^{−|z_c|})], t = one-hot(y)
//                 (summed over classes, as vmoe/big_vision do)
import * as tf from '@tensorflow/tfjs';

export type LossKind = 'softmax_xent' | 'sigmoid_xent';

export function classificationLoss(kind: LossKind, logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const targets = tf.oneHot(labels, classes).toFloat();
    if (kind === 'softmax_xent') {
      const logp = tf.logSoftmax(logits);
      return tf.neg(tf.mean(tf.sum(tf.mul(targets, logp), 1))) as tf.Scalar;
    }
    const perClass = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.mean(tf.sum(perClass, 1)) as tf.Scalar;
  });
}

/** Number of rows whose arg-max equals the label (top-1 correct), as a scalar int tensor. */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')) as tf.Scalar);
}
