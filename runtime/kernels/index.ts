// The kernel registry: op name (compiler/graph/ops.ts) → kernel. Sources (input,
// param, constant) are bound by the executor and have no kernel. The two OT
// solvers (sinkhorn_plan, sparse_ot_plan) live in solvers.ts.
import type { Kernel, KernelTable } from './types.ts';
import { elementwiseKernels } from './elementwise.ts';
import { shapeKernels } from './shape.ts';
import { productKernels } from './products.ts';
import { reductionKernels } from './reductions.ts';
import { nnKernels } from './nn.ts';
import { selectionKernels } from './selection.ts';
import { solverKernels } from './solvers.ts';

export const KERNELS: KernelTable = {
  ...elementwiseKernels,
  ...shapeKernels,
  ...productKernels,
  ...reductionKernels,
  ...nnKernels,
  ...selectionKernels,
  ...solverKernels,
};

/** The kernel of an op kind, or undefined when none is registered. */
export function kernelFor(op: string): Kernel | undefined {
  return Object.prototype.hasOwnProperty.call(KERNELS, op) ? KERNELS[op] : undefined;
}
