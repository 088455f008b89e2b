// The training loop: batches → forward/backward (tf.variableGrads) → clipped
// AdamW/SGD update, with periodic logging, evaluation, checkpoints, NaN detection
// and cooperative stopping (signals). Library API; the CLI (cli/commands/train.ts)
// adds the run folder, console output and plots around it.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { OptimizerSpec, ResolvedTrain } from '../../compiler/model.ts';
import type { GraphModel } from '../api.ts';
import type { Dataset } from '../data/dataset.ts';
import { BatchSource, defaultAugmentation, type Augmentation } from '../data/batches.ts';
import { checkMatches, pruneCheckpoints, saveCheckpoint, type ExpectedTensor, type LoadedCheckpoint, type NamedArray, type TrainingState } from '../checkpoint/checkpoint.ts';
import { MetricsLog } from './metrics-log.ts';
import { checkTrainingFits } from './memory.ts';
import { classificationLoss, correctCount } from './loss.ts';
import { evaluate, type EvalResult } from './evaluate.ts';
import { Optimizer, type OptimizerParam } from './optimizer.ts';
import { StatsAccumulator } from './router-stats.ts';
import { learningRate } from './schedule.ts';
import { RuntimeFault } from './fault.ts';

/** A record of metrics.jsonl. */
export type MetricsRecord = {
  step: number;
  epoch: number;
  split: 'train' | 'test';
  loss: number;
  aux_loss: number;
  accuracy: number;
  lr?: number;
  images_per_s?: number;
  grad_norm?: number;
  wall_s: number;
} & Record<string, unknown>;

export type TrainEvent =
  | { kind: 'start'; step: number; total: number; stepsPerEpoch: number }
  | { kind: 'step'; step: number; total: number; loss: number; accuracy: number; imagesPerSecond: number; lr: number }
  | { kind: 'log'; record: MetricsRecord }
  | { kind: 'eval'; record: MetricsRecord }
  | { kind: 'checkpoint'; path: string; step: number };

/** Set `requested` (e.g. from a signal handler) to stop after the current step with a checkpoint. */
export interface StopFlag {
  requested?: string;
}

export interface TrainOptions {
  readonly train: ResolvedTrain;
  readonly model: GraphModel;
  readonly data: Dataset;
  /** Where metrics.jsonl and checkpoints/ go; none = nothing written. */
  readonly runDir?: string;
  /** SHA-256 of the run folder's graph.json, recorded in every checkpoint. */
  readonly graphSha256?: string;
  /** Default: defaultAugmentation(image shape) (±2 px shifts up to 32 px images). */
  readonly augmentation?: Augmentation;
  /** Steps between train log records (default 50, or fewer for short runs). */
  readonly logEvery?: number;
  readonly evalBatch?: number;
  /** Keep the last K checkpoints (default 3) and every checkpoint whose step is a multiple of M (default 0 = none). */
  readonly keepLast?: number;
  readonly keepEvery?: number;
  readonly resume?: LoadedCheckpoint;
  /** Stop (with a checkpoint) once this many steps are done, as if interrupted there. */
  readonly stopAt?: number;
  readonly stop?: StopFlag;
  readonly onEvent?: (e: TrainEvent) => void;
}

export interface TrainResult {
  readonly status: 'completed' | 'stopped' | 'diverged';
  /** Steps completed. */
  readonly step: number;
  readonly total: number;
  readonly finalEval?: EvalResult;
  /** The latest evaluation of this session and its step (also after a stop or divergence). */
  readonly lastEval?: EvalResult & { readonly step: number };
  readonly lastCheckpoint?: string;
  readonly records: readonly MetricsRecord[];
  /** For `diverged`: the reason; for `stopped`: what asked to stop. */
  readonly reason?: string;
}

export function totalSteps(train: ResolvedTrain, stepsPerEpoch: number): number {
  return train.steps ?? (train.epochs ?? 1) * stepsPerEpoch;
}

function trainableParams(model: GraphModel): OptimizerParam[] {
  return model.graph.params
    .filter((p) => p.trainable)
    .map((p) => {
      const variable = model.variables.get(p.name);
      if (!variable) throw new Error(`internal: the model has no variable for parameter ${p.name}`);
      return { name: p.name, variable, decay: p.decay };
    });
}

/** Every tensor a checkpoint holds: all model variables, then the optimiser slots (read asynchronously for webgpu). */
export async function snapshot(model: GraphModel, optimizer?: Optimizer): Promise<NamedArray[]> {
  const out: NamedArray[] = [];
  for (const [name, v] of model.variables) out.push({ name, group: 'param', shape: v.shape, data: (await v.data()) as Float32Array });
  if (optimizer) for (const slot of await optimizer.readSlots()) out.push({ ...slot, group: 'optimizer', shape: [...slot.shape] });
  return out;
}

