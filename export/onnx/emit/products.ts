// Matrix products → MatMul. Transpose flags become an explicit Transpose of the
// last two axes; expert_matmul [E,n,k]·[E,k,m] is a batched MatMul.
import { op, type EmitContext, type EmitTable, type Value } from './context.ts';

function lastTwoSwapped(ctx: EmitContext, x: Value, rank: number, hint: string): string {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return ctx.g.op('Transpose', [x.name], { perm: { ints: perm } }, hint);
}

export function productEmitters(ranks: ReadonlyMap<string, number>) {
  return {
    matmul: (node, [a, b], ctx) => op(ctx, 'MatMul', [a!.name, b!.name], node),
    batch_matmul: (node, [a, b], ctx) => {
      const ra = ranks.get(node.inputs[0]!)!;
      const rb = ranks.get(node.inputs[1]!)!;
      const left = node.attrs.transposeA === true ? lastTwoSwapped(ctx, a!, ra, `${node.id}/a_t`) : a!.name;
      const right = node.attrs.transposeB === true ? lastTwoSwapped(ctx, b!, rb, `${node.id}/b_t`) : b!.name;
      return op(ctx, 'MatMul', [left, right], node);
    },
    expert_matmul: (node, [x, w], ctx) => op(ctx, 'MatMul', [x!.name, w!.name], node),
  } satisfies EmitTable<'matmul' | 'batch_matmul' | 'expert_matmul'>;
}
