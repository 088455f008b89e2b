// From a .moe file to what training, evaluation and prediction need: the checked
// model and train block (with command-line overrides), and its op graph.
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { hasErrors } from '../../diagnostics/diagnostic.ts';
import { defaultTrain, loadProgram, selectModel, selectTrain } from '../../compiler/index.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { ResolvedModel, ResolvedTrain } from '../../compiler/model.ts';
import { UserError } from '../../cli/context.ts';

export interface SpecOptions {
  readonly file: string;
  readonly cwd: string;
  /** Train block name (default: the file's only one). */
  readonly train?: string;
  readonly overrides?: readonly string[];
  /** Without a train block, use the file's model and the default train settings. */
  readonly trainOptional?: boolean;
  readonly steps?: number;
  readonly epochs?: number;
  readonly batch?: number;
  readonly seed?: number;
}

export type LoadedSpec =
  | {
      readonly ok: true;
      readonly path: string;
      readonly baseDir: string;
      readonly model: ResolvedModel;
      readonly train: ResolvedTrain;
      readonly graph: Graph;
      readonly diagnostics: readonly Diagnostic[];
      readonly sources: ReadonlyMap<string, string>;
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly sources: ReadonlyMap<string, string> };

function positiveInt(flag: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UserError(`${flag} must be a positive integer, got ${v}`);
}

export function loadSpec(options: SpecOptions): LoadedSpec {
  positiveInt('--steps', options.steps);
  positiveInt('--epochs', options.epochs);
  positiveInt('--batch', options.batch);
  if (options.seed !== undefined && (!Number.isInteger(options.seed) || options.seed < 0)) throw new UserError(`--seed must be a non-negative integer, got ${options.seed}`);
  if (options.steps !== undefined && options.epochs !== undefined) throw new UserError('give --steps or --epochs, not both');
  const path = resolve(options.cwd, options.file);
  // Diagnostics name the file as the user typed it when that path reads the same file.
  const shown = resolve(options.file) === path ? options.file : path;
  const program = loadProgram(shown, { overrides: options.overrides ?? [] });
  const diagnostics = [...program.diagnostics];
  if (hasErrors(diagnostics)) return { ok: false, diagnostics, sources: program.sources };
  let train: ResolvedTrain | undefined;
  if (options.train !== undefined || program.entryTrains.length > 0 || !options.trainOptional) {
    const t = selectTrain(program, options.train);
    for (const d of t.diagnostics) diagnostics.push(d);
    train = t.value;
  }
  const m = selectModel(program, train?.model);
  for (const d of m.diagnostics) diagnostics.push(d);
  if (!m.value || hasErrors(diagnostics)) return { ok: false, diagnostics, sources: program.sources };
  train ??= defaultTrain(m.value.name);
  train = {
    ...train,
    ...(options.batch !== undefined ? { batch: options.batch } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.steps !== undefined ? { steps: options.steps, epochs: undefined } : {}),
    ...(options.epochs !== undefined ? { epochs: options.epochs, steps: undefined } : {}),
  };
  const graph = lowerModel(m.value, { source: path });
  return { ok: true, path, baseDir: dirname(path), model: m.value, train, graph, diagnostics, sources: program.sources };
}
