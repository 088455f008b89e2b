// The compiler driver: one entry every front end calls (check, compile, train, eval,
// predict, bench, study, export, the language server, tests). Named steps over
// immutable data, diagnostics as data (never exceptions), the graph lowered lazily:
//
//   parse → resolve → check → build      loadProgram (compiler/program.ts)
//   select                                the model and train block asked for, train flags merged
//   check across declarations             the selected pair again when flags changed it
//   lower                                 compilation.graph(), on first use, cached
import * as nodePath from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { hasErrors, sortDiagnostics } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/catalogue.ts';
import type { Graph } from './graph/ir.ts';
import type { ResolvedModel, ResolvedTrain } from './model.ts';
import type { ReadFile } from './resolve/files.ts';
import { defaultReadFile, loadProgram, programRuleContext, type Program } from './program.ts';
import { selectModel, selectTrain } from './select.ts';
import { defaultTrain } from './check/build.ts';
import { checkProgramRules } from './check/index.ts';
import { lowerModel } from './lower/index.ts';

export interface TrainFlags {
  readonly steps?: number;
  readonly epochs?: number;
  readonly batch?: number;
  readonly seed?: number;
}

export interface CompileOptions {
  /** The folder the entry (and, with the default reader, every path) is resolved against (default: process.cwd()). */
  readonly cwd?: string;
  /** File reader (default: the file system, relative to `cwd`); undefined = cannot read. */
  readonly readFile?: ReadFile;
  /** `--set` flags: `field=value` or `router.param=value`. */
  readonly overrides?: readonly string[];
  /** Which model (default: the entry file's only one, or the train block's). */
  readonly model?: string;
  /**
   * The train block: a name; false when none is needed (no train is selected);
   * undefined: the entry file's only one, else the default train settings.
   */
  readonly train?: string | false;
  /** Command-line training settings that replace the train block's. */
  readonly trainFlags?: TrainFlags;
  /**
   * false: only check the program (every declaration of the file and its imports), choose no
   * model or train block: `moec check` and the language server. Default true.
   */
  readonly select?: boolean;
}

export interface Compilation {
  /** No error diagnostics, and the model (and train, unless `train: false`) were selected (with `select: false`: no errors). */
  readonly ok: boolean;
  /** The entry path as the diagnostics name it. */
  readonly entry: string;
  /** The entry's absolute path. */
  readonly path: string;
  readonly program: Program;
  readonly model?: ResolvedModel;
  readonly train?: ResolvedTrain;
  readonly diagnostics: readonly Diagnostic[];
  /** Source texts by span file name (for rendering diagnostics). */
  readonly sources: ReadonlyMap<string, string>;
  /** The selected model's op graph, lowered on first call and cached. Throws when there is no model (check `ok`). */
  graph(): Graph;
}

/** Diagnostics for command-line training settings (they have no place in a file). */
function trainFlagDiagnostics(flags: TrainFlags): Diagnostic[] {
  const out: Diagnostic[] = [];
  const bad = (text: string) => out.push(diagnostic('MOE0526', text, undefined, { help: 'give a whole number, e.g. --steps 100' }));
  for (const name of ['steps', 'epochs', 'batch'] as const) {
    const v = flags[name];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) bad(`--${name} must be a positive integer, got ${v}`);
  }
  if (flags.seed !== undefined && (!Number.isSafeInteger(flags.seed) || flags.seed < 0)) bad(`--seed must be a non-negative integer, got ${flags.seed}`);
  if (flags.steps !== undefined && flags.epochs !== undefined)
    out.push(diagnostic('MOE0526', 'give --steps or --epochs, not both', undefined, { help: '--steps counts optimiser steps, --epochs passes over the training split' }));
  return out;
}

function withFlags(train: ResolvedTrain, flags: TrainFlags): ResolvedTrain {
  return {
    ...train,
    ...(flags.batch !== undefined ? { batch: flags.batch } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.steps !== undefined ? { steps: flags.steps, epochs: undefined } : {}),
    ...(flags.epochs !== undefined ? { epochs: flags.epochs, steps: undefined } : {}),
  };
}

