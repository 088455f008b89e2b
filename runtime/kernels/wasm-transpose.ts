// A faster Transpose for the wasm backend. tfjs-backend-wasm 4.22's Transpose kernel
// costs about 3.4 ns per element (0.22 ms for [1024,64], 0.4 ms for [192,768]); a
// training step of the README example calls it ~100 times (≈ 10% of the step: the
// backward of the 2-D products, attention's head split/merge, the dispatcher's
// [1,0,2,3]). Every transpose moec's models run is, once size-1 axes are dropped and
// axes that stay neighbours are merged, "swap two adjacent axis groups": the input
// viewed as [G, R, C, I] becomes [G, C, R, I] (2-D: G = I = 1; [0,2,1]: I = 1;
// [0,2,1,3]: I = the last axis; [1,0,2,3]: G = 1). This kernel does that in a few
// WebAssembly SIMD functions assembled here (wasm-simd.ts) on tfjs's own memory:
// 4×4 tiles transposed with shuffles where I = 1, v128 block copies where I % 4 = 0,
// 32-bit copies otherwise and for the edges. It replaces the kernel name 'Transpose'
// (as wasm-slice.ts does for Slice), so graph kernels, moec's custom gradients and
// tfjs's gradients all get it; other perms and dtypes go to tfjs's own kernel.
// The result is a copy of 32-bit patterns: bit-identical to tfjs's. docs/performance.md
// has the measurements (bench/transpose.ts).
import * as tf from '@tensorflow/tfjs';
import { I32, next, offsetOf, op, simdOn, uleb, V128, vec, type SimdFunction, type WasmBackendInternals } from './wasm-simd.ts';

/** The transpose as [G, R, C, I] → [G, C, R, I] (sizes in elements). */
export interface SwapPlan {
  readonly G: number;
  readonly R: number;
  readonly C: number;
  readonly I: number;
}

/**
 * How `perm` on `shape` reduces to a swap of two adjacent axis groups: 'identity' when
 * it moves nothing (only size-1 axes, or none), undefined when it is some other perm.
 * Size-1 axes are dropped and runs of input axes that stay in order are merged first.
 */
export function swapPlan(shape: readonly number[], perm: readonly number[]): SwapPlan | 'identity' | undefined {
  const kept = shape.map((_, i) => i).filter((i) => shape[i] !== 1);
  const order = perm.filter((p) => shape[p] !== 1).map((p) => kept.indexOf(p)); // output order, as indices into kept
  // runs of consecutive input axes (in output order), each one merged axis
  const runs: number[][] = [];
  for (const a of order) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1]! + 1 === a) last.push(a);
    else runs.push([a]);
  }
  if (runs.length <= 1) return 'identity';
  const byInput = [...runs].sort((u, v) => u[0]! - v[0]!);
  const sizes = byInput.map((run) => run.reduce((n, a) => n * shape[kept[a]!]!, 1));
  const merged = runs.map((run) => byInput.indexOf(run)).join(',');
  const [s0, s1, s2, s3] = sizes as [number, number, number?, number?];
  if (merged === '1,0') return { G: 1, R: s0, C: s1, I: 1 };
  if (merged === '0,2,1') return { G: s0, R: s1, C: s2!, I: 1 };
  if (merged === '1,0,2') return { G: 1, R: s0, C: s1, I: s2! };
  if (merged === '0,2,1,3') return { G: s0, R: s1, C: s2!, I: s3! };
  return undefined;
}

// ---- the WebAssembly functions ----

/** f32 lane numbers of two v128 (0–3 the first, 4–7 the second) as i8x16.shuffle byte lanes. */
const lanes = (...f: number[]): number[] => f.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);

/**
 * tile4(src, dst, G, R4, C4, sR, dR, sG, dG): for each of G entries, the top-left
 * R4 × C4 (multiples of 4) of a row-major matrix with rows of sR bytes written
 * transposed (rows of dR bytes), 4×4 tiles at a time: 4 row loads, 8 shuffles
 * (the unpack-lo/hi pattern, one instruction each on x86 and ARM), 4 row stores.
 * Columns outer, rows inner: each output row is written in order (walking along the
 * input rows instead wrote 4 output rows 4R bytes apart per tile, and at R = 1024 those
 * all fall in one cache set: 1.0 ns per element on [1024,64] against 0.3).
 */
