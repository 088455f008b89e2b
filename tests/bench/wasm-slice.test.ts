import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../runtime/backend.ts';
import { installWasmSliceKernels, wasmSliceKernelsInstalled } from '../../runtime/kernels/wasm-slice.ts';

// Reference values computed on the cpu backend, then compared with wasm + the new kernels.
const x = Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => (i * 7919) % 101 - 50.5);
const CASES: { name: string; run: (t: tf.Tensor) => tf.Tensor }[] = [
  { name: 'outer-axis (contiguous) slice', run: (t) => tf.slice(t, [1, 0, 0, 0], [1, -1, -1, -1]) },
  { name: 'column slice', run: (t) => tf.slice(tf.reshape(t, [6, 20]), [0, 5], [6, 7]) },
  // runs at one stride (one wasm copy_rows call): rows and columns, a 3-D block with the middle axis whole, int32, bool
  { name: 'row and column block', run: (t) => tf.slice(tf.reshape(t, [6, 20]), [2, 5], [3, 7]) },
  { name: '3-D block, middle axis whole', run: (t) => tf.slice(tf.reshape(t, [2, 12, 5]), [1, 0, 1], [1, 12, 3]) },
  { name: 'int32 column slice', run: (t) => tf.slice(tf.cast(tf.reshape(t, [12, 10]), 'int32'), [0, 3], [12, 4]) },
  { name: 'bool column slice', run: (t) => tf.cast(tf.slice(tf.greater(tf.reshape(t, [12, 10]), 0), [1, 2], [10, 5]), 'float32') },
  { name: '4-D inner slice', run: (t) => tf.slice(t, [0, 1, 1, 2], [2, 2, 3, 2]) },
  { name: 'empty slice', run: (t) => tf.slice(t, [0, 0, 0, 0], [2, 0, 4, 5]) },
  { name: 'unstack axis 0', run: (t) => tf.stack(tf.unstack(t, 0)) },
  { name: 'unstack axis 2', run: (t) => tf.stack(tf.unstack(t, 2), 2) },
  { name: 'int32 slice', run: (t) => tf.slice(tf.cast(t, 'int32'), [0, 1, 0, 1], [1, 2, 4, 3]) },
];

describe('copy-free wasm Slice/Unpack/Identity kernels', () => {
  const expected = new Map<string, { shape: number[]; values: number[] }>();
  let previous: string;

  beforeAll(async () => {
    previous = tf.getBackend();
    await selectBackend('cpu');
    for (const c of CASES) {
      const out = c.run(tf.tensor4d(x, [2, 3, 4, 5]));
      expected.set(c.name, { shape: out.shape, values: [...out.dataSync()] });
    }
    await selectBackend('wasm');
    expect(installWasmSliceKernels()).toBe(true);
    expect(installWasmSliceKernels()).toBe(true); // idempotent
    expect(wasmSliceKernelsInstalled()).toBe(true);
  });

  afterAll(async () => {
    if (previous) await tf.setBackend(previous);
  });

  for (const c of CASES) {
    it(`gives the cpu backend's result: ${c.name}`, () => {
      const out = tf.tidy(() => c.run(tf.tensor4d(x, [2, 3, 4, 5])));
      expect(out.shape).toEqual(expected.get(c.name)!.shape);
      expect([...out.dataSync()]).toEqual(expected.get(c.name)!.values);
      out.dispose();
    });
  }

  it('clones without a copy: the clone shares the data, and either can be disposed first', () => {
    const before = tf.memory().numTensors;
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.clone(a);
    const backend = tf.backend() as unknown as { refCount(id: object): number };
    expect(backend.refCount(a.dataId)).toBe(2);
    a.dispose();
    expect([...b.dataSync()]).toEqual([1, 2, 3, 4]);
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // a variable assigned a clone keeps its value after the original is gone
    const v = tf.variable(tf.zeros([2]));
    tf.tidy(() => v.assign(tf.clone(tf.tensor1d([5, 6]))));
    expect([...v.dataSync()]).toEqual([5, 6]);
    v.dispose();
  });

  it('keeps gradients that save their inputs right (tfjs clones what it saves)', () => {
    const t = tf.tensor1d([1, -2, 3]);
    const g = tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.square(u), u)))(t);
    expect([...g.dataSync()]).toEqual([3, 12, 27]);
    tf.dispose([t, g]);
  });

  it('keeps the slice gradient working (tfjs registers it by kernel name)', () => {
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.slice(t, [0, 1], [2, 2]), 3)))(tf.ones([2, 4]));
    expect([...g.dataSync()]).toEqual([0, 3, 3, 0, 0, 3, 3, 0]);
  });
});

describe('uninstallWasmSliceKernels', () => {
  it('restores tfjs\'s own kernels, which give the same values', async () => {
    const { uninstallWasmSliceKernels } = await import('../../runtime/kernels/wasm-slice.ts');
    await selectBackend('wasm');
    const fast = tf.tidy(() => [...tf.slice(tf.tensor2d(x, [12, 10]), [2, 3], [5, 4]).dataSync()]);
    uninstallWasmSliceKernels();
    expect(wasmSliceKernelsInstalled()).toBe(false);
    const native = tf.tidy(() => [...tf.slice(tf.tensor2d(x, [12, 10]), [2, 3], [5, 4]).dataSync()]);
    expect(fast).toEqual(native);
    expect(installWasmSliceKernels()).toBe(true);
  });
});
