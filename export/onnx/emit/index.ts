// One emitter per op kind of the graph (compiler/graph/ops.ts). The Record type
// makes a new op kind a compile error here until it has an emitter.
import type { Dim, OpKind } from '../../../compiler/graph/ir.ts';
import type { Emit } from './context.ts';
import { elementwiseEmitters } from './elementwise.ts';
import { shapeEmitters } from './shape.ts';
import { productEmitters } from './products.ts';
import { reductionEmitters } from './reductions.ts';
import { nnEmitters } from './nn.ts';
import { selectionEmitters } from './selection.ts';
import { solverEmitters } from './solvers.ts';

/** The emitters, given the graph's static shapes by node id (some ops need their input's shape). */
export function emitters(shapes: ReadonlyMap<string, readonly Dim[]>): Readonly<Record<OpKind, Emit>> {
  const ranks = new Map([...shapes].map(([id, s]) => [id, s.length]));
  return {
    input: (_node, _inputs, ctx) => ctx.input(),
    param: (node, _inputs, ctx) => ctx.param(String(node.attrs.name)),
    constant: (node, _inputs, ctx) => ({ name: ctx.g.scalar('float32', Number(node.attrs.value)), dtype: 'float32' }),
    ...elementwiseEmitters,
    ...shapeEmitters(shapes),
    ...productEmitters(ranks),
    ...reductionEmitters,
    ...nnEmitters,
    ...selectionEmitters,
    ...solverEmitters(shapes),
  };
}
