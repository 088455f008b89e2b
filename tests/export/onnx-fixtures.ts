// Small trained models of every router (and dense) for the ONNX export tests:
// a 28×28 MNIST ViT (16 tokens, width 16, two blocks, the last one MoE) trained
// for a few dozen steps on the bundled digits, so the head is far from zero.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { compile } from '../../compiler/compile.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { train } from '../../runtime/train/trainer.ts';
import { loadMnist } from '../../runtime/data/mnist.ts';
import type { Dataset } from '../../runtime/data/dataset.ts';
import type { GraphModel } from '../../runtime/api.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import { loadCheckpoint, resolveCheckpoint } from '../../runtime/checkpoint/checkpoint.ts';
import { restoreParams } from '../../runtime/train/trainer.ts';

/** A fixture spec compiled with its train block (compiler/compile.ts). */
function loadSpec(options: { file: string; cwd: string }) {
  const c = compile(options.file, { cwd: options.cwd });
  return c.ok && c.model && c.train ? { ok: true as const, model: c.model, train: c.train, graph: c.graph() } : { ok: false as const, diagnostics: c.diagnostics };
}

/** Trained weights of every case (scripts/gen-onnx-fixtures.ts writes them). */
export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));

/** The router cases: name → the `moe(…)` of the last block (undefined: dense). */
export const ROUTER_CASES: Readonly<Record<string, string | undefined>> = {
  dense: undefined,
  softmax_token_choice: 'token_choice(experts: 4, k: 2, capacity: 0.5)',
  softmax_token_choice_bpr: 'token_choice(experts: 4, k: 2, capacity: 0.5, bpr: true)',
  sinkhorn_token_choice: 'token_choice(normalize: sinkhorn, experts: 4, k: 1, capacity: 1.0)',
  softmax_expert_choice: 'expert_choice(experts: 4)',
  sinkhorn_expert_choice: 'expert_choice(normalize: sinkhorn, experts: 4)',
  sparsity_constrained_expert_choice: 'expert_choice(normalize: sparsity, experts: 4)',
  soft_moe: 'soft(experts: 4, slots: 2)',
};

export function specText(router: string | undefined, name = 'probe'): string {
  return `model ${name} {
  image:   28x28x1
  patch:   7
  width:   16
  depth:   2
  heads:   2
  mlp:     32
  classes: 10
  pool:    gap
  blocks all: dense
${router ? `  blocks last 1: moe(${router})\n` : ''}}

train quick {
  model:      ${name}
  data:       mnist(train: 256, test: 64)
  batch:      32
  steps:      30
  optimizer:  adamw(lr: 5e-3, weight_decay: 1e-4, clip: 1.0)
  schedule:   cosine(warmup: 3)
  eval_every: 1000
  seed:       1
}
`;
}

/** Writes the spec of a router case into a fresh temporary folder; returns its path. */
export function writeSpec(router: string | undefined, dir = mkdtempSync(join(tmpdir(), 'moec-onnx-'))): string {
  const file = join(dir, 'model.moe');
  writeFileSync(file, specText(router));
  return file;
}

export function loadGraphOf(file: string): { graph: Graph; seed: number; steps: number; batch: number } {
  const spec = loadSpec({ file, cwd: process.cwd() });
  if (!spec.ok) throw new Error(`spec does not compile: ${spec.diagnostics.map((d) => d.message).join('; ')}`);
  return { graph: spec.graph, seed: spec.train.seed, steps: spec.train.steps ?? 30, batch: spec.train.batch };
}

let data: Dataset | undefined;
export function mnistData(): Dataset {
  return (data ??= loadMnist(256, 64, [28, 28, 1]));
}

/** A trained model of a router case (optionally writing its run folder). */
export async function trainedModel(router: string | undefined, runDir?: string): Promise<{ model: GraphModel; graph: Graph; file: string }> {
  const file = writeSpec(router);
  const spec = loadSpec({ file, cwd: process.cwd() });
  if (!spec.ok) throw new Error(`spec does not compile: ${spec.diagnostics.map((d) => d.message).join('; ')}`);
  const model = createGraphModel(spec.graph, { seed: spec.train.seed });
  await train({ train: spec.train, model, data: mnistData(), runDir, logEvery: 1000 });
  return { model, graph: spec.graph, file };
}

/** The model's weights as plain arrays (what a checkpoint holds). */
export function weightsOf(model: GraphModel): Map<string, { shape: number[]; data: Float32Array }> {
  return new Map([...model.variables].map(([name, v]) => [name, { shape: [...v.shape], data: v.dataSync() as Float32Array }]));
}

/** `n` test images (NHWC float32) starting at `from`. */
export function testImages(n: number, from = 0): Float32Array {
  const d = mnistData();
  const size = 28 * 28;
  return Float32Array.from(d.test.images.subarray(from * size, (from + n) * size));
}

export function tfjsLogits(model: GraphModel, images: Float32Array, n: number): Float32Array {
  return tf.tidy(() => {
    const out = model.forward(tf.tensor4d(images, [n, 28, 28, 1]), { training: false, step: 0 });
    for (const t of out.stats.values()) t.dispose();
    return out.logits.dataSync() as Float32Array;
  });
}

/** The trained fixture of a case: its spec file, graph, and the tfjs model with the trained weights. */
export function fixtureModel(name: string): { file: string; runDir: string; graph: Graph; model: GraphModel } {
  const runDir = join(FIXTURE_DIR, name);
  const file = join(runDir, 'model.moe');
  const spec = loadSpec({ file, cwd: process.cwd() });
  if (!spec.ok) throw new Error(`fixture ${name} does not compile: ${spec.diagnostics.map((d) => d.message).join('; ')}`);
  const model = createGraphModel(spec.graph, { seed: spec.train.seed });
  restoreParams(model, loadCheckpoint(resolveCheckpoint(runDir)));
  return { file, runDir, graph: spec.graph, model };
}
