// The base kernel table: op name (compiler/graph/ops.ts) → a kernel that runs on
// every tfjs backend. A backend profile (runtime/backends/) overrides entries where
// it has a faster or necessary variant (wasm: looped batched products; cpu, wasm,
// tensorflow: the OT solvers in float64 JavaScript); the executor binds
// `{...BASE_KERNELS, ...profile.kernels}` when a model is created. Sources (input,
// param, constant) are bound by the executor and have no kernel.
import type { KernelTable } from './types.ts';
import { elementwiseKernels } from './elementwise.ts';
import { shapeKernels } from './shape.ts';
import { productKernels } from './products.ts';
import { reductionKernels } from './reductions.ts';
import { nnKernels } from './nn.ts';
import { selectionKernels } from './selection.ts';
import { deviceSolverKernels } from './solvers-tensor.ts';

export const BASE_KERNELS: KernelTable = {
  ...elementwiseKernels,
  ...shapeKernels,
  ...productKernels,
  ...reductionKernels,
  ...nnKernels,
  ...selectionKernels,
  ...deviceSolverKernels,
};

/** The op kinds without a kernel: the executor binds them itself. */
export const SOURCE_OPS: ReadonlySet<string> = new Set(['input', 'param', 'constant']);
