// Native TensorFlow on the CPU through tfjs-node (optional). Tensors live in host
// memory, so reads are synchronous and cheap: the OT solvers run in float64 JavaScript.
import type { BackendProfile } from './profile.ts';
import { loadNative } from './native.ts';
import { hostSolverKernels } from '../kernels/solvers.ts';

export const tensorflow = {
  name: 'tensorflow',
  tfjsName: 'tensorflow',
  description: 'native TensorFlow on the CPU (needs @tensorflow/tfjs-node)',
  load: () => loadNative(false),
  install: () => {},
  readsSync: true,
  synchronous: true,
  kernels: { ...hostSolverKernels },
  autoRank: 1,
} as const satisfies BackendProfile;
