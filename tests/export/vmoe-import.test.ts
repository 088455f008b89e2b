// Reading .npz parameters into moec: export → import is the identity bit for bit;
// vit_jax and big_vision names are understood; a dense ViT upcycles into a MoE
// model (experts = copies of the dense MLP, router fresh); every mismatch is a
// located error naming the leaf and both shapes.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeNpz } from '../../export/npz/npz.ts';
import { toVmoeArrays, vmoeLayout, type Weight } from '../../export/vmoe/layout.ts';
import { assignWeights, canonicalLeafName, formatImportReport, importVmoeNpz } from '../../export/vmoe/import.ts';
import { vmoeExportFiles } from '../../export/vmoe/target.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { codedMessage } from '../support/fault.ts';
import { graphOf, weightsFor } from './vmoe-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'moec-vmoe-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(arrays: Iterable<readonly [string, Weight]>): string {
  const path = join(dir, `f${n++}.npz`);
  writeFileSync(path, writeNpz(arrays));
  return path;
}

const DENSE = 'pool: gap\n  blocks all: dense';
const MOE = 'pool: gap\n  blocks all: dense\n  blocks last 2: moe(soft(experts: 4, slots: 2))';

/** vmoe names → vit_jax's (Transformer/, MultiHeadDotProductAttention_1, LayerNorm_0/_2, MlpBlock_3). */
function vitJaxName(name: string): string {
  return name
    .replace(/^Encoder\//, 'Transformer/')
    .replace('/SelfAttention/', '/MultiHeadDotProductAttention_1/')
    .replace('/LayerNorm_1/', '/LayerNorm_2/')
    .replace('/Mlp/', '/MlpBlock_3/');
}

describe('vmoe import', () => {
  it('export then import is the identity, bit for bit, for every router and pooling', () => {
    for (const body of [
      MOE,
      'pool: cls\n  posemb: sincos2d\n  blocks all: dense\n  blocks every 2: moe(token_choice(experts: 4, k: 2, bpr: true))',
      'pool: gap\n  blocks all: dense\n  blocks last 1: moe(expert_choice(normalize: sparsity, experts: 4))',
    ]) {
      const graph = graphOf(body);
      const weights = weightsFor(graph);
      const path = join(dir, `roundtrip-${n++}.npz`);
      writeFileSync(path, vmoeExportFiles({ graph, weights }).npz!);
      const back = importVmoeNpz(path, graph);
      for (const p of graph.params) {
        if (!p.trainable) {
          expect(back.weights.has(p.name)).toBe(false);
          continue;
        }
        expect(back.weights.get(p.name)!.shape, p.name).toEqual(p.shape);
        expect(Buffer.from(back.weights.get(p.name)!.data.buffer).equals(Buffer.from(weights.get(p.name)!.data.buffer)), p.name).toBe(true);
      }
      expect(back.report.upcycled).toEqual([]);
      expect(back.report.layout).toBe('vmoe');
    }
  });

  it('loads the imported weights into a model: same logits as the model they came from, no tensor leaked', async () => {
    const graph = graphOf(MOE);
    const a = createGraphModel(graph, { seed: 3 });
    const weights = new Map<string, Weight>();
    for (const [name, v] of a.variables) weights.set(name, { shape: v.shape, data: (await v.data()) as Float32Array });
    const path = join(dir, 'model.npz');
    writeFileSync(path, vmoeExportFiles({ graph, weights }).npz!);
    const b = createGraphModel(graph, { seed: 99 });
    const before = tf.memory().numTensors;
    assignWeights(b, importVmoeNpz(path, graph).weights);
    expect(tf.memory().numTensors).toBe(before);
    const x = tf.randomUniform([2, 28, 28, 1], -1, 1, 'float32', 5) as tf.Tensor4D;
    const ya = a.forward(x, { training: false, step: 0 });
    const yb = b.forward(x, { training: false, step: 0 });
    expect(Array.from(await yb.logits.data())).toEqual(Array.from(await ya.logits.data()));
    tf.dispose([x, ya.logits, ya.auxLoss, yb.logits, yb.auxLoss, ...ya.stats.values(), ...yb.stats.values()]);
    a.dispose();
    b.dispose();
  });

  it('reads vit_jax and big_vision names', () => {
    expect(canonicalLeafName('Transformer/encoderblock_3/MultiHeadDotProductAttention_1/query/kernel')).toBe('Encoder/encoderblock_3/SelfAttention/query/kernel');
    expect(canonicalLeafName('Transformer/encoderblock_3/LayerNorm_2/scale')).toBe('Encoder/encoderblock_3/LayerNorm_1/scale');
    expect(canonicalLeafName('Transformer/encoderblock_0/MlpBlock_3/Dense_1/bias')).toBe('Encoder/encoderblock_0/Mlp/Dense_1/bias');
    expect(canonicalLeafName('params/Transformer/encoderblock_0/MultiHeadDotProductAttention_0/out/kernel')).toBe('Encoder/encoderblock_0/SelfAttention/out/kernel');
    expect(canonicalLeafName('Transformer/encoderblock_0/MlpBlock_0/Dense_0/kernel')).toBe('Encoder/encoderblock_0/Mlp/Dense_0/kernel');
    expect(canonicalLeafName('pos_embedding')).toBe('Encoder/posembed_input/pos_embedding');
    expect(canonicalLeafName('Transformer/posembed_input/pos_embedding')).toBe('Encoder/posembed_input/pos_embedding');
    const graph = graphOf(DENSE);
    const weights = weightsFor(graph);
    const vit = [...toVmoeArrays(vmoeLayout(graph), weights)].map(([k, v]) => [vitJaxName(k), v] as const);
    const back = importVmoeNpz(file(vit), graph);
    expect(back.report.layout).toBe('vit_jax');
    expect(back.weights.get('block_2/mlp/w2')!.data).toEqual(weights.get('block_2/mlp/w2')!.data);
  });

  it('upcycles a dense vit_jax ViT into a MoE model: experts copy the dense MLP, routers fresh, the rest copied', () => {
    const dense = graphOf(DENSE);
    const dw = weightsFor(dense);
    const path = file([...toVmoeArrays(vmoeLayout(dense), dw)].map(([k, v]) => [vitJaxName(k), v] as const));
    const moe = graphOf(MOE);
    const { weights, report } = importVmoeNpz(path, moe, { upcycle: true });
    expect(report.upcycled).toEqual([{ block: 1, experts: 4 }, { block: 2, experts: 4 }]);
    expect(report.fresh).toEqual(['block_1/moe/router/mu', 'block_1/moe/router/scale', 'block_2/moe/router/mu', 'block_2/moe/router/scale']);
    expect(report.copied.length + report.fresh.length + 8).toBe(moe.params.length);
    for (const [leaf, src] of [['w1', 'w1'], ['b1', 'b1'], ['w2', 'w2'], ['b2', 'b2']]) {
      const e = weights.get(`block_2/moe/experts/${leaf}`)!;
      const d = dw.get(`block_2/mlp/${src}`)!.data;
      expect(e.shape[0]).toBe(4);
      for (let x = 0; x < 4; x++) expect(e.data.subarray(x * d.length, (x + 1) * d.length)).toEqual(d);
    }
    expect(weights.get('block_0/mlp/w1')!.data).toEqual(dw.get('block_0/mlp/w1')!.data);
    expect(weights.get('block_2/attention/qkv/kernel')!.data).toEqual(dw.get('block_2/attention/qkv/kernel')!.data);
    expect(formatImportReport(report)).toMatch(/upcycled: block 1 \(4 experts = copies of its dense MLP\), block 2 .*\nfresh: block_1\/moe\/router\/mu/);
  });

  it('without upcycling, a dense file for a MoE model says how to upcycle', () => {
    const dense = graphOf(DENSE);
    const path = file(toVmoeArrays(vmoeLayout(dense), weightsFor(dense)));
    expect(codedMessage(() => importVmoeNpz(path, graphOf(MOE)))).toMatch(/MOE0644: .*dense checkpoint .*block\(s\) 1, 2 are MoE/);
  });

  it('names a missing, an extra and a mis-shaped leaf (with both shapes)', () => {
    const graph = graphOf(DENSE);
    const arrays = toVmoeArrays(vmoeLayout(graph), weightsFor(graph));
    const without = new Map(arrays);
    without.delete('Encoder/encoderblock_1/LayerNorm_1/scale');
    expect(codedMessage(() => importVmoeNpz(file(without), graph))).toMatch(/MOE0631: .*1 parameter\(s\) of model m missing: 'Encoder\/encoderblock_1\/LayerNorm_1\/scale' \[32\]/);
    const extra = new Map(arrays).set('pre_logits/kernel', { shape: [32, 32], data: new Float32Array(1024) });
    expect(codedMessage(() => importVmoeNpz(file(extra), graph))).toMatch(/MOE0632: .*'pre_logits\/kernel'/);
    const misShaped = new Map(arrays).set('head/kernel', { shape: [32, 1000], data: new Float32Array(32000) });
    expect(codedMessage(() => importVmoeNpz(file(misShaped), graph))).toMatch(/MOE0633: .*array 'head\/kernel': shape \[32, 1000\] in the file, \[32, 10\] expected/);
  });

  it('refuses a .npz of another architecture', () => {
    const deeper = graphOf(DENSE, 'm', ['depth=4']);
    const path = file(toVmoeArrays(vmoeLayout(deeper), weightsFor(deeper)));
    expect(codedMessage(() => importVmoeNpz(path, graphOf(DENSE)))).toMatch(/MOE0632: .*'Encoder\/encoderblock_3\//);
    const scanned = file([['Transformer/encoderblock/LayerNorm_0/scale', { shape: [3, 32], data: new Float32Array(96) }]]);
    expect(codedMessage(() => importVmoeNpz(scanned, graphOf(DENSE)))).toMatch(/MOE0634: .*scanned/);
    expect(codedMessage(() => importVmoeNpz(join(dir, 'absent.npz'), graphOf(DENSE)))).toMatch(/MOE0621: .*absent\.npz: cannot read the file \(ENOENT\)/);
  });
});
