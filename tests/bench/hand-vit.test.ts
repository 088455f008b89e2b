import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../runtime/backend.ts';
import { compileText as compileSpecText } from '../support/compile-text.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { syntheticBatch } from '../../runtime/bench/step.ts';
import { handWrittenVit } from '../../bench/hand-vit.ts';
import { handTrainStep } from '../../bench/vs-hand.ts';

const SPEC = `model small {
  image: 8x8x2, patch: 4, width: 12, depth: 2, heads: 3, mlp: 20, classes: 4, posemb: sincos2d
}
`;

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('hand-written ViT reference (bench figure 3)', () => {
  it('computes the same logits and gradients as the compiled model', () => {
    const { graph } = compileSpecText(SPEC);
    const model = createGraphModel(graph, { seed: 3 });
    tf.tidy(() => model.variables.get('head/kernel')!.assign(tf.randomNormal([12, 4], 0, 0.5, 'float32', 1)));
    const vit = handWrittenVit(graph, model.variables);
    const { images } = syntheticBatch(model, 3, 2);
    const compiled = tf.tidy(() => model.forward(images, { training: false, step: 0 }).logits.arraySync());
    const hand = tf.tidy(() => vit.forward(images).arraySync());
    compiled.forEach((row, i) => row.forEach((v, j) => expect(hand[i]![j]).toBeCloseTo(v, 4)));
    expect(new Set(compiled.flat()).size).toBeGreaterThan(1); // not a constant output

    const loss = (f: () => tf.Tensor) => () => tf.sum(tf.square(f())) as tf.Scalar;
    const vars = [...vit.trainable];
    const a = tf.variableGrads(loss(() => model.forward(images, { training: false, step: 0 }).logits), vars);
    const b = tf.variableGrads(loss(() => vit.forward(images)), vars);
    for (const name of Object.keys(a.grads)) {
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.grads[name]!, b.grads[name]!))).dataSync()[0]!);
      const scale = tf.tidy(() => tf.max(tf.abs(a.grads[name]!)).dataSync()[0]!);
      expect(diff).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
    }
    tf.dispose([a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads), images]);
    model.dispose();
  });

  it('refuses what it does not implement', () => {
    const { graph } = compileSpecText(`model m {\n image: 8x8x1, patch: 4, width: 8, depth: 1, heads: 2, mlp: 8, classes: 2\n blocks all: moe(soft(experts: 2))\n}\n`);
    expect(() => handWrittenVit(graph, new Map())).toThrow(/dense blocks only/);
  });

  it('its training step lowers the loss on a fixed batch', () => {
    const { graph } = compileSpecText(SPEC);
    const model = createGraphModel(graph, { seed: 0 });
    const batch = syntheticBatch(model, 4, 9);
    const step = handTrainStep(model, batch.images, batch.labels);
    const losses = Array.from({ length: 8 }, () => step.step());
    expect(losses[7]!).toBeLessThan(losses[0]!);
    step.dispose();
    tf.dispose([batch.images, batch.labels]);
    model.dispose();
  });
});
