// moec's SIMD Transpose for the wasm backend (runtime/kernels/wasm-transpose.ts) against
// the cpu backend's tf.transpose, bit for bit: every perm form it handles (2-D, [0,2,1],
// [0,2,1,3], [1,0,2,3] and perms that merge into them), sizes that leave edges to its
// 4×4 tiles, size-1 axes, empty tensors, int32, perms and dtypes it leaves to tfjs's
// kernel, gradients through tf.transpose, and no leaked tensors.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../runtime/backend.ts';
import { installWasmTransposeKernel, swapPlan, wasmTransposeKernelInstalled } from '../../runtime/kernels/wasm-transpose.ts';

interface Case {
  readonly shape: number[];
  readonly perm: number[];
  readonly dtype?: 'float32' | 'int32';
  /** What swapPlan makes of it: [G, R, C, I], 'identity', or undefined (tfjs's kernel). */
  readonly plan: [number, number, number, number] | 'identity' | undefined;
}

const CASES: Case[] = [
  { shape: [1024, 64], perm: [1, 0], plan: [1, 1024, 64, 1] }, // the 2-D products' backward
  { shape: [128, 64], perm: [1, 0], plan: [1, 128, 64, 1] },
  { shape: [48, 49], perm: [1, 0], plan: [1, 48, 49, 1] }, // C not a multiple of 4
  { shape: [9, 13], perm: [1, 0], plan: [1, 9, 13, 1] }, // neither
  { shape: [3, 2], perm: [1, 0], plan: [1, 3, 2, 1] }, // smaller than a tile
  { shape: [256, 16, 16], perm: [0, 2, 1], plan: [256, 16, 16, 1] }, // attention's kᵀ
  { shape: [3, 6, 10], perm: [0, 2, 1], plan: [3, 6, 10, 1] },
  { shape: [64, 16, 4, 16], perm: [0, 2, 1, 3], plan: [64, 16, 4, 16] }, // head split
  { shape: [64, 4, 16, 16], perm: [0, 2, 1, 3], plan: [64, 4, 16, 16] }, // head merge
  { shape: [2, 5, 3, 3], perm: [0, 2, 1, 3], plan: [2, 5, 3, 3] }, // I not a multiple of 4
  { shape: [8, 32, 6, 192], perm: [1, 0, 2, 3], plan: [1, 8, 32, 1152] }, // the dispatcher
  { shape: [4, 3, 2, 5], perm: [1, 0, 2, 3], plan: [1, 4, 3, 10] },
  { shape: [3, 5, 6], perm: [2, 0, 1], plan: [1, 15, 6, 1] }, // axes 0 and 1 stay together
  { shape: [2, 3, 4, 5], perm: [0, 3, 1, 2], plan: [2, 12, 5, 1] },
  { shape: [1, 5, 1, 7], perm: [3, 1, 2, 0], plan: [1, 5, 7, 1] }, // size-1 axes dropped
  { shape: [5, 1], perm: [1, 0], plan: 'identity' }, // moves only a size-1 axis
  { shape: [2, 3, 4], perm: [0, 1, 2], plan: 'identity' },
  { shape: [0, 5], perm: [1, 0], plan: [1, 0, 5, 1] }, // empty: tfjs's kernel
  { shape: [3, 0, 4], perm: [0, 2, 1], plan: [3, 0, 4, 1] },
  { shape: [7, 9], perm: [1, 0], dtype: 'int32', plan: [1, 7, 9, 1] },
  { shape: [2, 6, 5, 8], perm: [0, 2, 1, 3], dtype: 'int32', plan: [2, 6, 5, 8] },
  { shape: [2, 3, 4], perm: [2, 1, 0], plan: undefined }, // a full reversal: tfjs's kernel
  { shape: [2, 3, 4, 5], perm: [3, 2, 1, 0], plan: undefined },
];

const label = (c: Case) => `[${c.shape}] perm [${c.perm}]${c.dtype === 'int32' ? ' int32' : ''}`;

