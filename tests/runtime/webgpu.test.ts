// The webgpu backend (runtime/webgpu.ts) where it can start: on a GPU, or on
// Mesa's software OpenGL ES (.ci/run installs libegl1 libegl-mesa0 libgles2).
// Skipped, with the reason in the suite's name, where it cannot.
//   (a) the router reference cases match their expected values with the
//       README's tolerances (every router, so the tf-op OT solvers too) and
//       agree with wasm;
//   (b) one training step of a tiny ViT with a Soft MoE block (loss, logits,
//       every gradient, then one SGD update) agrees with wasm; likewise with a
//       sparse router of each family (training noise on);
//   (c) the tfjs-backend-webgpu kernels moec patches (int32 transpose, AddN
//       with many inputs) and the training loop (async reads only) end to end.
// webgpu cannot read tensors synchronously in Node: everything here reads
// with `await t.data()`. Vitest runs each file in its own worker, so switching
// backends here leaves the other files alone.
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { lowerModel } from '../../compiler/lower/index.ts';
import type { RouterConfig } from '../../compiler/model.ts';
import { selectBackend } from '../../runtime/backend.ts';
import { webgpuErrors } from '../../runtime/webgpu.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { NO_AUGMENTATION } from '../../runtime/data/batches.ts';
import { train, type TrainResult } from '../../runtime/train/trainer.ts';
import { bindCase, expectClose, flat, loadCases, type RouterCase } from '../routers/helpers.ts';
import { tinyData, tinyModel, tinyTrain } from '../train/tiny.ts';
import { vitModel } from './models.ts';

/** Why webgpu cannot run here, or undefined when it started. */
let unavailable: string | undefined;
try {
  await selectBackend('webgpu');
} catch (error) {
  unavailable = error instanceof Error ? error.message : String(error);
}
const SUITE = unavailable === undefined ? 'webgpu backend' : `webgpu backend (skipped: ${unavailable})`;
if (unavailable !== undefined) console.warn(`webgpu tests skipped: ${unavailable}`);

/** Largest |webgpu − wasm| seen per quantity, printed at the end for the record. */
const agreement = new Map<string, number>();
function note(what: string, a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  agreement.set(what, Math.max(agreement.get(what) ?? 0, worst));
  return worst;
}

afterAll(() => {
  if (agreement.size === 0) return;
  const lines = [...agreement].map(([what, d]) => `  ${what}: ${d.toExponential(2)}`);
  console.info(`max |webgpu − wasm|:\n${lines.join('\n')}`);
});

async function read(t: tf.Tensor): Promise<Float32Array | Int32Array> {
  return (await t.data()) as Float32Array | Int32Array;
}

type CaseValues = Map<string, Float32Array | Int32Array>;

/** Runs a reference case's layer on the active backend and reads every intermediate asynchronously. */
async function runCase(c: RouterCase): Promise<CaseValues> {
  const { layer, x, training } = bindCase(c);
  try {
    const result = layer.apply(x, { training, nodes: layer.nodeNames.filter((n) => n !== 'output') });
    const out: CaseValues = new Map([
      ['output', await read(result.y)],
      ['aux_loss', await read(result.auxLoss)],
    ]);
    for (const [name, t] of result.nodes) out.set(name, await read(t));
    for (const [name, t] of result.stats) out.set(`stat:${name}`, await read(t));
    tf.dispose([result.y, result.auxLoss, ...result.stats.values(), ...result.nodes.values()]);
    return out;
  } finally {
    layer.dispose();
    x.dispose();
  }
}

