// loadProgram: the resolve + check + build part of the compiler driver
// (compiler/compile.ts), as named steps over immutable data:
//
//   parseFiles      entry file → imports → parsed files (+ the standard presets)
//   resolveScope    global scope, `--set` overrides, which models they apply to
//   checkTrains     train rules → ResolvedTrain per train block without errors
//   checkModels     inheritance, late-bound evaluation, model rules → ResolvedModel
//   checkPrograms   rules across declarations (train × model), after models resolve
//   presetCatalogue every standard preset as shipped
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelDeclaration, SpecFile, TrainDeclaration } from '../grammar/ast.ts';
import { parse } from '../grammar/index.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { hasErrors, sortDiagnostics } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/catalogue.ts';
import type { ResolvedModel, ResolvedTrain } from './model.ts';
import { loadFiles } from './resolve/files.ts';
import type { ReadFile } from './resolve/files.ts';
import { buildScope } from './resolve/scope.ts';
import type { Scope } from './resolve/scope.ts';
import { Inheritance, buildModelContext, buildTrainContext } from './resolve/model-context.ts';
import type { FieldSource, ModelOverrides } from './resolve/model-context.ts';
import { checkModel, checkProgramRules, checkRouterDeclaration, checkTrain } from './check/index.ts';
import type { TrainContext } from './resolve/model-context.ts';
import { buildModel, buildTrain } from './check/build.ts';
import { OVERRIDE_SOURCE, parseOverrides } from './overrides.ts';
import type { ProgramRuleContext } from './check/program-rule.ts';

export interface Program {
  /** The entry file's path. */
  readonly entry: string;
  /** Models that checked without errors: those of the loaded files and the presets they reference. */
  readonly models: ReadonlyMap<string, ResolvedModel>;
  readonly trains: ReadonlyMap<string, ResolvedTrain>;
  readonly diagnostics: Diagnostic[];
  /** File text by span file name (for rendering diagnostics). */
  readonly sources: ReadonlyMap<string, string>;
  /** The entry file's own declarations, in source order. */
  readonly entryModels: readonly string[];
  readonly entryTrains: readonly string[];
  /** Every standard preset, resolved as shipped (for --model vit_b16 and listings). */
  readonly presets: ReadonlyMap<string, ResolvedModel>;
  /** Each checked train block's evaluated fields (their spans locate diagnostics across declarations). */
  readonly trainContexts: ReadonlyMap<string, TrainContext>;
  /** Diagnostics of the rules across declarations, per train block (also in `diagnostics`). */
  readonly acrossDiagnostics: ReadonlyMap<string, readonly Diagnostic[]>;
  /** Every declaration by name (absent when the entry file could not be read). */
  readonly scope?: Scope;
  /** The parsed files by span file name: the loaded files and the standard presets (PRESETS_FILE). */
  readonly files: ReadonlyMap<string, SpecFile>;
  /** For each model that resolved its `extends` chain: where each written field came from (own, base, preset, --set). */
  readonly fieldSources: ReadonlyMap<string, ReadonlyMap<string, readonly FieldSource[]>>;
}

export interface LoadOptions {
  /** `--set` flags: `field=value` or `router.param=value`. */
  readonly overrides?: readonly string[];
  /** The model the overrides apply to (default: every model of the entry file). */
  readonly model?: string;
  /** File reader (default: the file system); undefined = cannot read. */
  readonly readFile?: ReadFile;
}

/** Where the standard presets live, and the name their spans carry. */
export const PRESETS_PATH = fileURLToPath(new URL('../specs/presets.moe', import.meta.url));
export const PRESETS_FILE = 'moec/specs/presets.moe';

let presetCache: { file: SpecFile; text: string; diagnostics: Diagnostic[] } | undefined;
function presets(): { file: SpecFile; text: string; diagnostics: Diagnostic[] } {
  if (!presetCache) {
    const text = fs.readFileSync(PRESETS_PATH, 'utf8');
    const parsed = parse(text, PRESETS_FILE);
    presetCache = { file: parsed.file, text, diagnostics: parsed.diagnostics };
  }
  return presetCache;
}

export function defaultReadFile(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}|${d.span?.file}|${d.span?.start.offset}|${d.span?.end.offset}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Step 1: the entry file, everything it imports, and the standard presets, parsed. */
export interface ParsedFiles {
  readonly entry: string;
  readonly files: readonly SpecFile[];
  readonly entryFile?: SpecFile;
  readonly presets: SpecFile;
  readonly sources: ReadonlyMap<string, string>;
  readonly diagnostics: readonly Diagnostic[];
}

export function parseFiles(path: string, readFile: ReadFile): ParsedFiles {
  const loaded = loadFiles(path, readFile, parse);
  const entry = nodePath.normalize(path);
  const preset = presets();
  const sources = new Map(loaded.sources);
  sources.set(PRESETS_FILE, preset.text);
  return {
    entry,
    files: loaded.files,
    entryFile: loaded.files.find((f) => f.path === entry),
    presets: preset.file,
    sources,
    diagnostics: [...loaded.diagnostics, ...preset.diagnostics],
  };
}

