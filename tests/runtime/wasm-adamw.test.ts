// The fused AdamW update on wasm (runtime/kernels/wasm-adamw.ts) against the tensor-op
// update it replaces: bit for bit (the same float32 operations in the same order), in
// the SIMD lanes and in the JavaScript tail, with and without weight decay and clipping.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../runtime/backend.ts';
import { ADAMW_KERNEL, adamwFits, simdAdamW, type AdamWConstants } from '../../runtime/kernels/wasm-adamw.ts';
import { Optimizer } from '../../runtime/train/optimizer.ts';

function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => (((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1) * scale);
}

/** The update as the optimiser's tensor ops compute it (optimizer.ts, the path off wasm). */
function tensorOps(g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, p: tf.Tensor, mask: tf.Tensor | undefined, c: AdamWConstants): tf.Tensor[] {
  return tf.tidy(() => {
    const gs = c.gradScale === 1 ? g : tf.mul(g, tf.scalar(c.gradScale));
    const m1 = tf.add(tf.mul(m, c.beta1), tf.mul(gs, 1 - c.beta1));
    const v1 = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(gs), 1 - c.beta2));
    let u = tf.div(tf.div(m1, c.correction1), tf.add(tf.sqrt(tf.div(v1, c.correction2)), c.epsilon));
    if (mask) u = tf.add(u, tf.mul(p, mask));
    return [m1, v1, tf.sub(p, tf.mul(u, c.lr))];
  });
}

const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

describe('the fused AdamW update on wasm', () => {
  let previous: string;
  beforeAll(async () => {
    previous = tf.getBackend();
    await selectBackend('wasm');
  });
  afterAll(async () => {
    if (previous) await tf.setBackend(previous);
  });

  for (const n of [1027, 16, 3]) {
    for (const withMask of [true, false]) {
      it(`equals the tensor ops bit for bit: ${n} elements${withMask ? ', weight decay' : ''}, clipped`, () => {
        const c: AdamWConstants = { gradScale: 0.37, beta1: 0.9, beta2: 0.999, correction1: 1 - 0.9 ** 3, correction2: 1 - 0.999 ** 3, epsilon: 1e-8, lr: 3e-3 };
        const [g, m, p] = [values(n, 1), values(n, 2, 0.1), values(n, 3)].map((a) => tf.tensor1d(a));
        const v = tf.tensor1d(values(n, 4).map((x) => x * x * 0.01));
        const mask = withMask ? tf.tensor1d(Float32Array.from({ length: n }, (_, i) => (i % 3 ? 1e-4 : 0))) : undefined;
        expect(adamwFits([g!, m!, v, p!, ...(mask ? [mask] : [])])).toBe(true);
        const before = tf.memory().numTensors;
        const got = simdAdamW(g!, m!, v, p!, mask, c);
        const want = tensorOps(g!, m!, v, p!, mask, c);
        got.forEach((t, i) => expect(bits(t)).toEqual(bits(want[i]!)));
        tf.dispose([...got, ...want]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([g!, m!, v, p!, ...(mask ? [mask] : [])]);
      });
    }
  }

  it('is not used off wasm or for other than flat float32 vectors of one length', async () => {
    expect(tf.tidy(() => adamwFits([tf.zeros([4]), tf.zeros([5])]))).toBe(false);
    expect(tf.tidy(() => adamwFits([tf.zeros([2, 2]), tf.zeros([2, 2])]))).toBe(false);
    await selectBackend('cpu');
    expect(tf.tidy(() => adamwFits([tf.zeros([4]), tf.zeros([4])]))).toBe(false);
    await selectBackend('wasm');
  });

  it("gives the optimiser the cpu backend's weights and slots bit for bit over several steps (several parameters, decay on some)", async () => {
    const spec = { kind: 'adamw', lr: 0.01, weightDecay: 0.1, b1: 0.9, b2: 0.999, clip: 0 } as const;
    const sizes = [5, 7, 3];
    const train = async (backend: 'cpu' | 'wasm') => {
      await selectBackend(backend);
      const vars = sizes.map((s, i) => tf.variable(tf.tensor1d(values(s, 10 + i))));
      const opt = new Optimizer(spec, vars.map((variable, i) => ({ name: `p${i}`, variable, decay: i !== 2 })));
      const before = tf.memory().numTensors;
      const kernels = new Set<string>();
      for (let step = 0; step < 4; step++) {
        const grads = new Map(sizes.map((s, i) => [`p${i}`, tf.tensor1d(values(s, 100 * step + i))] as const));
        const profile = await tf.profile(() => void opt.apply(grads, 0.01 * (step + 1)));
        profile.kernelNames.forEach((k) => kernels.add(k));
        tf.dispose([...grads.values()]);
        expect(tf.memory().numTensors).toBe(before);
      }
      const weights = vars.map(bits);
      const slots = (await opt.readSlots()).map((s) => Array.from(new Uint32Array(s.data.slice().buffer)));
      opt.dispose();
      tf.dispose(vars);
      return { weights, slots, kernels };
    };
    const cpu = await train('cpu');
    const wasm = await train('wasm');
    expect(wasm.kernels.has(ADAMW_KERNEL)).toBe(true);
    expect(cpu.kernels.has(ADAMW_KERNEL)).toBe(false);
    expect(wasm.weights).toEqual(cpu.weights);
    expect(wasm.slots).toEqual(cpu.slots);
  });
});
