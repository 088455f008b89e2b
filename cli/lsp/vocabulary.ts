// What the language offers at each place, with documentation, read from the
// compiler's own tables (compiler/check/schema.ts): the checker, completion and
// hover describe a field in one place.
import type { CallSignature, ParamSpec, RouterFamily, ValueType } from '../../compiler/check/schema.ts';
import { DATA_FUNCTIONS, MODEL_FIELDS, MOE_ARGS, OPTIMIZER_FUNCTIONS, ROUTER_FAMILIES, ROUTER_PARAMS, SCHEDULE_FUNCTIONS, TRAIN_FIELDS, paramsOfFamily } from '../../compiler/check/schema.ts';

export { MODEL_FIELDS, TRAIN_FIELDS, MOE_ARGS, ROUTER_FAMILIES };

/** One line per router family (routers.md §4). */
const FAMILY_DOCS: Readonly<Record<RouterFamily, string>> = {
  token_choice: 'each token picks its top-k experts (normalize: softmax or sinkhorn); V-MoE, routers.md §4.1–4.2',
  expert_choice: 'each expert picks its top-C tokens (normalize: softmax, sinkhorn or sparsity); routers.md §4.3–4.5',
  soft: 'Soft MoE: every slot is a weighted mix of all tokens; no token is dropped; routers.md §4.6',
};

export function isRouterFamily(name: string): name is RouterFamily {
  return (ROUTER_FAMILIES as readonly string[]).includes(name);
}

export function familyDoc(family: RouterFamily): string {
  return FAMILY_DOCS[family];
}

/** The parameters `family(…)` accepts, with their specs. */
export function routerParameters(family: RouterFamily): Array<[string, ParamSpec]> {
  return paramsOfFamily(family).map((name) => [name, ROUTER_PARAMS[name]]);
}

export function routerParameter(name: string): ParamSpec | undefined {
  return ROUTER_PARAMS[name];
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

/** Markdown for a field or parameter: its meaning, type and whether it is required. */
export function paramMarkdown(name: string, spec: ParamSpec): string {
  return `\`${name}\`: ${spec.doc}\n\n${describeType(spec.type)}${spec.required ? ' · required' : ''}`;
}
