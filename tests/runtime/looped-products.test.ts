// The looped batched product with one gradient for the loop (kernels/products.ts
// loopedProduct, what expert_matmul and the larger batched products run), the choice
// between it and the SIMD kernel (batch-matmul.ts simdPreferred, wasmMatMul), and the per-expert
// bias gradient (elementwise.ts sumRowsPerEntry), against tf.matMul / tf.add with
// tfjs's own gradients on the cpu backend. Tolerance 1e-5 relative to the largest
// value (float32, sums in another order).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../runtime/backend.ts';
import { inputGradient, loopedProduct } from '../../runtime/kernels/products.ts';
import { simdPreferred } from '../../runtime/kernels/batch-matmul.ts';
import { SMALL_BMM_KERNEL } from '../../runtime/kernels/wasm-small-bmm.ts';
import { elementwiseKernels, sumRowsPerEntry } from '../../runtime/kernels/elementwise.ts';
import { BIAS_ADD_KERNEL } from '../../runtime/kernels/wasm-bias.ts';
import { wasm } from '../../runtime/backends/wasm.ts';
import type { Kernel, KernelContext } from '../../runtime/kernels/types.ts';

function values(shape: number[], seed: number): number[] {
  let s = seed;
  return Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

function expectClose(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  const scale = Math.max(1, ...Array.from(want, Math.abs));
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst / scale).toBeLessThan(1e-5);
}

type Binary = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** y = f(a, b) and the gradients of Σ w·y (w weighs every output differently). */
function valueAndGrads(f: Binary, aShape: number[], bShape: number[]): Float32Array[] {
  return tf.tidy(() => {
    const a = tf.tensor(values(aShape, 1), aShape);
    const b = tf.tensor(values(bShape, 2), bShape);
    const y = f(a, b);
    const w = tf.tensor(values(y.shape, 3), y.shape);
    const [ga, gb] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(f(x, z), w)))([a, b]);
    return [y, ga!, gb!].map((t) => t.dataSync() as Float32Array);
  });
}

// [G,n,k]·[G,k,m]: many rows (dx = dy·wᵀ) and few rows (dx = (w·dyᵀ)ᵀ), odd sizes included.
const CASES: { a: number[]; b: number[] }[] = [
  { a: [4, 16, 12], b: [4, 12, 20] },
  { a: [3, 2, 24], b: [3, 24, 32] },
  { a: [2, 5, 7], b: [2, 7, 3] },
];

