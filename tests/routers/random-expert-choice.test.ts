// The random expert-choice baseline (compiler/routers/random-expert-choice.ts):
// checked and printed through the router table, lowered to a balanced choice of
// C tokens per expert drawn at random, fresh per training step and fixed in
// evaluation, deterministic from the model seed, and trainable through its gates.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MoeBlockLayer } from '../../compiler/model.ts';
import { costOf, expertsPerToken } from '../../compiler/cost.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import { formatRouter, routerKind } from '../../compiler/routers/index.ts';
import { createMoeLayer } from '../../runtime/moe-layer.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { useBackend } from '../runtime/helpers.ts';
import { check, codes, modelOf } from '../compiler/harness.ts';
import * as ort from 'onnxruntime-node';
import { exportOnnx } from '../../export/onnx/export-model.ts';
import { vmoeProblems } from '../../export/vmoe/config.ts';

// 8x8 images, patch 2: 16 tokens per image.
const spec = (router: string) => `model m {
  image: 8x8x1, patch: 2, width: 8, depth: 2, heads: 2, mlp: 16, classes: 10
  blocks 1: moe(${router}, mlp: 8)
}
`;
const T = 16;
const E = 4;

function layerOf(router: string): MoeBlockLayer {
  const b = modelOf(spec(router)).blocks[1]!;
  if (b.kind !== 'moe') throw new Error('no moe block');
  return b;
}

/** Dispatch [B·T/S, S, E, C] of one call, as nested arrays. */
function dispatchOf(layer: MoeBlockLayer, x: tf.Tensor3D, options: { training: boolean; step: number; seed?: number }): number[][][][] {
  const moe = createMoeLayer(layer, { width: 8, tokensPerImage: T, seed: options.seed ?? 1 });
  const r = moe.apply(x, { training: options.training, step: options.step, nodes: ['dispatch'] });
  const d = r.nodes.get('dispatch')!.arraySync() as number[][][][];
  tf.dispose([r.y, r.auxLoss, ...r.stats.values(), ...r.nodes.values()]);
  moe.dispose();
  return d;
}

/** For each group and expert, the sorted token indices it took. */
function choices(d: number[][][][]): number[][][] {
  return d.map((group) =>
    Array.from({ length: group[0]!.length }, (_, e) => group.flatMap((tok, s) => (tok[e]!.some((v) => v > 0) ? [s] : [])).sort((a, b) => a - b)),
  );
}

describe('random_expert_choice: the router table', () => {
  it('resolves its capacity like expert choice and prints back to itself', () => {
    const layer = layerOf(`random_expert_choice(experts: ${E}, capacity: 2.0)`);
    expect(layer.router).toEqual({ family: 'random_expert_choice', experts: E, capacityFactor: 2, rounding: 'round', multipleOf: 1, group: T, capacity: 8 });
    expect(routerKind(layer.router)).toBe('random_expert_choice');
    expect(formatRouter(layer.router)).toBe(`random_expert_choice(experts: 4, capacity: 2.0, rounding: round, multiple_of: 1, group: ${T})`);
    expect(layerOf(formatRouter(layer.router))).toEqual(layer);
    expect(expertsPerToken(layer.router)).toBe((E * 8) / T);
  });

  it('is checked by the shared router rules', () => {
    expect(codes(check(spec(`random_expert_choice(experts: 4, capacity: 8.0)`)).diagnostics)).toEqual(['MOE0320']);
    expect(codes(check(spec(`random_expert_choice(experts: 4, normalize: softmax)`)).diagnostics)).toEqual(['MOE0232']);
    expect(codes(check(spec(`random_expert_choice(expert: 4)`)).diagnostics)).toEqual(['MOE0231']);
    expect(codes(check(spec(`random_expert_choice(capacity: 1.0)`)).diagnostics)).toEqual(['MOE0303']);
  });

  it('has the parameters of softmax expert choice (its random table is not a parameter)', () => {
    const random = costOf(lowerModel(modelOf(spec(`random_expert_choice(experts: ${E})`))));
    const softmax = costOf(lowerModel(modelOf(spec(`expert_choice(experts: ${E})`))));
    expect(random.totalParams).toBe(softmax.totalParams);
    expect(random.activeParams).toBe(softmax.activeParams);
    const graph = lowerModel(modelOf(spec(`random_expert_choice(experts: ${E})`)));
    expect(graph.params.find((p) => p.name === 'block_1/moe/router/random_scores')).toMatchObject({ shape: [T, E], trainable: false });
  });
});

