// `moec train FILE`: trains the model of a .moe file with its train block
// (docs/training.md). Writes a run folder, prints the configuration, progress and
// the final test accuracy. Exit 0 done, 1 error or diverged, 130/143 stopped by
// SIGINT/SIGTERM (after saving a checkpoint).
import { dirname, join, relative, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import cliProgress from 'cli-progress';
import pc from 'picocolors';
import { EXIT_ERROR, RuntimeFault, UserError, type CliContext } from '../context.ts';
import type { CommandModule } from '../context.ts';
import { activateBackend, parseBackend, parseThreads } from '../shared/backend.ts';
import { backendOption, parseIntFlag, setOption, threadsOption, trainOption } from '../shared/flags.ts';
import { compileSpec } from '../shared/session.ts';
import { selectTrain } from '../../compiler/select.ts';
import { costOf } from '../../compiler/cost.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { loadDataset } from '../../runtime/data/index.ts';
import { defaultAugmentation, type Augmentation } from '../../runtime/data/batches.ts';
import { listCheckpoints, loadCheckpoint, resolveCheckpoint, stepOf } from '../../runtime/checkpoint/checkpoint.ts';
import { printResolvedSpec } from '../../compiler/index.ts';
import type { ResolvedModel, ResolvedTrain } from '../../compiler/model.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import { modelSummary } from '../../runtime/train/summary.ts';
import { latestRun, newRunDir, openTrainingRun, readMetrics, runOfCheckpoint } from '../../runtime/train/run-folder.ts';
import { writeAtomic } from '../../runtime/io/atomic.ts';
import { checkTrainingFits } from '../../runtime/train/memory.ts';
import { train, type StopFlag, type TrainEvent } from '../../runtime/train/trainer.ts';
import { writeTrainingPlots } from '../../runtime/plots/training-plots.ts';
import { reportAfterTraining } from './report.ts';
import { assignWeights, formatImportReport, importVmoeNpz } from '../../export/vmoe/import.ts';

export interface TrainFlags {
  train?: string;
  steps?: string;
  epochs?: string;
  batch?: string;
  seed?: string;
  backend: string;
  threads?: string;
  out?: string;
  set: string[];
  resume?: string | boolean;
  augment?: string;
  logEvery?: string;
  keepLast?: string;
  keepEvery?: string;
  initFrom?: string;
  force?: boolean;
  /** false with --no-report. */
  report?: boolean;
}

/** A stream-like object for cli-progress that writes through the context. */
function progressStream(ctx: CliContext): NodeJS.WritableStream {
  return {
    write: (text: string) => {
      ctx.stderr.write(text);
      return true;
    },
    isTTY: ctx.stderr.isTTY,
    get columns() {
      return ctx.stderr.columns ?? 100;
    },
  } as unknown as NodeJS.WritableStream;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** What prepareTraining checked, loaded and opened: everything a run needs, nothing trained yet. */
interface PreparedTraining {
  readonly file: string;
  readonly flags: TrainFlags;
  readonly spec: {
    readonly path: string;
    readonly baseDir: string;
    readonly model: ResolvedModel;
    readonly train: ResolvedTrain;
    readonly graph: Graph;
    readonly sources: ReadonlyMap<string, string>;
  };
  readonly augmentation: Augmentation;
  readonly resume: ReturnType<typeof loadCheckpoint> | undefined;
  readonly init: ReturnType<typeof importVmoeNpz> | undefined;
  readonly data: Awaited<ReturnType<typeof loadDataset>>;
  readonly runDir: string;
  readonly run: ReturnType<typeof openTrainingRun>;
  /** When preparation started (wall times in summary.json count from here). */
  readonly t0: number;
  readonly out: (line: string) => void;
}

type TrainingResult = Awaited<ReturnType<typeof train>>;

/** `moec train`: prepare (check everything, then open the run folder), run, report. */
export async function runTrain(file: string, flags: TrainFlags, ctx: CliContext): Promise<number> {
  const prepared = await prepareTraining(file, flags, ctx);
  if (typeof prepared === 'number') return prepared;
  const result = await runTraining(prepared, ctx);
  return reportTraining(prepared, result, ctx);
}

/**
 * Compiles the spec, reads the checkpoint or .npz to start from, activates the backend,
 * loads the data, and only then locks and writes the run folder. An exit code when the
 * spec has errors.
 */
async function prepareTraining(file: string, flags: TrainFlags, ctx: CliContext): Promise<PreparedTraining | number> {
  const backendName = parseBackend(flags.backend);
  const threads = parseThreads({ flag: flags.threads, env: ctx.env });
  const trainFlags = {
    steps: parseIntFlag('--steps', flags.steps),
    epochs: parseIntFlag('--epochs', flags.epochs),
    batch: parseIntFlag('--batch', flags.batch),
    seed: parseIntFlag('--seed', flags.seed, 0),
  };
  const compiled = compileSpec(file, { overrides: flags.set, ...(flags.train !== undefined ? { train: flags.train } : {}), trainFlags }, ctx);
  if (!compiled) return EXIT_ERROR;
  if (flags.train === undefined && compiled.program.entryTrains.length === 0) {
    // Training needs a train block (defaults are for eval, predict and study).
    ctx.printDiagnostics(selectTrain(compiled.program).diagnostics, compiled.sources, 'text');
    return EXIT_ERROR;
  }
  const spec = { path: compiled.path, baseDir: dirname(compiled.path), model: compiled.model, train: compiled.train!, graph: compiled.graph(), sources: compiled.sources };
  const shift = parseIntFlag('--augment', flags.augment, 0);
  const chosenShift = shift ?? spec.train.augment;
  const augmentation: Augmentation = chosenShift === undefined ? defaultAugmentation(spec.model.image) : { shift: chosenShift, fill: -1 };
  const runsRoot = resolve(ctx.cwd, 'runs');

  // Resume: --resume / --resume latest → the newest run of this train block; --resume DIR → that run or checkpoint.
  let resumeDir: string | undefined;
  if (flags.resume !== undefined && flags.resume !== false) {
    if (flags.resume === true || flags.resume === 'latest') {
      const run = latestRun(runsRoot, spec.train.name);
      if (!run) throw new UserError(`--resume latest: no run of '${spec.train.name}' with a checkpoint under ${relative(ctx.cwd, runsRoot) || '.'}`, 'start a run first, or give --resume DIR');
      resumeDir = resolveCheckpoint(run);
    } else resumeDir = resolveCheckpoint(resolve(ctx.cwd, flags.resume));
  }
  const resume = resumeDir ? loadCheckpoint(resumeDir) : undefined;
  if (flags.initFrom !== undefined && resume) throw new UserError('--init-from starts a new run; it cannot be combined with --resume');
  // Read before anything is written: a bad file leaves no run folder behind.
  const init = flags.initFrom !== undefined ? importVmoeNpz(resolve(ctx.cwd, flags.initFrom), spec.graph, { upcycle: true, file: flags.initFrom }) : undefined;
  if (resume) {
    const st = resume.manifest.state;
    if (st.batch !== spec.train.batch || st.seed !== spec.train.seed)
      ctx.stderr.write(`warning: the checkpoint was trained with batch ${st.batch} and seed ${st.seed}, this run uses batch ${spec.train.batch} and seed ${spec.train.seed}: the data order will not continue exactly\n`);
  }

  // a small model trains faster on one thread unless threads are asked for (shared/backend.ts threadsForWork)
  const stepFlops = 3 * costOf(spec.graph).flops * spec.train.batch;
  const backend = await activateBackend(backendName, threads, { flopsPerCall: stepFlops });
  // Refused here, before the data loads and the run folder is written.
  checkTrainingFits(spec.graph, spec.train.batch);
  const out = (s: string) => ctx.stdout.write(s + '\n');
  out(pc.bold(`moec train ${file}`) + `  (train block '${spec.train.name}', backend ${backend.label})`);
  out(printResolvedSpec(spec.model, spec.train).trimEnd());
  out(modelSummary(spec.graph));
  out(`augmentation: ${augmentation.shift > 0 ? `random shifts up to ±${augmentation.shift} px` : 'none'}`);

  const t0 = performance.now();
  const data = await loadDataset(spec.train.data, { shape: spec.model.image, classes: spec.model.classes, baseDir: spec.baseDir });
  out(`data: ${data.name}: ${data.train.count} training and ${data.test.count} test images, ${data.classes.length} classes (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  // Everything is checked before the run folder is touched; then it is locked and written atomically.
  const runDir = flags.out ? resolve(ctx.cwd, flags.out) : resume ? (runOfCheckpoint(resume.dir) ?? resolve(resume.dir, '..', '..')) : newRunDir(runsRoot, spec.train.name);
  const run = openTrainingRun({
    dir: runDir,
    force: Boolean(flags.force),
    resume,
    files: {
      specPath: spec.path,
      sources: spec.sources,
      model: spec.model,
      train: spec.train,
      graph: spec.graph,
      overrides: flags.set,
      settings: { backend: backend.label, threads: backend.threads, augmentation, resumedFrom: resumeDir ?? null, initFrom: init ? init.report : null, argv: { file, ...flags } },
    },
  });
  out(`run folder: ${relative(ctx.cwd, runDir) || '.'}${resume ? ` (resuming from step ${resume.manifest.state.step})` : ''}`);
  return { file, flags, spec, augmentation, resume, init, data, runDir, run, t0, out };
}

/** Trains the prepared model (SIGINT/SIGTERM stop after a checkpoint); the run folder is unlocked at the end. */
async function runTraining(prepared: PreparedTraining, ctx: CliContext): Promise<TrainingResult> {
  const { flags, spec, augmentation, resume, init, data, runDir, run, t0, out } = prepared;
  const model = createGraphModel(spec.graph, { seed: spec.train.seed });
  if (init) {
    assignWeights(model, init.weights);
    out(formatImportReport(init.report));
  }
  const stop: StopFlag = {};
  const onSignal = (signal: string) => () => {
    if (stop.requested) return;
    stop.requested = signal;
    ctx.stderr.write(`\n${signal}: saving a checkpoint after this step…\n`);
  };
  const handlers = [['SIGINT', onSignal('SIGINT')], ['SIGTERM', onSignal('SIGTERM')]] as const;
  for (const [s, h] of handlers) process.on(s, h);

  const tty = ctx.stderr.isTTY;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          stream: progressStream(ctx),
          format: 'step {value}/{total} |{bar}| loss {loss} | acc {acc} | {ips} img/s | ETA {eta_formatted}',
          barsize: 24,
          hideCursor: true,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let totalSteps = 0;
  const onEvent = (e: TrainEvent) => {
    switch (e.kind) {
      case 'start':
        totalSteps = e.total;
        bar?.start(e.total, e.step, { loss: '-', acc: '-', ips: '-' });
        if (!tty) out(`training steps ${e.step + 1}..${e.total} (${e.stepsPerEpoch} steps per epoch)`);
        break;
      case 'step':
        bar?.update(e.step, { loss: e.loss.toFixed(4), acc: e.accuracy.toFixed(3), ips: e.imagesPerSecond.toFixed(0) });
        break;
      case 'log':
        if (!tty) {
          const r = e.record;
          out(`step ${r.step}/${totalSteps} epoch ${r.epoch.toFixed(2)} loss ${r.loss.toFixed(4)} acc ${r.accuracy.toFixed(3)} lr ${r.lr?.toExponential(2)} ${r.images_per_s} img/s ${r.wall_s.toFixed(0)} s`);
        }
        break;
      case 'eval': {
        const r = e.record;
        const text = `eval @ step ${r.step}: test loss ${r.loss.toFixed(4)}, accuracy ${(r.accuracy * 100).toFixed(2)}%`;
        if (bar) bar.stop(), ctx.stderr.write(text + '\n'), bar.start(bar.getTotal(), r.step, {});
        else out(text);
        break;
      }
      case 'checkpoint':
        if (!tty) out(`checkpoint: ${relative(runDir, e.path)}`);
        break;
    }
  };

  try {
    return await train({
      train: spec.train,
      model,
      data,
      runDir,
      graphSha256: run.graphSha256,
      augmentation,
      resume,
      stop,
      onEvent,
      logEvery: parseIntFlag('--log-every', flags.logEvery),
      keepLast: parseIntFlag('--keep-last', flags.keepLast),
      keepEvery: parseIntFlag('--keep-every', flags.keepEvery, 0),
    });
  } catch (e) {
    writeFailureSummary(runDir, e, t0);
    throw e;
  } finally {
    bar?.stop();
    for (const [s, h] of handlers) process.off(s, h);
    model.dispose();
    run.lock.release();
  }
}

/** Plots, summary.json and report.html of a finished or stopped run; the exit code. */
async function reportTraining(prepared: PreparedTraining, result: TrainingResult, ctx: CliContext): Promise<number> {
  const { file, flags, data, runDir, t0, out } = prepared;
  const records = readMetrics(runDir);
  try {
    writeTrainingPlots(join(runDir, 'plots'), records);
  } catch (e) {
    ctx.stderr.write(`warning: could not draw the plots: ${(e as Error).message}\n`);
  }
  const seconds = (performance.now() - t0) / 1000;
  // After a stop the last evaluation stands (this session's, else the last one in metrics.jsonl).
  const lastTest = [...records].reverse().find((r) => r.split === 'test');
  const test = result.finalEval ?? result.lastEval ?? (lastTest ? { loss: lastTest.loss, accuracy: lastTest.accuracy, step: lastTest.step } : undefined);
  const summary = {
    status: result.status,
    step: result.step,
    total_steps: result.total,
    test_loss: test?.loss ?? null,
    test_accuracy: test?.accuracy ?? null,
    test_step: result.finalEval ? result.step : (test as { step?: number } | undefined)?.step ?? null,
    wall_s: Math.round(seconds * 10) / 10,
    last_checkpoint: result.lastCheckpoint ? relative(runDir, result.lastCheckpoint) : null,
    reason: result.reason ?? null,
  };
  writeAtomic(join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  if (flags.report !== false) await reportAfterTraining(runDir, data, ctx);
  const where = relative(ctx.cwd, runDir) || '.';
  if (result.status === 'diverged') {
    ctx.printFault(new RuntimeFault('MOE0507', `training stopped: ${result.reason}`, 'lower the learning rate, add warmup or gradient clipping (clip: 1.0)'));
    return EXIT_ERROR;
  }
  if (result.status === 'stopped') {
    out(`stopped at step ${result.step} (${result.reason}); checkpoint ${result.lastCheckpoint ? relative(ctx.cwd, result.lastCheckpoint) : '(none)'}`);
    out(`resume with: moec train ${file} --resume ${where}`);
    return SIGNAL_EXIT[result.reason ?? ''] ?? 0;
  }
  const acc = result.finalEval ? `${(result.finalEval.accuracy * 100).toFixed(2)}%` : 'n/a';
  out(pc.bold(`done: ${result.step} steps in ${seconds.toFixed(0)} s; test accuracy ${acc}, test loss ${result.finalEval?.loss.toFixed(4) ?? 'n/a'}`));
  out(`run folder: ${where} (metrics.jsonl, checkpoints/, plots/)`);
  if (!existsSync(join(runDir, 'plots'))) ctx.stderr.write('warning: no plots were written\n');
  return 0;
}

/** A fault during training (disk full, …): summary.json says so, best effort (the disk may be the fault). */
function writeFailureSummary(runDir: string, err: unknown, t0: number): void {
  try {
    const checkpoints = listCheckpoints(join(runDir, 'checkpoints'));
    const last = checkpoints[checkpoints.length - 1];
    const summary = {
      status: 'failed',
      step: last ? stepOf(last) : 0,
      wall_s: Math.round((performance.now() - t0) / 100) / 10,
      last_checkpoint: last ? relative(runDir, last) : null,
      reason: err instanceof Error ? err.message : String(err),
    };
    writeAtomic(join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  } catch {
    // The original fault is what the user needs to see.
  }
}

export const trainCommand: CommandModule = {
  register(program, ctx, setExit) {
    const command = program
      .command('train')
      .description('train the model of a .moe file with its train block')
      .argument('<file>', '.moe file');
    trainOption(command, 'the train block to run');
    backendOption(command);
    threadsOption(command);
    setOption(command);
    command
      .option('--steps <n>', 'train for n steps (overrides steps/epochs)')
      .option('--epochs <n>', 'train for n epochs (overrides steps/epochs)')
      .option('--batch <n>', 'images per step')
      .option('--seed <n>', 'seed of every random stream')
      .option('--out <dir>', 'run folder (default runs/<train>-<time>/)')
      .option('--resume [latest|dir]', 'continue from the latest run of this train block, or from a run folder or checkpoint')
      .option('--augment <px>', 'largest random shift in pixels (0 = off; default 2 for images up to 32 px)')
      .option('--log-every <n>', 'steps between log lines and train metrics')
      .option('--keep-last <n>', 'checkpoints to keep (default 3)')
      .option('--keep-every <n>', 'also keep every checkpoint whose step is a multiple of n')
      .option('--no-report', 'do not write report.html at the end (moec report RUN writes it later)')
      .option('--init-from <file.npz>', 'start from the parameters of a vmoe/vit_jax/big_vision .npz (a dense ViT upcycles into the MoE blocks)')
      .option('--force', 'with --out: replace an existing run folder there (its checkpoints and metrics are deleted)')
      .action(async (file: string, flags: TrainFlags) => {
        setExit(await runTrain(file, flags, ctx));
      });
  },
};
