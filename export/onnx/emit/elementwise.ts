// Elementwise ops → ONNX elementwise ops. tfjs upcasts int32 to float32 when
// the operands differ, so an int32 operand is cast to float32 first; comparisons
// give a float 0/1 mask as the graph's kernels do.
import type { OpNode } from '../../../compiler/graph/ir.ts';
import { asFloat, cast, op, type Emit, type EmitContext, type EmitTable, type Value } from './context.ts';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/** Operands with tfjs's type promotion: both int32 stay int32, else both float32. */
function promote(ctx: EmitContext, node: OpNode, a: Value, b: Value): [Value, Value] {
  if (a.dtype === b.dtype) return [a, b];
  return [asFloat(ctx, a, `${node.id}/a`), asFloat(ctx, b, `${node.id}/b`)];
}

function binary(type: string): Emit {
  return (node, [a, b], ctx) => {
    const [x, y] = promote(ctx, node, a!, b!);
    if (type === 'Div' && x.dtype === 'int32') {
      // tfjs divides int32 tensors with floor division.
      const q = ctx.g.op('Div', [asFloat(ctx, x, `${node.id}/a`).name, asFloat(ctx, y, `${node.id}/b`).name], {}, `${node.id}/quotient`);
      return cast(ctx, { name: ctx.g.op('Floor', [q], {}, `${node.id}/floor`), dtype: 'float32' }, 'int32', node.id);
    }
    return op(ctx, type, [x.name, y.name], node, {}, x.dtype);
  };
}

/** A float unary op (an int32 input is converted first, as tfjs does). */
function unaryFloat(type: string): Emit {
  return (node, [x], ctx) => op(ctx, type, [asFloat(ctx, x!, node.id).name], node);
}

function comparison(type: string): Emit {
  return (node, [a, b], ctx) => {
    const [x, y] = promote(ctx, node, a!, b!);
    const mask = ctx.g.op(type, [x.name, y.name], {}, `${node.id}/mask`);
    return op(ctx, 'Cast', [mask], node, { to: { i: 1 } });
  };
}

function gelu(node: OpNode, x: Value, ctx: EmitContext): Value {
  const approximate = node.attrs.approximate !== false;
  const v = asFloat(ctx, x, node.id).name;
  const g = ctx.g;
  if (ctx.opset >= 20) return op(ctx, 'Gelu', [v], node, { approximate: { s: approximate ? 'tanh' : 'none' } });
  if (approximate) {
    // The kernel's form: x·σ(x·(2c·a·x² + 2c)) = ½x(1 + tanh(c(x + a x³))).
    const inner = g.op('Add', [g.op('Mul', [g.op('Mul', [v, v], {}, `${node.id}/x2`), g.scalar('float32', 2 * SQRT_2_OVER_PI * GELU_CUBIC)], {}, `${node.id}/ax2`), g.scalar('float32', 2 * SQRT_2_OVER_PI)], {}, `${node.id}/u`);
    const s = g.op('Sigmoid', [g.op('Mul', [v, inner], {}, `${node.id}/xu`)], {}, `${node.id}/sigmoid`);
    return op(ctx, 'Mul', [v, s], node);
  }
  const erf = g.op('Erf', [g.op('Mul', [v, g.scalar('float32', Math.SQRT1_2)], {}, `${node.id}/scaled`)], {}, `${node.id}/erf`);
  const half = g.op('Mul', [v, g.scalar('float32', 0.5)], {}, `${node.id}/half`);
  return op(ctx, 'Mul', [half, g.op('Add', [erf, g.scalar('float32', 1)], {}, `${node.id}/one_plus`)], node);
}

/** Passes the input through: inference-time identity (dropout, noise, stop_gradient). */
export const identity: Emit = (_node, [x]) => x!;

export const elementwiseEmitters = {
  add: binary('Add'),
  sub: binary('Sub'),
  mul: binary('Mul'),
  div: binary('Div'),
  maximum: binary('Max'),
  minimum: binary('Min'),
  neg: (node, [x], ctx) => op(ctx, 'Neg', [x!.name], node, {}, x!.dtype),
  exp: unaryFloat('Exp'),
  log: unaryFloat('Log'),
  sqrt: unaryFloat('Sqrt'),
  // tfjs rsqrt is 1/sqrt(x).
  rsqrt: (node, [x], ctx) => op(ctx, 'Reciprocal', [ctx.g.op('Sqrt', [asFloat(ctx, x!, node.id).name], {}, `${node.id}/sqrt`)], node),
  square: (node, [x], ctx) => op(ctx, 'Mul', [x!.name, x!.name], node, {}, x!.dtype),
  tanh: unaryFloat('Tanh'),
  erf: unaryFloat('Erf'),
  sigmoid: unaryFloat('Sigmoid'),
  gelu: (node, [x], ctx) => gelu(node, x!, ctx),
  greater: comparison('Greater'),
  greater_equal: comparison('GreaterOrEqual'),
  less: comparison('Less'),
  equal: comparison('Equal'),
  where: (node, [cond, a, b], ctx) => {
    const c = asFloat(ctx, cond!, `${node.id}/cond`);
    const isTrue = ctx.g.op('Not', [ctx.g.op('Equal', [c.name, ctx.g.scalar('float32', 0)], {}, `${node.id}/is_zero`)], {}, `${node.id}/cond`);
    const [x, y] = promote(ctx, node, a!, b!);
    return op(ctx, 'Where', [isTrue, x.name, y.name], node, {}, x.dtype);
  },
  cast: (node, [x], ctx) => {
    const to = node.attrs.dtype;
    if (to !== 'float32' && to !== 'int32') ctx.unsupported(`cast to '${String(to)}' (the graph casts to float32 or int32 only)`);
    const target = to === 'float32' ? 'float32' : 'int32';
    if (x!.dtype === target) return x!;
    return op(ctx, 'Cast', [x!.name], node, { to: { i: target === 'float32' ? 1 : 6 } }, target);
  },
  stop_gradient: identity,
} satisfies EmitTable<
  | 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'square' | 'tanh' | 'erf'
  | 'sigmoid' | 'gelu' | 'greater' | 'greater_equal' | 'less' | 'equal' | 'where' | 'cast' | 'stop_gradient'
>;