/** The tensors a checkpoint of `graph` holds: every parameter, then (for training) the optimiser's slots. */
export function expectedTensors(graph: Graph, optimizer?: OptimizerSpec): { param: ExpectedTensor[]; optimizer: ExpectedTensor[] } {
  const param = graph.params.map((p) => ({ name: p.name, shape: p.shape }));
  const slots = optimizer ? Optimizer.slotNames(optimizer) : [];
  const trainable = graph.params.filter((p) => p.trainable);
  return { param, optimizer: trainable.flatMap((p) => slots.map((s) => ({ name: `${s}/${p.name}`, shape: p.shape }))) };
}

/**
 * Checks, before any weight is touched, that a checkpoint can continue training
 * `graph` with `optimizer`: the same tensors (names, order, shapes) and optimiser.
 */
export function checkResumable(ckpt: LoadedCheckpoint, graph: Graph, optimizer: OptimizerSpec): void {
  if (ckpt.manifest.state.optimizer.kind !== optimizer.kind)
    throw new RuntimeFault('MOE0509', `${ckpt.dir}: the checkpoint's optimiser is ${ckpt.manifest.state.optimizer.kind}, the train block uses ${optimizer.kind}`);
  const expected = expectedTensors(graph, optimizer);
  checkMatches(ckpt, 'param', expected.param);
  checkMatches(ckpt, 'optimizer', expected.optimizer);
}

/** Loads a checkpoint's parameters into the model (refusing any mismatch before assigning anything). */
export function restoreParams(model: GraphModel, ckpt: LoadedCheckpoint): void {
  checkMatches(ckpt, 'param', [...model.variables].map(([name, v]) => ({ name, shape: v.shape })));
  for (const [name, v] of model.variables) {
    const t = ckpt.tensors.get(`param:${name}`)!;
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape as number[], 'float32')));
  }
}

function restoreOptimizer(optimizer: Optimizer, ckpt: LoadedCheckpoint): void {
  optimizer.loadSlots((name) => ckpt.tensors.get(`optimizer:${name}`)!.data as Float32Array, ckpt.manifest.state.optimizer.count);
}

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

