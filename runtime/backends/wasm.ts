// The wasm backend (XNNPACK). Only a flag-free 2-D matMul is fast on it
// (tfjs-facts.md §2.1), so batched products loop over 2-D ones where that is faster
// (kernels/batch-matmul.ts); Slice/Unpack are replaced by copy-free kernels
// (kernels/wasm-slice.ts); the OT solvers run in float64 JavaScript.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BackendProfile } from './profile.ts';
import { activate } from './profile.ts';
import { hostSolverKernels } from '../kernels/solvers.ts';
import { loopingBatchMatMul } from '../kernels/batch-matmul.ts';
import { installWasmSliceKernels } from '../kernels/wasm-slice.ts';

const require = createRequire(import.meta.url);
let loaded = false;

async function load(): Promise<void> {
  if (!loaded) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries ship in the package's dist folder; point tfjs at it by file path.
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dist);
    loaded = true;
  }
  await activate('wasm');
}

export const wasm = {
  name: 'wasm',
  tfjsName: 'wasm',
  description: 'WebAssembly with XNNPACK (no native install needed)',
  load,
  install: () => void installWasmSliceKernels(), // copy-free Slice/Unpack (docs/performance.md)
  readsSync: true,
  synchronous: true,
  kernels: {
    ...hostSolverKernels,
    batch_matmul: ([a, b], attrs) => loopingBatchMatMul(a, b, attrs.transposeA === true, attrs.transposeB === true),
  },
  heapBytes: () => (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.byteLength,
  autoRank: 2,
} as const satisfies BackendProfile;
