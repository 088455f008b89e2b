// The executor: variables from ParamSpecs, determinism, batch checks, no leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../compiler/graph/builder.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { VIT_B16, vitModel } from './models.ts';
import { useBackend } from './helpers.ts';

function paramCount(graph: Graph): number {
  return graph.params.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
}

function images(batch: number, seed = 1): tf.Tensor4D {
  return tf.randomUniform([batch, 8, 8, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
}

function crossEntropy(logits: tf.Tensor2D, labels: number[]): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1]), logits) as tf.Scalar;
}

describe('graph parameters', () => {
  it('ViT-B/16 (224x224x3, pool cls, 1000 classes) has 86,567,656 parameters', () => {
    expect(paramCount(lowerModel(VIT_B16))).toBe(86_567_656);
  });

  it('gap pooling has no class token and one token fewer of position embedding', () => {
    const gap = lowerModel({ ...VIT_B16, pool: 'gap', tokens: 196 });
    expect(paramCount(lowerModel(VIT_B16)) - paramCount(gap)).toBe(768 + 768);
  });

  it('every matmul operand is 2-D and names are hierarchical', () => {
    const graph = lowerModel(vitModel({ pool: 'cls', depth: 2 }));
    const shapes = new Map(graph.nodes.map((n) => [n.id, n.shape]));
    for (const n of graph.nodes.filter((n) => n.op === 'matmul')) {
      for (const input of n.inputs) expect(shapes.get(input)!.length, n.id).toBe(2);
    }
    const names = graph.params.map((p) => p.name);
    for (const name of ['embedding/kernel', 'embedding/bias', 'cls', 'posemb', 'block_1/ln1/scale', 'block_0/attention/qkv/kernel',
      'block_0/attention/out/kernel', 'block_1/mlp/w1', 'block_1/mlp/b2', 'encoder_norm/scale', 'head/kernel', 'head/bias']) {
      expect(names).toContain(name);
    }
    expect(graph.blocks).toEqual([{ index: 0, kind: 'dense', scope: 'block_0', mlp: 16 }, { index: 1, kind: 'dense', scope: 'block_1', mlp: 16 }]);
  });
});

