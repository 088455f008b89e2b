// Reductions → ReduceSum/Mean/Max/Min; logsumexp written out as the stable
// max + log Σ exp(x − max), as tfjs computes it.
import { asFloat, op, type EmitTable } from './context.ts';

const reduce = (type: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin') =>
  ((node, [x], ctx) => {
    const input = type === 'ReduceMean' ? asFloat(ctx, x!, node.id) : x!;
    return { name: ctx.reduce(type, input.name, node.attrs.axes as number[], node.attrs.keepDims === true, node.id), dtype: input.dtype };
  }) satisfies EmitTable['sum'];

export const reductionEmitters = {
  sum: reduce('ReduceSum'),
  mean: reduce('ReduceMean'),
  max: reduce('ReduceMax'),
  min: reduce('ReduceMin'),
  logsumexp: (node, [x], ctx) => {
    const v = asFloat(ctx, x!, node.id).name;
    const axis = node.attrs.axis as number;
    const g = ctx.g;
    const max = ctx.reduce('ReduceMax', v, [axis], true, `${node.id}/max`);
    const sum = ctx.reduce('ReduceSum', g.op('Exp', [g.op('Sub', [v, max], {}, `${node.id}/shifted`)], {}, `${node.id}/exp`), [axis], true, `${node.id}/sum`);
    const lse = g.op('Add', [max, g.op('Log', [sum], {}, `${node.id}/log`)], {}, node.attrs.keepDims === true ? node.id : `${node.id}/kept`);
    if (node.attrs.keepDims === true) return { name: lse, dtype: 'float32' };
    return op(ctx, 'Squeeze', [lse, g.int64s([axis])], node);
  },
} satisfies EmitTable<'sum' | 'mean' | 'max' | 'min' | 'logsumexp'>;
