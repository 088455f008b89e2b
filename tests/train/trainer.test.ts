// The training loop on a tiny real model (wasm backend): learning, no tensor
// leaks, exact resume, NaN handling, refusing a mismatched checkpoint.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../runtime/backend.ts';
import type { GraphModel } from '../../runtime/api.ts';
import { restoreParams, train } from '../../runtime/train/trainer.ts';
import { NO_AUGMENTATION } from '../../runtime/data/batches.ts';
import { listCheckpoints, loadCheckpoint, saveCheckpoint } from '../../runtime/checkpoint/checkpoint.ts';
import { RuntimeFault } from '../../runtime/train/fault.ts';
import { tinyData, tinyModel, tinyTrain } from './tiny.ts';
import { linearModel } from './linear-double.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

function weights(m: GraphModel): Map<string, Float32Array> {
  return new Map([...m.variables].map(([n, v]) => [n, v.dataSync() as Float32Array]));
}

describe('train()', () => {
  it('lowers the loss within 40 steps and leaks no tensors', async () => {
    const model = tinyModel();
    const counts: number[] = [];
    const r = await train({
      train: tinyTrain({ steps: 40, evalEvery: 40, optimizer: { kind: 'adamw', lr: 1e-2, weightDecay: 0, b1: 0.9, b2: 0.999, clip: 1 }, schedule: { kind: 'constant' } }),
      model,
      data: tinyData(),
      logEvery: 10,
      augmentation: NO_AUGMENTATION,
      onEvent: (e) => {
        if (e.kind === 'step') counts.push(tf.memory().numTensors);
      },
    });
    model.dispose();
    expect(r.status).toBe('completed');
    const logs = r.records.filter((x) => x.split === 'train');
    expect(logs).toHaveLength(4);
    expect(logs[3]!.loss).toBeLessThan(logs[0]!.loss - 0.1);
    expect(r.finalEval!.count).toBe(64);
    expect(r.records.some((x) => x.split === 'test' && typeof x['router/block_1/load_cv'] === 'number')).toBe(true);
    // numTensors is the same after every step (from the second on: the first creates caches)
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('trains any GraphModel with SGD and sigmoid cross-entropy (linear test double)', async () => {
    const model = linearModel(196, 10);
    const r = await train({
      train: tinyTrain({ steps: 30, loss: 'sigmoid_xent', optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, clip: 0 }, schedule: { kind: 'constant' }, evalEvery: 30 }),
      model,
      data: tinyData(),
      logEvery: 10,
      augmentation: NO_AUGMENTATION,
    });
    model.dispose();
    const logs = r.records.filter((x) => x.split === 'train');
    expect(logs[2]!.loss).toBeLessThan(logs[0]!.loss - 0.5);
    expect(r.finalEval!.accuracy).toBeGreaterThan(0.5);
  });

  it('resumes exactly: N steps, stop, resume to 2N = 2N steps in one go', async () => {
    const spec = tinyTrain({ steps: 12, checkpointEvery: 4 });
    const straight = tinyModel();
    await train({ train: spec, model: straight, data: tinyData() });
    const expected = weights(straight);
    straight.dispose();

    const runDir = mkdtempSync(join(tmpdir(), 'moec-resume-'));
    const first = tinyModel();
    const stopped = await train({ train: spec, model: first, data: tinyData(), runDir, stopAt: 6 });
    first.dispose();
    expect(stopped.status).toBe('stopped');
    expect(stopped.step).toBe(6);

    const second = tinyModel(99); // different init: everything must come from the checkpoint
    const resumed = await train({ train: spec, model: second, data: tinyData(), runDir, resume: loadCheckpoint(stopped.lastCheckpoint!) });
    expect(resumed.status).toBe('completed');
    expect(resumed.step).toBe(12);
    for (const [name, w] of weights(second)) expect(Buffer.from(w.buffer).equals(Buffer.from(expected.get(name)!.buffer)), name).toBe(true);
    second.dispose();
  });

  it('stops on a NaN loss with the step number and keeps the last good checkpoint', async () => {
    const inner = tinyModel();
    const poisoned: GraphModel = {
      graph: inner.graph,
      variables: inner.variables,
      dispose: () => inner.dispose(),
      forward: (x, o) => {
        const r = inner.forward(x, o);
        return o.training && o.step >= 5 ? { ...r, logits: tf.mul(r.logits, NaN) as tf.Tensor2D } : r;
      },
    };
    const runDir = mkdtempSync(join(tmpdir(), 'moec-nan-'));
    const before = tf.memory().numTensors;
    const r = await train({ train: tinyTrain({ steps: 20, checkpointEvery: 3 }), model: poisoned, data: tinyData(), runDir });
    expect(r.status).toBe('diverged');
    expect(r.step).toBe(5);
    expect(r.reason).toMatch(/loss became NaN at step 6/);
    expect(r.lastCheckpoint).toMatch(/step-00000003$/);
    expect(listCheckpoints(join(runDir, 'checkpoints')).map((p) => p.slice(-3))).toEqual(['003']);
    // the weights are still finite (the bad update was not applied)
    for (const w of weights(inner).values()) expect(w.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    inner.dispose();
  });

  it('refuses a checkpoint of another model, naming the tensor', () => {
    const model = tinyModel();
    const dir = mkdtempSync(join(tmpdir(), 'moec-mismatch-'));
    const [first] = model.variables.keys();
    const path = saveCheckpoint(dir, [{ name: first!, group: 'param', shape: [1, 2], data: new Float32Array(2) }], {
      step: 1, epoch: 0, batchInEpoch: 1, batch: 1, seed: 0, optimizer: { kind: 'adamw', count: 1 }, randomStreams: {}, totalSteps: 1, model: 'other',
    });
    try {
      restoreParams(model, loadCheckpoint(path));
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(RuntimeFault);
      expect((e as Error).message).toContain(`tensor '${first}' has shape [1, 2] in the checkpoint`);
    } finally {
      model.dispose();
    }
  });
});
