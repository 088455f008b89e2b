// Builds the evaluated form of a model declaration: `extends` applied (child
// fields replace the base's, child rules after the base's), then every field
// evaluated late-bound in dependency order, then every block rule's layer with
// its router looked up and its arguments evaluated.
import type { Argument, BlockRule, Field, ModelDeclaration, TrainDeclaration } from '../../grammar/ast.ts';
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../diagnostics/catalogue.ts';
import { didYouMeanFix } from '../../diagnostics/suggest.ts';
import { evaluate, emptyEnvironment } from './values.ts';
import type { ArgValue, CallValue, Environment, Value } from './values.ts';
import type { Scope } from './scope.ts';
import { kindWord } from './scope.ts';

export interface EvaluatedField {
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: Value;
}

export interface RouterUse {
  /** The declared router's name, when the rule used one. */
  readonly declaredName?: string;
  readonly call: CallValue;
}

export type EvaluatedLayer =
  | { readonly kind: 'dense'; readonly span: Span }
  | { readonly kind: 'moe'; readonly span: Span; readonly router?: RouterUse; readonly args: readonly ArgValue[] };

export interface EvaluatedRule {
  readonly rule: BlockRule;
  readonly layer: EvaluatedLayer;
}

export interface ModelContext {
  readonly name: string;
  readonly decl: ModelDeclaration;
  readonly file: string;
  readonly fields: ReadonlyMap<string, EvaluatedField>;
  readonly rules: readonly EvaluatedRule[];
  /** Where each field's value came from (see FieldSource); absent fields take their default. */
  readonly sources: ReadonlyMap<string, readonly FieldSource[]>;
}

/**
 * One place that gave a model field a value: a model declaration (the model's own,
 * a base's via `extends`, a standard preset's) or `--set` (model undefined). A
 * field's sources run from the one in effect to the base fields it replaced.
 */
export interface FieldSource {
  /** The declaring model; undefined for a `--set` override. */
  readonly model?: string;
  /** The declaring model is a standard preset (specs/presets.moe). */
  readonly preset: boolean;
  /** The field as written (its span is the line that set it). */
  readonly field: Field;
}

export interface TrainContext {
  readonly name: string;
  readonly decl: TrainDeclaration;
  readonly file: string;
  readonly fields: ReadonlyMap<string, EvaluatedField>;
}

/** Extra fields and router parameters from `--set`, applied after inheritance. */
export interface ModelOverrides {
  readonly fields: readonly Field[];
  readonly routerParams: readonly Argument[];
}

interface Flattened {
  readonly fields: ReadonlyMap<string, Field>;
  readonly rules: readonly BlockRule[];
  readonly sources: ReadonlyMap<string, readonly FieldSource[]>;
}

/**
 * Resolves `extends` chains; memoised per scope so each problem is reported once.
 * Iterative (a walk up the chain, then a fold back down), so a chain of any length
 * costs no stack.
 */
export class Inheritance {
  private readonly memo = new Map<string, Flattened | null>();

  constructor(
    private readonly scope: Scope,
    private readonly out: Diagnostic[],
  ) {}

