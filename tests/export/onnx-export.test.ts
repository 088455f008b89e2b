// The ONNX exporter against moec's own engine: for every router (and dense), the
// trained fixture's logits from onnxruntime equal tfjs's within 2e-5 on real
// MNIST digits at batch 1 and 7 from one dynamic-batch export; the exporter's
// errors name the node, option or tensor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { OP_KINDS } from '../../compiler/graph/ops.ts';
import type { Graph, OpNode } from '../../compiler/graph/ir.ts';
import { emitters } from '../../export/onnx/emit/index.ts';
import { exportOnnx } from '../../export/onnx/export-model.ts';
import { onnx } from '../../export/onnx/proto.ts';
import { selectBackend } from '../../runtime/backend.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';

import { codedMessage } from '../support/fault.ts';
import { ROUTER_CASES, fixtureModel, loadGraphOf, testImages, tfjsLogits, weightsOf, writeSpec } from './onnx-fixtures.ts';

const TOLERANCE = 2e-5;
const CASES = Object.keys(ROUTER_CASES);
const exported = new Map<string, Uint8Array>();

beforeAll(async () => {
  await selectBackend('cpu');
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

async function ortLogits(session: ort.InferenceSession, images: Float32Array, n: number): Promise<Float32Array> {
  const out = await session.run({ images: new ort.Tensor('float32', images, [n, 28, 28, 1]) });
  return out.logits!.data as Float32Array;
}

describe('emitters', () => {
  it('has exactly one emitter per op kind of the graph', () => {
    expect(Object.keys(emitters(new Map())).sort()).toEqual([...OP_KINDS].sort());
  });
});

describe.each(CASES)('%s exported to ONNX', (name) => {
  const fixture = () => fixtureModel(name);
  let model: ReturnType<typeof fixture>['model'];
  let session: ort.InferenceSession;
  let graph: Graph;

  beforeAll(async () => {
    const f = fixture();
    model = f.model;
    graph = f.graph;
    const result = exportOnnx(graph, weightsOf(model), { routing: true });
    exported.set(name, result.bytes);
    session = await ort.InferenceSession.create(result.bytes, { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    model.dispose();
    await session.release();
  });

  it('writes only standard-domain ops, images in, logits and routing out', () => {
    const m = onnx.ModelProto.decode(exported.get(name)!);
    expect(m.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(m.graph!.node!.every((n) => !n.domain)).toBe(true);
    expect(session.inputNames).toEqual(['images']);
    const moeBlocks = graph.blocks.filter((b) => b.kind === 'moe').map((b) => b.index);
    expect(session.outputNames).toEqual(['logits', ...moeBlocks.flatMap((i) => [`block_${i}/dispatch`, `block_${i}/combine`])]);
  });

  it.each([1, 7])('gives tfjs logits within 2e-5 at batch %i (dynamic batch)', async (n) => {
    const images = testImages(n, 5);
    const expected = tfjsLogits(model, images, n);
    const actual = await ortLogits(session, images, n);
    expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0.5); // a trained head, not near zero
    expect(maxAbsDiff(actual, expected)).toBeLessThan(TOLERANCE);
  });

  it('outputs each block’s dispatch and combine as [groups, tokens, experts, slots]', async () => {
    const out = await session.run({ images: new ort.Tensor('float32', testImages(2), [2, 28, 28, 1]) });
    for (const block of graph.blocks.filter((b) => b.kind === 'moe')) {
      const dispatch = out[`block_${block.index}/dispatch`]!;
      expect(dispatch.dims[0]).toBe(2); // one group of 16 tokens per image
      expect(dispatch.dims.slice(1)).toEqual([16, block.experts, block.capacity]);
      const values = dispatch.data as Float32Array;
      if (block.router !== 'soft_moe') expect(values.every((v) => v === 0 || v === 1)).toBe(true);
    }
  });
});

describe('Soft MoE per-image determinism', () => {
  it("gives an image the same logits whatever the other images of the batch (tfjs and onnxruntime)", async () => {
    const { model, graph } = fixtureModel('soft_moe');
    const session = await ort.InferenceSession.create(exportOnnx(graph, weightsOf(model)).bytes, { intraOpNumThreads: 1 });
    try {
      const batch = testImages(7, 20);
      const other = testImages(7, 40);
      other.set(batch.subarray(3 * 784, 4 * 784), 3 * 784); // image 3 in another company
      const alone = batch.slice(3 * 784, 4 * 784);
      for (const run of [async (x: Float32Array, n: number) => tfjsLogits(model, x, n), (x: Float32Array, n: number) => ortLogits(session, x, n)]) {
        const inBatch = (await run(batch, 7)).slice(30, 40);
        const inOther = (await run(other, 7)).slice(30, 40);
        const single = await run(alone, 1);
        expect(maxAbsDiff(inBatch, single)).toBeLessThan(1e-6);
        expect(maxAbsDiff(inOther, single)).toBeLessThan(1e-6);
      }
    } finally {
      model.dispose();
      await session.release();
    }
  });
});

describe('opsets and fixed batch', () => {
  it.each([13, 18, 20])('sparse OT and Soft MoE models agree with tfjs at opset %i', async (opset) => {
    for (const name of ['sparsity_constrained_expert_choice', 'soft_moe']) {
      const { model, graph } = fixtureModel(name);
      const session = await ort.InferenceSession.create(exportOnnx(graph, weightsOf(model), { opset }).bytes, { intraOpNumThreads: 1 });
      const images = testImages(3, 11);
      expect(maxAbsDiff(await ortLogits(session, images, 3), tfjsLogits(model, images, 3))).toBeLessThan(TOLERANCE);
      model.dispose();
      await session.release();
    }
  });

  it('writes a fixed batch into the signature with --batch N', async () => {
    const { model, graph } = fixtureModel('softmax_token_choice');
    const result = exportOnnx(graph, weightsOf(model), { batch: 7 });
    expect(result.inputs[0]!.shape).toEqual([7, 28, 28, 1]);
    const session = await ort.InferenceSession.create(result.bytes, { intraOpNumThreads: 1 });
    const images = testImages(7);
    expect(maxAbsDiff(await ortLogits(session, images, 7), tfjsLogits(model, images, 7))).toBeLessThan(TOLERANCE);
    await expect(ortLogits(session, testImages(1), 1)).rejects.toThrow();
    model.dispose();
    await session.release();
  });
});

describe('export errors', () => {
  const { graph } = loadGraphOf(writeSpec('expert_choice(normalize: sinkhorn, experts: 4, group: 32)'));
  const model = createGraphModel(graph, { seed: 0 });
  const weights = weightsOf(model);
  afterAll(() => model.dispose());

  it('refuses weights that do not match the graph, naming the tensor', () => {
    const missing = new Map(weights);
    missing.delete('head/kernel');
    expect(codedMessage(() => exportOnnx(graph, missing))).toMatch(/MOE0604: the weights have no tensor 'head\/kernel'/);
    const reshaped = new Map(weights);
    const head = weights.get('head/kernel')!;
    reshaped.set('head/kernel', { shape: [head.shape[1]!, head.shape[0]!], data: head.data });
    expect(codedMessage(() => exportOnnx(graph, reshaped))).toMatch(/MOE0604: tensor 'head\/kernel' has shape \[10, 16\] in the weights but \[16, 10\] in the graph/);
    const extra = new Map(weights).set('block_9/unknown', { shape: [1], data: new Float32Array(1) });
    expect(codedMessage(() => exportOnnx(graph, extra))).toMatch(/MOE0604: .*'block_9\/unknown' that the graph does not have/);
  });

  it('names the node an op cannot be exported from, and why', () => {
    const withNodes = (f: (n: OpNode) => OpNode): Graph => ({ ...graph, nodes: graph.nodes.map(f) });
    const zeroIterations = withNodes((n) => (n.op === 'sinkhorn_plan' ? { ...n, attrs: { ...n.attrs, iterations: 0 } } : n));
    expect(codedMessage(() => exportOnnx(zeroIterations, weights))).toMatch(/MOE0601: cannot export node block_1\/moe\/router\/plan \(sinkhorn_plan, in block_1\/moe\/router\) to ONNX: sinkhorn_plan needs at least one iteration/);
    const unknownOp = withNodes((n) => (n.op === 'softmax' ? ({ ...n, op: 'sparsemax' } as unknown as OpNode) : n));
    expect(codedMessage(() => exportOnnx(unknownOp, weights))).toMatch(/MOE0601: cannot export node .* \(sparsemax.*op 'sparsemax' has no ONNX emitter/);
  });

  it('refuses weights beyond the 2 GiB an ONNX file can hold', () => {
    // Shapes only: the check runs before any byte is copied.
    const huge = { ...graph, params: graph.params.map((p) => (p.name === 'head/kernel' ? { ...p, shape: [16, 2 ** 25] } : p)) };
    const big = new Map(weights).set('head/kernel', { shape: [16, 2 ** 25], data: { length: 16 * 2 ** 25 } as unknown as Float32Array });
    expect(codedMessage(() => exportOnnx(huge, big))).toMatch(/MOE0609: the weights of probe take 2\.\d+ GiB; one ONNX file holds at most 2 GiB/);
  });

  it('refuses an opset outside 13–21 and a batch the routing groups do not divide', () => {
    expect(codedMessage(() => exportOnnx(graph, weights, { opset: 11 }))).toMatch(/MOE0602: --opset 11 is not supported/);
    expect(codedMessage(() => exportOnnx(graph, weights, { batch: 0 }))).toMatch(/MOE0602/);
    expect(codedMessage(() => exportOnnx(graph, weights, { batch: 7 }))).toMatch(/MOE0603: batch 7 does not fit model probe: .*multiple of 2/);
    expect(exportOnnx(graph, weights, { batch: 8 }).inputs[0]!.shape[0]).toBe(8);
  });
});

describe('onnxruntime loading', () => {
  it('loads every exported model without a warning (no unsupported or fallback ops)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moec-onnx-load-'));
    const files = [...exported].map(([name, bytes]) => {
      const f = join(dir, `${name}.onnx`);
      writeFileSync(f, bytes);
      return f;
    });
    expect(files.length).toBe(CASES.length);
    // onnxruntime logs to the native stderr: load in a child process at warning level (2) and read it.
    const script = `const ort = require('onnxruntime-node');
      (async () => { for (const f of process.argv.slice(1)) { await ort.InferenceSession.create(f, { logSeverityLevel: 2 }); console.log('loaded ' + f); } })()
        .catch((e) => { console.error('LOAD FAILED ' + e.message); process.exit(1); });`;
    const child = spawnSync(process.execPath, ['-e', script, ...files], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(child.stdout.trim().split('\n')).toHaveLength(files.length);
    expect(child.stderr).toBe('');
  });
});
