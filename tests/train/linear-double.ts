// A hand-written GraphModel test double: a linear softmax classifier over the
// flattened image, built directly with tf variables. It lets the loop's own
// behaviour be tested independently of the compiler's ViT.
import * as tf from '@tensorflow/tfjs';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { GraphModel } from '../../runtime/api.ts';
import { TINY_MODEL } from './tiny.ts';

export function linearModel(pixels: number, classes: number, seed = 0): GraphModel {
  const w = tf.variable(tf.randomNormal([pixels, classes], 0, 0.01, 'float32', seed), true, `linear_w_${seed}_${Math.random()}`);
  const b = tf.variable(tf.zeros([classes]), true, `linear_b_${seed}_${Math.random()}`);
  const graph = {
    format: 'moec-graph/2',
    meta: { model: 'linear', compiler: 'test', resolved: TINY_MODEL },
    inputs: [{ name: 'images', shape: ['B', pixels], dtype: 'float32' }],
    params: [
      { name: 'w', shape: [pixels, classes], init: { kind: 'zeros' }, decay: true, trainable: true },
      { name: 'b', shape: [classes], init: { kind: 'zeros' }, decay: false, trainable: true },
    ],
    nodes: [],
    outputs: { logits: 'logits', aux_loss: 'aux' },
    blocks: [],
  } as unknown as Graph;
  return {
    graph,
    variables: new Map([['w', w], ['b', b]]),
    forward(images) {
      const x = tf.reshape(images, [images.shape[0], pixels]);
      return { logits: tf.add(tf.matMul(x, w), b) as tf.Tensor2D, auxLoss: tf.scalar(0), stats: new Map(), outputs: new Map() };
    },
    dispose() {
      w.dispose();
      b.dispose();
    },
  };
}
