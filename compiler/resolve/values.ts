// Evaluated values of .moe expressions. Arithmetic is exact on integers: a `/`
// that does not divide keeps its span so integer fields can report it.
import type { Expression } from '../../grammar/ast.ts';
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../diagnostics/catalogue.ts';
import { didYouMeanFix } from '../../diagnostics/suggest.ts';

export interface NumberValue {
  readonly kind: 'number';
  readonly value: number;
  /** Every operand was an integer and every division exact. */
  readonly integer: boolean;
  /** The first inexact integer division, if any. */
  readonly inexact?: Span;
  readonly span: Span;
}
export interface DimsValue {
  readonly kind: 'dims';
  readonly dims: readonly number[];
  readonly span: Span;
}
/** A bare name that is not a field: an enum word (`gap`, `softmax`) or a model name. */
export interface SymbolValue {
  readonly kind: 'symbol';
  readonly name: string;
  readonly span: Span;
}
export interface StringValue {
  readonly kind: 'string';
  readonly value: string;
  readonly span: Span;
}
export interface BoolValue {
  readonly kind: 'bool';
  readonly value: boolean;
  readonly span: Span;
}
export interface ArgValue {
  readonly name?: string;
  readonly nameSpan?: Span;
  readonly value: Value;
  readonly span: Span;
}
export interface CallValue {
  readonly kind: 'call';
  readonly callee: string;
  readonly calleeSpan: Span;
  readonly args: readonly ArgValue[];
  readonly span: Span;
}
/** Evaluation failed; the failure was already reported. */
export interface ErrorValue {
  readonly kind: 'error';
  readonly span: Span;
}

export type Value = NumberValue | DimsValue | SymbolValue | StringValue | BoolValue | CallValue | ErrorValue;

/**
 * Looks a bare name up: a Value when it names a field (evaluating it on demand),
 * undefined when it is a plain word.
 */
export interface Environment {
  lookup(name: string, span: Span): Value | undefined;
  /** Names that may be referenced (for did-you-mean). */
  readonly names: readonly string[];
}

export const emptyEnvironment: Environment = { lookup: () => undefined, names: [] };

export function describeValue(v: Value): string {
  switch (v.kind) {
    case 'number':
      return v.integer ? `the integer ${v.value}` : `the number ${v.value}`;
    case 'dims':
      return `the size ${v.dims.join('x')}`;
    case 'symbol':
      return `the name '${v.name}'`;
    case 'string':
      return `the string "${v.value}"`;
    case 'bool':
      return `the boolean ${v.value}`;
    case 'call':
      return `a call of ${v.callee}(…)`;
    case 'error':
      return 'an invalid value';
  }
}

function asNumber(v: Value, env: Environment, out: Diagnostic[]): NumberValue | undefined {
  if (v.kind === 'number') return v;
  if (v.kind === 'error') return undefined;
  if (v.kind === 'symbol') {
    out.push(diagnostic('MOE0208', `'${v.name}' is not a field of this model`, v.span, didYouMeanFix(v.name, env.names)));
    return undefined;
  }
  out.push(diagnostic('MOE0301', `arithmetic needs numbers, found ${describeValue(v)}`, v.span));
  return undefined;
}

/** Evaluates an expression; problems are appended to `out` and yield an ErrorValue. */
export function evaluate(expr: Expression, env: Environment, out: Diagnostic[]): Value {
  switch (expr.kind) {
    case 'NumberLiteral':
      return { kind: 'number', value: expr.value, integer: expr.isInteger && Number.isInteger(expr.value), span: expr.span };
    case 'StringLiteral':
      return { kind: 'string', value: expr.value, span: expr.span };
    case 'BooleanLiteral':
      return { kind: 'bool', value: expr.value, span: expr.span };
    case 'DimensionLiteral':
      return { kind: 'dims', dims: expr.dims, span: expr.span };
    case 'Identifier': {
      const found = env.lookup(expr.name, expr.span);
      if (found === undefined) return { kind: 'symbol', name: expr.name, span: expr.span };
      // Keep the referencing span so errors point at the use.
      return found.kind === 'error' ? { kind: 'error', span: expr.span } : { ...found, span: expr.span } as Value;
    }
    case 'ParenExpression': {
      const inner = evaluate(expr.expression, env, out);
      return { ...inner, span: expr.span } as Value;
    }
    case 'UnaryExpression': {
      const v = evaluate(expr.operand, env, out);
      if (v.kind !== 'number') {
        if (v.kind !== 'error') asNumber(v, env, out);
        return { kind: 'error', span: expr.span };
      }
      return { ...v, value: expr.operator === '-' ? -v.value : v.value, span: expr.span };
    }
    case 'BinaryExpression': {
      const l = asNumber(evaluate(expr.left, env, out), env, out);
      const r = asNumber(evaluate(expr.right, env, out), env, out);
      if (!l || !r) return { kind: 'error', span: expr.span };
      let integer = l.integer && r.integer;
      let inexact = l.inexact ?? r.inexact;
      let value: number;
      switch (expr.operator) {
        case '+':
          value = l.value + r.value;
          break;
        case '-':
          value = l.value - r.value;
          break;
        case '*':
          value = l.value * r.value;
          break;
        case '/':
        case '%':
          if (r.value === 0) {
            out.push(diagnostic('MOE0302', `division by zero`, expr.right.span));
            return { kind: 'error', span: expr.span };
          }
          if (expr.operator === '%') {
            value = l.value % r.value;
          } else {
            value = l.value / r.value;
            if (integer && !Number.isInteger(value)) {
              integer = false;
              inexact = inexact ?? expr.span;
            }
          }
          break;
      }
      return { kind: 'number', value, integer, ...(inexact ? { inexact } : {}), span: expr.span };
    }
    case 'CallExpression':
      return {
        kind: 'call',
        callee: expr.callee.name,
        calleeSpan: expr.callee.span,
        args: expr.args.map((a) => ({
          ...(a.name ? { name: a.name.name, nameSpan: a.name.span } : {}),
          value: evaluate(a.value, env, out),
          span: a.span,
        })),
        span: expr.span,
      };
  }
}
