// One analysis of an open document: the compiler driver's `compile(…, { select: false })`,
// exactly the call `moec check` makes, with the editor's unsaved texts as the file
// reader, plus lazily computed costs (lowerModel + costOf, as `moec compile`). The
// server never re-implements a phase; it only reads what the compiler returns.
import type { Compilation, Program } from '../../compiler/index.ts';
import { compile, costOf } from '../../compiler/index.ts';
import type { CostSummary } from '../../compiler/cost.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import type { ResolvedModel, ResolvedTrain } from '../../compiler/model.ts';
import type { ReadFile } from '../../compiler/resolve/files.ts';
import type { SpecFile } from '../../grammar/ast.ts';
import type { NamedDeclaration } from '../../compiler/resolve/scope.ts';
import { PRESETS_FILE } from '../../compiler/index.ts';
import { LineMap } from '../../grammar/source.ts';

export interface Analysis {
  /** The entry path (span file name of the document). */
  readonly path: string;
  readonly version: number;
  /** What `moec check` computes for the same texts: every diagnostic, sorted. */
  readonly compilation: Compilation;
  readonly program: Program;
  /** The entry file's AST (always present: the entry text is given). */
  readonly file: SpecFile;
  /** Every file the analysis read (entry, imports, presets). */
  readonly paths: readonly string[];
  /** The resolved model named `name` (a model of the program or a standard preset). */
  model(name: string): ResolvedModel | undefined;
  train(name: string): ResolvedTrain | undefined;
  /** Parameters, active parameters and FLOPs of a resolved model (lowered on first use, cached). */
  cost(name: string): CostSummary | undefined;
  /** The declaration of a model, router or train block by name: the loaded files first, then the presets. */
  declaration(name: string): { decl: NamedDeclaration; file: string } | undefined;
  /** Every declared name of a kind (loaded files and presets), for completion. */
  names(kind: NamedDeclaration['kind']): Array<{ name: string; preset: boolean }>;
  lines(path: string): LineMap | undefined;
}

/** Costs by resolved model (as JSON): unchanged models are not lowered again on each keystroke. */
const costCache = new Map<string, CostSummary>();
const COST_CACHE_SIZE = 64;

export function costOfModel(model: ResolvedModel): CostSummary {
  const key = JSON.stringify(model);
  const hit = costCache.get(key);
  if (hit) return hit;
  const cost = costOf(lowerModel(model));
  if (costCache.size >= COST_CACHE_SIZE) costCache.delete(costCache.keys().next().value as string);
  costCache.set(key, cost);
  return cost;
}

export function analyze(path: string, version: number, readFile: ReadFile): Analysis {
  const compilation = compile(path, { readFile, select: false });
  const program = compilation.program;
  const file = program.files.get(program.entry)!;
  const lineMaps = new Map<string, LineMap>();
  let declarations: Map<string, { decl: NamedDeclaration; file: string }> | undefined;
  const declarationIndex = () => {
    if (declarations) return declarations;
    declarations = new Map();
    // The first declaration of a name wins, and a user declaration shadows a preset (as in the compiler's scope).
    for (const f of program.files.values())
      for (const d of f.declarations) {
        if (d.kind === 'ImportDeclaration') continue;
        const existing = declarations.get(d.name.name);
        if (!existing || (existing.file === PRESETS_FILE && f.path !== PRESETS_FILE)) declarations.set(d.name.name, { decl: d, file: f.path });
      }
    return declarations;
  };
  return {
    path: program.entry,
    version,
    compilation,
    program,
    file,
    paths: [...program.sources.keys()],
    model: (name) => program.models.get(name) ?? program.presets.get(name),
    train: (name) => program.trains.get(name),
    cost(name) {
      const m = this.model(name);
      return m ? costOfModel(m) : undefined;
    },
    declaration: (name) => declarationIndex().get(name),
    names: (kind) =>
      [...declarationIndex()].filter(([, d]) => d.decl.kind === kind).map(([name, d]) => ({ name, preset: d.file === PRESETS_FILE })),
    lines(p) {
      const text = program.sources.get(p);
      if (text === undefined) return undefined;
      let map = lineMaps.get(p);
      if (!map) lineMaps.set(p, (map = new LineMap(text)));
      return map;
    },
  };
}

