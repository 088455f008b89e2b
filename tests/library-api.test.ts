// The library entry point (index.ts) runs the whole pipeline without the CLI.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { costOf, createGraphModel, format, loadProgram, lowerModel, parse, selectBackend, selectModel } from '../index.ts';

describe('library API', () => {
  it('parses, checks, lowers and runs the bundled example', async () => {
    await selectBackend('cpu');
    const program = loadProgram('examples/mnist_soft.moe');
    expect(program.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const model = selectModel(program).value!;
    expect(model.name).toBe('mnist_soft');
    const graph = lowerModel(model);
    const cost = costOf(graph);
    expect(cost.totalParams).toBe(graph.params.filter((p) => p.trainable).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0));
    const runtime = createGraphModel(graph, { seed: 0 });
    const logits = tf.tidy(() => runtime.forward(tf.zeros([2, 28, 28, 1]) as tf.Tensor4D, { training: false, step: 0 }).logits.arraySync());
    expect(logits).toHaveLength(2);
    expect(logits[0]).toHaveLength(10);
    runtime.dispose();
  });

  it('formats and parses text', () => {
    const { text } = format('model m extends vit_s16 { classes: 10 }', 'inline.moe');
    expect(text).toBe('model m extends vit_s16 {\n  classes: 10\n}\n');
    expect(parse(text, 'inline.moe').diagnostics).toEqual([]);
  });
});