function tile4(): number[] {
  const [SRC, DST, G, R4, C4, SR, DR, SG, DG] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [g, r, c, rs, rd, s, d, sr2, sr3, dr2, dr3, dr4] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const [va, vb, vc, vd, t0, t1, t2, t3] = [21, 22, 23, 24, 25, 26, 27, 28];
  const sum = (x: number, y: number, into: number) => [...op.get(x), ...op.get(y), ...op.add, ...op.set(into)];
  const load = (row: number[], into: number) => [...op.get(s), ...row, ...op.v128Load, ...op.set(into)];
  const mix = (x: number, y: number, pick: number[], into?: number) => [...op.get(x), ...op.get(y), ...op.shuffle(pick), ...(into === undefined ? [] : op.set(into))];
  const store = (row: number[], value: number[]) => [...op.get(d), ...row, ...value, ...op.v128Store];
  const plus = (local: number) => [...op.get(local), ...op.add];
  const tile = [
    ...load([], va), ...load(plus(SR), vb), ...load(plus(sr2), vc), ...load(plus(sr3), vd),
    ...mix(va, vb, lanes(0, 4, 1, 5), t0), ...mix(va, vb, lanes(2, 6, 3, 7), t1),
    ...mix(vc, vd, lanes(0, 4, 1, 5), t2), ...mix(vc, vd, lanes(2, 6, 3, 7), t3),
    ...store([], mix(t0, t2, lanes(0, 1, 4, 5))), ...store(plus(DR), mix(t0, t2, lanes(2, 3, 6, 7))),
    ...store(plus(dr2), mix(t1, t3, lanes(0, 1, 4, 5))), ...store(plus(dr3), mix(t1, t3, lanes(2, 3, 6, 7))),
  ];
  return [
    ...vec([[...uleb(12), I32], [...uleb(8), V128]]),
    ...sum(SR, SR, sr2), ...sum(sr2, SR, sr3), ...sum(DR, DR, dr2), ...sum(dr2, DR, dr3), ...sum(dr2, dr2, dr4),
    ...op.i32(0), ...op.set(g),
    ...op.loop, // over the G entries
    ...op.get(SRC), ...op.set(rs), ...op.get(DST), ...op.set(rd), ...op.i32(0), ...op.set(c),
    ...op.loop, // over blocks of 4 input columns (4 output rows)
    ...op.get(rs), ...op.set(s), ...op.get(rd), ...op.set(d), ...op.i32(0), ...op.set(r),
    ...op.loop, // down them, a 4×4 tile at a time (the output rows written in order)
    ...tile,
    ...sum(s, sr2, s), ...sum(s, sr2, s),
    ...op.get(d), ...op.i32(16), ...op.add, ...op.set(d),
    ...next(r, op.i32(4), R4),
    ...op.end,
    ...op.get(rs), ...op.i32(16), ...op.add, ...op.set(rs),
    ...sum(rd, dr4, rd),
    ...next(c, op.i32(4), C4),
    ...op.end,
    ...sum(SRC, SG, SRC), ...sum(DST, DG, DST),
    ...next(g, op.i32(1), G),
    ...op.end,
    ...op.end,
  ];
}

/**
 * blocks(src, dst, G, R, C, B, sG, sR, sC, dG, dR, dC): for g < G, r < R, c < C, the
 * B bytes at src + g·sG + r·sR + c·sC copied to dst + g·dG + r·dR + c·dC, 16 bytes at a
 * time (`vector`, B % 16 = 0) or 4 (32-bit words, B % 4 = 0). Any strided copy of
 * blocks: the whole transpose where I > 1, the edges of tile4's where I = 1.
 */
