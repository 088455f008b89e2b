// Shape ops → Reshape, Transpose, Slice, Concat, Expand. Shapes that hold the
// batch are constants when the batch is fixed; with a dynamic batch a reshape
// uses -1 for its one batch-dependent dimension, anything else computes the
// dimension from the input's batch size (context.ts `shape`).
import type { Dim } from '../../../compiler/graph/ir.ts';
import { dimsEqual } from '../../../compiler/graph/dims.ts';
import { op, type EmitContext, type EmitTable, type Value } from './context.ts';
import type { OpNode } from '../../../compiler/graph/ir.ts';

function inputShape(node: OpNode, graphShapes: ReadonlyMap<string, readonly Dim[]>): readonly Dim[] {
  const s = graphShapes.get(node.inputs[0]!);
  if (!s) throw new Error(`internal: no shape for ${node.inputs[0]}`);
  return s;
}

/** Static slice: only the axes that are really cut are listed; a symbolic size is computed. */
function slice(node: OpNode, x: Value, ctx: EmitContext, shapes: ReadonlyMap<string, readonly Dim[]>): Value {
  const begin = node.attrs.begin as number[];
  const size = node.attrs.size as Dim[];
  const from = inputShape(node, shapes);
  const axes: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let dynamic = false;
  for (let a = 0; a < begin.length; a++) {
    const s = size[a]!;
    if (begin[a] === 0 && (s === -1 || dimsEqual(s, from[a]!))) continue; // the whole axis
    const concrete = s === -1 ? 2 ** 62 : ctx.staticDim(s); // -1: to the end (tfjs)
    if (concrete === undefined) dynamic = true;
    axes.push(a);
    starts.push(begin[a]!);
    ends.push(concrete === undefined ? 0 : begin[a]! + concrete);
  }
  if (axes.length === 0) return x;
  let endsName: string;
  if (dynamic) {
    const sizes = ctx.shape(axes.map((a) => size[a]!), false);
    endsName = ctx.g.op('Add', [ctx.g.int64s(starts), sizes], {}, `${node.id}/ends`);
  } else endsName = ctx.g.int64s(ends);
  return op(ctx, 'Slice', [x.name, ctx.g.int64s(starts), endsName, ctx.g.int64s(axes)], node, {}, x.dtype);
}

/** Shape emitters need the graph's static shapes of their inputs (slice, broadcast_to). */
export function shapeEmitters(shapes: ReadonlyMap<string, readonly Dim[]>) {
  return {
    reshape: (node, [x], ctx) => op(ctx, 'Reshape', [x!.name, ctx.shape(node.attrs.shape as Dim[], true)], node, {}, x!.dtype),
    transpose: (node, [x], ctx) => op(ctx, 'Transpose', [x!.name], node, { perm: { ints: node.attrs.perm as number[] } }, x!.dtype),
    slice: (node, [x], ctx) => slice(node, x!, ctx, shapes),
    concat: (node, xs, ctx) => {
      if (xs.length === 1) return xs[0]!;
      const dtype = xs.some((v) => v.dtype === 'float32') ? 'float32' : xs[0]!.dtype;
      const names = xs.map((v, i) => (v.dtype === dtype ? v.name : ctx.g.op('Cast', [v.name], { to: { i: 1 } }, `${node.id}/in${i}`)));
      return op(ctx, 'Concat', names, node, { axis: { i: node.attrs.axis as number } }, dtype);
    },
    broadcast_to: (node, [x], ctx) => {
      // Expand broadcasts: where the input already has the target's dimension, 1 suffices (keeps B out of constants).
      const target = node.attrs.shape as Dim[];
      const from = inputShape(node, shapes);
      const offset = target.length - from.length;
      const expand = target.map((d, i) => (i >= offset && typeof d === 'string' && dimsEqual(d, from[i - offset]!) ? 1 : d));
      return op(ctx, 'Expand', [x!.name, ctx.shape(expand, false)], node, {}, x!.dtype);
    },
  } satisfies EmitTable<'reshape' | 'transpose' | 'slice' | 'concat' | 'broadcast_to'>;
}
