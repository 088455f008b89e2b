// Every kernel of runtime/kernels against hand-computed values, on cpu and wasm.
// Tolerance 1e-5 absolute unless stated (float32 values of order 1; cpu and wasm
// agree to ≤1e-4 per tfjs-facts.md §1.1, so transcendental ops get 1e-4).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, expectClose, gradsOf, runKernel, useBackend } from './helpers.ts';

const t = (values: number[] | number[][] | number[][][], dtype: 'float32' | 'int32' = 'float32') => tf.tensor(values as number[], undefined, dtype);

describe.each(BACKENDS)('kernels on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('binary elementwise ops broadcast like numpy', () => {
    const a = t([[1, 2], [3, 4]]);
    const b = t([10, 20]);
    expectClose(runKernel('add', [a, b]), [[11, 22], [13, 24]]);
    expectClose(runKernel('sub', [a, b]), [[-9, -18], [-7, -16]]);
    expectClose(runKernel('mul', [a, b]), [[10, 40], [30, 80]]);
    expectClose(runKernel('div', [a, b]), [[0.1, 0.1], [0.3, 0.2]]);
    expectClose(runKernel('maximum', [a, t([2, 3])]), [[2, 3], [3, 4]]);
    expectClose(runKernel('minimum', [a, t([2, 3])]), [[1, 2], [2, 3]]);
  });

  it('unary elementwise ops', () => {
    expectClose(runKernel('neg', [t([1, -2])]), [-1, 2]);
    expectClose(runKernel('exp', [t([0, 1])]), [1, Math.E], 1e-4);
    expectClose(runKernel('log', [t([1, Math.E])]), [0, 1], 1e-5);
    expectClose(runKernel('sqrt', [t([4, 9])]), [2, 3]);
    expectClose(runKernel('rsqrt', [t([4, 0.25])]), [0.5, 2]);
    expectClose(runKernel('square', [t([3, -0.5])]), [9, 0.25]);
    expectClose(runKernel('tanh', [t([0, 1])]), [0, 0.7615941559557649]);
    expectClose(runKernel('erf', [t([0.5, -1])]), [0.5204998778130465, -0.8427007929497148], 1e-4);
    expectClose(runKernel('sigmoid', [t([0, 2])]), [0.5, 0.8807970779778823]);
  });

  it('gelu in tanh and exact form', () => {
    const x = t([1, -1, 2]);
    expectClose(runKernel('gelu', [x], { approximate: true }), [0.8411919906082768, -0.15880800939172324, 1.954597694087775], 1e-5);
    expectClose(runKernel('gelu', [x], { approximate: false }), [0.8413447460685428, -0.15865525393145713, 1.9544997361036414], 1e-4);
  });

  it('comparisons give float masks and zero gradients', () => {
    const a = t([1, 2, 3]);
    const b = t([2, 2, 2]);
    expectClose(runKernel('greater', [a, b]), [0, 0, 1]);
    expectClose(runKernel('greater_equal', [a, b]), [0, 1, 1]);
    expectClose(runKernel('less', [a, b]), [1, 0, 0]);
    expectClose(runKernel('equal', [a, b]), [0, 1, 0]);
    expect(runKernel('greater', [a, b]).dtype).toBe('float32');
    for (const op of ['greater', 'greater_equal', 'less', 'equal'] as const) {
      // x·mask(x > y): gradient is the mask (the comparison itself contributes nothing).
      const [ga, gb] = gradsOf((x, y) => tf.mul(x, runKernel(op, [x, y])), [a, b]);
      const mask = runKernel(op, [a, b]).dataSync();
      expectClose(ga, Array.from(mask, (m, i) => m * (i + 1)));
      expectClose(gb, [0, 0, 0]);
    }
  });

  it('where selects by a float condition, with no gradient to it and none through the unused branch', () => {
    const cond = t([1, 0, 2]);
    const a = t([1, 2, 3]);
    const b = t([10, 20, 30]);
    expectClose(runKernel('where', [cond, a, b]), [1, 20, 3]);
    const [gc, ga, gb] = gradsOf((c, x, y) => runKernel('where', [c, x, y]), [cond, a, b]);
    expectClose(gc, [0, 0, 0]);
    expectClose(ga, [1, 0, 3]);
    expectClose(gb, [0, 2, 0]);
    // Broadcasting a scalar branch (as masking with -1e9 does).
    expectClose(runKernel('where', [t([[1, 0]]), t([[5, 6]]), t(-1e9 as unknown as number[])]), [[5, -1e9]]);
  });

  it('cast truncates toward zero and converts back', () => {
    const i = runKernel('cast', [t([1.7, -1.2, 3])], { dtype: 'int32' });
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual([1, -1, 3]);
    const f = runKernel('cast', [i], { dtype: 'float32' });
    expect(f.dtype).toBe('float32');
    expectClose(f, [1, -1, 3]);
    expect(() => runKernel('cast', [i], { dtype: 'bool' })).toThrow(/unsupported dtype/);
  });

  it('stop_gradient is the identity forward and zero backward', () => {
    const x = t([1, 2]);
    expectClose(runKernel('stop_gradient', [x]), [1, 2]);
    const [g] = gradsOf((v) => tf.add(runKernel('stop_gradient', [tf.square(v)]), v), [x]);
    expectClose(g, [1, 2]);
  });

  it('shape ops', () => {
    const x = t([[1, 2, 3], [4, 5, 6]]);
    expectClose(runKernel('reshape', [x], { shape: [3, 'B'] }, { outputShape: [3, 2], batch: 2 }), [[1, 2], [3, 4], [5, 6]]);
    expectClose(runKernel('transpose', [x], { perm: [1, 0] }), [[1, 4], [2, 5], [3, 6]]);
    expectClose(runKernel('slice', [x], { begin: [0, 1], size: ['B', 2] }, { outputShape: [2, 2], batch: 2 }), [[2, 3], [5, 6]]);
    expectClose(runKernel('concat', [x, t([[7, 8, 9]])], { axis: 0 }), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expectClose(runKernel('broadcast_to', [t([[1, 2]])], { shape: ['B', 2] }, { outputShape: [3, 2], batch: 3 }), [[1, 2], [1, 2], [1, 2]]);
  });

  it('matmul and its plain-matMul gradient', () => {
    const a = t([[1, 2], [3, 4]]);
    const b = t([[5, 6], [7, 8]]);
    expectClose(runKernel('matmul', [a, b]), [[19, 22], [43, 50]]);
    // d/dA sum(W ⊙ AB) = W Bᵀ, d/dB = Aᵀ W with W = [[1,2],[3,4]].
    const [ga, gb] = gradsOf((x, y) => runKernel('matmul', [x, y]), [a, b]);
    expectClose(ga, [[17, 23], [39, 53]]);
    expectClose(gb, [[10, 14], [14, 20]]);
  });

  it('batch_matmul with transpose flags', () => {
    const a = t([[[1, 2], [3, 4]], [[0, 1], [1, 0]]]);
    const b = t([[[1, 0], [0, 2]], [[2, 3], [4, 5]]]);
    expectClose(runKernel('batch_matmul', [a, b], { transposeA: false, transposeB: false }), [[[1, 4], [3, 8]], [[4, 5], [2, 3]]]);
    expectClose(runKernel('batch_matmul', [a, b], { transposeA: false, transposeB: true }), [[[1, 4], [3, 8]], [[3, 5], [2, 4]]]);
    expectClose(runKernel('batch_matmul', [a, b], { transposeA: true, transposeB: false }), [[[1, 6], [2, 8]], [[4, 5], [2, 3]]]);
  });

  it('expert_matmul multiplies each expert with its own weights', () => {
    const x = t([[[1, 2]], [[3, 4]]]); // [E=2, n=1, k=2]
    const w = t([[[1, 0, 1], [0, 1, 1]], [[2, 0, 0], [0, 2, 1]]]); // [2, 2, 3]
    expectClose(runKernel('expert_matmul', [x, w]), [[[1, 2, 3]], [[6, 8, 4]]]);
    const [gx, gw] = gradsOf((a, b) => runKernel('expert_matmul', [a, b]), [x, w]);
    // weights W = [[[1,2,3]],[[4,5,6]]]: dX_e = W_e w_eᵀ, dw_e = x_eᵀ W_e.
    expectClose(gx, [[[4, 5]], [[8, 16]]]);
    expectClose(gw, [[[1, 2, 3], [2, 4, 6]], [[12, 15, 18], [16, 20, 24]]]);
  });

  it('reductions', () => {
    const x = t([[1, 5, 3], [4, 2, 6]]);
    expectClose(runKernel('sum', [x], { axes: [1], keepDims: false }), [9, 12]);
    expectClose(runKernel('sum', [x], { axes: [0, 1], keepDims: true }), [[21]]);
    expectClose(runKernel('mean', [x], { axes: [0], keepDims: false }), [2.5, 3.5, 4.5]);
    expectClose(runKernel('max', [x], { axes: [1], keepDims: true }), [[5], [6]]);
    expectClose(runKernel('min', [x], { axes: [0], keepDims: false }), [1, 2, 3]);
    expectClose(runKernel('logsumexp', [t([[0, Math.log(3)], [1000, 1000]])], { axis: 1, keepDims: false }), [Math.log(4), 1000 + Math.log(2)], 1e-4);
  });

  it('softmax and log_softmax over the last axis', () => {
    const x = t([[0, Math.log(2)], [1000, 1000]]);
    expectClose(runKernel('softmax', [x]), [[1 / 3, 2 / 3], [0.5, 0.5]]);
    expectClose(runKernel('log_softmax', [x]), [[Math.log(1 / 3), Math.log(2 / 3)], [-Math.LN2, -Math.LN2]], 1e-5);
  });

  it('layer_norm normalises the last axis, then scales and shifts', () => {
    const y = runKernel('layer_norm', [t([[1, 2, 3, 4]]), t([1, 1, 2, 2]), t([0, 0, 0, 1])], { epsilon: 1e-6 });
    const s = 1 / Math.sqrt(1.25);
    expectClose(y, [[-1.5 * s, -0.5 * s, 1 * s, 3 * s + 1]]);
  });

  it('dropout: identity in evaluation, seeded inverted mask in training', () => {
    const x = tf.ones([100, 100]);
    const attrs = { rate: 0.25, stream: 'block_0/dropout' };
    expect(runKernel('dropout', [x], attrs, { training: false })).toBe(x);
    const y = runKernel('dropout', [x], attrs, { training: true, step: 3, seed: 7 });
    const v = y.dataSync();
    const kept = v.filter((e) => e !== 0);
    expect(kept.every((e) => Math.abs(e - 4 / 3) < 1e-6)).toBe(true);
    expect(kept.length / v.length).toBeGreaterThan(0.72); // 10⁴ Bernoulli(0.75): ±5 sd is ±0.022
    expect(kept.length / v.length).toBeLessThan(0.78);
    expect(Array.from(runKernel('dropout', [x], attrs, { training: true, step: 3, seed: 7 }).dataSync())).toEqual(Array.from(v));
    expect(Array.from(runKernel('dropout', [x], attrs, { training: true, step: 4, seed: 7 }).dataSync())).not.toEqual(Array.from(v));
  });

  it('add_noise: identity in evaluation, seeded N(0, std²) in training', () => {
    const x = tf.fill([100, 100], 2);
    const attrs = { std: 0.5, stream: 'router/noise' };
    expect(runKernel('add_noise', [x], attrs, { training: false })).toBe(x);
    const noise = tf.div(tf.sub(runKernel('add_noise', [x], attrs, { training: true, step: 1, seed: 3 }), 2), 0.5);
    const { mean, variance } = tf.moments(noise);
    expect(Math.abs(mean.dataSync()[0])).toBeLessThan(0.05); // sd of the mean is 0.01
    expect(Math.abs(Math.sqrt(variance.dataSync()[0]) - 1)).toBeLessThan(0.05);
    const again = runKernel('add_noise', [x], attrs, { training: true, step: 1, seed: 3 });
    const first = runKernel('add_noise', [x], attrs, { training: true, step: 1, seed: 3 });
    expect(Array.from(again.dataSync())).toEqual(Array.from(first.dataSync()));
  });

  it('top_k: descending, ties to the lower index, zero gradient', () => {
    const x = t([[1, 3, 3, 2, 3], [5, 5, 5, 5, 5]]);
    expectClose(runKernel('top_k_values', [x], { k: 2 }), [[3, 3], [5, 5]]);
    const idx = runKernel('top_k_indices', [x], { k: 3 });
    expect(idx.dtype).toBe('int32');
    expect(idx.arraySync()).toEqual([[1, 2, 4], [0, 1, 2]]);
    // Output [2,2] weighted 1..4; only the added Σv carries gradient: 1+2+3+4 = 10 everywhere.
    // Many ties in a long row (the backends' large-input paths): the lowest indices win.
    const long = t(Array.from({ length: 1000 }, (_, i) => (i % 7 === 3 ? 1 : 0)));
    expect(runKernel('top_k_indices', [long], { k: 5 }).arraySync()).toEqual([3, 10, 17, 24, 31]);
    const [g] = gradsOf((v) => tf.add(runKernel('top_k_values', [v], { k: 2 }), tf.sum(v)), [x]);
    expectClose(g, [[10, 10, 10, 10, 10], [10, 10, 10, 10, 10]]);
  });

  it('argmax: ties to the lower index', () => {
    const a = runKernel('argmax', [t([[1, 4, 4], [2, 1, 0]])], { axis: 1 });
    expect(a.dtype).toBe('int32');
    expect(a.arraySync()).toEqual([1, 0]);
    expect(runKernel('argmax', [t([[1, 4], [3, 4]])], { axis: 0 }).arraySync()).toEqual([1, 0]);
    expect(runKernel('argmax', [t(Array.from({ length: 1000 }, (_, i) => (i % 7 === 3 ? 1 : 0)))], { axis: 0 }).arraySync()).toBe(3);
  });

  it('one_hot: out-of-range indices give zero rows', () => {
    const y = runKernel('one_hot', [t([0, 2, -1, 3], 'int32')], { depth: 3 });
    expectClose(y, [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]]);
    // Gradient through one_hot(top_k(x)) · x reaches x only through the product.
    const x = t([[1, 3, 2]]);
    const [g] = gradsOf((v) => tf.sum(tf.mul(runKernel('one_hot', [runKernel('argmax', [v], { axis: 1 })], { depth: 3 }), v), 1), [x]);
    expectClose(g, [[0, 1, 0]]);
  });

  it('cumsum on any axis, inclusive and exclusive, with the right gradient', () => {
    const x = t([[1, 2], [3, 4], [5, 6]]);
    expectClose(runKernel('cumsum', [x], { axis: 0, exclusive: false }), [[1, 2], [4, 6], [9, 12]]);
    expectClose(runKernel('cumsum', [x], { axis: 0, exclusive: true }), [[0, 0], [1, 2], [4, 6]]);
    expectClose(runKernel('cumsum', [x], { axis: 1, exclusive: false }), [[1, 3], [3, 7], [5, 11]]);
    // weights W = [[1,2],[3,4],[5,6]]: d/dx_i = Σ_{j≥i} W_j (inclusive), Σ_{j>i} (exclusive), along axis 0.
    expectClose(gradsOf((v) => runKernel('cumsum', [v], { axis: 0, exclusive: false }), [x])[0], [[9, 12], [8, 10], [5, 6]]);
    expectClose(gradsOf((v) => runKernel('cumsum', [v], { axis: 0, exclusive: true }), [x])[0], [[8, 10], [5, 6], [0, 0]]);
    // Along the last axis: d/dx_i0 = W_i0 + W_i1, d/dx_i1 = W_i1 (inclusive); W_i1 and 0 (exclusive).
    expectClose(gradsOf((v) => runKernel('cumsum', [v], { axis: 1, exclusive: false }), [x])[0], [[3, 2], [7, 4], [11, 6]]);
    expectClose(gradsOf((v) => runKernel('cumsum', [v], { axis: 1, exclusive: true }), [x])[0], [[2, 0], [4, 0], [6, 0]]);
    const i = runKernel('cumsum', [t([1, 1, 1], 'int32')], { axis: 0, exclusive: false });
    expect(Array.from(i.dataSync())).toEqual([1, 2, 3]);
  });
});
