// The defaults fold (review P7): a table's values in table order, each the given
// typed value or the spec's default, where a computed default reads the values
// before it (and the model's tokens). Call values get their own arguments folded
// against the called function's signature. The router settings and the train
// builder are this fold over their tables.
import type { ParamSpec, Typed, TypedCall, ValueType } from './types.ts';

function foldCall(type: ValueType, value: Typed): Typed {
  if (type.kind !== 'call' || typeof value !== 'object' || Array.isArray(value)) return value;
  const call = value as TypedCall;
  const sig = type.functions[call.fn];
  return sig ? { fn: call.fn, args: withDefaults(sig, call.args) } : call;
}

/** Every value of `specs`: given, else default; a parameter with neither is absent. */
export function withDefaults(specs: Readonly<Record<string, ParamSpec>>, given: ReadonlyMap<string, Typed>, tokens?: number): Map<string, Typed> {
  const values = new Map<string, Typed>();
  const ctx = { get: (name: string) => values.get(name), tokens };
  for (const [name, spec] of Object.entries(specs)) {
    const value = given.get(name) ?? (typeof spec.default === 'function' ? spec.default(ctx) : spec.default);
    if (value !== undefined) values.set(name, foldCall(spec.type, value));
  }
  return values;
}
