// Reads an evaluated Value as a field of a given type (schema.ts), collecting
// type, range and argument diagnostics. The rules report these diagnostics; the
// builders use the typed values of inputs already known to be valid.
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../diagnostics/catalogue.ts';
import { didYouMean, didYouMeanFix } from '../../diagnostics/suggest.ts';
import type { ArgValue, Value } from '../resolve/values.ts';
import { describeValue } from '../resolve/values.ts';
import type { CallSignature, Typed, ValueType } from './types.ts';
export type { Typed, TypedCall } from './types.ts';

export interface ReadResult<T = Typed> {
  readonly value?: T;
  readonly diagnostics: Diagnostic[];
}

export interface ReadOptions {
  /** Names a bare identifier could have meant (the model's fields), for suggestions. */
  readonly fieldNames?: readonly string[];
}

function expected(type: ValueType): string {
  switch (type.kind) {
    case 'int':
      return 'an integer';
    case 'float':
      return 'a number';
    case 'bool':
      return '`true` or `false`';
    case 'enum':
      return `one of ${type.values.join(', ')}`;
    case 'string':
      return 'a string';
    case 'image':
      return 'a size HxWxC such as 224x224x3';
    case 'patch':
      return 'a patch side such as 16 or 16x16';
    case 'model':
      return 'a model name';
    case 'call':
      return `one of ${Object.keys(type.functions).map((f) => `${f}(…)`).join(', ')}`;
  }
}

function rangeText(type: Extract<ValueType, { kind: 'int' | 'float' }>): string {
  const parts: string[] = [];
  if (type.min !== undefined) parts.push(`${type.kind === 'float' && type.minExclusive ? '>' : '≥'} ${type.min}`);
  if (type.max !== undefined) parts.push(`${type.kind === 'float' && type.maxExclusive ? '<' : '≤'} ${type.max}`);
  return parts.join(' and ');
}

function inRange(type: Extract<ValueType, { kind: 'int' | 'float' }>, v: number): boolean {
  const minEx = type.kind === 'float' && type.minExclusive;
  const maxEx = type.kind === 'float' && type.maxExclusive;
  if (type.min !== undefined && (minEx ? v <= type.min : v < type.min)) return false;
  if (type.max !== undefined && (maxEx ? v >= type.max : v > type.max)) return false;
  return true;
}

/** Reads `value` as `type`; `label` names the field in messages (e.g. "field 'width'"). */
export function readValue(type: ValueType, value: Value, label: string, options: ReadOptions = {}): ReadResult {
  const fail = (code: string, message: string, span: Span = value.span, help?: string | { help?: string; suggestion?: { replacement: string } }): ReadResult => ({
    diagnostics: [diagnostic(code, message, span, typeof help === 'string' ? { help } : (help ?? {}))],
  });
  if (value.kind === 'error') return { diagnostics: [] };
  const mismatch = (): ReadResult => {
    if (value.kind === 'symbol' && options.fieldNames && (type.kind === 'int' || type.kind === 'float' || type.kind === 'image' || type.kind === 'patch')) {
      return fail('MOE0208', `'${value.name}' is not a field of this model`, value.span, didYouMeanFix(value.name, options.fieldNames ?? []));
    }
    return fail('MOE0301', `${label} expects ${expected(type)}, found ${describeValue(value)}`);
  };
  switch (type.kind) {
    case 'int':
    case 'float': {
      if (value.kind !== 'number') return mismatch();
      if (type.kind === 'int' && !Number.isInteger(value.value)) {
        if (value.inexact) return fail('MOE0304', `${label} must be an integer, but this division leaves a remainder`, value.inexact, 'integer fields need exact division; adjust the operands');
        return fail('MOE0301', `${label} expects an integer, found ${describeValue(value)}`);
      }
      if (!inRange(type, value.value)) return fail('MOE0302', `${label} must be ${rangeText(type)}, found ${value.value}`);
      return { value: value.value, diagnostics: [] };
    }
    case 'bool':
      return value.kind === 'bool' ? { value: value.value, diagnostics: [] } : mismatch();
    case 'string':
      return value.kind === 'string' ? { value: value.value, diagnostics: [] } : mismatch();
    case 'model':
      return value.kind === 'symbol' ? { value: value.name, diagnostics: [] } : mismatch();
    case 'enum': {
      if (value.kind !== 'symbol') return mismatch();
      if (!type.values.includes(value.name)) {
        return fail('MOE0316', `${label} cannot be '${value.name}'; expected ${expected(type)}`, value.span, didYouMeanFix(value.name, type.values));
      }
      return { value: value.name, diagnostics: [] };
    }
    case 'image': {
      if (value.kind !== 'dims' || value.dims.length !== 3) return mismatch();
      if (value.dims.some((d) => d < 1)) return fail('MOE0302', `${label} sides must be ≥ 1`);
      return { value: value.dims, diagnostics: [] };
    }
    case 'patch': {
      if (value.kind === 'number') {
        if (!Number.isInteger(value.value)) return mismatch();
        if (value.value < 1) return fail('MOE0302', `${label} must be ≥ 1, found ${value.value}`);
        return { value: [value.value, value.value], diagnostics: [] };
      }
      if (value.kind !== 'dims' || value.dims.length !== 2) return mismatch();
      if (value.dims.some((d) => d < 1)) return fail('MOE0302', `${label} sides must be ≥ 1`);
      return { value: value.dims, diagnostics: [] };
    }
    case 'call': {
      if (value.kind === 'symbol' && value.name in type.functions) {
        return readCall(value.name, type.functions[value.name], [], value.span, label);
      }
      if (value.kind !== 'call') {
        if (value.kind === 'symbol') {
          return fail('MOE0236', `${label} cannot be '${value.name}'; expected ${expected(type)}`, value.span, didYouMeanFix(value.name, Object.keys(type.functions)));
        }
        return mismatch();
      }
      const sig = type.functions[value.callee];
      if (!sig) {
        return fail(
          'MOE0236',
          `unknown function '${value.callee}' for ${label}; expected ${expected(type)}`,
          value.calleeSpan,
          didYouMeanFix(value.callee, Object.keys(type.functions)),
        );
      }
      return readCall(value.callee, sig, value.args, value.span, label);
    }
  }
}

