// A training in a child process for the kill -9 test (tests/train/kill-resume.test.ts):
// the tiny model of tests/train/tiny.ts trained into a run folder through the same
// run-folder transaction as `moec train`. argv: RUN_DIR SPEC_FILE STEPS [resume].
// Bundled by the test with esbuild so that a start costs well under a second.
import * as tf from '@tensorflow/tfjs';
import { lowerModel } from '../../../compiler/lower/index.ts';
import { createGraphModel } from '../../../runtime/executor/graph-model.ts';
import { makeSplit, type Dataset } from '../../../runtime/data/dataset.ts';
import { loadCheckpoint, resolveCheckpoint } from '../../../runtime/checkpoint/checkpoint.ts';
import { openTrainingRun } from '../../../runtime/train/run-folder.ts';
import { train } from '../../../runtime/train/trainer.ts';
import { TINY_MODEL, tinyTrain } from '../tiny.ts';

const [runDir, specFile, steps, mode] = process.argv.slice(2) as [string, string, string, string | undefined];
process.stdout.write('ready\n');
await tf.setBackend('cpu');
const spec = tinyTrain({ steps: Number(steps), batch: 8, evalEvery: 25, checkpointEvery: 1, data: { kind: 'mnist', args: { train: 64, test: 16 } } });
const graph = lowerModel(TINY_MODEL);
const resume = mode === 'resume' ? loadCheckpoint(resolveCheckpoint(runDir)) : undefined;
const run = openTrainingRun({
  dir: runDir,
  force: false,
  resume,
  files: { specPath: specFile, model: TINY_MODEL, train: spec, graph, overrides: [], settings: {} },
});
const model = createGraphModel(graph, { seed: spec.seed });
// Synthetic images (a fixed pattern per class plus seeded noise): no dataset to parse at each start.
function split(count: number, salt: number) {
  const images = new Float32Array(count * 14 * 14);
  const labels = new Int32Array(count);
  let r = 12345 + salt;
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 196; p++) {
      r = (Math.imul(r, 1103515245) + 12345) >>> 0;
      images[i * 196 + p] = ((p * (labels[i]! + 1)) % 7) / 3.5 - 1 + ((r >>> 16) / 65536 - 0.5) * 0.2;
    }
  }
  return makeSplit(images, labels);
}
const data: Dataset = { name: 'synthetic', shape: [14, 14, 1], classes: Array.from({ length: 10 }, (_, k) => String(k)), train: split(64, 0), test: split(16, 1) };
const result = await train({
  train: spec,
  model,
  data,
  runDir,
  graphSha256: run.graphSha256,
  resume,
  logEvery: 1,
  augmentation: { shift: 1, fill: -1 },
  // The parent times its kills from these lines.
  onEvent: (e) => void (e.kind === 'step' && process.stdout.write(`step ${e.step}\n`)),
});
run.lock.release();
process.stdout.write(`done ${result.step}\n`);
