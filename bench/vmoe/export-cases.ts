// Writes the inputs of bench/vmoe/verify.py (the check of `moec export --to vmoe`
// against google-research/vmoe's own code; not part of npm test):
//   OUT/<case>/config.py, params.npz   the export of a small MNIST model whose every
//                                      parameter is perturbed (so experts differ and the
//                                      head is not zero)
//   OUT/<case>/moec.npz                32 held-out MNIST test digits, moec's logits and
//                                      pooled features (the head's input) on them
//   OUT/<case>/moec.json               moec's parameter count
//   OUT/paper/<spec>/config.py, moec.json   config-only exports of every model in specs/
//
//   node bin/run-ts.mjs bench/vmoe/export-cases.ts OUT
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compile } from '../../compiler/compile.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { selectBackend } from '../../runtime/backend.ts';
import { loadDataset } from '../../runtime/data/index.ts';
import { costOf } from '../../compiler/cost.ts';
import { loadProgram } from '../../compiler/index.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import { writeNpz } from '../../export/npz/npz.ts';
import { vmoeExportFiles } from '../../export/vmoe/target.ts';

/** The cases (model bodies) and their common header, shared with the TypeScript tests that pin what verify.py confirmed. */
const fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../tests/fixtures/vmoe/verified.json'), 'utf8')) as {
  base: string;
  cases: Record<string, { spec: string }>;
};
const BASE = fixture.base;
export const CASES: Record<string, string> = Object.fromEntries(Object.entries(fixture.cases).map(([k, v]) => [k, v.spec]));

/** A deterministic standard normal stream (Box–Muller on a 32-bit LCG). */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
}

/** The graph with `logits` rewired to the pooled features (the head's input). */
function pooledGraph(graph: Graph): Graph {
  const pooled = graph.nodes.find((n) => n.id === 'pooled' || n.id.endsWith('/pooled'));
  if (!pooled) throw new Error('no pooled node');
  return { ...graph, outputs: { ...graph.outputs, logits: pooled.id } };
}

async function exportCase(out: string, name: string, body: string, images: Float32Array, n: number): Promise<void> {
  const dir = join(out, name);
  mkdirSync(dir, { recursive: true });
  const specFile = join(dir, 'model.moe');
  writeFileSync(specFile, `model ${name} {\n  ${BASE}\n  ${body}\n}\n`);
  const compiled = compile(specFile, { cwd: dir });
  if (!compiled.ok) throw new Error(`${name}: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
  const spec = { graph: compiled.graph() };
  const model = createGraphModel(spec.graph, { seed: 1 });
  const rand = normals(name.length * 7919 + 17);
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const p of spec.graph.params) {
    const v = model.variables.get(p.name)!;
    const data = (await v.data()) as Float32Array;
    const scale = p.name === 'head/kernel' ? 0.3 : 0.05;
    if (p.trainable) for (let i = 0; i < data.length; i++) data[i] = data[i]! + scale * rand();
    tf.tidy(() => v.assign(tf.tensor(data, p.shape as number[], 'float32')));
    weights.set(p.name, { shape: [...p.shape], data });
  }
  const files = vmoeExportFiles({ graph: spec.graph, weights, source: 'model.moe' });
  writeFileSync(join(dir, 'config.py'), files.config);
  writeFileSync(join(dir, 'params.npz'), files.npz!);
  const x = tf.tensor4d(images, [n, 28, 28, 1]);
  const logits = model.forward(x, { training: false, step: 0 });
  const pooledModel = createGraphModel(pooledGraph(spec.graph), { seed: 1 });
  for (const [k, v] of model.variables) pooledModel.variables.get(k)!.assign(v);
  const pooled = pooledModel.forward(x, { training: false, step: 0 });
  const arr = async (t: tf.Tensor) => ({ shape: t.shape, data: (await t.data()) as Float32Array });
  writeFileSync(
    join(dir, 'moec.npz'),
    writeNpz([
      ['images', { shape: [n, 28, 28, 1], data: images }],
      ['logits', await arr(logits.logits)],
      ['pooled', await arr(pooled.logits)],
    ]),
  );
  writeFileSync(join(dir, 'moec.json'), JSON.stringify({ params: costOf(spec.graph).totalParams, vmoeParams: files.paramCount }, null, 1));
  tf.dispose([x, logits.logits, logits.auxLoss, ...logits.stats.values(), pooled.logits, pooled.auxLoss, ...pooled.stats.values()]);
  model.dispose();
  pooledModel.dispose();
  process.stdout.write(`${name}: exported\n`);
}

function exportPaperSpecs(out: string): void {
  const specs = resolve(import.meta.dirname, '../../specs');
  for (const f of readdirSync(specs).filter((f) => f.endsWith('.moe') && f !== 'presets.moe')) {
    const program = loadProgram(join(specs, f));
    for (const m of program.entryModels.map((name) => program.models.get(name)!)) {
      const graph = lowerModel(m, { source: f });
      const dir = join(out, 'paper', m.name);
      mkdirSync(dir, { recursive: true });
      const files = vmoeExportFiles({ graph, source: `specs/${f}` });
      writeFileSync(join(dir, 'config.py'), files.config);
      writeFileSync(join(dir, 'moec.json'), JSON.stringify({ params: costOf(graph).totalParams, vmoeParams: files.paramCount, image: m.image }, null, 1));
      process.stdout.write(`paper ${m.name}: ${costOf(graph).totalParams}\n`);
    }
  }
}

const out = resolve(process.argv[2] ?? '/tmp/vmoe-cases');
await selectBackend('cpu');
const data = await loadDataset({ kind: 'mnist', args: { train: 100, test: 32 } }, { shape: [28, 28, 1], classes: 10, baseDir: '.' });
for (const [name, body] of Object.entries(CASES)) await exportCase(out, name, body, data.test.images.slice(0, 32 * 784), 32);
exportPaperSpecs(out);
