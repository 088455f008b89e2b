// The wasm SIMD kernels (runtime/kernels/wasm-small-bmm.ts) against the cpu backend:
// small batched products (tf.matMul, values and gradients, every transpose combination
// the batch_matmul op allows), leading-axis sums (tf.sum), LayerNorm forward and
// backward (the tensor-op LayerNorm of nn.ts). Tolerance 1e-5 relative to the largest
// value (float32, sums in another order).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../runtime/backend.ts';
import { layerNormFits, smallBatchMatMul, smallBatchMatMulAvailable, smallBatchMatMulFits, SMALL_BMM_KERNEL, sumLeadingFits } from '../../runtime/kernels/wasm-small-bmm.ts';
import { layerNorm } from '../../runtime/kernels/nn.ts';
import { sumLeading } from '../../runtime/kernels/elementwise.ts';
import { loopingBatchMatMul } from '../../runtime/kernels/batch-matmul.ts';

interface Case {
  readonly a: number[];
  readonly b: number[];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

const CASES: Case[] = [
  { a: [5, 8, 12], b: [5, 12, 16], transposeA: false, transposeB: false },
  { a: [5, 8, 12], b: [5, 16, 12], transposeA: false, transposeB: true }, // attention scores q·kᵀ
  { a: [5, 12, 8], b: [5, 12, 16], transposeA: true, transposeB: false },
  { a: [5, 12, 8], b: [5, 16, 12], transposeA: true, transposeB: true },
  { a: [64, 16, 16], b: [64, 16, 64], transposeA: false, transposeB: false }, // Soft MoE dispatch of the README example
];

function values(shape: number[], seed: number): number[] {
  let s = seed;
  return Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

interface Result {
  readonly y: Float32Array;
  readonly ga: Float32Array;
  readonly gb: Float32Array;
}

function run(c: Case, mm: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): Result {
  return tf.tidy(() => {
    const a = tf.tensor(values(c.a, 1), c.a);
    const b = tf.tensor(values(c.b, 2), c.b);
    const y = mm(a, b);
    const w = tf.tensor(values(y.shape, 3), y.shape); // a loss that weighs every output differently
    const [ga, gb] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(mm(x, z), w)))([a, b]);
    return { y: y.dataSync() as Float32Array, ga: ga!.dataSync() as Float32Array, gb: gb!.dataSync() as Float32Array };
  });
}

function expectClose(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  const scale = Math.max(1, ...Array.from(want, Math.abs));
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst / scale).toBeLessThan(1e-5);
}

