// Reductions over static axes.
import * as tf from '@tensorflow/tfjs';
import type { KernelTable } from './types.ts';

const axesOf = (attrs: Readonly<Record<string, unknown>>): number[] => attrs.axes as number[];

export const reductionKernels: KernelTable = {
  sum: ([x], attrs) => tf.sum(x, axesOf(attrs), attrs.keepDims === true),
  mean: ([x], attrs) => tf.mean(x, axesOf(attrs), attrs.keepDims === true),
  max: ([x], attrs) => tf.max(x, axesOf(attrs), attrs.keepDims === true),
  min: ([x], attrs) => tf.min(x, axesOf(attrs), attrs.keepDims === true),
  logsumexp: ([x], attrs) => tf.logSumExp(x, attrs.axis as number, attrs.keepDims === true),
};
