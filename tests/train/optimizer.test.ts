import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Optimizer } from '../../runtime/train/optimizer.ts';
import { selectBackend } from '../../runtime/backend.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

function run(spec: ConstructorParameters<typeof Optimizer>[0], w0: number[], grads: number[][], lrs: number[], decay = true): number[] {
  const v = tf.variable(tf.tensor1d(w0));
  const opt = new Optimizer(spec, [{ name: 'w', variable: v, decay }]);
  grads.forEach((g, i) => {
    const t = tf.tensor1d(g);
    opt.apply(new Map([['w', t]]), lrs[i]!);
    t.dispose();
  });
  const out = Array.from(v.dataSync());
  opt.dispose();
  v.dispose();
  return out;
}

describe('AdamW', () => {
  it('matches a hand computation over two steps, with decoupled weight decay', () => {
    const spec = { kind: 'adamw', lr: 0.1, weightDecay: 0.5, b1: 0.9, b2: 0.99, clip: 0 } as const;
    const w = [1, -2];
    const g1 = [0.5, -1];
    const g2 = [0.1, 0.2];
    // reference in float64
    let m = [0, 0], v = [0, 0], p = [...w];
    [[g1, 0.1], [g2, 0.05]].forEach(([g, lr], t) => {
      const gg = g as number[];
      m = m.map((mi, i) => 0.9 * mi + 0.1 * gg[i]!);
      v = v.map((vi, i) => 0.99 * vi + 0.01 * gg[i]! ** 2);
      const mh = m.map((mi) => mi / (1 - 0.9 ** (t + 1)));
      const vh = v.map((vi) => vi / (1 - 0.99 ** (t + 1)));
      p = p.map((pi, i) => pi - (lr as number) * (mh[i]! / (Math.sqrt(vh[i]!) + 1e-8) + 0.5 * pi));
    });
    const got = run(spec, w, [g1, g2], [0.1, 0.05]);
    got.forEach((x, i) => expect(x).toBeCloseTo(p[i]!, 5));
  });
  it('applies no weight decay to parameters with decay: false', () => {
    const spec = { kind: 'adamw', lr: 0.1, weightDecay: 0.5, b1: 0.9, b2: 0.99, clip: 0 } as const;
    // first Adam step moves each weight by exactly lr·sign(g) (m̂/√v̂ = g/|g|)
    const got = run(spec, [1, -2], [[0.5, -1]], [0.1], false);
    expect(got[0]).toBeCloseTo(0.9, 6);
    expect(got[1]).toBeCloseTo(-1.9, 6);
  });
  it('clips gradients to the global norm', () => {
    const sgd = { kind: 'sgd', lr: 1, momentum: 0, clip: 1 } as const;
    // g = [3, 4], ‖g‖ = 5 → clipped to [0.6, 0.8]
    const got = run(sgd, [0, 0], [[3, 4]], [1]);
    expect(got[0]).toBeCloseTo(-0.6, 6);
    expect(got[1]).toBeCloseTo(-0.8, 6);
  });
});

describe('SGD with momentum', () => {
  it('u ← μu + g, p ← p − lr·u', () => {
    const spec = { kind: 'sgd', lr: 0.1, momentum: 0.9, clip: 0 } as const;
    // step 1: u = 1, p = 1 − 0.1 = 0.9; step 2: u = 0.9 + 2 = 2.9, p = 0.9 − 0.29 = 0.61
    const got = run(spec, [1], [[1], [2]], [0.1, 0.1]);
    expect(got[0]).toBeCloseTo(0.61, 6);
  });
});

describe('the flat update over several parameters', () => {
  it('updates each parameter as if alone (clip off), and round-trips its slots through readSlots/loadSlots', async () => {
    const spec = { kind: 'adamw', lr: 0.1, weightDecay: 0.5, b1: 0.9, b2: 0.99, clip: 0 } as const;
    const a = tf.variable(tf.tensor2d([1, -2, 0.5, 4], [2, 2]));
    const b = tf.variable(tf.tensor1d([3, -1]));
    const opt = new Optimizer(spec, [
      { name: 'a', variable: a, decay: true },
      { name: 'b', variable: b, decay: false },
    ]);
    const ga = tf.tensor2d([0.5, -1, 2, 0.25], [2, 2]);
    const gb = tf.tensor1d([-0.3, 0.7]);
    opt.apply(new Map<string, tf.Tensor>([['a', ga], ['b', gb]]), 0.1);
    const ga2 = tf.tensor2d([-0.3, 0.7, -0.3, 0.7], [2, 2]);
    opt.apply(new Map<string, tf.Tensor>([['a', ga2], ['b', gb]]), 0.05);
    expect(a.shape).toEqual([2, 2]);
    expect(run(spec, [1, -2, 0.5, 4], [[0.5, -1, 2, 0.25], [-0.3, 0.7, -0.3, 0.7]], [0.1, 0.05])).toEqual([...a.dataSync()]);
    expect(run(spec, [3, -1], [[-0.3, 0.7], [-0.3, 0.7]], [0.1, 0.05], false)).toEqual([...b.dataSync()]);

    const slots = await opt.readSlots();
    expect(slots.map((s) => `${s.name} ${s.shape.join('x')}`)).toEqual(['m/a 2x2', 'v/a 2x2', 'm/b 2', 'v/b 2']);
    const copy = new Optimizer(spec, [
      { name: 'a', variable: a, decay: true },
      { name: 'b', variable: b, decay: false },
    ]);
    copy.loadSlots((name) => slots.find((s) => s.name === name)!.data, opt.count);
    expect(copy.count).toBe(2);
    expect(await copy.readSlots()).toEqual(slots);
    tf.dispose([ga, ga2, gb]);
    opt.dispose();
    copy.dispose();
    a.dispose();
    b.dispose();
  });
});
