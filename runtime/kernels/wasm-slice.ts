// Faster Slice and Unpack kernels for the wasm backend. tfjs-backend-wasm 4.22's Slice
// starts with backend.readSync(x), which copies the WHOLE input out of the wasm heap
// for every slice; Unpack (tf.unstack) calls it once per output, so unstacking E
// experts' weights copies them E times (measured: 70 ms to unstack [8,384,1536]).
// These read the input through a view of the heap instead (no copy) and copy only the
// sliced elements. Same results, bit for bit; the gradients are tfjs's own (they only
// depend on the kernel names). runtime/backend.ts installs them when it activates wasm
// (docs/performance.md has the measurements).
// Identity (tf.clone) copies the whole tensor on wasm, and tfjs clones every tensor it
// saves for a gradient (engine.saveTensorsForBackwardMode): about 400 copies per
// training step of the README example. Tensor data is immutable, so the replacement
// shares the input's data and counts a reference, as tfjs's cpu backend and wasm's own
// Reshape do.
import * as tf from '@tensorflow/tfjs';
import { I32, next, offsetOf, op, simdOn, uleb, vec, type SimdFunction, type WasmBackendInternals } from './wasm-simd.ts';

type TypedArray = Float32Array | Int32Array | Uint8Array;

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): TypedArray;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

interface RefCounting {
  incRef(dataId: tf.DataId): void;
}

let original: { slice?: tf.KernelFunc; unpack?: tf.KernelFunc; identity?: tf.KernelFunc } = {};
let installed = false;

// copy_rows(src, dst, rows, rowBytes, srcStride, dstStride): `rows` memory.copy calls of rowBytes.
function copyRowsFunction(): SimdFunction {
  const [SRC, DST, ROWS, RB, SS, DS] = [0, 1, 2, 3, 4, 5];
  const r = 6;
  const memoryCopy = [0xfc, ...uleb(10), 0x00, 0x00];
  const body = [
    ...vec([[...uleb(1), I32]]),
    0x02, 0x40, ...op.get(ROWS), 0x45, ...op.brIf(0), // nothing to do for 0 rows
    ...op.i32(0), ...op.set(r),
    ...op.loop,
    ...op.get(DST), ...op.get(SRC), ...op.get(RB), ...memoryCopy,
    ...op.get(SRC), ...op.get(SS), ...op.add, ...op.set(SRC),
    ...op.get(DST), ...op.get(DS), ...op.add, ...op.set(DST),
    ...next(r, op.i32(1), ROWS),
    ...op.end,
    ...op.end,
    ...op.end,
  ];
  return { name: 'copy_rows', params: [I32, I32, I32, I32, I32, I32], body };
}

type CopyRowsFn = (src: number, dst: number, rows: number, rowBytes: number, srcStride: number, dstStride: number) => void;
const copyInstances = new WeakMap<WebAssembly.Memory, CopyRowsFn>();

/** out ← `rows` runs of `run` elements of x, the first at element `start`, one every `stride`; false where wasm cannot run it. */
function copyRows(backend: WasmBackendLike, x: tf.TensorInfo, out: tf.TensorInfo, start: number, rows: number, run: number, stride: number): boolean {
  const fn = simdOn(copyInstances, backend, () => [copyRowsFunction()], (e) => e.copy_rows as CopyRowsFn);
  if (!fn) return false;
  const be = backend as unknown as WasmBackendInternals;
  const bytes = tf.util.bytesPerElement(x.dtype);
  fn(offsetOf(be, x) + start * bytes, offsetOf(be, out), rows, run * bytes, stride * bytes, run * bytes);
  return true;
}

/** Copies x[begin : begin+size] into a new output, reading x through a heap view. */
function sliceInto(backend: WasmBackendLike, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype); // may grow the heap: take views only after it
  const xv = backend.typedArrayFromHeap(x);
  const ov = backend.typedArrayFromHeap(out);
  const total = size.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const offset = tf.slice_util.computeFlatOffset(begin, strides);
    ov.set(xv.subarray(offset, offset + total));
    return out;
  }
  const rank = x.shape.length;
  const run = size[rank - 1]!;
  // Runs along the last axis at one stride (every axis between the first and the last
  // whole: a column block of a matrix, q/k/v out of a fused projection): one wasm call.
  const rows = total / run;
  const middleWhole = size.every((n, a) => a === 0 || a === rank - 1 || n === x.shape[a]);
  if (rank >= 2 && middleWhole && copyRows(backend, x, out, tf.slice_util.computeFlatOffset(begin, strides), rows, run, x.shape[rank - 1]!)) return out;
  // General case: copy contiguous runs along the last axis, walking the other axes.
  const index = new Array<number>(rank - 1).fill(0);
  for (let o = 0; o < total; o += run) {
    let src = begin[rank - 1]!;
    for (let a = 0; a < rank - 1; a++) src += (begin[a]! + index[a]!) * strides[a]!;
    ov.set(xv.subarray(src, src + run), o);
    for (let a = rank - 2; a >= 0; a--) {
      if (++index[a]! < size[a]!) break;
      index[a] = 0;
    }
  }
  return out;
}

function slice(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string' || x.shape.length === 0) return original.slice!(args as never) as tf.TensorInfo;
  const attrs = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  return sliceInto(args.backend as WasmBackendLike, x, begin, size);
}

function unpack(args: KernelArgs): tf.TensorInfo[] {
  const value = args.inputs.value as tf.TensorInfo;
  const rank = value.shape.length;
  let axis = (args.attrs as unknown as { axis: number }).axis;
  if (axis < 0) axis += rank;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const size = value.shape.slice();
  size[axis] = 1;
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < value.shape[axis]!; i++) {
    const begin = new Array<number>(rank).fill(0);
    begin[axis] = i;
    const out = sliceInto(args.backend as WasmBackendLike, value, begin, size);
    outs.push({ dataId: out.dataId, dtype: out.dtype, shape: outShape });
  }
  return outs;
}

/** tf.clone without a copy: the output shares x's data (one more reference). */
function identity(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return original.identity!(args as never) as tf.TensorInfo;
  (args.backend as RefCounting).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const REPLACED = ['Slice', 'Unpack', 'Identity'] as const;

/** Replaces wasm's Slice, Unpack and Identity kernels (idempotent). Returns false when the wasm backend is not registered. */
export function installWasmSliceKernels(): boolean {
  if (installed) return true;
  const slice0 = tf.getKernel('Slice', 'wasm');
  const unpack0 = tf.getKernel('Unpack', 'wasm');
  const identity0 = tf.getKernel('Identity', 'wasm');
  if (!slice0 || !unpack0 || !identity0) return false;
  original = { slice: slice0.kernelFunc, unpack: unpack0.kernelFunc, identity: identity0.kernelFunc };
  for (const name of REPLACED) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc: slice as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: 'Unpack', backendName: 'wasm', kernelFunc: unpack as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: identity as unknown as tf.KernelFunc });
  installed = true;
  return true;
}

/** Puts tfjs's own wasm Slice, Unpack and Identity back (for before/after measurements). */
export function uninstallWasmSliceKernels(): void {
  if (!installed) return;
  for (const name of REPLACED) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc: original.slice! });
  tf.registerKernel({ kernelName: 'Unpack', backendName: 'wasm', kernelFunc: original.unpack! });
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: original.identity! });
  installed = false;
}

export function wasmSliceKernelsInstalled(): boolean {
  return installed;
}
