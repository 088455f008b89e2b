// `moec study`: trains several specs on the same data, steps, batch and seed with
// the training loop of runtime/train, and collects one StudyEntry per spec.
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { ResolvedModel, ResolvedTrain } from '../../compiler/model.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import { compile } from '../../compiler/compile.ts';
import { train, totalSteps, type TrainEvent } from '../train/trainer.ts';
import { loadDataset, type Dataset } from '../data/index.ts';
import { dataIdentity, formatData } from '../data/signatures.ts';
import { createGraphModel } from '../executor/graph-model.ts';
import type { GraphModel } from '../api.ts';
import { flopsPerImage, parameterCount } from '../train/summary.ts';
import { UserError } from '../../diagnostics/fault.ts';
import { expertCount, moeBlockCount, routerLabel, TrainingClock, type CurvePoint, type StudyEntry } from './entry.ts';

export interface StudyOptions {
  readonly files: readonly string[];
  readonly cwd: string;
  /** Steps for every spec (default: the first spec's train block length). */
  readonly steps?: number;
  readonly seed?: number;
  readonly batch?: number;
  readonly onProgress?: (message: string) => void;
  /** Called with each spec's diagnostics (warnings or errors). */
  readonly onDiagnostics?: (diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>) => void;
}

/** One compiled spec of a study. */
export interface StudySpec {
  /** The spec's absolute path. */
  readonly path: string;
  /** Its folder (relative data paths are read from there). */
  readonly baseDir: string;
  readonly model: ResolvedModel;
  readonly train: ResolvedTrain;
  readonly graph: Graph;
}

export interface StudyPlan {
  readonly specs: readonly StudySpec[];
  readonly steps: number;
  readonly batch: number;
  readonly seed: number;
  readonly dataKey: string;
}

/** The same data, whatever the spelling: data set and arguments, paths resolved against the spec's folder. */
function dataKey(spec: { readonly train: ResolvedTrain; readonly baseDir: string }): string {
  return dataIdentity(spec.train.data, spec.baseDir, resolve);
}

/** Describes a data spec for tables: `mnist(train: 8000, test: 2000)`. */
export function describeData(t: ResolvedTrain): string {
  return formatData(t.data);
}

/** Loads every spec and fixes the shared settings; every spec must train on the same data and image size. */
export function planStudy(options: StudyOptions): StudyPlan | undefined {
  if (options.files.length === 0) throw new UserError('moec study needs at least one .moe file');
  const loaded: StudySpec[] = [];
  let failed = false;
  for (const file of options.files) {
    const c = compile(file, { cwd: options.cwd, trainFlags: { seed: options.seed, batch: options.batch } });
    if (c.diagnostics.length > 0) options.onDiagnostics?.(c.diagnostics, c.sources);
    if (!c.ok || !c.model || !c.train) failed = true;
    else loaded.push({ path: c.path, baseDir: dirname(c.path), model: c.model, train: c.train, graph: c.graph() });
  }
  if (failed) return undefined;
  const first = loaded[0]!;
  for (const s of loaded.slice(1)) {
    if (dataKey(s) !== dataKey(first))
      throw new UserError(
        `a study trains every spec on the same data, but ${s.path} uses ${describeData(s.train)} and ${first.path} uses ${describeData(first.train)}`,
        'give every train block the same data field',
      );
    if (s.model.image.join('x') !== first.model.image.join('x'))
      throw new UserError(`${s.path}: image ${s.model.image.join('x')} differs from ${first.path}'s ${first.model.image.join('x')}`, 'a study compares models on the same images');
  }
  const batch = options.batch ?? first.train.batch;
  const seed = options.seed ?? first.train.seed;
  // Without --steps: the first spec's length (its steps, or epochs × steps per epoch, resolved after loading the data).
  const steps = options.steps ?? first.train.steps ?? -1;
  return { specs: loaded, steps, batch, seed, dataKey: dataKey(first) };
}

/** Trains one spec with the study's shared settings and measures it. */
export async function runStudyEntry(
  spec: StudySpec,
  data: Dataset,
  plan: { steps: number; batch: number; seed: number },
  onProgress?: (m: string) => void,
  /** Runs on the trained model before it is freed (the study report's routing pictures); not timed. */
  afterTraining?: (model: GraphModel) => Promise<void>,
): Promise<StudyEntry> {
  const trainSpec: ResolvedTrain = { ...spec.train, batch: plan.batch, seed: plan.seed, steps: plan.steps, epochs: undefined };
  const model = createGraphModel(spec.graph, { seed: plan.seed });
  const clock = new TrainingClock();
  const curve: CurvePoint[] = [];
  const base = {
    file: spec.path,
    model: spec.model.name,
    router: routerLabel(spec.graph),
    steps: plan.steps,
    batch: plan.batch,
    params: parameterCount(spec.graph),
    forwardFlopsPerImage: flopsPerImage(spec.graph),
    moeBlocks: moeBlockCount(spec.graph),
    ...(expertCount(spec.graph) !== undefined ? { experts: expertCount(spec.graph) } : {}),
  };
  const onEvent = (e: TrainEvent): void => {
    if (e.kind === 'start') clock.start();
    else if (e.kind === 'step') clock.stepDone();
    else if (e.kind === 'eval') {
      clock.excludeSinceLastStep();
      curve.push({ seconds: clock.trainingSeconds(), step: e.record.step, accuracy: e.record.accuracy });
    } else if (e.kind === 'log') {
      clock.excludeSinceLastStep();
      onProgress?.(`  ${spec.model.name}: step ${e.record.step}/${plan.steps}, loss ${e.record.loss.toFixed(4)}, ${e.record.images_per_s ?? '?'} img/s`);
    }
  };
  try {
    const result = await train({ train: trainSpec, model, data, onEvent, logEvery: Math.max(1, Math.floor(plan.steps / 4)) });
    const seconds = clock.trainingSeconds();
    if (result.status === 'completed') await afterTraining?.(model);
    return {
      ...base,
      status: result.status === 'completed' ? 'completed' : 'diverged',
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.finalEval ? { finalAccuracy: result.finalEval.accuracy, finalLoss: result.finalEval.loss } : {}),
      trainSeconds: seconds,
      imagesPerSecond: seconds > 0 ? (result.step * plan.batch) / seconds : 0,
      curve,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    const reason = error instanceof UserError && error.code ? `${error.code}: ${message}` : message;
    return { ...base, status: 'failed', reason, trainSeconds: clock.trainingSeconds(), imagesPerSecond: 0, curve };
  } finally {
    model.dispose();
  }
}

export async function loadStudyData(plan: StudyPlan): Promise<{ data: Dataset; steps: number }> {
  const first = plan.specs[0]!;
  const data = await loadDataset(first.train.data, { shape: first.model.image, classes: first.model.classes, baseDir: first.baseDir });
  const perEpoch = Math.max(1, Math.floor(data.train.count / plan.batch));
  const steps = plan.steps > 0 ? plan.steps : totalSteps({ ...first.train, batch: plan.batch }, perEpoch);
  return { data, steps };
}

export const studyPath = (cwd: string, out: string | undefined): string =>
  resolve(cwd, out ?? `runs/study-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}`);