/** The reference checks of tests/routers/cases.test.ts, on values already read. */
function checkAgainstReference(c: RouterCase, v: CaseValues): void {
  const e = c.expected;
  const get = (name: string) => {
    const t = v.get(name);
    if (!t) throw new Error(`${c.name}: node ${name} not produced`);
    return t;
  };
  const exact = c.router !== 'soft_moe';
  expectClose(get('output'), e.output, `${c.name} output`, 1e-4, 1e-4);
  for (const name of ['logits', 'logits_noisy', 'gates', 'plan', 'combine'] as const) {
    if (e[name]) expectClose(get(name), e[name], `${c.name} ${name}`, 1e-5);
  }
  if (e.dispatch) expectClose(get('dispatch'), e.dispatch, `${c.name} dispatch`, exact ? 0 : 1e-5);
  if (e.expert_inputs) expectClose(get('expert_inputs'), e.expert_inputs, `${c.name} expert_inputs`, 1e-4, 1e-4);
  if (e.expert_outputs) expectClose(get('expert_outputs'), e.expert_outputs, `${c.name} expert_outputs`, 1e-4, 1e-4);
  for (const name of ['kept', 'selected_tokens', 'experts_per_token'] as const) {
    if (e[name]) expectClose(get(name), e[name], `${c.name} ${name}`, 0);
  }
  const aux = e.aux ?? {};
  if (aux.importance_loss) expectClose(get('importance_loss'), aux.importance_loss, `${c.name} importance_loss`, 1e-5, 1e-4);
  if (aux.load_loss) expectClose(get('load_loss'), aux.load_loss, `${c.name} load_loss`, 1e-5, 1e-4);
  const auxGroups = aux.auxiliary_loss ? flat(aux.auxiliary_loss) : [];
  const auxExpected = auxGroups.length > 0 ? auxGroups.reduce((s, x) => s + x, 0) / auxGroups.length : 0;
  expectClose(get('aux_loss'), [auxExpected], `${c.name} aux loss`, 1e-6, 1e-4);
}

const CASES = loadCases('router-cases').filter((c) => c.router !== 'top_experts_per_item_dispatch');

const common = { experts: 4, capacityFactor: 1, rounding: 'ceil', multipleOf: 1, group: 4, noise: 1 } as const;
/** Soft MoE first (the acceptance case), then a sparse router of each family, training noise on. */
const STEP_ROUTERS: Record<string, RouterConfig> = {
  soft_moe: { family: 'soft', experts: 4, slots: 2, capacityFactor: 1, rounding: 'round', group: 4, noise: 0 },
  softmax_token_choice: { ...common, family: 'token_choice', normalize: 'softmax', k: 2, capacity: 2, bpr: true, importanceLoss: 0.005, loadLoss: 0.005, iterations: 0, combine: 'softmax' },
  softmax_expert_choice: { ...common, family: 'expert_choice', normalize: 'softmax', capacity: 1, iterations: 0, combine: 'softmax' },
  sinkhorn_token_choice: { ...common, family: 'token_choice', normalize: 'sinkhorn', k: 1, capacity: 1, bpr: false, importanceLoss: 0, loadLoss: 0, iterations: 5, combine: 'plan' },
  sparsity_constrained_expert_choice: { ...common, family: 'expert_choice', normalize: 'sparsity', capacity: 1, iterations: 20, combine: 'plan' },
};

type StepValues = Map<string, Float32Array | Int32Array>;

/**
 * One training step of a 2-block ViT (dense block, then an MoE block) on the active
 * backend: loss = softmax cross-entropy + aux, its gradient for every parameter,
 * then p ← p − 0.1·g. Inputs and initial weights come from JavaScript, so both
 * backends start from identical values.
 */
