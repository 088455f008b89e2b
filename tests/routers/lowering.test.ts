// The lowered MoE layer as a graph: parameter names, shapes and initialisers,
// symbolic group dims, the wasm-friendly product forms, statistics per family,
// clear errors for impossible groupings, training noise, and no tensor leaks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder } from '../../compiler/graph/builder.ts';
import { isStatOutput } from '../../compiler/graph/ir.ts';
import type { MoeBlockLayer, RouterConfig } from '../../compiler/model.ts';
import { lowerMoeLayer } from '../../compiler/lower/moe.ts';
import { buildMoeLayerGraph, createMoeLayer } from '../../runtime/moe-layer.ts';
import { selectBackend } from '../../runtime/backend.ts';

const T = 8;
const d = 4;
const tc = (over: Partial<Extract<RouterConfig, { family: 'token_choice' }>> = {}): RouterConfig => ({
  family: 'token_choice', normalize: 'softmax', experts: 4, k: 2, capacityFactor: 1, rounding: 'ceil', multipleOf: 1, group: 8,
  capacity: 4, bpr: true, noise: 1, importanceLoss: 0.005, loadLoss: 0.005, iterations: 20, combine: 'softmax', ...over,
});
const ec = (normalize: 'softmax' | 'sinkhorn' | 'sparsity'): RouterConfig => ({
  family: 'expert_choice', normalize, experts: 4, capacityFactor: 1, rounding: 'ceil', multipleOf: 1, group: 8, capacity: 2, noise: 1, iterations: 20, combine: 'softmax',
});
const soft: RouterConfig = { family: 'soft', experts: 4, slots: 2, capacityFactor: 1, rounding: 'round', group: 8, noise: 0 };
const layerOf = (router: RouterConfig): MoeBlockLayer => ({ kind: 'moe', mlp: 8, router });

const ALL: [string, RouterConfig][] = [
  ['softmax TC', tc()],
  ['sinkhorn TC', tc({ normalize: 'sinkhorn', importanceLoss: 0, loadLoss: 0 })],
  ['softmax EC', ec('softmax')],
  ['sinkhorn EC', ec('sinkhorn')],
  ['sparsity EC', ec('sparsity')],
  ['soft', soft],
];

describe('MoE lowering (graph)', () => {
  it('declares the vmoe parameters with their initialisers, experts initialised identically', () => {
    const sparse = buildMoeLayerGraph(layerOf(tc()), { width: d, tokensPerImage: T }).graph.params;
    const byName = new Map(sparse.map((p) => [p.name, p]));
    expect([...byName.keys()].sort()).toEqual(['moe/experts/b1', 'moe/experts/b2', 'moe/experts/w1', 'moe/experts/w2', 'moe/router/kernel']);
    expect(byName.get('moe/router/kernel')).toMatchObject({ shape: [d, 4], init: { kind: 'lecun_normal', fanInAxes: [0] } });
    expect(byName.get('moe/experts/w1')).toMatchObject({ shape: [4, d, 8], init: { kind: 'xavier_uniform', fanInAxes: [1], fanOutAxes: [2] }, shareAlongAxis0: true, decay: true });
    expect(byName.get('moe/experts/w2')).toMatchObject({ shape: [4, 8, d], shareAlongAxis0: true });
    expect(byName.get('moe/experts/b1')).toMatchObject({ shape: [4, 1, 8], init: { kind: 'normal', std: 1e-6 }, decay: false });
    const softParams = new Map(buildMoeLayerGraph(layerOf(soft), { width: d, tokensPerImage: T }).graph.params.map((p) => [p.name, p]));
    expect(softParams.get('moe/router/mu')).toMatchObject({ shape: [d, 4, 2], init: { kind: 'lecun_normal', fanInAxes: [0] } });
    expect(softParams.get('moe/router/scale')).toMatchObject({ shape: [], init: { kind: 'ones' } });
  });

  for (const [name, router] of ALL) {
    it(`${name}: symbolic groups, plain products, the statistics of its family`, () => {
      const { graph, nodes } = buildMoeLayerGraph(layerOf(router), { width: d, tokensPerImage: T });
      const node = (id: string) => graph.nodes.find((n) => n.id === id)!;
      const C = router.family === 'soft' ? router.slots : router.capacity;
      expect(node(nodes.dispatch).shape).toEqual(['B', 8, 4, C]);
      expect(node(nodes.combine).shape).toEqual(['B', 8, 4, C]);
      for (const n of graph.nodes.filter((x) => x.op === 'batch_matmul')) expect(n.attrs).toEqual({ transposeA: false, transposeB: false });
      expect(graph.nodes.filter((n) => n.op === 'expert_matmul')).toHaveLength(2);
      expect(graph.nodes.filter((n) => n.op === 'matmul')).toHaveLength(1); // the router logits / cosine
      const stats = Object.keys(graph.outputs).filter(isStatOutput).map((s) => s.slice('block_0/'.length)).sort();
      const expected = ['aux_loss', 'dropped', 'experts_per_token', 'load'];
      if (router.family === 'token_choice') expected.push('importance_loss', ...(router.noise > 0 ? ['load_loss'] : []));
      expect(stats).toEqual(expected.sort());
      expect(graph.nodes.filter((n) => n.op === 'add_noise')).toHaveLength((router.family === 'token_choice' || router.family === 'expert_choice') && router.noise > 0 && router.normalize !== 'sparsity' ? 1 : 0);
    });
  }

  it('groups that split an image or span several images have symbolic group counts', () => {
    const split = buildMoeLayerGraph(layerOf(tc({ group: 4, capacity: 2 })), { width: d, tokensPerImage: T });
    expect(split.graph.nodes.find((n) => n.id === split.nodes.dispatch)!.shape[0]).toBe('B*2');
    const span = buildMoeLayerGraph(layerOf(tc({ group: 16, capacity: 8 })), { width: d, tokensPerImage: T });
    expect(span.graph.nodes.find((n) => n.id === span.nodes.dispatch)!.shape[0]).toBe('B/2');
  });

  it('refuses impossible layers with a message naming the block and the fix', () => {
    const b = new GraphBuilder();
    const x = b.reshape(b.input('images', ['B', 6, d, 1]), ['B*6', d]);
    expect(() => lowerMoeLayer(b, x, layerOf(tc({ group: 4 })), { tokensPerImage: 6, width: d, blockIndex: 3 })).not.toThrow(); // B*6/4 = B*3/2: the runtime needs an even batch
    const b2 = new GraphBuilder();
    const x2 = b2.reshape(b2.input('images', [2, 3, d, 1]), [6, d]);
    expect(() => lowerMoeLayer(b2, x2, layerOf(tc({ group: 4 })), { tokensPerImage: 3, width: d, blockIndex: 3 })).toThrow(/block 3: 6 tokens cannot be cut into routing groups of 4/);
    const b3 = new GraphBuilder();
    const x3 = b3.reshape(b3.input('images', ['B', T, d, 1]), ['B*8', d]);
    const tooBig = { ...ec('softmax'), capacity: 9 } as RouterConfig;
    expect(() => lowerMoeLayer(b3, x3, layerOf(tooBig), { tokensPerImage: T, width: d, blockIndex: 1 })).toThrow(/capacity 9 exceeds the group size 8/);
  });
});

