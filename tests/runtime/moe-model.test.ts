// A small ViT with an MoE block per router: the executor runs the MoE lowering
// (compiler/lower/moe.ts) end to end, reports its statistics and aux loss, and
// leaks nothing across training steps.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RouterConfig } from '../../compiler/model.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import { isStatOutput } from '../../compiler/graph/ir.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { vitModel } from './models.ts';
import { useBackend } from './helpers.ts';

const common = { experts: 4, capacityFactor: 1, rounding: 'ceil', multipleOf: 1, group: 4, noise: 1 } as const;
const ROUTERS: Record<string, RouterConfig> = {
  softmax_token_choice: { ...common, family: 'token_choice', normalize: 'softmax', k: 2, capacity: 2, bpr: true, importanceLoss: 0.005, loadLoss: 0.005, iterations: 0, combine: 'softmax' },
  sinkhorn_token_choice: { ...common, family: 'token_choice', normalize: 'sinkhorn', k: 1, capacity: 1, bpr: false, importanceLoss: 0, loadLoss: 0, iterations: 5, combine: 'plan' },
  softmax_expert_choice: { ...common, family: 'expert_choice', normalize: 'softmax', capacity: 1, iterations: 0, combine: 'softmax' },
  sinkhorn_expert_choice: { ...common, family: 'expert_choice', normalize: 'sinkhorn', capacity: 1, iterations: 5, combine: 'plan' },
  sparsity_constrained_expert_choice: { ...common, family: 'expert_choice', normalize: 'sparsity', capacity: 1, iterations: 20, combine: 'plan' },
  soft_moe: { family: 'soft', experts: 4, slots: 1, capacityFactor: 1, rounding: 'round', group: 4, noise: 0 },
};

describe('tiny ViT with an MoE block (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(Object.keys(ROUTERS))('%s: forward, backward, statistics, no leak', (kind) => {
    const model = vitModel({ depth: 2, blocks: [{ kind: 'dense' }, { kind: 'moe', mlp: 8, router: ROUTERS[kind] }] });
    const graph = lowerModel(model);
    expect(graph.blocks[1]).toMatchObject({ index: 1, kind: 'moe', router: kind, experts: 4 });
    const m = createGraphModel(graph, { seed: 2 });
    m.variables.get('head/kernel')!.assign(tf.randomNormal([8, 3], 0, 1, 'float32', 1));
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const optimizer = tf.train.sgd(1e-2);
    let afterFirst = 0;
    for (let step = 1; step <= 3; step++) {
      const loss = optimizer.minimize(() => {
        const out = m.forward(x, { training: true, step });
        expect(out.logits.shape).toEqual([2, 3]);
        expect([...out.stats.keys()].sort()).toEqual(Object.keys(graph.outputs).filter((name) => /^block_1\/[a-z_]+$/.test(name) && isStatOutput(name)).sort());
        return tf.add(tf.mean(tf.square(out.logits)), out.auxLoss) as tf.Scalar;
      }, true)!;
      expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
      loss.dispose();
      if (step === 1) afterFirst = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(afterFirst);
    const grads = tf.variableGrads(() => tf.sum(m.forward(x, { training: false, step: 0 }).logits) as tf.Scalar);
    // Gradient reaches the experts through the combine weights and expert outputs.
    const expertGrads = Object.entries(grads.grads).filter(([name]) => name.includes('/moe/'));
    expect(expertGrads.length).toBeGreaterThan(0);
    expect(expertGrads.some(([, g]) => tf.max(tf.abs(g)).dataSync()[0] > 0)).toBe(true);
    tf.dispose(grads.grads);
    optimizer.dispose();
    m.dispose();
  });
});