async function trainingStep(router: RouterConfig): Promise<StepValues> {
  const graph = lowerModel(vitModel({ depth: 2, blocks: [{ kind: 'dense' }, { kind: 'moe', mlp: 8, router }] }));
  const model = createGraphModel(graph, { seed: 7 });
  const B = 4;
  const pixels = Array.from({ length: B * 8 * 8 }, (_, i) => 0.5 + 0.5 * Math.sin(i * 0.37));
  const x = tf.tensor4d(pixels, [B, 8, 8, 1]);
  const labels = tf.tensor1d([0, 2, 1, 2], 'int32');
  const head = model.variables.get('head/kernel')!;
  head.assign(tf.tensor(Array.from({ length: head.size }, (_, i) => Math.cos(i * 1.3)), head.shape));
  const out: StepValues = new Map();
  let logits: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const r = model.forward(x, { training: true, step: 1 });
    logits = tf.keep(r.logits.clone());
    return tf.add(tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), r.logits), r.auxLoss) as tf.Scalar;
  });
  out.set('loss', await read(value));
  out.set('logits', await read(logits!));
  const byVariable = new Map([...model.variables].map(([name, v]) => [v.name, name]));
  for (const [varName, g] of Object.entries(grads)) {
    const name = byVariable.get(varName) ?? varName;
    out.set(`grad:${name}`, await read(g));
    const v = model.variables.get(name)!;
    v.assign(tf.tidy(() => tf.sub(v, tf.mul(g, 0.1))));
  }
  for (const [name, v] of model.variables) out.set(`param:${name}`, await read(v));
  tf.dispose([value, logits!, x, labels, ...Object.values(grads)]);
  model.dispose();
  return out;
}

describe.skipIf(unavailable !== undefined)(SUITE, () => {
  afterEach(() => {
    // A shader the GPU rejects reads as zeros; the tests must see none.
    expect(webgpuErrors()).toEqual([]);
  });

  it('runs on a webgpu adapter and cannot read synchronously (so the runtime never does)', async () => {
    const selection = await selectBackend('webgpu');
    expect(selection.name).toBe('webgpu');
    expect(selection.reason).toMatch(/Dawn/);
    expect(tf.getBackend()).toBe('webgpu');
    const t = tf.tensor([1, 2, 3]);
    expect(Array.from(await t.square().data())).toEqual([1, 4, 9]);
    t.dispose();
  });

  it('every router reference case matches its expected values and agrees with wasm', async () => {
    for (const c of CASES) {
      await selectBackend('wasm');
      const wasm = await runCase(c);
      await selectBackend('webgpu');
      const webgpu = await runCase(c);
      checkAgainstReference(c, webgpu);
      // Same routing decisions as wasm; real values within the README's output tolerance.
      for (const [name, w] of wasm) {
        const d = note(`router ${name}`, webgpu.get(name)!, w);
        const discrete = ['kept', 'selected_tokens', 'experts_per_token'].includes(name) || (name === 'dispatch' && c.router !== 'soft_moe');
        expect(d, `${c.name} ${name}`).toBeLessThanOrEqual(discrete ? 0 : 1e-4);
      }
    }
  });

  it.each(Object.keys(STEP_ROUTERS))('one training step of a tiny ViT with %s agrees with wasm (loss, logits, gradients, update)', async (router) => {
    await selectBackend('wasm');
    const wasm = await trainingStep(STEP_ROUTERS[router]);
    await selectBackend('webgpu');
    const webgpu = await trainingStep(STEP_ROUTERS[router]);
    expect([...webgpu.keys()].sort()).toEqual([...wasm.keys()].sort());
    // Every parameter gets a gradient, the Soft MoE ones included.
    const gradNames = [...wasm.keys()].filter((k) => k.startsWith('grad:'));
    expect(gradNames.filter((k) => k.includes('moe')).length).toBeGreaterThanOrEqual(5);
    for (const [name, w] of wasm) {
      const kind = name.split(':')[0];
      const d = note(`step ${kind} (${router})`, webgpu.get(name)!, w);
      // float32 on two backends with different summation orders: 1e-4 absolute plus 1e-3 of the largest magnitude.
      const scale = Math.max(...Array.from(w, Math.abs));
      expect(d, name).toBeLessThanOrEqual(1e-4 + 1e-3 * scale);
    }
  });
});

/** 3 steps of the trainer on the tiny Soft MoE model with gradient clipping, then an evaluation. */
async function threeTrainingSteps(): Promise<TrainResult> {
  const model = tinyModel();
  try {
    return await train({
      train: tinyTrain({ steps: 3, evalEvery: 3, optimizer: { kind: 'adamw', lr: 1e-2, weightDecay: 1e-4, b1: 0.9, b2: 0.999, clip: 0.5 } }),
      model,
      data: tinyData(),
      logEvery: 1,
      evalBatch: 32,
      augmentation: NO_AUGMENTATION,
    });
  } finally {
    model.dispose();
  }
}

