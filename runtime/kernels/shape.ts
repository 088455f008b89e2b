// Shape kernels: the static output shape (batch substituted) comes from the context.
import * as tf from '@tensorflow/tfjs';
import type { KernelTable } from './types.ts';

export const shapeKernels: KernelTable = {
  reshape: ([x], _attrs, ctx) => tf.reshape(x, ctx.outputShape as number[]),
  transpose: ([x], attrs) => tf.transpose(x, attrs.perm as number[]),
  slice: ([x], attrs, ctx) => tf.slice(x, attrs.begin as number[], ctx.outputShape as number[]),
  concat: (xs, attrs) => tf.concat(xs as tf.Tensor[], attrs.axis as number),
  broadcast_to: ([x], _attrs, ctx) => tf.broadcastTo(x, ctx.outputShape as number[]),
};
