// A process for tests/runtime/wasm-threads.test.ts: starts the wasm backend with the
// thread count of argv (one count per process), checks that the scoped replacements
// were undone, multiplies two fixed matrices and trains a small ViT into a run folder
// (or resumes one), then prints one JSON line. It never calls process.exit: the test
// checks that the pool's workers let it end by itself.
// argv: THREADS RUN_DIR STEPS [resume]. Bundled by the test with esbuild.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ResolvedModel } from '../../../compiler/model.ts';
import { lowerModel } from '../../../compiler/lower/index.ts';
import { selectBackend } from '../../../runtime/backend.ts';
import { createGraphModel } from '../../../runtime/executor/graph-model.ts';
import { makeSplit, type Dataset } from '../../../runtime/data/dataset.ts';
import { listCheckpoints, loadCheckpoint, resolveCheckpoint } from '../../../runtime/checkpoint/checkpoint.ts';
import { openTrainingRun } from '../../../runtime/train/run-folder.ts';
import { train } from '../../../runtime/train/trainer.ts';
import { tinyTrain } from '../../train/tiny.ts';

const [threadsArg, runDir, steps, mode] = process.argv.slice(2) as [string, string, string, string | undefined];
const before = { Blob: globalThis.Blob, createObjectURL: URL.createObjectURL, cpus: os.cpus, worker: 'Worker' in globalThis };
const selection = await selectBackend('wasm', { threads: Number(threadsArg) });
const restored = globalThis.Blob === before.Blob && URL.createObjectURL === before.createObjectURL && os.cpus === before.cpus && ('Worker' in globalThis) === before.worker;

// Products large enough for XNNPACK to split across threads.
const values = (n: number, salt: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + salt));
const product = tf.tidy(() => tf.matMul(tf.tensor2d(values(192 * 256, 1), [192, 256]), tf.tensor2d(values(256 * 320, 2), [256, 320])).dataSync());
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// 16 tokens of width 64, a Soft MoE block: products of 256×64 and up per step.
const MODEL: ResolvedModel = {
  name: 'threads_vit',
  image: [16, 16, 1],
  patch: [4, 4],
  width: 64,
  depth: 2,
  heads: 2,
  mlp: 128,
  classes: 10,
  pool: 'gap',
  dropout: 0,
  posemb: 'learned',
  tokens: 16,
  blocks: [{ kind: 'dense' }, { kind: 'moe', mlp: 128, router: { family: 'soft', experts: 4, slots: 2, capacityFactor: 1, rounding: 'round', group: 16, noise: 0 } }],
};
function split(count: number, salt: number) {
  const images = new Float32Array(count * 256);
  const labels = new Int32Array(count);
  let r = 777 + salt;
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 256; p++) {
      r = (Math.imul(r, 1103515245) + 12345) >>> 0;
      images[i * 256 + p] = ((p * (labels[i]! + 1)) % 9) / 4.5 - 1 + ((r >>> 16) / 65536 - 0.5) * 0.2;
    }
  }
  return makeSplit(images, labels);
}
const data: Dataset = { name: 'synthetic', shape: [16, 16, 1], classes: Array.from({ length: 10 }, (_, k) => String(k)), train: split(64, 0), test: split(16, 1) };
const spec = tinyTrain({ model: 'threads_vit', steps: Number(steps), batch: 16, evalEvery: 1000, checkpointEvery: 2, data: { kind: 'mnist', args: { train: 64, test: 16 } } });
const graph = lowerModel(MODEL);
const resume = mode === 'resume' ? loadCheckpoint(resolveCheckpoint(runDir)) : undefined;
const specPath = join(dirname(runDir), 'threads.moe');
writeFileSync(specPath, '# the model of tests/runtime/support/threads-child.ts\n');
const run = openTrainingRun({ dir: runDir, force: false, resume, files: { specPath, model: MODEL, train: spec, graph, overrides: [], settings: { threads: selection.threads } } });
const model = createGraphModel(graph, { seed: spec.seed });
const result = await train({ train: spec, model, data, runDir, graphSha256: run.graphSha256, resume, logEvery: 1, augmentation: { shift: 1, fill: -1 } });
run.lock.release();
const last = listCheckpoints(join(runDir, 'checkpoints')).at(-1)!;
model.dispose();

process.stdout.write(
  JSON.stringify({
    threads: selection.threads,
    note: selection.threadNote ?? null,
    restored,
    product: sha(new Uint8Array(product.buffer)),
    step: result.step,
    weights: sha(readFileSync(join(last, 'tensors.bin'))),
  }) + '\n',
);
