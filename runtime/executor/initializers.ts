// Parameter initialisers (compiler/graph/ir.ts Initializer): the initial values of
// one ParamSpec as a Float32Array, from a seed derived from the model seed and
// the parameter's name (so adding a parameter never changes another one's values).
import type { Initializer, ParamSpec } from '../../compiler/graph/ir.ts';
import { deriveSeed, fillNormal, fillTruncatedNormal, fillUniform } from './random.ts';

/** std of N(0,1) truncated to [-2, 2]; flax's variance_scaling divides by it. */
const TRUNCATED_STD = 0.8796256610342398;

function product(values: readonly number[]): number {
  let p = 1;
  for (const v of values) p *= v;
  return p;
}

function fan(shape: readonly number[], axes: readonly number[], param: string): number {
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= shape.length) {
      throw new Error(`parameter ${param}: fan axis ${a} is out of range for shape [${shape.join(', ')}]`);
    }
  }
  return product(axes.map((a) => shape[a]));
}

/**
 * The sin-cos 2-D table of big_vision/vmoe `posemb_sincos_2d` (temperature 10⁴):
 * per grid position [sin(x·ω), cos(x·ω), sin(y·ω), cos(y·ω)], row-major over the
 * grid, after `prefixTokens` rows of zeros (the class token).
 */
export function sincos2d(gridH: number, gridW: number, width: number, prefixTokens: number): Float32Array {
  if (width % 4 !== 0) throw new Error(`sincos2d position embedding needs a width divisible by 4, got ${width}`);
  const quarter = width / 4;
  const out = new Float32Array((prefixTokens + gridH * gridW) * width);
  const omega = new Float64Array(quarter);
  for (let i = 0; i < quarter; i++) omega[i] = 1 / Math.pow(10000, quarter > 1 ? i / (quarter - 1) : 0);
  for (let y = 0; y < gridH; y++) {
    for (let x = 0; x < gridW; x++) {
      const row = (prefixTokens + y * gridW + x) * width;
      for (let i = 0; i < quarter; i++) {
        out[row + i] = Math.sin(x * omega[i]);
        out[row + quarter + i] = Math.cos(x * omega[i]);
        out[row + 2 * quarter + i] = Math.sin(y * omega[i]);
        out[row + 3 * quarter + i] = Math.cos(y * omega[i]);
      }
    }
  }
  return out;
}

function fill(init: Initializer, shape: readonly number[], seed: number, param: string): Float32Array {
  const out = new Float32Array(product(shape));
  switch (init.kind) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'constant':
      return out.fill(init.value);
    case 'normal':
      return fillNormal(out, seed, init.std);
    case 'truncated_normal':
      // jax.nn.initializers.truncated_normal: N(0,1) cut at ±2, times std.
      return fillTruncatedNormal(out, seed, init.std);
    case 'xavier_uniform': {
      const limit = Math.sqrt(6 / (fan(shape, init.fanInAxes, param) + fan(shape, init.fanOutAxes, param)));
      return fillUniform(out, seed, -limit, limit);
    }
    case 'lecun_normal':
      // flax lecun_normal = variance_scaling(1, fan_in, truncated_normal).
      return fillTruncatedNormal(out, seed, Math.sqrt(1 / fan(shape, init.fanInAxes, param)) / TRUNCATED_STD);
    case 'sincos2d': {
      const width = shape[shape.length - 1];
      const rows = init.prefixTokens + init.gridH * init.gridW;
      if (shape.length !== 2 || shape[0] !== rows) {
        throw new Error(`parameter ${param}: sincos2d needs shape [${rows}, width], got [${shape.join(', ')}]`);
      }
      return sincos2d(init.gridH, init.gridW, width, init.prefixTokens);
    }
  }
}

/**
 * Initial values of a parameter. With `shareAlongAxis0` one slice is drawn (fans
 * computed on the full shape, as flax does with `split_rngs=False`) and repeated
 * along axis 0.
 */
export function initialValues(spec: ParamSpec, modelSeed: number): Float32Array {
  const seed = deriveSeed(modelSeed, 'init', spec.name);
  if (!spec.shareAlongAxis0 || spec.shape.length === 0) return fill(spec.init, spec.shape, seed, spec.name);
  const count = spec.shape[0];
  const whole = fill(spec.init, spec.shape, seed, spec.name);
  const sliceSize = whole.length / Math.max(count, 1);
  for (let i = 1; i < count; i++) whole.copyWithin(i * sliceSize, 0, sliceSize);
  return whole;
}
