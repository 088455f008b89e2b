// The defaults fold (language.md §4): a router's parameters in table order, each
// the valid given value or its default, where a computed default reads the values
// before it and the model's tokens per image.
import { readValue } from '../check/read.ts';
import type { Typed } from '../check/types.ts';
import { withDefaults } from '../check/defaults.ts';
import type { ArgValue, CallValue } from '../resolve/values.ts';
import type { RouterDefinition, RouterSettings } from './definition.ts';

/** The router's arguments by name (the first of duplicates; duplicates are reported by a rule). */
export function routerArgs(call: CallValue): Map<string, ArgValue> {
  const map = new Map<string, ArgValue>();
  for (const a of call.args) if (a.name && !map.has(a.name)) map.set(a.name, a);
  return map;
}

/** A parameter's valid typed value as given, or undefined. */
export function givenValue(def: RouterDefinition, args: ReadonlyMap<string, ArgValue>, name: string): Typed | undefined {
  const arg = args.get(name);
  const spec = def.params[name];
  if (!arg || !spec) return undefined;
  return readValue(spec.type, arg.value, name).value;
}

export function routerSettings(def: RouterDefinition, args: ReadonlyMap<string, ArgValue>, tokens: number | undefined): RouterSettings {
  const given = new Map<string, Typed>();
  for (const name of Object.keys(def.params)) {
    const v = givenValue(def, args, name);
    if (v !== undefined) given.set(name, v);
  }
  const values = withDefaults(def.params, given, tokens);
  const read = <T>(name: string, kind: string): T => {
    const v = values.get(name);
    if (typeof v !== kind) throw new Error(`internal: ${def.family} parameter '${name}' has no ${kind} value`);
    return v as T;
  };
  return {
    family: def.family,
    values,
    given: new Set([...args.keys()].filter((n) => n in def.params)),
    experts: values.get('experts') as number | undefined,
    group: values.get('group') as number | undefined,
    num: (name) => read<number>(name, 'number'),
    str: (name) => read<string>(name, 'string'),
    bool: (name) => read<boolean>(name, 'boolean'),
  };
}
