// Shared helpers of the bench/ scripts: options, the backend, and printing.
import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { uninstallWasmSliceKernels, wasmSliceKernelsInstalled } from '../runtime/kernels/wasm-slice.ts';
import { parseThreadCount, selectBackend, type BackendName } from '../runtime/backend.ts';
import { compile, inMemoryFiles } from '../compiler/compile.ts';
import type { Graph } from '../compiler/graph/ir.ts';

export interface BenchOptions {
  /** Smaller shapes and fewer repetitions (a smoke run). */
  readonly quick: boolean;
  readonly backend: BackendName;
  /** Timed repetitions per figure (after one warm-up). */
  readonly reps: number;
  /** Measure with tfjs's own wasm Slice/Unpack instead of moec's copy-free ones (runtime/kernels/wasm-slice.ts). */
  readonly nativeSlice?: boolean;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions & { only?: string[]; json?: string } {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const reps = Number(get('--reps') ?? (quick ? 3 : 5));
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps expects a positive integer, got ${get('--reps')}`);
  const only = get('--only')?.split(',');
  const json = get('--json');
  const nativeSlice = argv.includes('--native-slice');
  // --threads N is MOEC_THREADS=N for this process (the wasm backend's default thread count, runtime/backend.ts).
  // Without either, the bench scripts measure one thread, comparable with their earlier figures; bench/threads.ts compares counts.
  const threads = get('--threads') ?? (process.env.MOEC_THREADS || '1');
  process.env.MOEC_THREADS = String(parseThreadCount(threads, get('--threads') !== undefined ? '--threads' : 'MOEC_THREADS'));
  return { quick, backend: (get('--backend') ?? 'wasm') as BackendName, reps, nativeSlice, ...(only ? { only } : {}), ...(json ? { json } : {}) };
}

export async function useBackend(name: BackendName, nativeSlice = false): Promise<string> {
  const b = await selectBackend(name);
  if (b.name !== 'wasm') return b.name;
  if (nativeSlice) uninstallWasmSliceKernels();
  const threads = `${b.threads} thread${b.threads === 1 ? '' : 's'}${b.threadNote ? `: ${b.threadNote}` : ''}`;
  return wasmSliceKernelsInstalled() ? `${b.name}, ${threads} (moec's copy-free Slice/Unpack kernels)` : `${b.name}, ${threads} (tfjs's own Slice/Unpack kernels)`;
}

export function say(text = ''): void {
  process.stdout.write(text + '\n');
}

/** Frees whatever a section leaked (there should be nothing; reported if so). */
export function checkLeaks(before: number, section: string): void {
  const leaked = tf.memory().numTensors - before;
  if (leaked > 0) say(`  note: ${section} left ${leaked} tensors allocated`);
}

/** Whether the module at `url` is the script being run (node bin/run-ts.mjs bench/x.ts). */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === url;
}

/** cli-table3 options for compact tables (no separator between rows). */
export const COMPACT_TABLE = {
  style: { head: [] as string[], border: [] as string[] },
  chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
};

/** Compiles a generated spec held in memory (compiler/compile.ts) to its model's graph; throws with the first error. */
export function compileBenchSpec(text: string, name = 'inline.moe'): { graph: Graph } {
  const c = compile(name, { readFile: inMemoryFiles({ [name]: text }), train: false });
  if (!c.ok) throw new Error(`bench spec ${name} does not check: ${c.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return { graph: c.graph() };
}
