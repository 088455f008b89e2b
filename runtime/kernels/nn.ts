// Neural-network kernels: softmax family, LayerNorm, and the seeded random ops.
import * as tf from '@tensorflow/tfjs';
import type { KernelContext, KernelTable } from './types.ts';
import { fillNormal, uniformGenerator } from '../executor/random.ts';
import { sumLeading } from './elementwise.ts';
import { layerNormFits, simdLayerNorm, simdLayerNormGrad } from './wasm-small-bmm.ts';

function count(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * LayerNorm over the last axis: (x − mean) / sqrt(var + eps) · scale + bias, with
 * the textbook gradient written out (one tape node instead of about ten):
 * dx = inv · (g − mean(g) − x̂ · mean(g · x̂)), g = dy · scale.
 */
function layerNormOp(epsilon: number) {
  return tf.customGrad((xIn, scaleIn, biasIn, save) => {
    const x = xIn as tf.Tensor;
    const axis = x.shape.length - 1;
    const centred = tf.sub(x, tf.mean(x, axis, true));
    const inv = tf.rsqrt(tf.add(tf.mean(tf.square(centred), axis, true), epsilon));
    const normed = tf.mul(centred, inv);
    (save as tf.GradSaveFunc)([normed, inv, scaleIn as tf.Tensor]);
    return {
      value: tf.add(tf.mul(normed, scaleIn as tf.Tensor), biasIn as tf.Tensor),
      gradFunc: (dy: tf.Tensor, [xhat, invSaved, scale]: tf.Tensor[]) => {
        const g = tf.mul(dy, scale);
        const dx = tf.mul(invSaved, tf.sub(tf.sub(g, tf.mean(g, axis, true)), tf.mul(xhat, tf.mean(tf.mul(g, xhat), axis, true))));
        // scale and bias gradients: sums over the leading axes, as products (elementwise.ts sumLeading)
        return [dx, sumLeading(tf.mul(dy, xhat), scale.shape), sumLeading(dy, scale.shape)];
      },
    };
  }) as (x: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
}

/** The same LayerNorm as one WebAssembly SIMD kernel forward and one backward (wasm-small-bmm.ts). */
function simdLayerNormOp(epsilon: number) {
  return tf.customGrad((xIn, scaleIn, biasIn, save) => {
    const [y, xhat, inv] = simdLayerNorm(xIn as tf.Tensor, scaleIn as tf.Tensor, biasIn as tf.Tensor, epsilon);
    (save as tf.GradSaveFunc)([xhat!, inv!, scaleIn as tf.Tensor]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, [xhat, inv, scale]: tf.Tensor[]) => simdLayerNormGrad(dy, xhat!, inv!, scale!),
    };
  }) as (x: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
}

type LayerNormFn = (x: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
const layerNormByEpsilon = new Map<number, { tensors: LayerNormFn; simd: LayerNormFn }>();

export function layerNorm(x: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor, epsilon: number): tf.Tensor {
  let ops = layerNormByEpsilon.get(epsilon);
  if (!ops) layerNormByEpsilon.set(epsilon, (ops = { tensors: layerNormOp(epsilon), simd: simdLayerNormOp(epsilon) }));
  return layerNormFits(x, scale, bias) ? ops.simd(x, scale, bias) : ops.tensors(x, scale, bias);
}

function streamOf(attrs: Readonly<Record<string, unknown>>, ctx: KernelContext): string {
  return typeof attrs.stream === 'string' ? attrs.stream : ctx.node.id;
}

/** Inverted dropout with a mask drawn from (seed, stream, step); identity in evaluation. */
function dropout(x: tf.Tensor, rate: number, ctx: KernelContext, stream: string): tf.Tensor {
  if (!ctx.training || rate <= 0) return x;
  if (rate >= 1) throw new Error(`dropout rate must be below 1, got ${rate} (node ${ctx.node.id})`);
  const next = uniformGenerator(ctx.randomSeed(stream));
  const keep = 1 / (1 - rate);
  const mask = new Float32Array(count(x.shape));
  for (let i = 0; i < mask.length; i++) mask[i] = next() >= rate ? keep : 0;
  return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
}

export const nnKernels: KernelTable = {
  softmax: ([x]) => tf.softmax(x),
  log_softmax: ([x]) => tf.logSoftmax(x),
  layer_norm: ([x, scale, bias], attrs) => layerNorm(x, scale, bias, (attrs.epsilon as number | undefined) ?? 1e-6),
  dropout: ([x], attrs, ctx) => dropout(x, attrs.rate as number, ctx, streamOf(attrs, ctx)),
  add_noise: ([x], attrs, ctx) => {
    const std = attrs.std as number;
    if (!ctx.training || std === 0) return x;
    const noise = fillNormal(new Float32Array(count(x.shape)), ctx.randomSeed(streamOf(attrs, ctx)), std);
    return tf.add(x, tf.tensor(noise, x.shape, 'float32'));
  },
};
