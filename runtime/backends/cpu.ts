// The pure-JavaScript cpu backend: always available, the slowest. Kernels read
// tensors synchronously for free, so the OT solvers run in float64 JavaScript.
import type { BackendProfile } from './profile.ts';
import { activate } from './profile.ts';
import { hostSolverKernels } from '../kernels/solvers.ts';

export const cpu = {
  name: 'cpu',
  tfjsName: 'cpu',
  description: 'pure JavaScript (always available; slowest)',
  load: () => activate('cpu'),
  install: () => {},
  readsSync: true,
  synchronous: true,
  kernels: { ...hostSolverKernels },
  autoRank: 3,
} as const satisfies BackendProfile;