/** The select step: the train block asked for (or defaults), then its model (or the one asked for). */
function selectPair(program: Program, options: CompileOptions): { model?: ResolvedModel; train?: ResolvedTrain; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let train: ResolvedTrain | undefined;
  if (typeof options.train === 'string' || (options.train === undefined && program.entryTrains.length > 0 && options.model === undefined)) {
    const t = selectTrain(program, options.train === undefined ? undefined : options.train);
    for (const d of t.diagnostics) diagnostics.push(d);
    train = t.value;
    if (!train) return { diagnostics };
  } else if (options.train === undefined && options.model !== undefined) {
    // --model with train blocks in the file: the file's only train block for that model, if any.
    const own = program.entryTrains.map((n) => program.trains.get(n)).filter((t): t is ResolvedTrain => t?.model === options.model);
    if (own.length === 1) train = own[0];
  }
  const m = selectModel(program, options.model ?? train?.model);
  for (const d of m.diagnostics) diagnostics.push(d);
  if (!m.value) return { diagnostics };
  if (options.train === false) return { model: m.value, diagnostics };
  train ??= defaultTrain(m.value.name);
  if (train.model !== m.value.name) train = { ...train, model: m.value.name };
  return { model: m.value, train, diagnostics };
}

/** Compiles the spec at `entry`: every diagnostic, the selected model and train block, and (lazily) its graph. */
export function compile(entry: string, options: CompileOptions = {}): Compilation {
  const cwd = options.cwd ?? process.cwd();
  const path = nodePath.resolve(cwd, entry);
  const readFile = options.readFile ?? ((p: string) => defaultReadFile(nodePath.resolve(cwd, p)));
  const flagDiagnostics = trainFlagDiagnostics(options.trainFlags ?? {});
  const program = loadProgram(entry, { readFile, ...(options.overrides ? { overrides: options.overrides } : {}), ...(options.model ? { model: options.model } : {}) });
  let diagnostics: Diagnostic[] = [...program.diagnostics, ...flagDiagnostics];
  const unreadable = !program.sources.has(program.entry);
  if (unreadable) {
    diagnostics.push(diagnostic('MOE0525', `cannot read '${entry}'`, undefined, { help: `check the path; it is relative to ${cwd}` }));
  }
  let model: ResolvedModel | undefined;
  let train: ResolvedTrain | undefined;
  // Rules across declarations do not stop selection: flags may change the pair they judged.
  const acrossAll = new Set([...program.acrossDiagnostics.values()].flat());
  if (options.select !== false && !unreadable && !hasErrors(diagnostics.filter((d) => !acrossAll.has(d)))) {
    const selected = selectPair(program, options);
    for (const d of selected.diagnostics) diagnostics.push(d);
    model = selected.model;
    if (selected.train && model) {
      const flags = options.trainFlags ?? {};
      train = withFlags(selected.train, flags);
      // The declared pair was checked by loadProgram; check again what the flags or --model changed.
      const declared = program.trains.get(train.name);
      const flagged = new Set(Object.entries(flags).filter(([, v]) => v !== undefined).map(([k]) => k));
      // Default train settings (no train block) are a fallback, not the user's pairing: not judged.
      if (declared && (declared.model !== model.name || flagged.size > 0)) {
        const context = declared ? program.trainContexts.get(train.name) : undefined;
        const stale = new Set(program.acrossDiagnostics.get(train.name) ?? []);
        diagnostics = diagnostics.filter((d) => !stale.has(d));
        for (const d of checkProgramRules(programRuleContext(model, train, context, program.scope, flagged))) diagnostics.push(d);
      }
    }
  }
  const sorted = sortDiagnostics(diagnostics);
  const ok = !hasErrors(sorted) && (options.select === false ? !unreadable : model !== undefined && (options.train === false || train !== undefined));
  let graph: Graph | undefined;
  return {
    ok,
    entry: program.entry,
    path,
    program,
    ...(model ? { model } : {}),
    ...(train ? { train } : {}),
    diagnostics: sorted,
    sources: program.sources,
    graph() {
      if (!model) throw new Error(`compile(${entry}): no model to lower (check .ok and .diagnostics first)`);
      graph ??= lowerModel(model, { source: path });
      return graph;
    },
  };
}

/** A reader over in-memory files (path → text), for specs that exist only as strings. */
export function inMemoryFiles(files: Readonly<Record<string, string>>): ReadFile {
  return (path) => (Object.prototype.hasOwnProperty.call(files, path) ? files[path] : undefined);
}
