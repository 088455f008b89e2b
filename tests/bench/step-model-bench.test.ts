import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../runtime/backend.ts';
import { compileText as compileSpecText } from '../support/compile-text.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { createTrainStep, syntheticBatch } from '../../runtime/bench/step.ts';
import { benchModel } from '../../runtime/bench/model-bench.ts';
import { renderModelBench } from '../../runtime/bench/report.ts';

const TINY = `model tiny {
  image: 8x8x1, patch: 4, width: 16, depth: 2, heads: 2, mlp: 32, classes: 3
  blocks last 1: moe(token_choice(experts: 2, k: 1))
}
`;

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('synthetic batch', () => {
  it('is seeded, in range and of the model image shape', () => {
    const { graph } = compileSpecText(TINY);
    const model = createGraphModel(graph, { seed: 0 });
    const a = syntheticBatch(model, 5, 4);
    const b = syntheticBatch(model, 5, 4);
    expect(a.images.shape).toEqual([5, 8, 8, 1]);
    expect(a.images.dataSync()).toEqual(b.images.dataSync());
    const pixels = a.images.dataSync();
    expect(Math.min(...pixels)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...pixels)).toBeLessThanOrEqual(1);
    expect([...a.labels.dataSync()].every((l) => l >= 0 && l < 3)).toBe(true);
    tf.dispose([a.images, a.labels, b.images, b.labels]);
    model.dispose();
  });
});

describe('train step runner', () => {
  it('updates the parameters in step(), not in gradients(), and leaks nothing', () => {
    const { graph } = compileSpecText(TINY);
    const model = createGraphModel(graph, { seed: 1 });
    const batch = syntheticBatch(model, 4, 2);
    const runner = createTrainStep(model, batch);
    const w = model.variables.get('block_0/mlp/w1')!;
    const before = w.dataSync().slice();
    runner.gradients();
    expect(w.dataSync()).toEqual(before);
    runner.step();
    expect(w.dataSync()).not.toEqual(before);
    const tensors = tf.memory().numTensors;
    runner.step();
    runner.infer();
    expect(tf.memory().numTensors).toBe(tensors);
    const losses = Array.from({ length: 10 }, () => runner.step());
    expect(losses[9]!).toBeLessThan(losses[0]!);
    runner.dispose();
    tf.dispose([batch.images, batch.labels]);
    model.dispose();
  });
});

describe('benchModel', () => {
  it('reports throughput, memory and the three profiles of a model', async () => {
    const { graph } = compileSpecText(TINY);
    const r = await benchModel(graph, { batch: 2, reps: 1, warmup: 0, profile: true });
    expect(r.backend).toBe('cpu');
    expect(r.train.timing.runs).toBe(1);
    expect(r.train.includesUpdate).toBe(true);
    expect(r.train.imagesPerSecond).toBeGreaterThan(0);
    // useful FLOP/s of training = 3 × forward FLOPs × batch / step time
    expect(r.train.flopsPerSecond / r.train.imagesPerSecond).toBeCloseTo(3 * r.forwardFlopsPerImage, 0);
    expect(r.profile!.forwardByBlock.map((b) => b.name).sort()).toEqual(['block_0', 'block_1', 'outside blocks']);
    expect(r.profile!.forwardByOp.map((o) => o.name)).toContain('matmul');
    expect(r.profile!.stepByKernel.length).toBeGreaterThan(0);
    expect(r.memory.rssBytes).toBeGreaterThan(0);
    const text = renderModelBench(r);
    expect(text).toContain('training step (fwd+bwd+AdamW)');
    expect(text).toContain('per block');
    expect(JSON.parse(JSON.stringify(r)).model).toBe('tiny');
  });
});
