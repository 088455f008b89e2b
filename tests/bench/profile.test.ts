import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { aggregate, blockOfScope, profileForward, profileKernels } from '../../runtime/bench/profile.ts';
import { compileText as compileSpecText } from '../support/compile-text.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { selectBackend } from '../../runtime/backend.ts';
import { syntheticBatch } from '../../runtime/bench/step.ts';

const TINY = `model tiny {
  image: 8x8x1, patch: 4, width: 16, depth: 2, heads: 2, mlp: 32, classes: 3
  blocks last 1: moe(soft(experts: 2, slots: 2))
}
`;

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('aggregation', () => {
  it('names the block of a scope', () => {
    expect(blockOfScope('block_3/attention/qkv')).toBe('block_3');
    expect(blockOfScope('block_12')).toBe('block_12');
    expect(blockOfScope('embedding')).toBe('outside blocks');
    expect(blockOfScope('block_x/y')).toBe('outside blocks');
  });

  it('sums by key, largest first, with shares of the total', () => {
    const rows = aggregate(
      [
        { k: 'matmul', ms: 3 },
        { k: 'add', ms: 1 },
        { k: 'matmul', ms: 4 },
      ],
      (r) => r.k,
      (r) => r.ms,
    );
    expect(rows).toEqual([
      { name: 'matmul', ms: 7, calls: 2, share: 0.875 },
      { name: 'add', ms: 1, calls: 1, share: 0.125 },
    ]);
  });
});

describe('profileForward', () => {
  it('times every kernel node of the graph once, and frees its intermediates', () => {
    const { graph } = compileSpecText(TINY);
    const model = createGraphModel(graph, { seed: 0 });
    const batch = syntheticBatch(model, 2);
    let t = 0;
    const before = tf.memory().numTensors;
    const timings = profileForward(model, batch.images, () => (t += 1));
    expect(tf.memory().numTensors).toBe(before);
    const kernelNodes = graph.nodes.filter((n) => !['input', 'param', 'constant'].includes(n.op));
    expect(timings.map((x) => x.id)).toEqual(kernelNodes.map((n) => n.id));
    expect(timings.every((x) => x.ms === 1)).toBe(true); // one fake-clock tick per call
    const blocks = aggregate(timings, (x) => blockOfScope(x.scope), (x) => x.ms).map((r) => r.name);
    expect(new Set(blocks)).toEqual(new Set(['block_0', 'block_1', 'outside blocks']));
    tf.dispose([batch.images, batch.labels]);
    model.dispose();
  });

  it('profileKernels reports tfjs kernels and a peak', async () => {
    const p = await profileKernels(() => tf.tidy(() => tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).dataSync()));
    expect(p.kernels.map((k) => k.name)).toContain('BatchMatMul (2-D)');
    expect(p.peakBytes).toBeGreaterThanOrEqual(3 * 64);
  });
});

describe('kernelLabel', () => {
  it('separates 2-D from batched matrix products', async () => {
    const { kernelLabel } = await import('../../runtime/bench/profile.ts');
    expect(kernelLabel('BatchMatMul', [[3, 4], [4, 5]])).toBe('BatchMatMul (2-D)');
    expect(kernelLabel('BatchMatMul', [[2, 3, 4], [2, 4, 5]])).toBe('BatchMatMul (batched)');
    expect(kernelLabel('Add', [[2, 3, 4]])).toBe('Add');
  });
});