describe.skipIf(unavailable !== undefined)(`${SUITE}: patched kernels and the training loop`, () => {
  afterEach(() => {
    expect(webgpuErrors()).toEqual([]);
  });

  it('transposes int32, bool and int-derived float32 tensors of rank 1 to 5', async () => {
    await selectBackend('webgpu');
    for (const [shape, perm] of [[[3000], [0]], [[40, 70], [1, 0]], [[2, 3, 400], [2, 0, 1]], [[2, 3, 4, 50], [0, 2, 1, 3]], [[2, 3, 4, 5, 10], [4, 3, 2, 1, 0]]] as const) {
      const n = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: n }, (_, i) => (i * 7919) % 100003);
      // Reference: the same transpose in JavaScript.
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
      const outShape = perm.map((p) => shape[p]!);
      const expected = Array.from({ length: n }, (_, o) => {
        let rest = o;
        let from = 0;
        outShape.forEach((_, i) => {
          const below = outShape.slice(i + 1).reduce((a, b) => a * b, 1);
          from += Math.floor(rest / below) * strides[perm[i]!]!;
          rest %= below;
        });
        return values[from]!;
      });
      const [ints, bools, floats] = tf.tidy(() => {
        const x = tf.add(tf.tensor(values, [...shape], 'int32'), tf.scalar(0, 'int32')); // on the GPU
        return [tf.transpose(x, [...perm]), tf.transpose(tf.greater(x, 50000), [...perm]), tf.transpose(tf.cast(x, 'float32'), [...perm])];
      });
      expect(Array.from(await ints.data()), `int32 ${shape}`).toEqual(expected);
      expect(Array.from(await bools.data()), `bool ${shape}`).toEqual(expected.map((v) => (v > 50000 ? 1 : 0)));
      expect(Array.from(await floats.data()), `float32 from int32 ${shape}`).toEqual(expected);
      tf.dispose([ints, bools, floats]);
    }
  });

  it('adds 60 tensors with addN (more inputs than a shader may bind)', async () => {
    await selectBackend('webgpu');
    const parts = Array.from({ length: 60 }, (_, k) => Array.from({ length: 300 }, (_, i) => ((k + 1) * (i + 1)) % 97));
    const sum = tf.tidy(() => tf.addN(parts.map((p) => tf.add(tf.tensor1d(p), 0))));
    expect(Array.from(await sum.data())).toEqual(parts[0]!.map((_, i) => parts.reduce((a, p) => a + p[i]!, 0)));
    sum.dispose();
  });

  it('train(): 3 clipped AdamW steps and an evaluation give the metrics wasm gives', async () => {
    await selectBackend('wasm');
    const wasm = await threeTrainingSteps();
    await selectBackend('webgpu');
    const webgpu = await threeTrainingSteps();
    expect(webgpu.status).toBe('completed');
    expect(webgpu.records.map((r) => `${r.split}@${r.step}`)).toEqual(wasm.records.map((r) => `${r.split}@${r.step}`));
    webgpu.records.forEach((r, i) => {
      const w = wasm.records[i]!;
      for (const key of ['loss', 'aux_loss', 'grad_norm'] as const) {
        if (w[key] === undefined) continue;
        const d = note(`train() ${key}`, [r[key] as number], [w[key] as number]);
        expect(d, `${r.split}@${r.step} ${key}`).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(w[key] as number));
      }
      expect(r.accuracy, `${r.split}@${r.step} accuracy`).toBe(w.accuracy);
    });
    // The clip is active (norms above 0.5), so the norm read drives the update.
    expect(wasm.records.some((r) => (r.grad_norm ?? 0) > 0.5)).toBe(true);
  });
});

describe('webgpu backend availability', () => {
  it.runIf(unavailable !== undefined)('the reason it cannot start says what to install', () => {
    expect(unavailable).toMatch(/npm install webgpu|apt-get install libegl1 libegl-mesa0 libgles2/);
  });
});
