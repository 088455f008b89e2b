// From a spec file named on the command line to a Compilation (compiler/compile.ts),
// with the file's diagnostics printed; and `withModel`, the one place a command
// builds a runnable model from a graph (with a checkpoint's weights) and frees it.
import type { Compilation, CompileOptions } from '../../compiler/compile.ts';
import { compile } from '../../compiler/compile.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { GraphModel } from '../../runtime/api.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { restoreParams } from '../../runtime/train/trainer.ts';
import type { LoadedCheckpoint } from '../../runtime/checkpoint/checkpoint.ts';
import type { CliContext } from '../context.ts';
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
