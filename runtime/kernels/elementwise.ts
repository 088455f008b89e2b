// Elementwise kernels (numpy broadcasting, as tfjs does).
import * as tf from '@tensorflow/tfjs';
import type { Kernel, KernelTable } from './types.ts';
import { withoutGradient } from './no-gradient.ts';
import { simdSumLeading, sumLeadingFits } from './wasm-small-bmm.ts';
import { geluFits, simdGeluArg, simdGeluGrad } from './wasm-gelu.ts';
import { biasAddFits, simdBiasAdd } from './wasm-bias.ts';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

const GELU_CUBIC = 0.044715;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
// 2u = x·(x²·a + b) and d(2u)/dx = x²·c + b
const GELU_ARG_A = 2 * SQRT_2_OVER_PI * GELU_CUBIC;
const GELU_ARG_B = 2 * SQRT_2_OVER_PI;
const GELU_DU_C = 6 * SQRT_2_OVER_PI * GELU_CUBIC;

/**
 * GELU, tanh form (flax default) or exact erf form, with a hand-written gradient:
 * autodiff through the composite would record pow/tanh/erf chains (about a dozen
 * tape nodes per call); this records one and saves only x.
 */
function geluOp(approximate: boolean) {
  return tf.customGrad((input, save) => {
    const x = input as tf.Tensor;
    if (approximate) {
      // ½x(1 + tanh(u)) = x·σ(2u), u = c(x + a x³): six elementwise ops instead of nine
      // (on wasm three and one, the same float32 operations as SIMD passes: wasm-gelu.ts).
      const simd = geluFits(x);
      const arg = simd ? simdGeluArg(x, GELU_ARG_A, GELU_ARG_B) : tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_ARG_A), GELU_ARG_B));
      const s = tf.sigmoid(arg);
      (save as tf.GradSaveFunc)([x, s]);
      return {
        value: tf.mul(x, s),
        // d/dx x·σ(2u) = σ + x·σ(1−σ)·2c(1 + 3a x²)
        gradFunc: (dy: tf.Tensor, [xs, ss]: tf.Tensor[]) => {
          if (simd) return simdGeluGrad(dy, xs!, ss!, GELU_DU_C, GELU_ARG_B);
          const du = tf.add(tf.mul(tf.square(xs!), GELU_DU_C), GELU_ARG_B);
          return tf.mul(dy, tf.add(ss!, tf.mul(tf.mul(xs!, tf.mul(ss!, tf.sub(1, ss!))), du)));
        },
      };
    }
    (save as tf.GradSaveFunc)([x]);
    return {
      value: tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)),
      // d/dx ½x(1+erf(x/√2)) = ½(1+erf(x/√2)) + x·φ(x)
      gradFunc: (dy: tf.Tensor, [xs]: tf.Tensor[]) => {
        const cdf = tf.mul(tf.add(tf.erf(tf.mul(xs, Math.SQRT1_2)), 1), 0.5);
        return tf.mul(dy, tf.add(cdf, tf.mul(xs, tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI))));
      },
    };
  }) as (x: tf.Tensor) => tf.Tensor;
}

const geluTanh = geluOp(true);
const geluExact = geluOp(false);

/** GELU, tanh form (flax default) or exact erf form. */
export function gelu(x: tf.Tensor, approximate: boolean): tf.Tensor {
  return approximate ? geluTanh(x) : geluExact(x);
}

/**
 * Σ over the leading axes of dy [L…, …shape], giving `shape`. On wasm the SIMD column
 * sum of wasm-small-bmm.ts (tfjs reduces leading axes as a Transpose then a Sum there,
 * about 20× slower); elsewhere tf.sum.
 */
export function sumLeading(dy: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (dy.rank === shape.length) return tf.reshape(dy, shape as number[]);
  if (sumLeadingFits(dy, shape)) return simdSumLeading(dy, shape);
  return tf.sum(dy, [...Array(dy.rank - shape.length).keys()]);
}

/** Whether `small` broadcasts over leading axes only of `big` (a bias [n] on [R,n], a position table [T,d] on [B,T,d]). */
function isTrailing(big: readonly number[], small: readonly number[]): boolean {
  if (small.length === 0 || small.length > big.length) return false;
  const offset = big.length - small.length;
  let leading = 1;
  for (let i = 0; i < offset; i++) leading *= big[i]!;
  return leading > 1 && small.every((d, i) => d === big[offset + i]);
}

/** x + b broadcast over rows: one SIMD pass on wasm where it fits (wasm-bias.ts), else tfjs's Add. */
function addBias(x: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  return biasAddFits(x, bias) ? simdBiasAdd(x, bias) : tf.add(x, bias);
}