  flatten(decl: ModelDeclaration): Flattened | null {
    if (this.memo.has(decl.name.name)) return this.memo.get(decl.name.name) ?? null;
    // Up: the declarations not yet resolved, from `decl` to the first one whose base is known (or bad).
    const chain: ModelDeclaration[] = [];
    const onChain = new Map<string, number>();
    let base: Flattened | null = { fields: new Map(), rules: [], sources: new Map() };
    for (let cur: ModelDeclaration | undefined = decl; cur; ) {
      const name = cur.name.name;
      if (this.memo.has(name)) {
        base = this.memo.get(name) ?? null;
        break;
      }
      onChain.set(name, chain.length);
      chain.push(cur);
      if (!cur.base) break;
      const baseName = cur.base.name;
      const entry = this.scope.get(baseName);
      cur = undefined;
      if (onChain.has(baseName)) {
        const cycle = [...chain.slice(onChain.get(baseName)).map((d) => d.name.name), baseName];
        this.out.push(diagnostic('MOE0205', `'extends' cycle: ${cycle.join(' → ')}`, chain[chain.length - 1]!.base!.span));
        for (const n of cycle) this.memo.set(n, null);
        base = null;
      } else if (!entry) {
        this.out.push(diagnostic('MOE0204', `unknown model '${baseName}'`, chain[chain.length - 1]!.base!.span, didYouMeanFix(baseName, this.scope.namesOf('ModelDeclaration'))));
        base = null;
      } else if (entry.decl.kind !== 'ModelDeclaration') {
        this.out.push(
          diagnostic('MOE0213', `'${baseName}' is a ${kindWord(entry.decl.kind)}, not a model`, chain[chain.length - 1]!.base!.span, {
            notes: [{ message: 'declared here', span: entry.decl.name.span }],
          }),
        );
        base = null;
      } else cur = entry.decl;
    }
    // Down: each declaration's fields over its base's, from the deepest base to `decl`.
    for (let i = chain.length - 1; i >= 0; i--) {
      const d = chain[i]!;
      const name = d.name.name;
      if (this.memo.has(name)) {
        base = this.memo.get(name) ?? null; // part of a cycle
        continue;
      }
      if (!base) {
        this.memo.set(name, null);
        continue;
      }
      const own = ownFields(d.members.filter((m): m is Field => m.kind === 'Field'), this.out);
      const fields = new Map(base.fields);
      const sources = new Map(base.sources);
      const preset = this.scope.get(name)?.preset ?? false;
      for (const [n, f] of own) {
        fields.set(n, f);
        sources.set(n, [{ model: name, preset, field: f }, ...(base.sources.get(n) ?? [])]);
      }
      const rules = [...base.rules, ...d.members.filter((m): m is BlockRule => m.kind === 'BlockRule')];
      base = { fields, rules, sources };
      this.memo.set(name, base);
    }
    return this.memo.get(decl.name.name) ?? null;
  }
}

/** The fields of one declaration by name; a repeated field is an error (the first one wins). */
export function ownFields(fields: readonly Field[], out: Diagnostic[]): Map<string, Field> {
  const map = new Map<string, Field>();
  for (const f of fields) {
    const first = map.get(f.name.name);
    if (first) {
      out.push(
        diagnostic('MOE0209', `field '${f.name.name}' is given twice`, f.name.span, {
          notes: [{ message: 'first given here', span: first.name.span }],
        }),
      );
      continue;
    }
    map.set(f.name.name, f);
  }
  return map;
}

/** Evaluates fields late-bound: a field's expression sees the final (overridden) value of the fields it names. */
export function evaluateFields(fields: ReadonlyMap<string, Field>, out: Diagnostic[]): Map<string, EvaluatedField> {
  const done = new Map<string, EvaluatedField>();
  const stack: string[] = [];
  const names = [...fields.keys()];
  const inCycle = new Set<string>();
  const env: Environment = {
    names,
    lookup(name) {
      if (!fields.has(name)) return undefined;
      return get(name).value;
    },
  };
  const get = (name: string): EvaluatedField => {
    const existing = done.get(name);
    if (existing) return existing;
    const field = fields.get(name)!;
    if (stack.includes(name)) {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      // Report the cycle once, at the field where it was entered.
      if (!cycle.some((n) => inCycle.has(n))) {
        const first = fields.get(cycle[0])!;
        out.push(
          diagnostic('MOE0207', `fields depend on each other in a cycle: ${cycle.join(' → ')}`, first.value.span, {
            help: 'give one of these fields a value that does not depend on the others',
          }),
        );
      }
      for (const n of cycle) inCycle.add(n);
      return { name, nameSpan: field.name.span, value: { kind: 'error', span: field.value.span } };
    }
    stack.push(name);
    const value = evaluate(field.value, env, out);
    stack.pop();
    const result: EvaluatedField = {
      name,
      nameSpan: field.name.span,
      value: inCycle.has(name) ? { kind: 'error', span: field.value.span } : value,
    };
    done.set(name, result);
    return result;
  };
  for (const name of names) get(name);
  return done;
}

