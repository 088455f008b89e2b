// What moec knows about one tfjs backend, in one place: how to load it, what it
// can do (synchronous reads), which kernels it replaces, and which tfjs-level
// patches it needs. A backend is one file in this folder plus one line in
// index.ts; nothing else compares backend names (kernels, trainer, bench read
// the profile).
import * as tf from '@tensorflow/tfjs';
import type { KernelTable } from '../kernels/types.ts';

/** What a start may ask of a backend. */
export interface LoadOptions {
  /** Threads for the backend's own pool (wasm's XNNPACK); others ignore it. */
  readonly threads?: number;
}

/** The threads a backend with its own pool runs on, and why fewer than asked. */
export interface ThreadsInUse {
  readonly threads: number;
  readonly note?: string;
}

export interface BackendProfile {
  /** moec's name for it (`--backend NAME`). */
  readonly name: string;
  /** The tfjs backend it activates (tfjs-node-gpu registers as `tensorflow` too). */
  readonly tfjsName: string;
  /** One line for `--help` and docs. */
  readonly description: string;
  /** Loads the packages and activates the backend; may return a detail for the selection's reason (e.g. the GPU adapter). Throws BackendError. */
  load(options?: LoadOptions): Promise<string | void>;
  /** Backends with a thread pool moec sizes (wasm): the count in use after load, for a start that asked `asked`. */
  threadsInUse?(asked: number): ThreadsInUse;
  /** tfjs-level patches to install once the backend is active (idempotent). */
  install(): void;
  /** Whether tensors can be read synchronously (dataSync) on it. Whether kernels *should* (host solvers) is the kernels table's choice. */
  readonly readsSync: boolean;
  /** Whether kernels finish before the call returns (timing a call needs no read-back). */
  readonly synchronous: boolean;
  /** Kernels that replace the base ones (runtime/kernels/index.ts) on this backend. */
  readonly kernels: KernelTable;
  /** Bytes of the backend's own heap, where it has one that only grows (wasm's linear memory: the process's peak). */
  heapBytes?(): number | undefined;
  /** Position in `auto`'s order, fastest first; absent: `auto` never picks it. */
  readonly autoRank?: number;
}

/** A backend that cannot be loaded or started (the message says what to install). */
export class BackendError extends Error {}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}

/** Imports an optional package by a runtime name (no compile-time types needed). */
export async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ name);
}

/** The cpu backend prints an "install tfjs-node" banner on first use; moec says it itself. */
function silenceCpuBanner(): void {
  const backend = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (backend && 'firstUse' in backend) backend.firstUse = false;
}

/** Makes a registered tfjs backend the active one. */
export async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new BackendError(`the ${name} backend failed to initialise`);
  await tf.ready();
  if (name === 'cpu') silenceCpuBanner();
}