describe('random_expert_choice: lowering and routing', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  const x = () => tf.randomNormal([4, T, 8], 0, 1, 'float32', 5) as tf.Tensor3D;

  it('builds [G,S,E,C] dispatch and combine; every expert fills its C slots with distinct tokens', () => {
    const layer = layerOf(`random_expert_choice(experts: ${E}, capacity: 1.0, group: 8)`); // C = 2, two groups per image
    const input = x();
    const d = dispatchOf(layer, input, { training: true, step: 3 });
    expect([d.length, d[0]!.length, d[0]![0]!.length, d[0]![0]![0]!.length]).toEqual([8, 8, E, 2]);
    for (const group of d) {
      for (let e = 0; e < E; e++) {
        for (let c = 0; c < 2; c++) expect(group.reduce((a, tok) => a + tok[e]![c]!, 0)).toBe(1); // one token per slot
        expect(new Set(group.flatMap((tok, s) => (tok[e]!.some((v) => v > 0) ? [s] : []))).size).toBe(2);
      }
    }
    input.dispose();
  });

  it('chooses independently of the tokens, uniformly over many steps', () => {
    const layer = layerOf(`random_expert_choice(experts: ${E}, capacity: 1.0)`); // S = 16, C = 4
    const a = x();
    const b = tf.mul(a, -3) as tf.Tensor3D;
    expect(choices(dispatchOf(layer, a, { training: true, step: 1 }))).toEqual(choices(dispatchOf(layer, b, { training: true, step: 1 })));
    // Over 40 steps × 4 groups × 4 experts = 640 draws of 4 of 16 tokens, each token is picked 160 times in expectation.
    const counts = new Array<number>(T).fill(0);
    const moe = createMoeLayer(layer, { width: 8, tokensPerImage: T, seed: 1 });
    for (let step = 1; step <= 40; step++) {
      const r = moe.apply(a, { training: true, step, nodes: ['dispatch'] });
      const per = tf.sum(r.nodes.get('dispatch')!, [0, 2, 3]);
      per.dataSync().forEach((v, s) => (counts[s]! += v));
      tf.dispose([per, r.y, r.auxLoss, ...r.stats.values(), ...r.nodes.values()]);
    }
    moe.dispose();
    // Binomial(640, 1/4): std ≈ 11; 5 std is a failure probability below 1e-5 per token.
    for (const c of counts) expect(Math.abs(c - 160)).toBeLessThan(55);
    // Balanced by construction: load is exactly 1/E per expert, E·C/S experts per token.
    const moe2 = createMoeLayer(layer, { width: 8, tokensPerImage: T, seed: 1 });
    const r = moe2.apply(a, { training: true, step: 1 });
    for (const v of r.stats.get('load')!.dataSync()) expect(v).toBeCloseTo(1 / E, 6);
    expect(r.stats.get('experts_per_token')!.dataSync()[0]).toBeCloseTo(1, 6);
    expect(r.auxLoss.dataSync()[0]).toBe(0);
    tf.dispose([r.y, r.auxLoss, ...r.stats.values(), a, b]);
    moe2.dispose();
  });

  it('is deterministic from the model seed: fresh per training step, one fixed draw in evaluation', () => {
    const layer = layerOf(`random_expert_choice(experts: ${E})`);
    const input = x();
    const train1 = choices(dispatchOf(layer, input, { training: true, step: 1 }));
    expect(choices(dispatchOf(layer, input, { training: true, step: 1 }))).toEqual(train1);
    expect(choices(dispatchOf(layer, input, { training: true, step: 2 }))).not.toEqual(train1);
    expect(choices(dispatchOf(layer, input, { training: true, step: 1, seed: 2 }))).not.toEqual(train1);
    const eval1 = choices(dispatchOf(layer, input, { training: false, step: 1 }));
    expect(choices(dispatchOf(layer, input, { training: false, step: 9 }))).toEqual(eval1);
    expect(choices(dispatchOf(layer, input, { training: false, step: 1, seed: 2 }))).not.toEqual(eval1);
    input.dispose();
  });

  it('trains: finite loss, the router kernel moves through the gates, the draw stays, nothing leaks', () => {
    const graph = lowerModel(modelOf(spec(`random_expert_choice(experts: ${E})`)));
    const m = createGraphModel(graph, { seed: 4 });
    const images = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const kernel = m.variables.get('block_1/moe/router/kernel')!;
    const draw = m.variables.get('block_1/moe/router/random_scores')!;
    const [kernel0, draw0] = [kernel.dataSync().slice(), draw.dataSync().slice()];
    const optimizer = tf.train.sgd(0.5);
    let after = 0;
    for (let step = 1; step <= 3; step++) {
      const loss = optimizer.minimize(() => {
        const out = m.forward(images, { training: true, step });
        return tf.add(tf.mean(tf.square(out.logits)), out.auxLoss) as tf.Scalar;
      }, true)!;
      expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
      loss.dispose();
      if (step === 1) after = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(after);
    expect(Array.from(kernel.dataSync())).not.toEqual(Array.from(kernel0));
    expect(Array.from(draw.dataSync())).toEqual(Array.from(draw0));
    optimizer.dispose();
    images.dispose();
    m.dispose();
  });
});

describe('random_expert_choice: exporters', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('exports to ONNX with its evaluation draw: onnxruntime gives the tfjs logits', async () => {
    const graph = lowerModel(modelOf(spec(`random_expert_choice(experts: ${E})`)));
    const m = createGraphModel(graph, { seed: 4 });
    const weights = new Map([...m.variables].map(([name, v]) => [name, { shape: [...v.shape], data: v.dataSync() as Float32Array }]));
    const session = await ort.InferenceSession.create(exportOnnx(graph, weights).bytes, { intraOpNumThreads: 1 });
    const images = Float32Array.from({ length: 3 * 64 }, (_, i) => Math.sin(i * 0.37));
    const ortOut = (await session.run({ images: new ort.Tensor('float32', images, [3, 8, 8, 1]) })).logits!.data as Float32Array;
    const tfOut = tf.tidy(() => {
      const out = m.forward(tf.tensor4d(images, [3, 8, 8, 1]), { training: false, step: 0 });
      for (const t of out.stats.values()) t.dispose();
      return out.logits.dataSync();
    });
    expect(ortOut.length).toBe(tfOut.length);
    for (let i = 0; i < tfOut.length; i++) expect(Math.abs(ortOut[i]! - tfOut[i]!)).toBeLessThan(2e-5);
    await session.release();
    m.dispose();
  });

  it('is refused by the vmoe exporter, which has no such router (MOE0642)', () => {
    const problems = vmoeProblems(modelOf(spec(`random_expert_choice(experts: ${E})`)));
    expect(problems).toEqual([expect.objectContaining({ code: 'MOE0642', block: 1, field: 'router' })]);
  });
});
