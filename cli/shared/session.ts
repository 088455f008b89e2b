// From a spec file named on the command line to a Compilation (compiler/compile.ts),
// with the file's diagnostics printed; `inferenceTarget`, what eval and predict run
// (a run folder's own graph, or a compiled spec); and `withModel`, the one place a
// command builds a runnable model from a graph (with a checkpoint's weights) and frees it.
import type { Compilation, CompileOptions } from '../../compiler/compile.ts';
import { compile } from '../../compiler/compile.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { GraphModel } from '../../runtime/api.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { restoreParams } from '../../runtime/train/trainer.ts';
import type { LoadedCheckpoint } from '../../runtime/checkpoint/checkpoint.ts';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ResolvedTrain } from '../../compiler/model.ts';
import { checkGraphHash } from '../../runtime/checkpoint/checkpoint.ts';
import { openRun, runTrainSettings, type RunFolder } from '../../runtime/run/open-run.ts';
import { UserError, type CliContext } from '../context.ts';
import { readSourceFile } from '../files.ts';

export interface SpecRequest extends Omit<CompileOptions, 'cwd' | 'readFile'> {
  /** How diagnostics are printed (default text). */
  readonly format?: 'text' | 'json';
}

/**
 * Compiles `file` (relative to the command's folder) and prints its diagnostics.
 * Returns the compilation when it is ok, else undefined (the command exits 1).
 * A file that cannot be read is a UserError naming it.
 */
export function compileSpec(file: string, request: SpecRequest, ctx: CliContext): (Compilation & { model: NonNullable<Compilation['model']> }) | undefined {
  readSourceFile(file, ctx.cwd);
  const { format = 'text', ...options } = request;
  const compilation = compile(file, { cwd: ctx.cwd, ...options });
  if (compilation.diagnostics.length > 0) ctx.printDiagnostics(compilation.diagnostics, compilation.sources, format);
  return compilation.ok && compilation.model ? (compilation as Compilation & { model: NonNullable<Compilation['model']> }) : undefined;
}

/**
 * Runs `fn` with a model of `graph` (seeded; then the checkpoint's weights, or whatever
 * `load` assigns), disposing it afterwards.
 */
export async function withModel<T>(
  graph: Graph,
  options: { seed: number; checkpoint?: LoadedCheckpoint; load?: (model: GraphModel) => void },
  fn: (model: GraphModel) => Promise<T>,
): Promise<T> {
  const model = createGraphModel(graph, { seed: options.seed });
  try {
    if (options.checkpoint) restoreParams(model, options.checkpoint);
    options.load?.(model);
    return await fn(model);
  } finally {
    model.dispose();
  }
}

/** What eval and predict run: a graph, the data and loss it was trained with, and where its weights are. */
export interface InferenceTarget {
  readonly graph: Graph;
  readonly image: readonly [number, number, number];
  readonly classes: number;
  readonly train: ResolvedTrain;
  /** Relative data paths are read from here. */
  readonly baseDir: string;
  /** The --checkpoint value, or the run folder itself (its newest checkpoint). */
  readonly checkpoint?: string;
  /** The run folder, when the target is one (its graph.json is what runs). */
  readonly run?: RunFolder;
}

/**
 * `moec eval|predict RUN_DIR` runs the run's own graph.json with the train settings of
 * its spec.resolved.moe; `moec eval|predict SPEC --checkpoint DIR` compiles the spec.
 * Returns undefined when the spec has errors (printed).
 */
export function inferenceTarget(target: string, flags: { checkpoint?: string; train?: string; set: readonly string[] }, ctx: CliContext): InferenceTarget | undefined {
  const path = resolve(ctx.cwd, target);
  if (existsSync(path) && statSync(path).isDirectory()) {
    if (flags.set.length > 0) throw new UserError(`--set does not apply to a run folder: ${target} runs the graph it was trained with`, 'give the spec instead: moec eval SPEC --set … --checkpoint RUN');
    const run = openRun(path);
    const { train, baseDir } = runTrainSettings(run);
    const vit = run.graph.vit;
    if (!vit) throw new UserError(`${target}: graph.json is not a whole ViT (no image size)`, undefined, 'MOE0520');
    return { graph: run.graph, image: vit.image, classes: vit.classes, train, baseDir, checkpoint: flags.checkpoint ?? target, run };
  }
  const compiled = compileSpec(target, { overrides: flags.set, ...(flags.train !== undefined ? { train: flags.train } : {}) }, ctx);
  if (!compiled) return undefined;
  return {
    graph: compiled.graph(),
    image: compiled.model.image,
    classes: compiled.model.classes,
    train: compiled.train!,
    baseDir: dirname(compiled.path),
    ...(flags.checkpoint !== undefined ? { checkpoint: flags.checkpoint } : {}),
  };
}

/** Verifies that a moec checkpoint was written for the run's graph.json (graphSha256, when the manifest records it). */
export function checkRunCheckpoint(target: InferenceTarget, checkpoint: LoadedCheckpoint | undefined): void {
  if (target.run && checkpoint) checkGraphHash(checkpoint, target.run.graphText, join(target.run.dir, 'graph.json'));
}
