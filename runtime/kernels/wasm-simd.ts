// Shared by moec's WebAssembly SIMD kernels (wasm-small-bmm.ts, wasm-adamw.ts, wasm-transpose.ts): a
// minimal encoder for hand-written wasm functions, and the binding of a module to the
// memory tfjs-backend-wasm keeps its tensors in, so a kernel reads its inputs and
// writes its outputs where tfjs keeps them, with no copy. No toolchain is needed.
import * as tf from '@tensorflow/tfjs';

export interface WasmBackendInternals {
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

// ---- a minimal WebAssembly encoder ----

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'utf8')];
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

export const I32 = 0x7f;
export const V128 = 0x7b;
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  ltU: [0x49],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  f32Load: [0x2a, 0x02, 0x00],
  v128Load: [0xfd, ...uleb(0x00), 0x02, 0x00],
  v128Store: [0xfd, ...uleb(0x0b), 0x02, 0x00],
  v128Zero: [0xfd, ...uleb(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Splat: [0xfd, ...uleb(0x13)],
  f32x4Add: [0xfd, ...uleb(0xe4)],
  f32x4Mul: [0xfd, ...uleb(0xe6)],
  f32x4Sub: [0xfd, ...uleb(0xe5)],
  lane: (i: number) => [0xfd, ...uleb(0x1f), i],
  f32Add: [0x92],
  f32Div: [0x95],
  f32Sqrt: [0x91],
  f32Store: [0x38, 0x02, 0x00],
  f32One: [0x43, 0x00, 0x00, 0x80, 0x3f],
  i32Load: [0x28, 0x02, 0x00],
  i32Store: [0x36, 0x02, 0x00],
  /** i8x16.shuffle: 16 byte lanes picked from two v128 (0–15 the first, 16–31 the second). */
  shuffle: (bytes: readonly number[]) => [0xfd, ...uleb(0x0d), ...bytes],
};

/** The four lanes of the v128 in `local` added in lane order ((l0 + l1) + l2) + l3, as an f32. */
export function hsum(local: number): number[] {
  return [...op.get(local), ...op.lane(0), ...op.get(local), ...op.lane(1), ...op.f32Add, ...op.get(local), ...op.lane(2), ...op.f32Add, ...op.get(local), ...op.lane(3), ...op.f32Add];
}

/** A loop over a row in steps of 16 bytes: j ← 0; do { body } while ((j += 16) < limit). */
export function rowLoop(j: number, limit: number, body: number[]): number[] {
  return [...op.i32(0), ...op.set(j), ...op.loop, ...body, ...next(j, op.i32(16), limit), ...op.end];
}

export const F32 = 0x7d;

/** `local += step` then loop again while `local < limit` (both locals or a constant step). */
export function next(local: number, step: number[], limit: number): number[] {
  return [...op.get(local), ...step, ...op.add, ...op.tee(local), ...op.get(limit), ...op.ltU, ...op.brIf(0)];
}

export function offsetOf(backend: WasmBackendInternals, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('moec SIMD kernel: tensor data not on the wasm backend');
  return data.memoryOffset;
}

/** One exported function: its parameter types and its body (locals vector, code, end). */
export interface SimdFunction {
  readonly name: string;
  readonly params: readonly number[];
  readonly body: readonly number[];
}

/** A module importing `env.memory` (shared when tfjs's memory is) and exporting `functions`. */
export function simdModuleBytes(functions: readonly SimdFunction[], shared: boolean): Uint8Array<ArrayBuffer> {
  const limits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec([])]))),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(functions.map((f) => [...uleb(f.body.length), ...f.body]))),
  ];
  return new Uint8Array(bytes);
}

/** The WebAssembly memory of the active tfjs backend, where it has one this code can reach. */
export function backendMemory(backend: unknown): WebAssembly.Memory | undefined {
  const be = backend as Partial<WasmBackendInternals>;
  const memory = be.wasm?.asm?.memory ?? be.wasm?.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

/**
 * `functions` instantiated on the backend's memory and bound by `bind`, once per memory
 * (cached in `cache`); undefined where the memory is not reachable or wasm SIMD fails to compile.
 */
export function simdOn<T>(cache: WeakMap<WebAssembly.Memory, T>, backend: unknown, functions: () => readonly SimdFunction[], bind: (exports: WebAssembly.Exports) => T): T | undefined {
  const memory = backendMemory(backend);
  if (!memory) return undefined;
  let fns = cache.get(memory);
  if (!fns) {
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const instance = new WebAssembly.Instance(new WebAssembly.Module(simdModuleBytes(functions(), shared)), { env: { memory } });
      fns = bind(instance.exports);
      cache.set(memory, fns);
    } catch {
      return undefined;
    }
  }
  return fns;
}
