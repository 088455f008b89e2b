// Native TensorFlow with CUDA through tfjs-node-gpu (optional). A synchronous read
// works but is a device→host copy, so the OT solvers stay on the device (the base
// tf-op kernels of solvers-tensor.ts) instead of a float64 JavaScript solve per layer.
import type { BackendProfile } from './profile.ts';
import { loadNative } from './native.ts';

export const tensorflowGpu = {
  name: 'tensorflow-gpu',
  tfjsName: 'tensorflow',
  description: 'native TensorFlow with CUDA (needs @tensorflow/tfjs-node-gpu)',
  load: () => loadNative(true),
  install: () => {},
  readsSync: true,
  synchronous: true,
  kernels: {},
  autoRank: 0,
} as const satisfies BackendProfile;