/** Step 2: one scope for every declaration, and the `--set` overrides with their targets. */
export interface ResolvedScope {
  readonly scope: Scope;
  readonly inheritance: Inheritance;
  readonly overrides?: ReturnType<typeof parseOverrides>;
  readonly modelOverrides?: ModelOverrides;
  /** The models `--set` applies to. */
  readonly overrideTargets: ReadonlySet<string>;
  readonly entryModels: readonly string[];
  readonly entryTrains: readonly string[];
  /** Filled as models resolve: where each written field of a model came from. */
  readonly fieldSources: Map<string, ReadonlyMap<string, readonly FieldSource[]>>;
}

/** Reports into `out`, also later: inheritance reports as models are flattened. */
export function resolveScope(parsed: ParsedFiles & { entryFile: SpecFile }, options: LoadOptions, out: Diagnostic[]): ResolvedScope {
  const scope = buildScope(parsed.files, parsed.presets, out);
  const overrides = options.overrides && options.overrides.length > 0 ? parseOverrides(options.overrides, parse) : undefined;
  if (overrides) for (const d of overrides.diagnostics) out.push(d);
  const decls = parsed.entryFile.declarations;
  const entryModels = decls.filter((d): d is ModelDeclaration => d.kind === 'ModelDeclaration').map((d) => d.name.name);
  const entryTrains = decls.filter((d): d is TrainDeclaration => d.kind === 'TrainDeclaration').map((d) => d.name.name);
  // --set applies to --model, else to the entry file's models, else to the models its train blocks name.
  const trainModels = decls.flatMap((d) =>
    d.kind === 'TrainDeclaration' ? d.fields.flatMap((f) => (f.name.name === 'model' && f.value.kind === 'Identifier' ? [f.value.name] : [])) : [],
  );
  const overrideTargets = new Set(options.model ? [options.model] : entryModels.length > 0 ? entryModels : trainModels);
  return {
    scope,
    inheritance: new Inheritance(scope, out),
    ...(overrides ? { overrides, modelOverrides: { fields: overrides.modelFields, routerParams: overrides.routerParams } } : {}),
    overrideTargets,
    entryModels,
    entryTrains,
    fieldSources: new Map(),
  };
}

/** Checks one model (with `--set` when it is a target) and builds it when it has no errors. */
function checkModelNamed(r: ResolvedScope, name: string, report: Diagnostic[], withOverrides = true): ResolvedModel | undefined {
  const entryDecl = r.scope.get(name);
  if (!entryDecl || entryDecl.decl.kind !== 'ModelDeclaration') return undefined;
  const diags: Diagnostic[] = [];
  const overridden = withOverrides && r.overrideTargets.has(name);
  const ctx = buildModelContext(entryDecl.decl, entryDecl.file, r.inheritance, r.scope, diags, overridden ? r.modelOverrides : undefined);
  if (ctx && !r.fieldSources.has(name)) r.fieldSources.set(name, ctx.sources);
  if (ctx) for (const d of checkModel(ctx)) diags.push(d);
  const routerOverride = r.overrides?.routerParams[0];
  if (ctx && routerOverride && overridden && ctx.rules.every((rule) => rule.layer.kind !== 'moe')) {
    diags.push(
      diagnostic('MOE0237', `--set ${routerOverride.name?.name ? `router.${routerOverride.name.name}` : 'router.…'} has no effect: model '${name}' has no MoE block`, routerOverride.span, {
        help: 'add a block rule such as `blocks last 2: moe(soft(experts: 8))`',
      }),
    );
  }
  for (const d of diags) report.push(d);
  return ctx && !hasErrors(diags) ? buildModel(ctx) : undefined;
}

/** The model `name` and the presets it extends, when they are presets (presets join the program only when used). */
function presetChain(scope: Scope, name: string | undefined): string[] {
  const out: string[] = [];
  for (let n = name, guard = 0; n && guard < 100; guard++) {
    const e = scope.get(n);
    if (!e || e.decl.kind !== 'ModelDeclaration') break;
    if (e.preset) out.push(n);
    n = e.decl.base?.name;
  }
  return out;
}

export interface CheckedTrain {
  readonly train: ResolvedTrain;
  readonly context: TrainContext;
}

/** Step 3: every train block, checked on its own; built when it has no errors. */
export function checkTrains(parsed: ParsedFiles, r: ResolvedScope, report: Diagnostic[]): Map<string, CheckedTrain> {
  const trains = new Map<string, CheckedTrain>();
  for (const [name, e] of r.scope.entries) {
    if (e.decl.kind !== 'TrainDeclaration') continue;
    const file = parsed.files.find((f) => f.path === e.file)!;
    const fileModels = file.declarations.filter((d): d is ModelDeclaration => d.kind === 'ModelDeclaration').map((d) => d.name.name);
    const diags: Diagnostic[] = [];
    const context = buildTrainContext(e.decl, e.file, diags, e.file === parsed.entry ? r.overrides?.trainFields : undefined);
    for (const d of checkTrain(context, { scope: r.scope, fileModels })) diags.push(d);
    for (const d of diags) report.push(d);
    if (!hasErrors(diags)) trains.set(name, { train: buildTrain(context, fileModels.length === 1 ? fileModels[0] : undefined), context });
  }
  return trains;
}