describe('executor on cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('initialises variables from the specs, by name and seed', () => {
    const graph = lowerModel(vitModel({ posemb: 'sincos2d', pool: 'cls' }));
    const a = createGraphModel(graph, { seed: 5 });
    const b = createGraphModel(graph, { seed: 5 });
    const c = createGraphModel(graph, { seed: 6 });
    try {
      expect(a.variables.size).toBe(graph.params.length);
      const kernel = (m: typeof a) => Array.from(m.variables.get('block_0/mlp/w1')!.dataSync());
      expect(kernel(a)).toEqual(kernel(b));
      expect(kernel(a)).not.toEqual(kernel(c));
      // xavier_uniform limit sqrt(6 / (8 + 16)) = 0.5.
      expect(Math.max(...kernel(a).map(Math.abs))).toBeLessThanOrEqual(0.5);
      expect(Array.from(a.variables.get('head/bias')!.dataSync())).toEqual(Array(3).fill(Math.fround(-Math.log(3))));
      expect(Array.from(a.variables.get('block_0/ln1/scale')!.dataSync())).toEqual(Array(8).fill(1));
      const posemb = a.variables.get('posemb')!;
      expect(posemb.trainable).toBe(false);
      // Row 0 is the class token (zeros); row 1 is grid (0,0): [sin 0, cos 0, sin 0, cos 0] per quarter.
      expect(Array.from(posemb.slice([0, 0], [2, 8]).dataSync())).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
    } finally {
      a.dispose();
      b.dispose();
      c.dispose();
    }
  });

  it('adding a parameter does not change the others (seeds derive from names)', () => {
    const small = createGraphModel(lowerModel(vitModel({ depth: 1 })), { seed: 9 });
    const large = createGraphModel(lowerModel(vitModel({ depth: 2 })), { seed: 9 });
    expect(Array.from(large.variables.get('block_0/attention/qkv/kernel')!.dataSync())).toEqual(
      Array.from(small.variables.get('block_0/attention/qkv/kernel')!.dataSync()),
    );
    small.dispose();
    large.dispose();
  });

  it('shareAlongAxis0 initialises every slice identically', () => {
    const b = new GraphBuilder();
    const x = b.input('images', ['B', 1, 1, 2]);
    const w = b.param('experts/w1', [3, 2, 4], { kind: 'xavier_uniform', fanInAxes: [1], fanOutAxes: [2] }, { shareAlongAxis0: true });
    const logits = b.reshape(x, ['B', 2]);
    const graph = b.build({ model: 'm', compiler: 'test', outputs: { logits, aux_loss: b.sum(w, [0, 1, 2]) }, blocks: [] });
    const m = createGraphModel(graph, { seed: 1 });
    const [e0, e1, e2] = tf.unstack(m.variables.get('experts/w1')!).map((s) => Array.from(s.dataSync()));
    expect(e1).toEqual(e0);
    expect(e2).toEqual(e0);
    expect(new Set(e0).size).toBe(8);
    m.dispose();
  });

  it('evaluation ignores dropout; training at different steps differs', () => {
    const m = createGraphModel(lowerModel(vitModel({ dropout: 0.3 })), { seed: 3 });
    m.variables.get('head/kernel')!.assign(tf.randomNormal([8, 3], 0, 1, 'float32', 2));
    const x = images(2);
    const at = (training: boolean, step: number) => Array.from(m.forward(x, { training, step }).logits.dataSync());
    expect(at(false, 1)).toEqual(at(false, 2));
    expect(at(true, 1)).not.toEqual(at(true, 2));
    expect(at(true, 1)).toEqual(at(true, 1));
    m.dispose();
  });

  it('refuses a batch that does not fit and images of the wrong size', () => {
    const b = new GraphBuilder();
    const x = b.input('images', ['B', 2, 2, 1]);
    const pairs = b.reshape(x, ['B/2', 8], 'pairs');
    const logits = b.reshape(pairs, ['B', 4]);
    const graph = b.build({ model: 'm', compiler: 'test', outputs: { logits, aux_loss: b.constant(0) }, blocks: [] });
    const m = createGraphModel(graph, { seed: 1 });
    expect(() => m.forward(tf.zeros([3, 2, 2, 1]) as tf.Tensor4D, { training: false, step: 0 })).toThrow(/batch 3 does not fit .* multiple of 2/);
    expect(m.forward(tf.zeros([4, 2, 2, 1]) as tf.Tensor4D, { training: false, step: 0 }).logits.shape).toEqual([4, 4]);
    expect(() => m.forward(tf.zeros([2, 3, 3, 1]) as tf.Tensor4D, { training: false, step: 0 })).toThrow(/do not fit model/);
    m.dispose();
  });

  it('says which kernel is missing', () => {
    const b = new GraphBuilder();
    const x = b.input('images', ['B', 1, 1, 4]);
    const graph = b.build({ model: 'm', compiler: 'test', outputs: { logits: b.reshape(x, ['B', 4]), aux_loss: b.constant(0) }, blocks: [] });
    const edited: Graph = { ...graph, nodes: graph.nodes.map((n) => (n.op === 'reshape' ? { ...n, op: 'fft' as never } : n)) };
    expect(() => createGraphModel(edited, { seed: 1 })).toThrow(/kernel not available for op 'fft'/);
  });

  it('never hands the caller its own variables, even when a kernel passes one through', () => {
    const b = new GraphBuilder();
    b.input('images', ['B', 1, 1, 1]);
    const w = b.param('w', [2, 3], { kind: 'ones' });
    const graph = b.build({ model: 'm', compiler: 'test', outputs: { logits: b.dropout(w, 0.5, 'drop'), aux_loss: b.constant(0) }, blocks: [] });
    const m = createGraphModel(graph, { seed: 1 });
    const out = m.forward(tf.zeros([2, 1, 1, 1]) as tf.Tensor4D, { training: false, step: 0 });
    out.logits.dispose();
    expect(Array.from(m.variables.get('w')!.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    m.dispose();
  });

  it('returns auxLoss 0 for a dense model, as a tensor the caller may dispose', () => {
    const m = createGraphModel(lowerModel(vitModel()), { seed: 1 });
    const out = m.forward(images(2), { training: false, step: 0 });
    expect(out.auxLoss.shape).toEqual([]);
    expect(out.auxLoss.dataSync()[0]).toBe(0);
    expect(out.stats.size).toBe(0);
    out.auxLoss.dispose();
    expect(m.forward(images(2), { training: false, step: 0 }).auxLoss.dataSync()[0]).toBe(0);
    m.dispose();
  });
});

describe('determinism', () => {
  it.each(['cpu', 'wasm'] as const)('forward on %s is deterministic: two models with the same seed give bit-identical outputs, dropout included', async (backend) => {
    await useBackend(backend);
    const graph = lowerModel(vitModel({ pool: 'cls', depth: 2, dropout: 0.2 }));
    const x = images(4);
    const run = () => {
      const m = createGraphModel(graph, { seed: 11 });
      // Give the zero-initialised head a value so logits depend on everything.
      m.variables.get('head/kernel')!.assign(tf.randomNormal([8, 3], 0, 1, 'float32', 2));
      const out = m.forward(x, { training: true, step: 7 });
      const values = Array.from(out.logits.dataSync());
      m.dispose();
      return values;
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first.every(Number.isFinite)).toBe(true);
  });

});

describe('training a tiny dense ViT', () => {
  afterAll(() => tf.disposeVariables());

  it.each(['cpu', 'wasm'] as const)('forward+backward on %s leaks no tensors and lowers the loss', async (backend) => {
    await useBackend(backend);
    const m = createGraphModel(lowerModel(vitModel({ pool: 'cls', depth: 2, dropout: 0.1 })), { seed: 4 });
    const x = images(8, 3);
    const labels = [0, 1, 2, 0, 1, 2, 0, 1];
    const optimizer = tf.train.adam(1e-2);
    const losses: number[] = [];
    let afterFirst = 0;
    for (let step = 1; step <= 20; step++) {
      const loss = optimizer.minimize(() => {
        const out = m.forward(x, { training: true, step });
        return tf.add(crossEntropy(out.logits, labels), out.auxLoss) as tf.Scalar;
      }, true)!;
      losses.push(loss.dataSync()[0]);
      loss.dispose();
      if (step === 1) afterFirst = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(losses[19]).toBeLessThan(losses[0] * 0.7); // 1.0986 → about 0.63 in 20 Adam steps
    optimizer.dispose();
    m.dispose();
    x.dispose();
  });
});