/** Checks the arguments of a call against its signature: named, known, once each, required present. */
export function readArguments(
  fn: string,
  sig: CallSignature,
  args: readonly ArgValue[],
  callSpan: Span,
  unknownCode = 'MOE0236',
): { values: Map<string, Typed>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const values = new Map<string, Typed>();
  const seen = new Map<string, ArgValue>();
  for (const arg of args) {
    if (!arg.name || !arg.nameSpan) {
      diagnostics.push(
        diagnostic('MOE0317', `arguments of ${fn}(…) must be named`, arg.span, {
          help: `write it as \`name: value\` (${Object.keys(sig).join(', ') || 'no arguments'})`,
        }),
      );
      continue;
    }
    const first = seen.get(arg.name);
    if (first) {
      diagnostics.push(
        diagnostic('MOE0318', `argument '${arg.name}' is given twice`, arg.nameSpan, {
          notes: [{ message: 'first given here', span: first.nameSpan }],
        }),
      );
      continue;
    }
    seen.set(arg.name, arg);
    const spec = sig[arg.name];
    if (!spec) {
      const help = didYouMean(arg.name, Object.keys(sig));
      diagnostics.push(
        diagnostic(unknownCode, `${fn}(…) has no argument '${arg.name}'`, arg.nameSpan, {
          help: help ?? (Object.keys(sig).length ? `its arguments are ${Object.keys(sig).join(', ')}` : `${fn}() takes no arguments`),
          ...(help ? { suggestion: { replacement: help.split("'")[1] } } : {}),
        }),
      );
      continue;
    }
    const r = readValue(spec.type, arg.value, `argument '${arg.name}' of ${fn}`);
    for (const d of r.diagnostics) diagnostics.push(d);
    if (r.value !== undefined) values.set(arg.name, r.value);
  }
  for (const [name, spec] of Object.entries(sig)) {
    if (spec.required && !seen.has(name)) {
      diagnostics.push(diagnostic('MOE0303', `${fn}(…) needs the argument '${name}' (${spec.doc})`, callSpan));
    }
  }
  return { values, diagnostics };
}

function readCall(fn: string, sig: CallSignature, args: readonly ArgValue[], span: Span, _label: string): ReadResult {
  const { values, diagnostics } = readArguments(fn, sig, args, span);
  return diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : { value: { fn, args: values }, diagnostics };
}
