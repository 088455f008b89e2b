// The wasm backend (XNNPACK). Only a flag-free 2-D matMul is fast on it
// (tfjs-facts.md §2.1), so batched products loop over 2-D ones where that is faster
// (kernels/batch-matmul.ts); Slice/Unpack are replaced by copy-free kernels
// (kernels/wasm-slice.ts) and Transpose by a SIMD one (kernels/wasm-transpose.ts);
// the OT solvers run in float64 JavaScript. With more than one thread it starts the
// package's threaded SIMD build (wasm-threads.ts), and falls back to one thread,
// saying why, where that cannot work.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BackendProfile, LoadOptions, ThreadsInUse } from './profile.ts';
import { activate, BackendError, firstLine } from './profile.ts';
import { currentThreadEnvironment, environmentBlocker, inspectBundle, readBundle, unrefPthreads, withThreadedScripts } from './wasm-threads.ts';
import { hostSolverKernels } from '../kernels/solvers.ts';
import { loopingBatchMatMul, wasmMatMul } from '../kernels/batch-matmul.ts';
import { installWasmSliceKernels } from '../kernels/wasm-slice.ts';
import { installWasmTransposeKernel } from '../kernels/wasm-transpose.ts';

const require = createRequire(import.meta.url);
type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');
let pkg: WasmPackage | undefined;
/** Threads asked for at the start, and the count in use with why it is fewer (set once per process). */
let started: { asked: number; inUse: ThreadsInUse } | undefined;

async function importPackage(): Promise<WasmPackage> {
  if (!pkg) {
    pkg = await import('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries ship in the package's dist folder; point tfjs at it by file path.
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    pkg.setWasmPaths(dist);
  }
  return pkg;
}

/** Whether the package's backend was already initialised (by an earlier start, or tfjs directly). */
function initialisedThreads(wasm: WasmPackage): number | undefined {
  try {
    return wasm.getThreadsCount();
  } catch {
    return undefined;
  }
}

/** Why the threaded build cannot start here, or the bundle facts it needs. */
async function threadedPlan(): Promise<ReturnType<typeof inspectBundle>> {
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const blocked = environmentBlocker(currentThreadEnvironment(simd));
  if (blocked) return blocked;
  if (!flagRegistered()) return 'unexpected @tensorflow/tfjs-backend-wasm package (no WASM_HAS_MULTITHREAD_SUPPORT flag)';
  const text = readBundle(require.resolve('@tensorflow/tfjs-backend-wasm'));
  if (text === undefined) return 'the @tensorflow/tfjs-backend-wasm bundle could not be read';
  return inspectBundle(text);
}

function flagRegistered(): boolean {
  return 'WASM_HAS_MULTITHREAD_SUPPORT' in ((tf.env() as unknown as { flagRegistry?: Record<string, unknown> }).flagRegistry ?? {});
}

/** Initialises the threaded build; a reason instead when it does not start (then nothing is left half-done). */
async function startThreaded(wasm: WasmPackage, threads: number): Promise<string | undefined> {
  const plan = await threadedPlan();
  if (typeof plan === 'string') return plan;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  // tfjs reports a failed initialisation with console.warn; keep its first line for the reason.
  const warned: string[] = [];
  const realWarn = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args.map(String).join(' '));
  let ok = false;
  try {
    ok = await withThreadedScripts(plan, threads, () => tf.setBackend('wasm'));
  } catch (error) {
    warned.push(firstLine(error));
  } finally {
    console.warn = realWarn;
  }
  if (ok) {
    unrefPthreads((tf.backend() as unknown as { wasm?: unknown }).wasm);
    return undefined;
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasm.setThreadsCount(1);
  const detail = warned.find((w) => !w.startsWith('Initialization of backend')) ?? warned[0] ?? 'unknown error';
  return `the threaded build failed to start: ${detail.split('\n')[0]!.slice(0, 160)}`;
}

async function load(options: LoadOptions = {}): Promise<void> {
  const asked = options.threads ?? 1;
  const wasm = await importPackage();
  if (!started) {
    const already = initialisedThreads(wasm);
    if (already !== undefined) {
      started = { asked: already, inUse: { threads: already } };
    } else {
      let note: string | undefined;
      if (asked > 1) note = await startThreaded(wasm, asked);
      const threads = initialisedThreads(wasm) ?? 1;
      if (!note && threads < asked) note = `XNNPACK's pool holds ${threads} (the package's pthread pool is its limit)`;
      started = { asked, inUse: { threads, ...(note ? { note } : {}) } };
    }
  }
  await activate('wasm');
  if (initialisedThreads(wasm) === undefined) throw new BackendError('the wasm backend failed to initialise');
}

/** The thread count in use, and why it is not the count asked for (this call's). */
function threadsInUse(asked: number): ThreadsInUse {
  if (!started) return { threads: 1 };
  const { inUse } = started;
  if (inUse.note) return inUse;
  if (asked !== started.asked && asked !== inUse.threads) return { threads: inUse.threads, note: `the wasm backend was started with ${inUse.threads} earlier in this process (one thread count per process)` };
  return inUse;
}

export const wasm = {
  name: 'wasm',
  tfjsName: 'wasm',
  description: 'WebAssembly with XNNPACK (no native install needed; multi-threaded with --threads)',
  load,
  threadsInUse,
  // copy-free Slice/Unpack, the SIMD Transpose (docs/performance.md)
  install: () => {
    installWasmSliceKernels();
    installWasmTransposeKernel();
  },
  readsSync: true,
  synchronous: true,
  kernels: {
    ...hostSolverKernels,
    matmul: ([a, b]) => wasmMatMul(a, b),
    batch_matmul: ([a, b], attrs) => loopingBatchMatMul(a, b, attrs.transposeA === true, attrs.transposeB === true),
    // the experts' products are batched products too: the same choice of SIMD kernel or loop
    expert_matmul: ([x, w]) => loopingBatchMatMul(x, w),
  },
  heapBytes: () => (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.byteLength,
  autoRank: 2,
} as const satisfies BackendProfile;
