// GELU (tanh form) on wasm with its elementwise chains as SIMD passes (runtime/kernels/
// wasm-gelu.ts) against the same chains as tfjs tensor ops on wasm: bit for bit, value
// and gradient, in the SIMD lanes and the JavaScript tail.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../runtime/backend.ts';
import { gelu } from '../../runtime/kernels/elementwise.ts';
import { GELU_ARG_KERNEL, GELU_GRAD_KERNEL, geluFits } from '../../runtime/kernels/wasm-gelu.ts';

const A = 2 * Math.sqrt(2 / Math.PI) * 0.044715;
const B = 2 * Math.sqrt(2 / Math.PI);
const C = 6 * Math.sqrt(2 / Math.PI) * 0.044715;

/** The tanh-form GELU and its gradient as the tensor ops of elementwise.ts (the path off wasm). */
function tensorOps(x: tf.Tensor, dy: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), A), B)));
    const du = tf.add(tf.mul(tf.square(x), C), B);
    return [tf.mul(x, s), tf.mul(dy, tf.add(s, tf.mul(tf.mul(x, tf.mul(s, tf.sub(1, s))), du)))];
  });
}

function values(n: number, seed: number, scale: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => (((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1) * scale);
}

const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

describe('GELU on wasm as SIMD passes', () => {
  let previous: string;
  beforeAll(async () => {
    previous = tf.getBackend();
    await selectBackend('wasm');
  });
  afterAll(async () => {
    if (previous) await tf.setBackend(previous);
  });

  for (const shape of [[1027], [3], [2, 5, 8], [64, 128]]) {
    it(`equals the tensor ops bit for bit, value and gradient: [${shape}]`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(values(n, 1, 4), shape);
      const dy = tf.tensor(values(n, 2, 1), shape);
      expect(geluFits(x)).toBe(true);
      const before = tf.memory().numTensors;
      const [y, dx] = tf.tidy(() => {
        const dydx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t, true), dy)));
        return [gelu(x, true), dydx(x)];
      });
      const [wantY, wantDx] = tensorOps(x, dy);
      expect(bits(y)).toEqual(bits(wantY));
      expect(bits(dx)).toEqual(bits(wantDx));
      tf.dispose([y, dx, wantY, wantDx]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, dy]);
    });
  }

  it('runs its two kernels, one each way', async () => {
    const x = tf.variable(tf.ones([4, 8]));
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(gelu(x, true)) as tf.Scalar, [x]);
      tf.dispose([value, ...Object.values(grads)]);
    });
    expect(profile.kernelNames).toContain(GELU_ARG_KERNEL);
    expect(profile.kernelNames).toContain(GELU_GRAD_KERNEL);
    expect(profile.kernelNames.filter((k) => k === 'Multiply').length).toBeLessThanOrEqual(2); // x·σ and the loss's
    x.dispose();
  });

  it('is not used off wasm', async () => {
    await selectBackend('cpu');
    expect(tf.tidy(() => geluFits(tf.ones([4])))).toBe(false);
    await selectBackend('wasm');
  });
});
