// Neural-network ops: Softmax/LogSoftmax over the last axis, LayerNormalization
// (opset ≥ 17; written out below that), and the training-only random ops, which
// are the identity at inference.
import { asFloat, op, type EmitTable } from './context.ts';
import { identity } from './elementwise.ts';

export const nnEmitters = {
  softmax: (node, [x], ctx) => op(ctx, 'Softmax', [asFloat(ctx, x!, node.id).name], node, { axis: { i: -1 } }),
  log_softmax: (node, [x], ctx) => op(ctx, 'LogSoftmax', [asFloat(ctx, x!, node.id).name], node, { axis: { i: -1 } }),
  layer_norm: (node, [x, scale, bias], ctx) => {
    const epsilon = (node.attrs.epsilon as number | undefined) ?? 1e-6;
    if (ctx.opset >= 17) return op(ctx, 'LayerNormalization', [x!.name, scale!.name, bias!.name], node, { axis: { i: -1 }, epsilon: { f: epsilon } });
    // (x − mean) · rsqrt(mean((x − mean)²) + eps) · scale + bias, the kernel's order.
    const g = ctx.g;
    const centred = g.op('Sub', [x!.name, ctx.reduce('ReduceMean', x!.name, [-1], true, `${node.id}/mean`)], {}, `${node.id}/centred`);
    const variance = ctx.reduce('ReduceMean', g.op('Mul', [centred, centred], {}, `${node.id}/sq`), [-1], true, `${node.id}/var`);
    const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.scalar('float32', epsilon)], {}, `${node.id}/var_eps`)], {}, `${node.id}/std`)], {}, `${node.id}/inv`);
    const normed = g.op('Mul', [centred, inv], {}, `${node.id}/normed`);
    return op(ctx, 'Add', [g.op('Mul', [normed, scale!.name], {}, `${node.id}/scaled`), bias!.name], node);
  },
  dropout: identity,
  add_noise: identity,
} satisfies EmitTable<'softmax' | 'log_softmax' | 'layer_norm' | 'dropout' | 'add_noise'>;