export function fieldEnvironment(fields: ReadonlyMap<string, EvaluatedField>): Environment {
  return {
    names: [...fields.keys()],
    lookup: (name) => fields.get(name)?.value,
  };
}

function mergeArgs(args: readonly ArgValue[], extra: readonly ArgValue[]): ArgValue[] {
  const merged = [...args];
  for (const e of extra) {
    const i = merged.findIndex((a) => a.name === e.name);
    if (i >= 0) merged[i] = e;
    else merged.push(e);
  }
  return merged;
}

export function buildModelContext(
  decl: ModelDeclaration,
  file: string,
  inheritance: Inheritance,
  scope: Scope,
  out: Diagnostic[],
  overrides?: ModelOverrides,
): ModelContext | null {
  const flat = inheritance.flatten(decl);
  if (!flat) return null;
  const fieldMap = new Map(flat.fields);
  const sources = new Map(flat.sources);
  for (const f of overrides?.fields ?? []) {
    fieldMap.set(f.name.name, f);
    sources.set(f.name.name, [{ preset: false, field: f }, ...(flat.sources.get(f.name.name) ?? [])]);
  }
  const fields = evaluateFields(fieldMap, out);
  const env = fieldEnvironment(fields);
  const routerOverrides: ArgValue[] = (overrides?.routerParams ?? []).map((a) => ({
    ...(a.name ? { name: a.name.name, nameSpan: a.name.span } : {}),
    value: evaluate(a.value, env, out),
    span: a.span,
  }));
  const rules = flat.rules.map((rule): EvaluatedRule => {
    const layer = rule.layer;
    if (layer.kind === 'DenseLayer') return { rule, layer: { kind: 'dense', span: layer.span } };
    const args = layer.args.map((a) => ({
      ...(a.name ? { name: a.name.name, nameSpan: a.name.span } : {}),
      value: evaluate(a.value, env, out),
      span: a.span,
    }));
    let router: RouterUse | undefined;
    if (layer.router.kind === 'Identifier') {
      const rname = layer.router.name;
      const entry = scope.get(rname);
      if (!entry) {
        const fix = didYouMeanFix(rname, scope.namesOf('RouterDeclaration'));
        out.push(
          diagnostic('MOE0206', `unknown router '${rname}'`, layer.router.span, {
            ...fix,
            help: fix.help ?? 'declare it with `router NAME = KIND(ARGS)` or write the router inline, e.g. soft(experts: 8)',
          }),
        );
      } else if (entry.decl.kind !== 'RouterDeclaration') {
        out.push(
          diagnostic('MOE0213', `'${rname}' is a ${kindWord(entry.decl.kind)}, not a router`, layer.router.span, {
            notes: [{ message: 'declared here', span: entry.decl.name.span }],
          }),
        );
      } else {
        const call = evaluate(entry.decl.value, env, out) as CallValue;
        router = { declaredName: rname, call };
      }
    } else {
      router = { call: evaluate(layer.router, env, out) as CallValue };
    }
    if (router && routerOverrides.length > 0) {
      router = { ...router, call: { ...router.call, args: mergeArgs(router.call.args, routerOverrides) } };
    }
    return { rule, layer: { kind: 'moe', span: layer.span, args, ...(router ? { router } : {}) } };
  });
  return { name: decl.name.name, decl, file, fields, rules, sources };
}

export function buildTrainContext(
  decl: TrainDeclaration,
  file: string,
  out: Diagnostic[],
  overrides: readonly Field[] = [],
): TrainContext {
  const own = ownFields(decl.fields, out);
  for (const f of overrides) {
    own.set(f.name.name, f);
    // `steps` and `epochs` exclude each other: setting one from the command line drops the other.
    if (f.name.name === 'steps') own.delete('epochs');
    if (f.name.name === 'epochs') own.delete('steps');
  }
  const fields = new Map<string, EvaluatedField>();
  for (const [name, f] of own) fields.set(name, { name, nameSpan: f.name.span, value: evaluate(f.value, emptyEnvironment, out) });
  return { name: decl.name.name, decl, file, fields };
}
