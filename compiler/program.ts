// loadProgram: entry file → imports → scope (with the standard presets) →
// inheritance and late-bound evaluation → checks → ResolvedModel / ResolvedTrain.
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
import { checkModel, checkRouterDeclaration, checkTrain } from './check/index.ts';
import { buildModel, buildTrain } from './check/build.ts';
import { OVERRIDE_SOURCE, parseOverrides } from './overrides.ts';

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

export function loadProgram(path: string, options: LoadOptions = {}): Program {
  const readFile = options.readFile ?? defaultReadFile;
  const out: Diagnostic[] = [];
  const loaded = loadFiles(path, readFile, parse);
  for (const d of loaded.diagnostics) out.push(d);
  const sources = new Map(loaded.sources);
  const entry = nodePath.normalize(path);
  const entryFile = loaded.files.find((f) => f.path === entry);
  if (!entryFile) {
    return { entry, models: new Map(), trains: new Map(), diagnostics: out, sources, entryModels: [], entryTrains: [], presets: new Map(), files: new Map(), fieldSources: new Map() };
  }
  const preset = presets();
  sources.set(PRESETS_FILE, preset.text);
  for (const d of preset.diagnostics) out.push(d);
  const scope = buildScope(loaded.files, preset.file, out);

  const overrides = options.overrides && options.overrides.length > 0 ? parseOverrides(options.overrides, parse) : undefined;
  if (overrides) {
    sources.set(OVERRIDE_SOURCE, overrides.source);
    for (const d of overrides.diagnostics) out.push(d);
  }
  const entryModels = entryFile.declarations.filter((d): d is ModelDeclaration => d.kind === 'ModelDeclaration').map((d) => d.name.name);
  const entryTrains = entryFile.declarations.filter((d): d is TrainDeclaration => d.kind === 'TrainDeclaration').map((d) => d.name.name);
  // --set applies to --model, else to the entry file's models, else to the models its train blocks name.
  const trainModels = entryFile.declarations.flatMap((d) =>
    d.kind === 'TrainDeclaration' ? d.fields.flatMap((f) => (f.name.name === 'model' && f.value.kind === 'Identifier' ? [f.value.name] : [])) : [],
  );
  const overrideTargets = new Set(options.model ? [options.model] : entryModels.length > 0 ? entryModels : trainModels);
  const modelOverrides: ModelOverrides | undefined = overrides && { fields: overrides.modelFields, routerParams: overrides.routerParams };

  const inheritance = new Inheritance(scope, out);
  const fieldSources = new Map<string, ReadonlyMap<string, readonly FieldSource[]>>();
  const resolveModel = (name: string, report: Diagnostic[], withOverrides = true): ResolvedModel | undefined => {
    const entryDecl = scope.get(name);
    if (!entryDecl || entryDecl.decl.kind !== 'ModelDeclaration') return undefined;
    const diags: Diagnostic[] = [];
    const overridden = withOverrides && overrideTargets.has(name);
    const ctx = buildModelContext(entryDecl.decl, entryDecl.file, inheritance, scope, diags, overridden ? modelOverrides : undefined);
    if (ctx && !fieldSources.has(name)) fieldSources.set(name, ctx.sources);
    if (ctx) diags.push(...checkModel(ctx));
    const routerOverride = overrides?.routerParams[0];
    if (ctx && routerOverride && overridden && ctx.rules.every((r) => r.layer.kind !== 'moe')) {
      diags.push(
        diagnostic('MOE0237', `--set ${routerOverride.name?.name ? `router.${routerOverride.name.name}` : 'router.…'} has no effect: model '${name}' has no MoE block`, routerOverride.span, {
          help: 'add a block rule such as `blocks last 2: moe(soft(experts: 8))`',
        }),
      );
    }
    for (const d of diags) report.push(d);
    return ctx && !hasErrors(diags) ? buildModel(ctx) : undefined;
  };

  // Routers are checked on their own too, so an unused one still gets its diagnostics.
  for (const e of scope.entries.values()) if (!e.preset && e.decl.kind === 'RouterDeclaration') out.push(...checkRouterDeclaration(e.decl, e.file));

  const models = new Map<string, ResolvedModel>();
  const wanted: string[] = [];
  for (const [name, e] of scope.entries) if (!e.preset && e.decl.kind === 'ModelDeclaration') wanted.push(name);
  // Presets join `models` when something refers to them.
  const referenced = new Set<string>();
  const addChain = (name: string | undefined): void => {
    for (let n = name, guard = 0; n && guard < 100; guard++) {
      const e = scope.get(n);
      if (!e || e.decl.kind !== 'ModelDeclaration') break;
      if (e.preset) referenced.add(n);
      n = e.decl.base?.name;
    }
  };
  for (const n of wanted) addChain(n);
  if (options.model) addChain(options.model);

  const trains = new Map<string, ResolvedTrain>();
  const trainDiagnostics: Diagnostic[] = [];
  for (const [name, e] of scope.entries) {
    if (e.decl.kind !== 'TrainDeclaration') continue;
    const file = loaded.files.find((f) => f.path === e.file)!;
    const fileModels = file.declarations.filter((d): d is ModelDeclaration => d.kind === 'ModelDeclaration').map((d) => d.name.name);
    const diags: Diagnostic[] = [];
    const ctx = buildTrainContext(e.decl, e.file, diags, e.file === entry ? overrides?.trainFields : undefined);
    for (const d of checkTrain(ctx, { scope, fileModels })) diags.push(d);
    for (const d of diags) trainDiagnostics.push(d);
    if (!hasErrors(diags)) {
      const t = buildTrain(ctx, fileModels.length === 1 ? fileModels[0] : undefined);
      trains.set(name, t);
      addChain(t.model);
    }
  }

  for (const name of [...wanted, ...referenced]) {
    const m = resolveModel(name, out);
    if (m) models.set(name, m);
  }
  for (const d of trainDiagnostics) out.push(d);
  // A train block whose model failed to check cannot be trained.
  for (const [name, t] of [...trains]) if (!models.has(t.model)) trains.delete(name);

  const presetModels = new Map<string, ResolvedModel>();
  for (const [name, e] of scope.entries) {
    if (!e.preset || e.decl.kind !== 'ModelDeclaration') continue;
    // Presets as shipped: --set changes the program's models, never this catalogue.
    const m = overrideTargets.has(name) ? resolveModel(name, [], false) : (models.get(name) ?? resolveModel(name, []));
    if (m) presetModels.set(name, m);
  }

  return {
    entry,
    models,
    trains,
    diagnostics: sortDiagnostics(dedupe(out)),
    sources,
    entryModels,
    entryTrains,
    presets: presetModels,
    files: new Map([[PRESETS_FILE, preset.file], ...loaded.files.map((f): [string, SpecFile] => [f.path, f])]),
    fieldSources,
  };
}
