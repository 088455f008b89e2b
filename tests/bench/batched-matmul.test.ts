import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../runtime/backend.ts';
import { loopedBatchMatMul, loopingBatchMatMul, loopsFor } from '../../runtime/kernels/batch-matmul.ts';
import { kernelsFor, profileNamed } from '../../runtime/backends/index.ts';
import { BASE_KERNELS } from '../../runtime/kernels/index.ts';
import { wasm } from '../../runtime/backends/wasm.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('loopedBatchMatMul (the batch_matmul candidate of bench figure 1b)', () => {
  for (const [transposeA, transposeB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    it(`matches tf.matMul and its gradients (transposeA ${transposeA}, transposeB ${transposeB})`, () => {
      const a = tf.randomNormal(transposeA ? [3, 4, 5] : [3, 5, 4], 0, 1, 'float32', 1);
      const b = tf.randomNormal(transposeB ? [3, 6, 4] : [3, 4, 6], 0, 1, 'float32', 2);
      const w = tf.randomNormal([3, 5, 6], 0, 1, 'float32', 3);
      const loss = (f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), w));
      const native = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, transposeA, transposeB);
      const looped = (x: tf.Tensor, y: tf.Tensor) => loopedBatchMatMul(x, y, transposeA, transposeB);
      const expectClose = (p: tf.Tensor, q: tf.Tensor) => expect(tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]).toBeLessThan(1e-5);
      expectClose(looped(a, b), native(a, b));
      const [ga, gb] = tf.grads(loss(native))([a, b]);
      const [la, lb] = tf.grads(loss(looped))([a, b]);
      expectClose(la!, ga!);
      expectClose(lb!, gb!);
    });
  }

  it('refuses operands that are not 3-D', () => {
    expect(() => loopedBatchMatMul(tf.ones([2, 2]), tf.ones([2, 2]))).toThrow(/3-D/);
  });
});

describe('loopingBatchMatMul (the wasm profile\'s batch_matmul kernel)', () => {
  it('is bound by the wasm profile only', () => {
    expect(wasm.kernels.batch_matmul).toBeTypeOf('function');
    for (const name of ['cpu', 'webgpu', 'tensorflow', 'tensorflow-gpu']) expect(profileNamed(name)!.kernels.batch_matmul, name).toBeUndefined();
    expect(kernelsFor(profileNamed('wasm')!).get('batch_matmul')).not.toBe(kernelsFor(profileNamed('cpu')!).get('batch_matmul'));
    expect(kernelsFor(profileNamed('cpu')!).get('batch_matmul')).toBe(BASE_KERNELS.batch_matmul);
  });

  it('loops for 3-D operands with equal batch and products large enough', () => {
    expect(loopsFor(tf.ones([2, 64, 64]), tf.ones([2, 64, 64]))).toBe(true);
    expect(loopsFor(tf.ones([2, 3, 4]), tf.ones([2, 4, 5]))).toBe(false); // 60 FLOPs per entry: the loop's fixed cost dominates
    // transposes are taken into account: [2,64,16]ᵀ·[2,64,64] is 16·64·64 per entry
    expect(loopsFor(tf.ones([2, 64, 16]), tf.ones([2, 64, 64]), true)).toBe(true);
    expect(loopsFor(tf.ones([2, 2, 64, 64]), tf.ones([2, 2, 64, 64]))).toBe(false);
    expect(loopsFor(tf.ones([600, 64, 64]), tf.ones([600, 64, 64]))).toBe(false);
  });

  it('on wasm gives tf.matMul\'s values and gradients (attention-like, transposeB)', async () => {
    await selectBackend('wasm');
    try {
      const a = tf.randomNormal([6, 7, 5], 0, 1, 'float32', 4);
      const b = tf.randomNormal([6, 9, 5], 0, 1, 'float32', 5);
      const w = tf.randomNormal([6, 7, 9], 0, 1, 'float32', 6);
      const f = (mm: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(mm(x, y), w));
      const close = (p: tf.Tensor, q: tf.Tensor) => expect(tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]).toBeLessThan(1e-4);
      close(loopingBatchMatMul(a, b, false, true), tf.matMul(a, b, false, true));
      const [ga, gb] = tf.grads(f((x, y) => tf.matMul(x, y, false, true)))([a, b]);
      const [la, lb] = tf.grads(f((x, y) => loopingBatchMatMul(x, y, false, true)))([a, b]);
      close(la!, ga!);
      close(lb!, gb!);
    } finally {
      await selectBackend('cpu');
    }
  });
});