export async function train(options: TrainOptions): Promise<TrainResult> {
  const { train: spec, model, data } = options;
  checkTrainingFits(model.graph, spec.batch);
  const shape = data.shape;
  const source = new BatchSource(data.train, shape, spec.batch, spec.seed, options.augmentation ?? defaultAugmentation(shape));
  const total = totalSteps(spec, source.stepsPerEpoch);
  const evalEvery = spec.evalEvery ?? source.stepsPerEpoch;
  const checkpointEvery = spec.checkpointEvery ?? source.stepsPerEpoch;
  const logEvery = options.logEvery ?? Math.max(1, Math.min(50, Math.floor(total / 20)));
  const keepLast = options.keepLast ?? 3;
  const keepEvery = options.keepEvery ?? 0;
  const checkpointsDir = options.runDir ? join(options.runDir, 'checkpoints') : undefined;
  const params = trainableParams(model);
  const varToParam = new Map(params.map((p) => [p.variable.name, p.name]));
  const optimizer = new Optimizer(spec.optimizer, params);
  const records: MetricsRecord[] = [];
  const t0 = performance.now();
  const wall = () => Math.round((performance.now() - t0) / 10) / 100;
  let step = 0;
  let lastCheckpoint: string | undefined;

  const metrics = options.runDir ? new MetricsLog(join(options.runDir, 'metrics.jsonl')) : undefined;
  let lastEval: (EvalResult & { step: number }) | undefined;

  if (options.resume) {
    checkResumable(options.resume, model.graph, spec.optimizer);
    restoreParams(model, options.resume);
    restoreOptimizer(optimizer, options.resume);
    step = options.resume.manifest.state.step;
    lastCheckpoint = options.resume.dir;
  }

  const record = (r: MetricsRecord) => {
    records.push(r);
    metrics?.append(r);
  };
  const epochOf = (s: number) => Math.round((s / source.stepsPerEpoch) * 1000) / 1000;
  const state = (s: number): TrainingState => ({
    step: s,
    epoch: Math.floor(s / source.stepsPerEpoch),
    batchInEpoch: s % source.stepsPerEpoch,
    batch: spec.batch,
    seed: spec.seed,
    optimizer: { kind: spec.optimizer.kind, count: optimizer.count },
    randomStreams: {
      'data/order': 'permutation seeded by hash(seed, "data/order", epoch)',
      'data/augment': 'shifts seeded by hash(seed, "data/augment", step)',
      model: 'every random op seeded by (model seed, node, step)',
    },
    totalSteps: total,
    model: model.graph.meta.model,
    classes: data.classes,
  });
  // Every tensor read in the loop is asynchronous, so that it runs on webgpu too.
  const checkpoint = async (s: number) => {
    if (!checkpointsDir) return;
    // The records up to this step are durable before the checkpoint that a resume truncates them to.
    metrics?.sync();
    lastCheckpoint = saveCheckpoint(checkpointsDir, await snapshot(model, optimizer), state(s), { graphSha256: options.graphSha256 });
    pruneCheckpoints(checkpointsDir, keepLast, keepEvery);
    options.onEvent?.({ kind: 'checkpoint', path: lastCheckpoint, step: s });
  };
  const runEval = async (s: number): Promise<EvalResult> => {
    const e = await evaluate(model, data.test, shape, { loss: spec.loss, step: s, batch: options.evalBatch });
    const r: MetricsRecord = { step: s, epoch: epochOf(s), split: 'test', loss: round(e.loss), aux_loss: round(e.auxLoss), accuracy: round(e.accuracy), wall_s: wall(), ...e.router };
    record(r);
    lastEval = { ...e, step: s };
    options.onEvent?.({ kind: 'eval', record: r });
    return e;
  };

  options.onEvent?.({ kind: 'start', step, total, stepsPerEpoch: source.stepsPerEpoch });
  const window = { loss: 0, aux: 0, correct: 0, images: 0, steps: 0, gradNorm: 0, t: performance.now() };
  const trainStats = new StatsAccumulator();
  let finalEval: EvalResult | undefined;

  try {
    while (step < total) {
      await yieldToEventLoop();
      if (options.stop?.requested || (options.stopAt !== undefined && step >= options.stopAt)) {
        await checkpoint(step);
        return { status: 'stopped', step, total, lastCheckpoint, lastEval, records, reason: options.stop?.requested ?? `stopAt ${options.stopAt}` };
      }
      const batch = source.at(step);
      const lr = learningRate(spec.schedule, spec.optimizer.lr, step, total);
      const x = tf.tensor4d(batch.images, [batch.size, ...shape]);
      const y = tf.tensor1d(batch.labels, 'int32');
      let kept: { ce: tf.Scalar; aux: tf.Scalar; correct: tf.Scalar; stats: Map<string, tf.Tensor> } | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const r = model.forward(x, { training: true, step });
        const ce = classificationLoss(spec.loss, r.logits, y);
        kept = {
          ce: tf.keep(ce.clone()),
          aux: tf.keep(r.auxLoss.clone()),
          correct: tf.keep(correctCount(r.logits, y)),
          stats: new Map([...r.stats].map(([k, t]) => [k, tf.keep(t.clone())])),
        };
        return tf.add(ce, r.auxLoss) as tf.Scalar;
      }, params.map((p) => p.variable));
      const k = kept!;
      const lossValue = (await value.data())[0]!;
      const byName = new Map<string, tf.Tensor>();
      for (const [varName, g] of Object.entries(grads)) byName.set(varToParam.get(varName) ?? varName, g);
      const zeros: tf.Tensor[] = [];
      for (const p of params) if (!byName.has(p.name)) { const z = tf.zerosLike(p.variable); zeros.push(z); byName.set(p.name, z); }
      const release = () => {
        tf.dispose([x, y, value, k.ce, k.aux, k.correct, ...k.stats.values(), ...Object.values(grads), ...zeros]);
      };
      if (!Number.isFinite(lossValue)) {
        release();
        const where = lastCheckpoint ? `; the last good checkpoint is ${lastCheckpoint}` : '';
        return {
          status: 'diverged',
          step,
          total,
          lastCheckpoint,
          lastEval,
          records,
          reason: `the loss became ${lossValue} at step ${step + 1} (lr ${lr.toPrecision(3)})${where}`,
        };
      }
      const { gradNorm } = await optimizer.applyAsync(byName, lr);
      const correctNow = (await k.correct.data())[0]!;
      window.loss += (await k.ce.data())[0]! * batch.size;
      window.aux += (await k.aux.data())[0]! * batch.size;
      window.correct += correctNow;
      window.images += batch.size;
      window.steps += 1;
      window.gradNorm += gradNorm;
      await trainStats.addAsync(k.stats, batch.size);
      const stepAccuracy = correctNow / batch.size;
      release();
      step += 1;

      const seconds = (performance.now() - window.t) / 1000;
      options.onEvent?.({ kind: 'step', step, total, loss: lossValue, accuracy: stepAccuracy, imagesPerSecond: window.images / Math.max(seconds, 1e-9), lr });
      if (step % logEvery === 0 || step === total) {
        const r: MetricsRecord = {
          step,
          epoch: epochOf(step),
          split: 'train',
          loss: round(window.loss / window.images),
          aux_loss: round(window.aux / window.images),
          accuracy: round(window.correct / window.images),
          lr: Number(lr.toPrecision(6)),
          images_per_s: Math.round((window.images / Math.max(seconds, 1e-9)) * 10) / 10,
          grad_norm: round(window.gradNorm / window.steps),
          wall_s: wall(),
          ...trainStats.summary(),
        };
        record(r);
        options.onEvent?.({ kind: 'log', record: r });
        Object.assign(window, { loss: 0, aux: 0, correct: 0, images: 0, steps: 0, gradNorm: 0, t: performance.now() });
        trainStats.reset();
      }
      if (step % evalEvery === 0 || step === total) finalEval = await runEval(step);
      if (step % checkpointEvery === 0 || step === total) await checkpoint(step);
    }
  } finally {
    optimizer.dispose();
    metrics?.close();
  }
  return { status: 'completed', step, total, finalEval, lastEval, lastCheckpoint, records };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
