// Graph format v2: named outputs (routing tensors, statistics, probes) that the
// executor returns on request, block descriptions complete enough for the cost
// model, and `moec-graph/1` files (tests/fixtures/graph/v1) read as v2 graphs that
// compute the same numbers.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGraphFile } from '../../compiler/graph/schema.ts';
import { ROUTING_STATS, isStatOutput, type Graph } from '../../compiler/graph/ir.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import { costOf } from '../../compiler/cost.ts';
import { loadProgram } from '../../compiler/index.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { createMoeLayer } from '../../runtime/moe-layer.ts';
import { useBackend } from './helpers.ts';

const V1_FIXTURE = 'tests/fixtures/graph/v1/mnist_routers.graph.json';

let lowered: Graph | undefined;
/** Every router family, one per block (lowered once per file). */
function routersGraph(): Graph {
  lowered ??= lowerModel(loadProgram('tests/fixtures/compile/mnist_routers.moe').models.get('mnist_routers')!);
  return lowered;
}

function images(batch: number): tf.Tensor4D {
  return tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
}

describe('graph v2 outputs (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('names logits, aux loss and every MoE block\'s dispatch, combine and statistics', () => {
    const g = routersGraph();
    expect(g.format).toBe('moec-graph/2');
    const node = (name: string) => g.nodes.find((n) => n.id === g.outputs[name])!;
    expect(node('logits').shape).toEqual(['B', 10]);
    expect(node('aux_loss').shape).toEqual([]);
    for (const b of g.blocks) {
      expect(b.kind).toBe('moe');
      // [G, S, E, C]: groups of S = 17 tokens (one image with its class token), 4 experts, C slots.
      for (const which of ['dispatch', 'combine']) expect(node(`block_${b.index}/${which}`).shape).toEqual(['B', 17, 4, b.capacity]);
      for (const s of ['load', 'dropped', 'experts_per_token', 'aux_loss']) expect(g.outputs[`block_${b.index}/${s}`]).toBeDefined();
      expect(node(`block_${b.index}/load`).shape).toEqual([4]);
    }
    expect(Object.keys(g.outputs).filter(isStatOutput).every((k) => ROUTING_STATS.some((s) => k.endsWith(`/${s}`)))).toBe(true);
  });

  it('returns requested outputs: the dispatch and combine weights the dispatcher used', () => {
    const g = routersGraph();
    const m = createGraphModel(g, { seed: 1 });
    const x = images(2);
    const before = tf.memory().numTensors;
    const PER_BLOCK = ['dispatch', 'combine', 'probe/grouped', 'probe/expert_inputs', 'probe/expert_outputs', 'probe/output'];
    const names = g.blocks.flatMap((b) => PER_BLOCK.map((n) => `block_${b.index}/${n}`));
    const out = m.forward(x, { training: false, step: 0, outputs: names });
    expect([...out.outputs.keys()]).toEqual(names);
    for (const b of g.blocks) {
      const [D, Cw, xg, inputs, outputs, y] = PER_BLOCK.map((n) => out.outputs.get(`block_${b.index}/${n}`)!);
      const [G, S, E, C] = D.shape;
      tf.tidy(() => {
        // X̃ = Dᵀ·X per group and Y = Cw·f(X̃): the outputs are the tensors the layer computed with.
        const expertInputs = tf.matMul(tf.reshape(D, [G, S, E * C]), xg, true, false);
        expect(tf.max(tf.abs(tf.sub(expertInputs, inputs))).dataSync()[0]).toBeLessThan(1e-5);
        const combined = tf.reshape(tf.matMul(tf.reshape(Cw, [G, S, E * C]), outputs), y.shape);
        expect(tf.max(tf.abs(tf.sub(combined, y))).dataSync()[0]).toBeLessThan(1e-5);
      });
    }
    tf.dispose([out.logits, out.auxLoss, ...out.stats.values(), ...out.outputs.values()]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('hands out separate tensors when an output is also a statistic, and refuses unknown names', () => {
    const g = routersGraph();
    const m = createGraphModel(g, { seed: 1 });
    const x = images(1);
    const out = m.forward(x, { training: false, step: 0, outputs: ['block_0/load', 'logits'] });
    expect(out.outputs.get('block_0/load')).not.toBe(out.stats.get('block_0/load'));
    expect(out.outputs.get('logits')).not.toBe(out.logits);
    tf.dispose([out.logits, out.auxLoss, ...out.stats.values(), ...out.outputs.values()]);
    expect(() => m.forward(x, { training: false, step: 0, outputs: ['block_0/dispach'] })).toThrow(/has no output 'block_0\/dispach'/);
    x.dispose();
    m.dispose();
  });

  it('the one-layer API reads intermediates as outputs and reports the router kind', () => {
    const layer = createMoeLayer(
      { kind: 'moe', mlp: 8, router: { family: 'soft', experts: 2, slots: 1, capacityFactor: 1, rounding: 'round', group: 4, noise: 0 } },
      { width: 4, tokensPerImage: 4, seed: 0 },
    );
    expect(layer.graph.blocks[0]).toMatchObject({ router: 'soft_moe', family: 'soft', scope: 'moe', experts: 2, capacity: 1, group: 4 });
    expect(layer.graph.meta.resolved).toBeUndefined();
    const x = tf.randomNormal([2, 4, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
    const r = layer.apply(x, { nodes: ['dispatch', 'gates'].filter((n) => layer.nodeNames.includes(n)) });
    expect(r.nodes.get('dispatch')!.shape).toEqual([2, 4, 2, 1]);
    expect([...r.stats.keys()].sort()).toEqual(['aux_loss', 'dropped', 'experts_per_token', 'load']);
    tf.dispose([r.y, r.auxLoss, ...r.stats.values(), ...r.nodes.values(), x]);
    layer.dispose();
  });
});

describe('the cost model needs only the graph', () => {
  it('gives the same cost without meta.resolved', () => {
    const g = routersGraph();
    const { resolved, ...meta } = g.meta;
    expect(resolved).toBeDefined();
    expect(costOf({ ...g, meta })).toEqual(costOf(g));
    expect(costOf(g).blocks.map((b) => b.router)).toEqual([
      'softmax_token_choice',
      'sinkhorn_token_choice',
      'softmax_expert_choice',
      'sinkhorn_expert_choice',
      'sparsity_constrained_expert_choice',
      'soft_moe',
    ]);
  });
});

describe('moec-graph/1 files', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('load as v2 graphs with complete blocks and the routing outputs', () => {
    const loaded = loadGraphFile(V1_FIXTURE);
    expect(loaded.diagnostics).toEqual([]);
    const v1 = loaded.graph!;
    const v2 = routersGraph();
    expect(v1.format).toBe('moec-graph/2');
    expect(v1.blocks).toEqual(v2.blocks);
    expect(v1.vit).toEqual(v2.vit);
    const routing = (g: Graph) => Object.entries(g.outputs).filter(([k]) => !k.includes('/probe/'));
    expect(new Map(routing(v1))).toEqual(new Map(routing(v2)));
    expect(costOf(v1)).toEqual(costOf(v2));
  });

  it('compute the same logits, aux loss and statistics as the current lowering', () => {
    const a = createGraphModel(loadGraphFile(V1_FIXTURE).graph!, { seed: 7 });
    const b = createGraphModel(routersGraph(), { seed: 7 });
    const x = images(2);
    const ra = a.forward(x, { training: true, step: 3, outputs: ['block_5/combine'] });
    const rb = b.forward(x, { training: true, step: 3, outputs: ['block_5/combine'] });
    expect(Array.from(ra.logits.dataSync())).toEqual(Array.from(rb.logits.dataSync()));
    expect(ra.auxLoss.dataSync()[0]).toBe(rb.auxLoss.dataSync()[0]);
    expect([...ra.stats.keys()].sort()).toEqual([...rb.stats.keys()].sort());
    for (const [k, t] of ra.stats) expect(Array.from(t.dataSync())).toEqual(Array.from(rb.stats.get(k)!.dataSync()));
    expect(Array.from(ra.outputs.get('block_5/combine')!.dataSync())).toEqual(Array.from(rb.outputs.get('block_5/combine')!.dataSync()));
    for (const r of [ra, rb]) tf.dispose([r.logits, r.auxLoss, ...r.stats.values(), ...r.outputs.values()]);
    x.dispose();
    a.dispose();
    b.dispose();
  });
});