describe('the looped batched product (one gradient for the loop)', () => {
  const reference = new Map<(typeof CASES)[number], Float32Array[]>();
  let previous: string;

  beforeAll(async () => {
    previous = tf.getBackend();
    await selectBackend('cpu');
    for (const c of CASES) reference.set(c, valueAndGrads((a, b) => tf.matMul(a, b), c.a, c.b));
  });

  afterAll(async () => {
    if (previous) await tf.setBackend(previous);
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    for (const c of CASES) {
      it(`gives tf.matMul's values and gradients on ${backend}: [${c.a}]·[${c.b}]`, async () => {
        await selectBackend(backend);
        const before = tf.memory().numTensors;
        const got = valueAndGrads(loopedProduct, c.a, c.b);
        expect(tf.memory().numTensors).toBe(before);
        got.forEach((g, i) => expectClose(g, reference.get(c)![i]!));
      });
    }
  }

  it('computes dx in either form to the same values (few rows: (w·dyᵀ)ᵀ; many: dy·wᵀ)', async () => {
    await selectBackend('wasm');
    for (const [n, k, m] of [[2, 24, 32], [32, 8, 8]] as const) {
      const [got, want] = tf.tidy(() => {
        const dy = tf.tensor2d(values([n, m], 5), [n, m]);
        const w = tf.tensor2d(values([k, m], 6), [k, m]);
        return [inputGradient(dy, w).dataSync() as Float32Array, tf.matMul(dy, tf.transpose(w)).dataSync() as Float32Array];
      });
      expectClose(got, want);
    }
  });
});

describe('SIMD kernel or loop of XNNPACK products (batch-matmul.ts simdPreferred)', () => {
  it('takes the SIMD kernel for few rows or a right operand that stays in cache, XNNPACK for large products', () => {
    expect(simdPreferred(64, 64, 64)).toBe(true); // attention of 64 tokens
    expect(simdPreferred(16, 192, 768)).toBe(true); // an expert with 16 slot rows
    expect(simdPreferred(128, 128, 64)).toBe(true); // the README example's experts
    expect(simdPreferred(1024, 64, 192)).toBe(true); // the README example's q/k/v projection (2-D)
    expect(simdPreferred(196, 64, 196)).toBe(true); // ViT-S attention
    expect(simdPreferred(192, 192, 768)).toBe(true); // MNIST-Ti experts, 8 × 24 slots
    expect(simdPreferred(1024, 192, 768)).toBe(false); // a dense MLP of width 192: XNNPACK amortises its packing
    expect(simdPreferred(1568, 384, 1536)).toBe(false); // ViT-S MLP
    expect(simdPreferred(512, 384, 1536)).toBe(false); // the right operand leaves the cache
  });

  it("is what wasm's expert_matmul runs for an expert with few rows, with tf.matMul's values", async () => {
    await selectBackend('cpu');
    const shapes = { a: [4, 8, 32], b: [4, 32, 64] };
    const want = valueAndGrads((a, b) => tf.matMul(a, b), shapes.a, shapes.b);
    await selectBackend('wasm');
    const kernel: Kernel = wasm.kernels.expert_matmul;
    const run: Binary = (a, b) => kernel([a, b], {}, {} as KernelContext);
    const profile = await tf.profile(() => void tf.tidy(() => run(tf.ones(shapes.a), tf.ones(shapes.b))));
    expect(profile.kernelNames).toContain(SMALL_BMM_KERNEL);
    valueAndGrads(run, shapes.a, shapes.b).forEach((g, i) => expectClose(g, want[i]!));
  });
});

describe('the per-expert bias [E,1,H] on [E,N,H] (elementwise.ts add)', () => {
  const add: Binary = (a, b) => elementwiseKernels.add!([a, b], {}, {} as KernelContext);

  for (const [E, N, H] of [[3, 5, 8], [2, 4, 6]] as const) {
    it(`gives tf.add's values and gradients on wasm and cpu: [${E},${N},${H}] + [${E},1,${H}]`, async () => {
      await selectBackend('cpu');
      const want = valueAndGrads((a, b) => tf.add(a, b), [E, N, H], [E, 1, H]);
      for (const backend of ['cpu', 'wasm'] as const) {
        await selectBackend(backend);
        const before = tf.memory().numTensors;
        const got = valueAndGrads(add, [E, N, H], [E, 1, H]);
        expect(tf.memory().numTensors).toBe(before);
        got.forEach((g, i) => expectClose(g, want[i]!));
        // either operand order
        valueAndGrads((a, b) => add(b, a), [E, N, H], [E, 1, H]).forEach((g, i) => expectClose(g, want[i]!));
      }
    });
  }

  it('sums the rows of each entry', async () => {
    await selectBackend('wasm');
    const got = tf.tidy(() => sumRowsPerEntry(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 10, 20, 30, 40, 50, 60, 70, 80], [2, 2, 4])).arraySync());
    expect(got).toEqual([[[6, 8, 10, 12]], [[60, 80, 100, 120]]]);
  });
});

describe("the wasm 2-D product (batch-matmul.ts wasmMatMul)", () => {
  for (const [m, k, n] of [[32, 16, 24], [6, 8, 12], [64, 128, 256]] as const) {
    it(`gives tf.matMul's values and gradients: [${m},${k}]·[${k},${n}]${m % 4 ? ' (XNNPACK: rows not a multiple of 4)' : ''}`, async () => {
      await selectBackend('cpu');
      const want = valueAndGrads((a, b) => tf.matMul(a, b), [m, k], [k, n]);
      await selectBackend('wasm');
      const kernel: Kernel = wasm.kernels.matmul;
      const run: Binary = (a, b) => kernel([a, b], {}, {} as KernelContext);
      const profile = await tf.profile(() => void tf.tidy(() => run(tf.ones([m, k]), tf.ones([k, n]))));
      expect(profile.kernelNames.includes(SMALL_BMM_KERNEL)).toBe(m % 4 === 0);
      const before = tf.memory().numTensors;
      valueAndGrads(run, [m, k], [k, n]).forEach((g, i) => expectClose(g, want[i]!));
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('bias adds on wasm as one SIMD pass (wasm-bias.ts)', () => {
  const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
  const add: Binary = (a, b) => elementwiseKernels.add!([a, b], {}, {} as KernelContext);
  for (const [x, b] of [[[33, 8], [8]], [[2, 3, 4], [4]], [[3, 5, 8], [3, 1, 8]], [[6, 6], [6]]] as const) {
    it(`equals tf.add bit for bit: [${x}] + [${b}]${x[x.length - 1]! % 4 ? ' (tfjs: not a multiple of 4)' : ''}`, async () => {
      await selectBackend('wasm');
      const [xs, bs] = [tf.tensor(values([...x], 8), [...x]), tf.tensor(values([...b], 9), [...b])];
      const profile = await tf.profile(() => void tf.tidy(() => add(xs, bs)));
      expect(profile.kernelNames.includes(BIAS_ADD_KERNEL)).toBe(x[x.length - 1]! % 4 === 0);
      const [got, want] = tf.tidy(() => [bits(add(xs, bs)), bits(tf.add(xs, bs))]);
      expect(got).toEqual(want);
      tf.dispose([xs, bs]);
    });
  }
});
