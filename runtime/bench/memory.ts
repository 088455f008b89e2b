// Memory figures a backend can report: bytes held by tfjs tensors, the wasm heap
// (which only grows, so its size is the process's peak for wasm), and the RSS.
import * as tf from '@tensorflow/tfjs';
import { activeProfile } from '../backends/index.ts';

export interface MemoryFigures {
  readonly tensorBytes: number;
  readonly tensors: number;
  /** Size of the wasm backend's linear memory (undefined on other backends). */
  readonly wasmHeapBytes?: number;
  readonly rssBytes: number;
}

/** The backend's own heap (its profile says whether it has one: wasm's linear memory). */
export function wasmHeapBytes(): number | undefined {
  return activeProfile().heapBytes?.();
}

export function memoryFigures(): MemoryFigures {
  const m = tf.memory();
  const heap = wasmHeapBytes();
  return { tensorBytes: m.numBytes, tensors: m.numTensors, ...(heap !== undefined ? { wasmHeapBytes: heap } : {}), rssBytes: process.memoryUsage().rss };
}
