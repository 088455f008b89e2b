// Binds a kernel table for a model: every op with `grad: 'none'` in its definition
// (compiler/graph/ops.ts) runs inside withoutGradient, here and nowhere else, so a
// kernel never decides its op's gradient class and an op can never forget it.
// (Two ops keep a partial rule inside their kernel: `where` gives no gradient to
// its condition only, `cast` none when casting to int32.)
import { NO_GRADIENT_OPS, OP_KINDS } from '../../compiler/graph/ops.ts';
import type { OpKind } from '../../compiler/graph/ir.ts';
import type { Kernel, KernelTable } from './types.ts';
import { withoutGradient } from './no-gradient.ts';

/** The executor's view of a kernel table: op → kernel with its gradient class applied. */
export type BoundKernels = ReadonlyMap<OpKind, Kernel>;

/** `kernel` with its op's gradient class applied. */
export function bindKernel(op: OpKind, kernel: Kernel): Kernel {
  if (!NO_GRADIENT_OPS.has(op)) return kernel;
  return (inputs, attrs, ctx) => withoutGradient(inputs, (...xs) => kernel(xs, attrs, ctx));
}

/** Every op of the table (sources excepted, the executor binds those) with its gradient class applied. */
export function bindKernels(table: KernelTable): BoundKernels {
  const bound = new Map<OpKind, Kernel>();
  for (const op of OP_KINDS) {
    const kernel = Object.hasOwn(table, op) ? table[op] : undefined;
    if (kernel) bound.set(op, bindKernel(op, kernel));
  }
  return bound;
}
