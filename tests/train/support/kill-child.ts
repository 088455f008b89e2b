// A training in a child process for the kill -9 test (tests/train/kill-resume.test.ts):
// the tiny model of tests/train/tiny.ts trained into a run folder through the same
// run-folder transaction as `moec train`. argv: RUN_DIR SPEC_FILE STEPS [resume].
// Bundled by the test with esbuild so that a start costs well under a second.
import * as tf from '@tensorflow/tfjs';
import { lowerModel } from '../../../compiler/lower/index.ts';
import { createGraphModel } from '../../../runtime/executor/graph-model.ts';
import { loadMnist } from '../../../runtime/data/mnist.ts';
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
const result = await train({
  train: spec,
  model,
  data: loadMnist(64, 16, [14, 14, 1]),
  runDir,
  graphSha256: run.graphSha256,
  resume,
  logEvery: 1,
  augmentation: { shift: 1, fill: -1 },
});
run.lock.release();
process.stdout.write(`done ${result.step}\n`);
