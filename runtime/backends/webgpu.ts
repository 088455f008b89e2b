// WebGPU through Dawn in Node (runtime/webgpu.ts; optional packages). It cannot
// read a tensor synchronously, so every kernel stays on the device (the base
// table), and two tfjs-webgpu bugs are patched once it is active. `auto` never
// picks it: without a GPU it runs on software OpenGL ES, slower than wasm.
import type { BackendProfile } from './profile.ts';
import { BackendError, activate } from './profile.ts';
import { onWebgpuActivated, registerWebgpuBackend, WebgpuUnavailable } from '../webgpu.ts';

async function load(): Promise<string> {
  let adapter: string;
  try {
    adapter = await registerWebgpuBackend();
  } catch (error) {
    throw error instanceof WebgpuUnavailable ? new BackendError(error.message) : error;
  }
  await activate('webgpu');
  return adapter;
}

export const webgpu = {
  name: 'webgpu',
  tfjsName: 'webgpu',
  description: 'WebGPU through Dawn (needs the optional webgpu packages; only when asked for)',
  load,
  install: onWebgpuActivated,
  readsSync: false,
  synchronous: false,
  kernels: {},
} as const satisfies BackendProfile;
