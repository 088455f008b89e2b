// Backend selection. `auto` tries the fastest backend that loads: tfjs-node-gpu
// (CUDA), tfjs-node (native TensorFlow), wasm (XNNPACK), then the pure-JS cpu
// backend. `webgpu` only when asked for (runtime/webgpu.ts). The native and WebGPU
// packages are optional (tfjs-node is not a dependency at all; webgpu is an
// optionalDependency): they are imported dynamically by a name TypeScript does
// not resolve, so their absence never breaks compiling, installing or testing.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { onWebgpuActivated, registerWebgpuBackend, WebgpuUnavailable } from './webgpu.ts';
import { installWasmSliceKernels } from './kernels/wasm-slice.ts';

export type BackendName = 'auto' | 'wasm' | 'cpu' | 'webgpu' | 'tensorflow' | 'tensorflow-gpu';

export interface BackendSelection {
  /** The tfjs backend now active (`tensorflow`, `wasm`, `cpu`, `webgpu`). */
  readonly name: string;
  /** Why this one: what was asked for, or why auto settled on it. */
  readonly reason: string;
  /** The faster backends auto skipped, each with why. */
  readonly skipped: string[];
}

export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'wasm', 'cpu', 'webgpu', 'tensorflow', 'tensorflow-gpu'];

export class BackendError extends Error {}

const require = createRequire(import.meta.url);

/** Imports an optional package by a runtime name (no compile-time types needed). */
async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ name);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}

/** The cpu backend prints an "install tfjs-node" banner on first use; moec says it itself. */
function silenceCpuBanner(): void {
  const backend = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (backend && 'firstUse' in backend) backend.firstUse = false;
}

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new BackendError(`the ${name} backend failed to initialise`);
  await tf.ready();
  if (name === 'cpu') silenceCpuBanner();
}

async function loadNative(gpu: boolean): Promise<void> {
  const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  try {
    await importOptional(pkg);
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    throw new BackendError(missing ? `${pkg} is not installed` : `${pkg} failed to load: ${firstLine(error)}`);
  }
  // tfjs-node registers itself as the 'tensorflow' backend of the shared tfjs-core.
  if (!tf.findBackendFactory('tensorflow')) {
    throw new BackendError(`${pkg} loaded but registered no 'tensorflow' backend (is its @tensorflow/tfjs version 4.22.0 like moec's?)`);
  }
  await activate('tensorflow');
}

let wasmLoaded = false;

async function loadWasm(): Promise<void> {
  if (!wasmLoaded) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries ship in the package's dist folder; point tfjs at it by file path.
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dist);
    wasmLoaded = true;
  }
  await activate('wasm');
  installWasmSliceKernels(); // copy-free Slice/Unpack (runtime/kernels/wasm-slice.ts, docs/performance.md)
}

/** WebGPU through Dawn (runtime/webgpu.ts); returns which adapter it runs on. */
async function loadWebgpu(): Promise<string> {
  let adapter: string;
  try {
    adapter = await registerWebgpuBackend();
  } catch (error) {
    throw error instanceof WebgpuUnavailable ? new BackendError(error.message) : error;
  }
  await activate('webgpu');
  onWebgpuActivated();
  return adapter;
}

// A loader may return a detail for the reason (e.g. which GPU adapter).
const LOADERS: Record<Exclude<BackendName, 'auto'>, { tfjsName: string; load: () => Promise<string | void> }> = {
  'tensorflow-gpu': { tfjsName: 'tensorflow', load: () => loadNative(true) },
  tensorflow: { tfjsName: 'tensorflow', load: () => loadNative(false) },
  wasm: { tfjsName: 'wasm', load: loadWasm },
  webgpu: { tfjsName: 'webgpu', load: loadWebgpu },
  cpu: { tfjsName: 'cpu', load: () => activate('cpu') },
};

/** Fastest first: what `auto` tries. Not webgpu: without a GPU it runs on software OpenGL ES, slower than wasm. */
const AUTO_ORDER: readonly Exclude<BackendName, 'auto'>[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/**
 * Activates a backend. A named backend that cannot load is an error (BackendError
 * with what to install); `auto` falls through the list and reports what it skipped.
 */
export async function selectBackend(name: BackendName = 'auto'): Promise<BackendSelection> {
  if (name !== 'auto') {
    const loader = LOADERS[name];
    if (!loader) throw new BackendError(`unknown backend '${String(name)}' (one of ${BACKEND_NAMES.join(', ')})`);
    let detail: string | void;
    try {
      detail = await loader.load();
    } catch (error) {
      throw error instanceof BackendError ? error : new BackendError(`the ${name} backend failed: ${firstLine(error)}`);
    }
    return { name: loader.tfjsName, reason: `requested with --backend ${name}${detail ? `; ${detail}` : ''}`, skipped: [] };
  }
  const skipped: string[] = [];
  for (const candidate of AUTO_ORDER) {
    try {
      await LOADERS[candidate].load();
    } catch (error) {
      skipped.push(`${candidate}: ${firstLine(error)}`);
      continue;
    }
    const reason = skipped.length === 0 ? `${candidate} is the fastest backend available` : `${candidate} is the fastest backend that loaded`;
    return { name: LOADERS[candidate].tfjsName, reason, skipped };
  }
  throw new BackendError(`no backend could be started: ${skipped.join('; ')}`);
}
