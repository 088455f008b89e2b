// Selection ops: TopK (ties → lower index first, as in tfjs), ArgMax, one-hot
// as an Equal against a Range constant (an index outside [0, depth) gives a zero
// row, as the kernel does), CumSum. Indices are int32 in the graph.
import { asFloat, cast, op, type EmitContext, type EmitTable, type Value } from './context.ts';
import type { OpNode } from '../../../compiler/graph/ir.ts';

function topK(node: OpNode, x: Value, ctx: EmitContext): [string, string] {
  const k = node.attrs.k as number;
  const [values, indices] = ctx.g.opN('TopK', [asFloat(ctx, x, node.id).name, ctx.g.int64s([k])], 2, { axis: { i: -1 }, largest: { i: 1 }, sorted: { i: 1 } }, `${node.id}/topk`);
  return [values!, indices!];
}

export const selectionEmitters = {
  top_k_values: (node, [x], ctx) => ({ name: topK(node, x!, ctx)[0], dtype: 'float32' }),
  top_k_indices: (node, [x], ctx) => cast(ctx, { name: topK(node, x!, ctx)[1], dtype: 'int64' }, 'int32', node.id),
  argmax: (node, [x], ctx) => {
    const index = ctx.g.op('ArgMax', [asFloat(ctx, x!, node.id).name], { axis: { i: node.attrs.axis as number }, keepdims: { i: 0 }, select_last_index: { i: 0 } }, `${node.id}/argmax`);
    return cast(ctx, { name: index, dtype: 'int64' }, 'int32', node.id);
  },
  one_hot: (node, [indices], ctx) => {
    const depth = node.attrs.depth as number;
    const idx = cast(ctx, indices!, 'int32', `${node.id}/indices`);
    const positions = ctx.g.constant('int32', [depth], Array.from({ length: depth }, (_, i) => i), `range_${depth}`);
    const hit = ctx.g.op('Equal', [ctx.unsqueeze(idx.name, [-1], `${node.id}/expanded`), positions], {}, `${node.id}/hit`);
    return op(ctx, 'Cast', [hit], node, { to: { i: 1 } });
  },
  cumsum: (node, [x], ctx) =>
    op(ctx, 'CumSum', [x!.name, ctx.g.scalar('int32', node.attrs.axis as number)], node, { exclusive: { i: node.attrs.exclusive === true ? 1 : 0 } }, x!.dtype),
} satisfies EmitTable<'top_k_values' | 'top_k_indices' | 'argmax' | 'one_hot' | 'cumsum'>;