function blocks(vector: boolean): number[] {
  const [SRC, DST, G, R, C, B, SG, SR, SC, DG, DR, DC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [g, r, c, rs, rd, s, d, j] = [12, 13, 14, 15, 16, 17, 18, 19];
  const sum = (x: number, y: number, into: number) => [...op.get(x), ...op.get(y), ...op.add, ...op.set(into)];
  const [load, store, step] = vector ? [op.v128Load, op.v128Store, 16] : [op.i32Load, op.i32Store, 4];
  return [
    ...vec([[...uleb(8), I32]]),
    ...op.i32(0), ...op.set(g),
    ...op.loop,
    ...op.get(SRC), ...op.set(rs), ...op.get(DST), ...op.set(rd), ...op.i32(0), ...op.set(r),
    ...op.loop,
    ...op.get(rs), ...op.set(s), ...op.get(rd), ...op.set(d), ...op.i32(0), ...op.set(c),
    ...op.loop,
    ...op.i32(0), ...op.set(j),
    ...op.loop, // one block
    ...op.get(d), ...op.get(j), ...op.add, ...op.get(s), ...op.get(j), ...op.add, ...load, ...store,
    ...next(j, op.i32(step), B),
    ...op.end,
    ...sum(s, SC, s), ...sum(d, DC, d),
    ...next(c, op.i32(1), C),
    ...op.end,
    ...sum(rs, SR, rs), ...sum(rd, DR, rd),
    ...next(r, op.i32(1), R),
    ...op.end,
    ...sum(SRC, SG, SRC), ...sum(DST, DG, DST),
    ...next(g, op.i32(1), G),
    ...op.end,
    ...op.end,
  ];
}

function simdFunctions(): SimdFunction[] {
  const i32s = (n: number) => new Array<number>(n).fill(I32);
  return [
    { name: 'tile4', params: i32s(9), body: tile4() },
    { name: 'blocks16', params: i32s(12), body: blocks(true) },
    { name: 'blocks4', params: i32s(12), body: blocks(false) },
  ];
}

type Tile4Fn = (src: number, dst: number, G: number, R4: number, C4: number, sR: number, dR: number, sG: number, dG: number) => void;
type BlocksFn = (src: number, dst: number, G: number, R: number, C: number, B: number, sG: number, sR: number, sC: number, dG: number, dR: number, dC: number) => void;
interface TransposeFns {
  readonly tile4: Tile4Fn;
  readonly blocks16: BlocksFn;
  readonly blocks4: BlocksFn;
}

const instances = new WeakMap<WebAssembly.Memory, TransposeFns>();

function simdFor(backend: unknown): TransposeFns | undefined {
  return simdOn(instances, backend, simdFunctions, (e) => ({ tile4: e.tile4 as Tile4Fn, blocks16: e.blocks16 as BlocksFn, blocks4: e.blocks4 as BlocksFn }));
}

/**
 * Input rows per tile4 call. tile4 walks down 4 input columns at a time, so the output
 * is written in order; where rows are short (≤ 256 floats) blocks of 128 rows keep the
 * input block in cache between the column sweeps (0.20 vs 0.29 ns per element on
 * [1024,64], 0.24 vs 0.31 on [1024,192]); long rows go whole (0.59 vs 0.88 on [1024,768]).
 */
function rowBlock(R: number, C: number): number {
  return C <= 256 ? 128 : R;
}

/** [G,R,C,I] at byte offset src → [G,C,R,I] at dst (32-bit elements, every size > 0). */
function runPlan(fns: TransposeFns, { G, R, C, I }: SwapPlan, src: number, dst: number): void {
  const gBytes = 4 * R * C * I;
  if (I > 1) {
    // blocks of I elements: input (r, c) at r·C·I + c·I, output at c·R·I + r·I
    const copy = I % 4 === 0 ? fns.blocks16 : fns.blocks4;
    copy(src, dst, G, R, C, 4 * I, gBytes, 4 * C * I, 4 * I, gBytes, 4 * I, 4 * R * I);
    return;
  }
  const [R4, C4] = [R & ~3, C & ~3];
  const block = rowBlock(R, C);
  if (C4 > 0) for (let r = 0; r < R4; r += block) fns.tile4(src + 4 * r * C, dst + 4 * r, G, Math.min(block, R4 - r), C4, 4 * C, 4 * R, gBytes, gBytes);
  // the edges tile4 leaves: columns C4… of rows …R4, then rows R4… whole
  if (R4 > 0 && C > C4) fns.blocks4(src + 4 * C4, dst + 4 * C4 * R, G, R4, C - C4, 4, gBytes, 4 * C, 4, gBytes, 4, 4 * R);
  if (R > R4) fns.blocks4(src + 4 * R4 * C, dst + 4 * R4, G, R - R4, C, 4, gBytes, 4 * C, 4, gBytes, 4, 4 * R);
}

// ---- the kernel ----

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

interface RefCounting {
  incRef(dataId: tf.DataId): void;
}

let original: tf.KernelFunc | undefined;

function transpose(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const perm = (args.attrs as unknown as { perm: number[] }).perm;
  const plan = x.dtype === 'float32' || x.dtype === 'int32' ? swapPlan(x.shape, perm) : undefined;
  const fns = plan ? simdFor(args.backend) : undefined;
  if (!plan || !fns || tf.util.sizeFromShape(x.shape) === 0) return original!(args as never) as tf.TensorInfo;
  const shape = perm.map((p) => x.shape[p]!);
  if (plan === 'identity') {
    // moves only size-1 axes: the same data in another shape (as moec's Identity, wasm's Reshape)
    (args.backend as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape, dtype: x.dtype };
  }
  const be = args.backend as WasmBackendInternals;
  const out = be.makeOutput(shape, x.dtype);
  runPlan(fns, plan, offsetOf(be, x), offsetOf(be, out));
  return out;
}

/** Replaces wasm's Transpose kernel (idempotent). Returns false when the wasm backend is not registered. */
export function installWasmTransposeKernel(): boolean {
  if (original) return true;
  const kernel = tf.getKernel('Transpose', 'wasm');
  if (!kernel) return false;
  original = kernel.kernelFunc;
  tf.unregisterKernel('Transpose', 'wasm');
  tf.registerKernel({ kernelName: 'Transpose', backendName: 'wasm', kernelFunc: transpose as unknown as tf.KernelFunc });
  return true;
}

/** Puts tfjs's own wasm Transpose back (for before/after measurements). */
export function uninstallWasmTransposeKernel(): void {
  if (!original) return;
  tf.unregisterKernel('Transpose', 'wasm');
  tf.registerKernel({ kernelName: 'Transpose', backendName: 'wasm', kernelFunc: original });
  original = undefined;
}

export function wasmTransposeKernelInstalled(): boolean {
  return original !== undefined;
}