/** Varied values, with -0, ±Infinity, NaN and a subnormal among them (float32). */
function input(c: Case): tf.Tensor {
  const n = c.shape.reduce((a, b) => a * b, 1);
  if (c.dtype === 'int32') return tf.tensor(Int32Array.from({ length: n }, (_, i) => ((i * 2654435761) | 0) >> 3), c.shape, 'int32');
  const special = [-0, Infinity, -Infinity, NaN, 1e-40];
  return tf.tensor(Float32Array.from({ length: n }, (_, i) => (i % 97 === 5 ? special[(i / 97) % 5 | 0]! : Math.sin(i * 12.9898) * 43758.5453)), c.shape);
}

/** The output's shape and bits. */
function transposed(c: Case): { shape: number[]; bits: Uint32Array } {
  const x = input(c);
  const y = tf.transpose(x, c.perm);
  const out = { shape: y.shape, bits: new Uint32Array((y.dataSync() as Float32Array | Int32Array).slice().buffer) };
  tf.dispose([x, y]);
  return out;
}

/** The gradient of Σ transpose(x)·w (each output weighed differently): w transposed back. */
function gradient(c: Case): Uint32Array {
  const x = input(c);
  const w = tf.tensor(Float32Array.from({ length: x.size }, (_, i) => (i % 13) - 6.5), c.perm.map((p) => c.shape[p]!));
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.transpose(t, c.perm), w)))(x);
  const bits = new Uint32Array((g.dataSync() as Float32Array).slice().buffer);
  tf.dispose([x, w, g]);
  return bits;
}

/** int32 has no gradient; an empty one has nothing to compare. */
const hasGradient = (c: Case) => c.dtype !== 'int32' && !c.shape.includes(0);

describe('the wasm SIMD Transpose', () => {
  const reference = new Map<Case, { shape: number[]; bits: Uint32Array; grad?: Uint32Array }>();
  let previous: string;

  beforeAll(async () => {
    previous = tf.getBackend();
    await selectBackend('cpu');
    for (const c of CASES) reference.set(c, { ...transposed(c), ...(hasGradient(c) ? { grad: gradient(c) } : {}) });
    await selectBackend('wasm');
    expect(installWasmTransposeKernel()).toBe(true); // selectBackend installed it: idempotent
    expect(wasmTransposeKernelInstalled()).toBe(true);
  });

  afterAll(async () => {
    if (previous) await tf.setBackend(previous);
  });

  for (const c of CASES) {
    it(`reads ${label(c)} as ${JSON.stringify(c.plan) ?? 'not a swap'}`, () => {
      const plan = swapPlan(c.shape, c.perm);
      expect(plan === 'identity' || plan === undefined ? plan : [plan.G, plan.R, plan.C, plan.I]).toEqual(c.plan);
    });

    it(`gives the cpu backend's bits: ${label(c)}`, () => {
      const before = tf.memory().numTensors;
      const got = transposed(c);
      const want = reference.get(c)!;
      expect(got.shape).toEqual(want.shape);
      expect(got.bits.length).toBe(want.bits.length);
      let differing = 0;
      for (let i = 0; i < got.bits.length; i++) if (got.bits[i] !== want.bits[i]) differing++;
      expect(differing).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
    });

    if (!hasGradient(c)) continue;
    it(`gives the cpu backend's gradient through tf.transpose: ${label(c)}`, () => {
      const want = reference.get(c)!.grad!;
      const before = tf.memory().numTensors;
      const got = gradient(c);
      expect(Array.from(got)).toEqual(Array.from(want));
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('shares the data where only size-1 axes move (the output outlives its input)', () => {
    const x = tf.tensor([1, 2, 3, 4, 5], [5, 1]);
    const y = tf.transpose(x, [1, 0]);
    x.dispose();
    expect(y.shape).toEqual([1, 5]);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5]);
    y.dispose();
  });

  it("leaves bool tensors to tfjs's kernel", () => {
    const x = tf.tensor([true, false, false, true, true, false], [2, 3], 'bool');
    const y = tf.transpose(x);
    expect(y.dtype).toBe('bool');
    expect(Array.from(y.dataSync())).toEqual([1, 1, 0, 1, 0, 0]);
    tf.dispose([x, y]);
  });
});