describe('the wasm SIMD small batched product', () => {
  const reference = new Map<Case, Result>();
  let previous: string;

  beforeAll(async () => {
    previous = tf.getBackend();
    await selectBackend('cpu');
    expect(smallBatchMatMulAvailable()).toBe(false); // wasm only
    for (const c of CASES) reference.set(c, run(c, (a, b) => tf.matMul(a, b, c.transposeA, c.transposeB)));
    await selectBackend('wasm');
    expect(smallBatchMatMulAvailable()).toBe(true);
  });

  afterAll(async () => {
    if (previous) await tf.setBackend(previous);
  });

  for (const c of CASES) {
    it(`gives tf.matMul's values and gradients: [${c.a}]${c.transposeA ? 'ᵀ' : ''}·[${c.b}]${c.transposeB ? 'ᵀ' : ''}`, () => {
      const before = tf.memory().numTensors;
      const got = run(c, (a, b) => smallBatchMatMul(a, b, c.transposeA, c.transposeB));
      const want = reference.get(c)!;
      expectClose(got.y, want.y);
      expectClose(got.ga, want.ga);
      expectClose(got.gb, want.gb);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('is what the wasm batch_matmul runs for small products (and it records its own kernel)', async () => {
    const c = CASES[1]!;
    const profile = await tf.profile(() => {
      tf.tidy(() => loopingBatchMatMul(tf.ones(c.a), tf.ones(c.b), false, true));
    });
    expect(profile.kernelNames).toContain(SMALL_BMM_KERNEL);
    expect(profile.kernelNames).not.toContain('BatchMatMul');
  });

  it('takes only shapes whose three row lengths are multiples of 4, same batch, float32', () => {
    const fits = (a: number[], b: number[], tA = false, tB = false) => tf.tidy(() => smallBatchMatMulFits(tf.ones(a), tf.ones(b), tA, tB));
    expect(fits([2, 4, 8], [2, 8, 12])).toBe(true);
    expect(fits([2, 4, 8], [2, 8, 6])).toBe(false); // n = 6
    expect(fits([2, 5, 8], [2, 8, 12])).toBe(false); // m = 5 (a gradient's row length)
    expect(fits([2, 8, 4], [2, 8, 12], true)).toBe(true);
    expect(fits([2, 4, 8], [3, 8, 12])).toBe(false); // batch differs
    expect(fits([4, 8], [8, 12])).toBe(false); // 2-D
    expect(tf.tidy(() => smallBatchMatMulFits(tf.ones([2, 4, 8], 'int32'), tf.ones([2, 8, 4]), false, false))).toBe(false);
  });
});

describe('the leading-axis sum of gradients (elementwise.ts sumLeading)', () => {
  const cases: { x: number[]; keep: number[] }[] = [
    { x: [33, 8], keep: [8] }, // a bias gradient
    { x: [4, 5, 12], keep: [5, 12] }, // a position table broadcast over the batch
    { x: [6, 10], keep: [10] }, // 10 is not a multiple of 4: tf.sum
    { x: [3, 4], keep: [3, 4] }, // nothing to sum
  ];
  for (const c of cases) {
    it(`equals tf.sum over the leading axes on wasm and cpu: [${c.x}] → [${c.keep}]`, async () => {
      for (const backend of ['cpu', 'wasm'] as const) {
        await selectBackend(backend);
        const before = tf.memory().numTensors;
        const [got, want] = tf.tidy(() => {
          const x = tf.tensor(values(c.x, 7), c.x);
          const axes = [...Array(c.x.length - c.keep.length).keys()];
          return [sumLeading(x, c.keep).dataSync() as Float32Array, (axes.length ? tf.sum(x, axes) : x).dataSync() as Float32Array];
        });
        expectClose(got, want);
        expect(tf.memory().numTensors).toBe(before);
      }
    });
  }

  it('uses the SIMD column sum on wasm where the kept size is a multiple of 4', async () => {
    await selectBackend('wasm');
    expect(tf.tidy(() => sumLeadingFits(tf.ones([16, 8]), [8]))).toBe(true);
    expect(tf.tidy(() => sumLeadingFits(tf.ones([16, 10]), [10]))).toBe(false);
    await selectBackend('cpu');
    expect(tf.tidy(() => sumLeadingFits(tf.ones([16, 8]), [8]))).toBe(false);
    await selectBackend('wasm');
  });
});

describe('LayerNorm as SIMD kernels (nn.ts layerNorm on wasm)', () => {
  const shapes = [[33, 16], [2, 3, 8], [5, 12]];
  for (const shape of shapes) {
    it(`gives the tensor-op LayerNorm's values and gradients (cpu backend): [${shape}]`, async () => {
      const d = shape[shape.length - 1]!;
      const run = () =>
        tf.tidy(() => {
          const x = tf.add(tf.mul(tf.tensor(values(shape, 11), shape), 3), 1);
          const scale = tf.add(tf.tensor(values([d], 12), [d]), 1);
          const bias = tf.tensor(values([d], 13), [d]);
          const w = tf.tensor(values(shape, 14), shape);
          const y = layerNorm(x, scale, bias, 1e-6);
          const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(layerNorm(a, b, c, 1e-6), w)))([x, scale, bias]);
          return [y, ...grads].map((t) => t.dataSync() as Float32Array);
        });
      await selectBackend('cpu');
      const want = run();
      await selectBackend('wasm');
      expect(tf.tidy(() => layerNormFits(tf.ones(shape), tf.ones([d]), tf.ones([d])))).toBe(true);
      const before = tf.memory().numTensors;
      const got = run();
      expect(tf.memory().numTensors).toBe(before);
      got.forEach((g, i) => expectClose(g, want[i]!));
    });
  }

  it('keeps the tensor ops where the SIMD kernel does not fit', async () => {
    await selectBackend('wasm');
    const fits = (x: number[], d: number) => tf.tidy(() => layerNormFits(tf.ones(x), tf.ones([d]), tf.ones([d])));
    expect(fits([4, 10], 10)).toBe(false); // 10 is not a multiple of 4
    expect(fits([8], 8)).toBe(false); // one row, rank 1
    expect(fits([4, 8], 4)).toBe(false); // scale does not match
  });
});
