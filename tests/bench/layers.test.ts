import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildMoeLayer, createDenseMlp, denseForwardBackward, denseMlpFlopsPerToken, equalFlopsHidden, layerInput, moeForwardBackward, resolveMoeLayer, routerCases } from '../../runtime/bench/layers.ts';
import { selectBackend } from '../../runtime/backend.ts';

const SHAPE = { name: 'tiny', tokens: 8, width: 8, mlp: 16, heads: 2, batch: 2 };

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('equal-FLOPs dense MLP', () => {
  it('inverts the dense FLOPs formula', () => {
    expect(denseMlpFlopsPerToken(384, 1536)).toBe(4 * 384 * 1536);
    expect(equalFlopsHidden(denseMlpFlopsPerToken(384, 1536), 384)).toBe(1536);
    expect(equalFlopsHidden(0, 384)).toBe(1);
  });

  it('computes gelu_tanh(x·W1 + b1)·W2 + b2 (checked against plain JS)', () => {
    const mlp = createDenseMlp(3, 4, 1);
    const x = tf.tensor2d([[0.5, -1, 2], [0, 0.25, -0.75]]);
    const got = mlp.apply(x).arraySync();
    const [w1, b1, w2, b2] = mlp.variables.map((v) => v.arraySync()) as [number[][], number[], number[][], number[]];
    const g = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    const xs = x.arraySync();
    xs.forEach((row, i) => {
      const h = b1.map((b, j) => g(row.reduce((a, xv, k) => a + xv * w1[k]![j]!, b)));
      const y = b2.map((b, j) => h.reduce((a, hv, k) => a + hv * w2[k]![j]!, b));
      y.forEach((v, j) => expect(got[i]![j]).toBeCloseTo(v, 5));
    });
    x.dispose();
    mlp.dispose();
  });
});

describe('router cases', () => {
  it('lists every router kind of the router table (Soft MoE first), each checked by the compiler, at about the dense compute', () => {
    const cases = routerCases(196, 8);
    expect(cases.map((c) => c.router)).toEqual([
      'soft_moe',
      'softmax_token_choice',
      'sinkhorn_token_choice',
      'softmax_expert_choice',
      'sinkhorn_expert_choice',
      'sparsity_constrained_expert_choice',
      'random_expert_choice',
    ]);
    expect(cases[0]!.expression).toBe('soft(experts: 8, slots: 24)');
    for (const c of routerCases(SHAPE.tokens, 4)) {
      const layer = resolveMoeLayer(c.expression, SHAPE);
      expect(layer.router.experts).toBe(4);
      expect(layer.mlp).toBe(16);
    }
    expect(() => resolveMoeLayer('soft(experts: 0)', SHAPE)).toThrow(/does not check/);
  });

  it('runs forward+backward of an MoE layer and of the dense MLP without leaking tensors', () => {
    const x = layerInput(SHAPE);
    const moe = buildMoeLayer(routerCases(SHAPE.tokens, 4)[1]!.expression, SHAPE);
    const dense = createDenseMlp(SHAPE.width, equalFlopsHidden(moe.flopsPerImage / SHAPE.tokens, SHAPE.width));
    expect(moe.flopsPerImage).toBeGreaterThan(0);
    moeForwardBackward(moe.layer, x);
    denseForwardBackward(dense, x);
    const before = tf.memory().numTensors;
    expect(Number.isFinite(moeForwardBackward(moe.layer, x))).toBe(true);
    expect(Number.isFinite(denseForwardBackward(dense, x))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    moe.layer.dispose();
    dense.dispose();
    x.dispose();
  });
});
