// Regenerates tests/fixtures/onnx/: for every router case of the ONNX export
// tests (tests/export/onnx-fixtures.ts) a spec and the model weights after 30
// training steps on the bundled MNIST digits (a checkpoint with the `param`
// group only), so the tests compare trained models without training.
//   node bin/run-ts.mjs scripts/gen-onnx-fixtures.ts [case]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTER_CASES, specText, trainedModel, weightsOf, FIXTURE_DIR } from '../tests/export/onnx-fixtures.ts';
import { saveCheckpoint } from '../runtime/checkpoint/checkpoint.ts';
import { selectBackend } from '../runtime/backend.ts';

await selectBackend('cpu');
const only = process.argv[2];
for (const [name, router] of Object.entries(ROUTER_CASES)) {
  if (only && name !== only) continue;
  const dir = join(FIXTURE_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.moe'), specText(router));
  const { model } = await trainedModel(router);
  const tensors = [...weightsOf(model)].map(([n, w]) => ({ name: n, group: 'param' as const, shape: w.shape, data: w.data }));
  saveCheckpoint(join(dir, 'checkpoints'), tensors, {
    step: 30, epoch: 3, batchInEpoch: 6, batch: 32, seed: 1, optimizer: { kind: 'adamw', count: 30 }, randomStreams: {}, totalSteps: 30, model: 'probe',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  });
  model.dispose();
  process.stdout.write(`wrote ${dir}\n`);
}
