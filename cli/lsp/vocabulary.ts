// What the language offers at each place, with documentation, read from the
// compiler's own tables (compiler/check/schema.ts, the router table ROUTERS in
// compiler/routers/): the checker, completion and hover describe a field in one place.
import type { CallSignature, ParamSpec, ValueType } from '../../compiler/check/schema.ts';
import { DATA_FUNCTIONS, MODEL_FIELDS, MOE_ARGS, OPTIMIZER_FUNCTIONS, SCHEDULE_FUNCTIONS, TRAIN_FIELDS } from '../../compiler/check/schema.ts';
import { ROUTERS, ROUTER_FAMILIES } from '../../compiler/routers/index.ts';
import type { RouterFamily, RouterParam } from '../../compiler/routers/index.ts';

export { MODEL_FIELDS, TRAIN_FIELDS, MOE_ARGS, ROUTER_FAMILIES };
export type { RouterFamily };

export function isRouterFamily(name: string): name is RouterFamily {
  return Object.hasOwn(ROUTERS, name);
}

/** `Soft MoE: every slot mixes … (routers.md §4.6)`. */
export function familyDoc(family: RouterFamily): string {
  const d = ROUTERS[family];
  return `${d.label}: ${d.doc} (${d.reference}). Example: \`${d.example}\``;
}

/** A short valid call of the family, for inserting. */
export function familyExample(family: RouterFamily): string {
  return ROUTERS[family].example;
}

/** The parameters `family(…)` accepts, in their documented order. */
export function routerParameters(family: RouterFamily): Array<[string, RouterParam]> {
  return Object.entries(ROUTERS[family].params);
}

export function routerParameter(family: RouterFamily, name: string): RouterParam | undefined {
  return Object.hasOwn(ROUTERS[family].params, name) ? ROUTERS[family].params[name] : undefined;
}

/** The calls a train field accepts (`data: mnist(…)`), by field name. */
export const TRAIN_FUNCTIONS: Readonly<Record<string, Readonly<Record<string, CallSignature>>>> = {
  data: DATA_FUNCTIONS,
  optimizer: OPTIMIZER_FUNCTIONS,
  schedule: SCHEDULE_FUNCTIONS,
};

/** The signature of a call inside a train block (`adamw` → its arguments), if it is one. */
export function trainFunction(name: string): { field: string; signature: CallSignature } | undefined {
  for (const [field, fns] of Object.entries(TRAIN_FUNCTIONS)) if (fns[name]) return { field, signature: fns[name] };
  return undefined;
}

/** The type of a value in words: `integer ≥ 1`, `one of gap, cls`. */
export function describeType(type: ValueType): string {
  switch (type.kind) {
    case 'int':
      return `integer${type.min !== undefined ? ` ≥ ${type.min}` : ''}${type.max !== undefined ? `, ≤ ${type.max}` : ''}`;
    case 'float': {
      const lo = type.min !== undefined ? ` ${type.minExclusive ? '>' : '≥'} ${type.min}` : '';
      const hi = type.max !== undefined ? `${lo ? ',' : ''} ${type.maxExclusive ? '<' : '≤'} ${type.max}` : '';
      return `number${lo}${hi}`;
    }
    case 'bool':
      return '`true` or `false`';
    case 'enum':
      return `one of ${type.values.map((v) => `\`${v}\``).join(', ')}`;
    case 'string':
      return 'a string';
    case 'image':
      return 'a size HxWxC such as `224x224x3`';
    case 'patch':
      return 'a patch side such as `16` or `16x16`';
    case 'model':
      return 'a model name';
    case 'call':
      return `one of ${Object.keys(type.functions).map((f) => `\`${f}(…)\``).join(', ')}`;
  }
}

function defaultText(spec: ParamSpec): string | undefined {
  if (spec.defaultDoc) return spec.defaultDoc;
  if (spec.default === undefined || typeof spec.default === 'function') return undefined;
  const d = spec.default;
  return typeof d === 'object' && d !== null && 'fn' in d ? `${d.fn}(…)` : Array.isArray(d) ? d.join('x') : String(d);
}

/** Markdown for a field or parameter: its meaning, type, default and whether it is required. */
export function paramMarkdown(name: string, spec: ParamSpec & { readonly normalizers?: readonly string[] }): string {
  const dflt = defaultText(spec);
  const facts = [describeType(spec.type), spec.required ? 'required' : dflt !== undefined ? `default \`${dflt}\`` : undefined, spec.normalizers ? `only with normalize: ${spec.normalizers.join(' or ')}` : undefined];
  return `\`${name}\`: ${spec.doc}\n\n${facts.filter(Boolean).join(' · ')}`;
}