/** x + b for a b broadcast over x's leading axes; b's gradient is the leading-axis sum as a product (sumLeading). */
const broadcastAdd = tf.customGrad((xIn, bIn) => {
  const x = xIn as tf.Tensor;
  const bias = bIn as tf.Tensor;
  const shape = bias.shape;
  // x's gradient is dy as a new tensor (a reshape shares the data): the tape disposes dy itself after this node.
  return { value: addBias(x, bias), gradFunc: (dy: tf.Tensor) => [tf.reshape(dy, x.shape), sumLeading(dy, shape)] };
}) as (x: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** Whether `small` is [E,1,H] on `big` [E,N,H] (N > 1): a per-expert bias on the experts' rows. */
function isPerEntryRow(big: readonly number[], small: readonly number[]): boolean {
  return big.length === 3 && small.length === 3 && small[1] === 1 && big[1]! > 1 && small[0] === big[0] && small[2] === big[2];
}

/**
 * Σ over the rows of each entry of dy [E,N,H], giving [E,1,H]: per entry the
 * leading-axis sum (sumLeading; tfjs would reduce the middle axis as a Transpose
 * then a Sum). The entries are copy-free slices on wasm.
 */
export function sumRowsPerEntry(dy: tf.Tensor): tf.Tensor {
  const [E, , H] = dy.shape as [number, number, number];
  if (!sumLeadingFits(dy, [H])) return tf.sum(dy, 1, true);
  return tf.reshape(tf.stack(tf.unstack(dy).map((g) => simdSumLeading(g, [H]))), [E, 1, H]);
}

/** x [E,N,H] + b [E,1,H]; b's gradient is the per-entry row sum (sumRowsPerEntry). */
const perEntryRowAdd = tf.customGrad((xIn, bIn) => {
  const x = xIn as tf.Tensor;
  const bias = bIn as tf.Tensor;
  return { value: addBias(x, bias), gradFunc: (dy: tf.Tensor) => [tf.reshape(dy, x.shape), sumRowsPerEntry(dy)] };
}) as (x: tf.Tensor, b: tf.Tensor) => tf.Tensor;

function add(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.dtype === 'float32' && b.dtype === 'float32') {
    if (isTrailing(a.shape, b.shape)) return broadcastAdd(a, b);
    if (isTrailing(b.shape, a.shape)) return broadcastAdd(b, a);
    if (isPerEntryRow(a.shape, b.shape)) return perEntryRowAdd(a, b);
    if (isPerEntryRow(b.shape, a.shape)) return perEntryRowAdd(b, a);
  }
  return tf.add(a, b);
}

/** A comparison giving a float32 0/1 mask (grad: 'none', applied by kernels/bind.ts). */
function comparison(compare: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): Kernel {
  return ([a, b]) => tf.cast(compare(a, b), 'float32');
}

export const elementwiseKernels: KernelTable = {
  add: ([a, b]) => add(a, b),
  sub: ([a, b]) => tf.sub(a, b),
  mul: ([a, b]) => tf.mul(a, b),
  div: ([a, b]) => tf.div(a, b),
  maximum: ([a, b]) => tf.maximum(a, b),
  minimum: ([a, b]) => tf.minimum(a, b),
  neg: ([x]) => tf.neg(x),
  exp: ([x]) => tf.exp(x),
  log: ([x]) => tf.log(x),
  sqrt: ([x]) => tf.sqrt(x),
  rsqrt: ([x]) => tf.rsqrt(x),
  square: ([x]) => tf.square(x),
  tanh: ([x]) => tf.tanh(x),
  erf: ([x]) => tf.erf(x),
  sigmoid: ([x]) => tf.sigmoid(x),
  gelu: ([x], attrs) => gelu(x, attrs.approximate !== false),
  greater: comparison(tf.greater),
  greater_equal: comparison(tf.greaterEqual),
  less: comparison(tf.less),
  equal: comparison(tf.equal),
  where: ([cond, a, b]) => {
    // The boolean condition is computed off the tape: no gradient reaches `cond`.
    const mask = withoutGradient([cond], (c) => tf.notEqual(c, 0));
    return tf.where(mask, a, b);
  },
  cast: ([x], attrs) => {
    const dtype = attrs.dtype;
    if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`cast: unsupported dtype '${String(dtype)}' (float32 or int32)`);
    if (x.dtype === dtype) return tf.clone(x);
    // float→int keeps no gradient (tfjs would pass one through); int→float has none to pass.
    return dtype === 'int32' ? withoutGradient([x], (t) => tf.cast(t, 'int32')) : tf.cast(x, dtype);
  },
  stop_gradient: ([x]) => tf.clone(x), // grad: 'none' (kernels/bind.ts)
};