describe('MoE layer at run time (cpu)', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('training noise: seeded by step, eval is noise-free, importance uses the clean gates', () => {
    const layer = createMoeLayer(layerOf(tc({ bpr: false })), { width: d, tokensPerImage: T, seed: 7 });
    const x = tf.randomNormal([2, T, d], 0, 1, 'float32', 1) as tf.Tensor3D;
    const run = (training: boolean, step: number) => {
      const r = layer.apply(x, { training, step, nodes: ['logits', 'logits_noisy'] });
      const out = {
        logits: Array.from(r.nodes.get('logits')!.dataSync()),
        noisy: Array.from(r.nodes.get('logits_noisy')!.dataSync()),
        importance: r.stats.get('importance_loss')!.dataSync()[0],
        load: r.stats.get('load_loss')!.dataSync()[0],
      };
      tf.dispose([r.y, r.auxLoss, ...r.stats.values(), ...r.nodes.values()]);
      return out;
    };
    const evalRun = run(false, 0);
    expect(evalRun.noisy).toEqual(evalRun.logits);
    const a = run(true, 1);
    const again = run(true, 1);
    const other = run(true, 2);
    expect(a.noisy).toEqual(again.noisy);
    expect(a.noisy).not.toEqual(other.noisy);
    expect(a.importance).toBeCloseTo(evalRun.importance, 6);
    // σ = noise/E = 0.25: the noise is of that size.
    const diffs = a.noisy.map((v, i) => v - a.logits[i]);
    const std = Math.sqrt(diffs.reduce((s, v) => s + v * v, 0) / diffs.length);
    expect(std).toBeGreaterThan(0.1);
    expect(std).toBeLessThan(0.5);
    expect(Number.isFinite(a.load) && a.load >= 0).toBe(true);
    layer.dispose();
    x.dispose();
  });

  it('forward and backward leak no tensors, for every router', () => {
    for (const [, router] of ALL) {
      const layer = createMoeLayer(layerOf(router), { width: d, tokensPerImage: T, seed: 1 });
      const x = tf.randomNormal([4, T, d], 0, 1, 'float32', 2) as tf.Tensor3D;
      const step = (i: number) => {
        const { value, grads } = tf.variableGrads(() => {
          const r = layer.apply(x, { training: true, step: i });
          return tf.add(tf.mean(tf.square(r.y)), r.auxLoss) as tf.Scalar;
        });
        tf.dispose([value, ...Object.values(grads)]);
      };
      step(0);
      const before = tf.memory().numTensors;
      for (let i = 1; i < 4; i++) step(i);
      expect(tf.memory().numTensors).toBe(before);
      layer.dispose();
      x.dispose();
    }
  });
});