/** Step 4: the program's own models, and the presets it uses, checked and built. */
export function checkModels(r: ResolvedScope, used: readonly string[], report: Diagnostic[]): Map<string, ResolvedModel> {
  const wanted: string[] = [];
  for (const [name, e] of r.scope.entries) if (!e.preset && e.decl.kind === 'ModelDeclaration') wanted.push(name);
  const referenced = new Set<string>();
  for (const n of [...wanted, ...used]) for (const p of presetChain(r.scope, n)) referenced.add(p);
  const models = new Map<string, ResolvedModel>();
  for (const name of [...wanted, ...referenced]) {
    const m = checkModelNamed(r, name, report);
    if (m) models.set(name, m);
  }
  return models;
}

/** Step 5: rules that see a train block together with its resolved model. */
export function checkPrograms(r: ResolvedScope, trains: ReadonlyMap<string, CheckedTrain>, models: ReadonlyMap<string, ResolvedModel>): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const [name, { train, context }] of trains) {
    const model = models.get(train.model);
    if (model) out.set(name, checkProgramRules(programRuleContext(model, train, context, r.scope)));
  }
  return out;
}

/** What a program rule sees: the pair, and where the train block wrote each field. */
export function programRuleContext(model: ResolvedModel, train: ResolvedTrain, context: TrainContext | undefined, scope?: Scope, flags: ReadonlySet<string> = new Set()): ProgramRuleContext {
  const modelDecl = scope?.get(model.name)?.decl;
  return {
    model,
    train,
    fieldSpan: (field) => (flags.has(field) ? undefined : context?.fields.get(field)?.value.span),
    fromFlag: (field) => flags.has(field),
    ...(context ? { trainSpan: context.decl.name.span } : {}),
    ...(modelDecl ? { modelSpan: modelDecl.name.span } : {}),
  };
}

/** Step 6: every standard preset as shipped (--set changes the program's models, never this catalogue). */
export function presetCatalogue(r: ResolvedScope, models: ReadonlyMap<string, ResolvedModel>): Map<string, ResolvedModel> {
  const out = new Map<string, ResolvedModel>();
  for (const [name, e] of r.scope.entries) {
    if (!e.preset || e.decl.kind !== 'ModelDeclaration') continue;
    const m = r.overrideTargets.has(name) ? checkModelNamed(r, name, [], false) : (models.get(name) ?? checkModelNamed(r, name, []));
    if (m) out.set(name, m);
  }
  return out;
}

/** The resolve + check + build steps: a file and its imports → checked, resolved models and train blocks. */
export function loadProgram(path: string, options: LoadOptions = {}): Program {
  const parsed = parseFiles(path, options.readFile ?? defaultReadFile);
  const out: Diagnostic[] = [...parsed.diagnostics];
  const { entry, entryFile, sources } = parsed;
  if (!entryFile) {
    return { entry, models: new Map(), trains: new Map(), diagnostics: sortDiagnostics(dedupe(out)), sources, entryModels: [], entryTrains: [], presets: new Map(), trainContexts: new Map(), acrossDiagnostics: new Map(), files: new Map(), fieldSources: new Map() };
  }
  const resolved = resolveScope({ ...parsed, entryFile }, options, out);
  const allSources = new Map(sources);
  if (resolved.overrides) allSources.set(OVERRIDE_SOURCE, resolved.overrides.source);

  // Routers are checked on their own too, so an unused one still gets its diagnostics.
  for (const e of resolved.scope.entries.values()) if (!e.preset && e.decl.kind === 'RouterDeclaration') for (const d of checkRouterDeclaration(e.decl, e.file)) out.push(d);

  const trainDiagnostics: Diagnostic[] = [];
  const checkedTrains = checkTrains(parsed, resolved, trainDiagnostics);
  const used = [...(options.model ? [options.model] : []), ...[...checkedTrains.values()].map((t) => t.train.model)];
  const models = checkModels(resolved, used, out);
  for (const d of trainDiagnostics) out.push(d);
  // A train block whose model failed to check cannot be trained.
  for (const [name, t] of [...checkedTrains]) if (!models.has(t.train.model)) checkedTrains.delete(name);
  const across = checkPrograms(resolved, checkedTrains, models);
  for (const list of across.values()) for (const d of list) out.push(d);

  return {
    entry,
    models,
    trains: new Map([...checkedTrains].map(([name, t]) => [name, t.train])),
    diagnostics: sortDiagnostics(dedupe(out)),
    sources: allSources,
    entryModels: resolved.entryModels,
    entryTrains: resolved.entryTrains,
    presets: presetCatalogue(resolved, models),
    trainContexts: new Map([...checkedTrains].map(([name, t]) => [name, t.context])),
    acrossDiagnostics: across,
    scope: resolved.scope,
    files: new Map([[PRESETS_FILE, parsed.presets], ...parsed.files.map((f): [string, SpecFile] => [f.path, f])]),
    fieldSources: resolved.fieldSources,
  };
}
