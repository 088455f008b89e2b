// Small batched products [G,m,k]·[G,k,n] on the wasm backend (attention with 16
// tokens, the Soft MoE dispatcher/combiner of the README example). tfjs-backend-wasm
// runs BatchMatMul with more than one batch entry in a scalar C++ loop (about
// 0.5–1.5 GFLOP/s on [256,16,16]², tfjs-facts.md §2.1), and a loop of XNNPACK 2-D
// products pays a fixed cost per entry that dominates below ~50k multiply-adds
// (batch-matmul.ts). This kernel is a few lines of WebAssembly SIMD, assembled here
// (no toolchain), that share tfjs's own wasm memory: it reads the operands where
// tfjs keeps them and writes the result into a tfjs output, with no copy.
// Forward and both gradients run through it (registered as a tfjs kernel with a
// gradient), with the transposes the backward pass needs done by wasm's Transpose.
// Results differ from tfjs's BatchMatMul only by float32 summation order.
import * as tf from '@tensorflow/tfjs';
import { F32, hsum, I32, next, offsetOf, op, rowLoop, simdOn, uleb, V128, vec, type SimdFunction, type WasmBackendInternals } from './wasm-simd.ts';

export const SMALL_BMM_KERNEL = 'MoecSmallBatchMatMul';


/**
 * LayerNorm over rows of D floats (D % 4 = 0), forward and backward, as the kernels of
 * runtime/kernels/nn.ts compute them: y = x̂·scale + bias with x̂ = (x − mean)·inv,
 * inv = 1/√(mean((x − mean)²) + ε); the backward dx = inv·(g − mean(g) − x̂·mean(g·x̂)),
 * g = dy·scale, dscale = Σ_rows dy·x̂, dbias = Σ_rows dy.
 */
function layerNormFunctions(): { forward: number[]; backward: number[] } {
  // forward(x, scale, bias, y, xhat, inv, R, DB, eps, dF)
  const [X, SC, BI, Y, XH, IV, R, DB, EPS, DF] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [r, j, acc, vmean, vinv, tv] = [10, 11, 12, 13, 14, 15];
  const at = (base: number) => [...op.get(base), ...op.get(j), ...op.add];
  const forward = [
    ...vec([[...uleb(2), I32], [...uleb(4), V128]]),
    ...op.i32(0), ...op.set(r),
    ...op.loop,
    ...op.v128Zero, ...op.set(acc),
    ...rowLoop(j, DB, [...op.get(acc), ...at(X), ...op.v128Load, ...op.f32x4Add, ...op.set(acc)]),
    ...hsum(acc), ...op.get(DF), ...op.f32Div, ...op.f32x4Splat, ...op.set(vmean),
    ...op.v128Zero, ...op.set(acc),
    ...rowLoop(j, DB, [
      ...at(X), ...op.v128Load, ...op.get(vmean), ...op.f32x4Sub, ...op.tee(tv),
      ...op.get(tv), ...op.f32x4Mul, ...op.get(acc), ...op.f32x4Add, ...op.set(acc),
    ]),
    // inv = 1 / sqrt(var + eps), stored per row
    ...op.get(IV),
    ...op.f32One, ...hsum(acc), ...op.get(DF), ...op.f32Div, ...op.get(EPS), ...op.f32Add, ...op.f32Sqrt, ...op.f32Div,
    ...op.f32Store,
    ...op.get(IV), ...op.f32Load, ...op.f32x4Splat, ...op.set(vinv),
    ...rowLoop(j, DB, [
      ...at(XH),
      ...at(X), ...op.v128Load, ...op.get(vmean), ...op.f32x4Sub, ...op.get(vinv), ...op.f32x4Mul, ...op.tee(tv),
      ...op.v128Store,
      ...at(Y),
      ...op.get(tv), ...at(SC), ...op.v128Load, ...op.f32x4Mul, ...at(BI), ...op.v128Load, ...op.f32x4Add,
      ...op.v128Store,
    ]),
    ...op.get(X), ...op.get(DB), ...op.add, ...op.set(X),
    ...op.get(XH), ...op.get(DB), ...op.add, ...op.set(XH),
    ...op.get(Y), ...op.get(DB), ...op.add, ...op.set(Y),
    ...op.get(IV), ...op.i32(4), ...op.add, ...op.set(IV),
    ...next(r, op.i32(1), R),
    ...op.end,
    ...op.end,
  ];
  // backward(dy, xhat, inv, scale, dx, dscale, dbias, R, DB, dF)
  const [DY, BXH, BIV, BSC, DX, DS, DBI, BR, BDB, BDF] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [br, bj, a1, a2, g, m1, m2, viv] = [10, 11, 12, 13, 14, 15, 16, 17];
  const bat = (base: number) => [...op.get(base), ...op.get(bj), ...op.add];
  const backward = [
    ...vec([[...uleb(2), I32], [...uleb(6), V128]]),
    ...rowLoop(bj, BDB, [...bat(DS), ...op.v128Zero, ...op.v128Store, ...bat(DBI), ...op.v128Zero, ...op.v128Store]),
    ...op.i32(0), ...op.set(br),
    ...op.loop,
    ...op.v128Zero, ...op.set(a1),
    ...op.v128Zero, ...op.set(a2),
    ...rowLoop(bj, BDB, [
      ...bat(DY), ...op.v128Load, ...bat(BSC), ...op.v128Load, ...op.f32x4Mul, ...op.tee(g),
      ...op.get(a1), ...op.f32x4Add, ...op.set(a1),
      ...op.get(g), ...bat(BXH), ...op.v128Load, ...op.f32x4Mul, ...op.get(a2), ...op.f32x4Add, ...op.set(a2),
      ...bat(DS), ...bat(DS), ...op.v128Load, ...bat(DY), ...op.v128Load, ...bat(BXH), ...op.v128Load, ...op.f32x4Mul, ...op.f32x4Add, ...op.v128Store,
      ...bat(DBI), ...bat(DBI), ...op.v128Load, ...bat(DY), ...op.v128Load, ...op.f32x4Add, ...op.v128Store,
    ]),
    ...hsum(a1), ...op.get(BDF), ...op.f32Div, ...op.f32x4Splat, ...op.set(m1),
    ...hsum(a2), ...op.get(BDF), ...op.f32Div, ...op.f32x4Splat, ...op.set(m2),
    ...op.get(BIV), ...op.f32Load, ...op.f32x4Splat, ...op.set(viv),
    ...rowLoop(bj, BDB, [
      ...bat(DX),
      ...op.get(viv),
      ...bat(DY), ...op.v128Load, ...bat(BSC), ...op.v128Load, ...op.f32x4Mul, ...op.get(m1), ...op.f32x4Sub,
      ...bat(BXH), ...op.v128Load, ...op.get(m2), ...op.f32x4Mul, ...op.f32x4Sub,
      ...op.f32x4Mul,
      ...op.v128Store,
    ]),
    ...op.get(DY), ...op.get(BDB), ...op.add, ...op.set(DY),
    ...op.get(BXH), ...op.get(BDB), ...op.add, ...op.set(BXH),
    ...op.get(DX), ...op.get(BDB), ...op.add, ...op.set(DX),
    ...op.get(BIV), ...op.i32(4), ...op.add, ...op.set(BIV),
    ...next(br, op.i32(1), BR),
    ...op.end,
    ...op.end,
  ];
  return { forward, backward };
}


const mulI32 = [0x6c];
const gtU = [0x4b];
const br = (depth: number) => [0x0c, ...uleb(depth)];
const block = [0x02, 0x40];
const ifThen = [0x04, 0x40];
const v128LoadAt = (offset: number) => [0xfd, ...uleb(0x00), 0x02, ...uleb(offset)];
const v128StoreAt = (offset: number) => [0xfd, ...uleb(0x0b), 0x02, ...uleb(offset)];

/**
 * bmm(a, b, c, G, M, K, nBytes, aG, aI, aP, bG, bP): for each g < G, i < M:
 *   c[g,i,:] = Σ_p a[g,i,p] · b[g,p,:]   (c contiguous, rows of nBytes = 4·N, N % 4 = 0, M % 4 = 0)
 * a is read with strides aG/aI/aP (bytes), so it may be stored transposed; b's rows
 * are contiguous (stride bP between rows, bG between entries). c is computed in tiles
 * of 4 rows × 8 columns (4 × 4 at the end of a row) held in registers over the whole
 * p loop, so each b row is loaded once per 4 rows and c is written once; products
 * accumulate in p order from 0 (the same sums, in the same order, as one row at a time).
 */
function bmmFunction(): number[] {
  const [A, B, C, G, M, K, NB, AG, AI, AP, BG, BP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [g, i, j, p, brow, crow, rowA] = [12, 13, 14, 15, 16, 17, 18];
  const ap = (r: number) => 19 + r; // a's pointers for the tile's 4 rows: 19..22
  const acc = (r: number, h: number) => 23 + 2 * r + h; // 23..30
  const bv = (h: number) => 31 + h; // 31, 32
  const splat = 33;
  const rows = [0, 1, 2, 3];
  // the tile of rows i..i+3, columns [j, j + 4·halves) floats (halves 1 or 2 v128s per row)
  const tile = (halves: 1 | 2) => {
    const hs = halves === 2 ? [0, 1] : [0];
    return [
      ...rows.flatMap((r) => hs.flatMap((h) => [...op.v128Zero, ...op.set(acc(r, h))])),
      ...op.get(rowA), ...op.set(ap(0)),
      ...[1, 2, 3].flatMap((r) => [...op.get(ap(r - 1)), ...op.get(AI), ...op.add, ...op.set(ap(r))]),
      ...op.get(B), ...op.get(j), ...op.add, ...op.set(brow),
      ...op.i32(0), ...op.set(p),
      ...op.loop, // over p
      ...hs.flatMap((h) => [...op.get(brow), ...v128LoadAt(16 * h), ...op.set(bv(h))]),
      ...rows.flatMap((r) => [
        ...op.get(ap(r)), ...op.f32Load, ...op.f32x4Splat, ...op.set(splat),
        ...hs.flatMap((h) => [...op.get(acc(r, h)), ...op.get(splat), ...op.get(bv(h)), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(acc(r, h))]),
        ...op.get(ap(r)), ...op.get(AP), ...op.add, ...op.set(ap(r)),
      ]),
      ...op.get(brow), ...op.get(BP), ...op.add, ...op.set(brow),
      ...next(p, op.i32(1), K),
      ...op.end,
      ...rows.flatMap((r) => hs.flatMap((h) => [
        ...op.get(crow), ...op.get(j), ...op.add, ...op.get(NB), ...op.i32(r), ...mulI32, ...op.add,
        ...op.get(acc(r, h)), ...v128StoreAt(16 * h),
      ])),
    ];
  };
  const body = [
    ...op.i32(0), ...op.set(g),
    ...op.loop, // over g
    ...op.i32(0), ...op.set(i),
    ...op.get(A), ...op.set(rowA),
    ...op.get(C), ...op.set(crow),
    ...op.loop, // over blocks of 4 rows
    ...op.i32(0), ...op.set(j),
    ...block,
    ...op.loop, // 8-column tiles while they fit
    ...op.get(j), ...op.i32(32), ...op.add, ...op.get(NB), ...gtU, ...op.brIf(1),
    ...tile(2),
    ...op.get(j), ...op.i32(32), ...op.add, ...op.set(j),
    ...br(0),
    ...op.end,
    ...op.end,
    ...op.get(j), ...op.get(NB), ...op.ltU, ...ifThen, // a last 4-column tile
    ...tile(1),
    ...op.end,
    ...op.get(rowA), ...op.get(AI), ...op.i32(4), ...mulI32, ...op.add, ...op.set(rowA),
    ...op.get(crow), ...op.get(NB), ...op.i32(4), ...mulI32, ...op.add, ...op.set(crow),
    ...next(i, op.i32(4), M),
    ...op.end,
    ...op.get(crow), ...op.set(C), // the next entry's c follows this one's
    ...op.get(A), ...op.get(AG), ...op.add, ...op.set(A),
    ...op.get(B), ...op.get(BG), ...op.add, ...op.set(B),
    ...next(g, op.i32(1), G),
    ...op.end,
    ...op.end,
  ];
  return [...vec([[...uleb(11), I32], [...uleb(11), V128]]), ...body];
}

function simdFunctions(): SimdFunction[] {
  const func = bmmFunction();
  // colsum(src, dst, R, nBytes): dst[:] = Σ_r src[r,:] (rows of nBytes = 4·N, N % 4 = 0), rows added in order.
  const [S, D, R, CB] = [0, 1, 2, 3];
  const [r, cj, caddr] = [4, 5, 6];
  const colsum = [
    ...vec([[...uleb(3), I32]]),
    ...op.i32(0), ...op.set(cj),
    ...op.loop,
    ...op.get(D), ...op.get(cj), ...op.add, ...op.v128Zero, ...op.v128Store,
    ...next(cj, op.i32(16), CB),
    ...op.end,
    ...op.i32(0), ...op.set(r),
    ...op.loop,
    ...op.i32(0), ...op.set(cj),
    ...op.loop,
    ...op.get(D), ...op.get(cj), ...op.add, ...op.tee(caddr),
    ...op.get(caddr), ...op.v128Load,
    ...op.get(S), ...op.get(cj), ...op.add, ...op.v128Load,
    ...op.f32x4Add,
    ...op.v128Store,
    ...next(cj, op.i32(16), CB),
    ...op.end,
    ...op.get(S), ...op.get(CB), ...op.add, ...op.set(S),
    ...next(r, op.i32(1), R),
    ...op.end,
    ...op.end,
  ];
  const ln = layerNormFunctions();
  const i32s = (n: number) => new Array<number>(n).fill(I32);
  return [
    { name: 'bmm', params: i32s(12), body: func },
    { name: 'colsum', params: i32s(4), body: [...colsum] },
    { name: 'ln_forward', params: [...i32s(8), F32, F32], body: ln.forward },
    { name: 'ln_backward', params: [...i32s(9), F32], body: ln.backward },
  ];
}

type BmmFn = (a: number, b: number, c: number, G: number, M: number, K: number, nBytes: number, aG: number, aI: number, aP: number, bG: number, bP: number) => void;
type ColsumFn = (src: number, dst: number, rows: number, nBytes: number) => void;
type LnForwardFn = (x: number, scale: number, bias: number, y: number, xhat: number, inv: number, rows: number, dBytes: number, eps: number, d: number) => void;
type LnBackwardFn = (dy: number, xhat: number, inv: number, scale: number, dx: number, dscale: number, dbias: number, rows: number, dBytes: number, d: number) => void;
interface SimdFns {
  readonly bmm: BmmFn;
  readonly colsum: ColsumFn;
  readonly lnForward: LnForwardFn;
  readonly lnBackward: LnBackwardFn;
}

const instances = new WeakMap<WebAssembly.Memory, SimdFns>();

/** The SIMD functions bound to the wasm backend's memory, or undefined where wasm SIMD or the memory is not reachable. */
function simdFor(backend: unknown): SimdFns | undefined {
  return simdOn(instances, backend, simdFunctions, (e) => ({ bmm: e.bmm as BmmFn, colsum: e.colsum as ColsumFn, lnForward: e.ln_forward as LnForwardFn, lnBackward: e.ln_backward as LnBackwardFn }));
}

interface SmallBmmAttrs {
  /** a is stored [G,k,m] (the product uses its transpose per entry). */
  transposeA: boolean;
}


function smallBmmKernel({ inputs, attrs, backend }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const be = backend as WasmBackendInternals;
  const a = inputs.a as tf.TensorInfo;
  const b = inputs.b as tf.TensorInfo;
  const transposeA = (attrs as unknown as SmallBmmAttrs).transposeA;
  // [G,m,k]·[G,k,n], or a 2-D product as one entry (no reshapes around it: each is a kernel call)
  const [G, ra, ca] = (a.shape.length === 2 ? [1, ...a.shape] : a.shape) as [number, number, number];
  const [, K, N] = (b.shape.length === 2 ? [1, ...b.shape] : b.shape) as [number, number, number];
  const M = transposeA ? ca : ra;
  const fn = simdFor(be)?.bmm;
  if (!fn) throw new Error(`${SMALL_BMM_KERNEL}: wasm SIMD is not available`);
  const out = be.makeOutput(a.shape.length === 2 ? [M, N] : [G, M, N], 'float32');
  // strides of a[g,i,p] in bytes: stored [G,M,K] or, transposed, [G,K,M]
  const [aI, aP] = transposeA ? [4, 4 * M] : [4 * K, 4];
  fn(offsetOf(be, a), offsetOf(be, b), offsetOf(be, out), G, M, K, 4 * N, 4 * M * K, aI, aP, 4 * K * N, 4 * N);
  return out;
}

const swap = (t: tf.Tensor): tf.Tensor => tf.transpose(t, t.rank === 2 ? [1, 0] : [0, 2, 1]);

function runKernel(a: tf.Tensor, b: tf.Tensor, transposeA: boolean): tf.Tensor {
  return tf.engine().runKernel(SMALL_BMM_KERNEL, { a, b }, { transposeA } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

let gradientRegistered = false;

/**
 * Whether the active backend can run the kernel (it keeps tensors in a WebAssembly
 * memory this module can share: tfjs-backend-wasm, threaded or not); registers the
 * kernel for it, and the gradient, on first use.
 */
export function smallBatchMatMulAvailable(): boolean {
  if (!simdFor(tf.backend() as unknown as WasmBackendInternals)) return false;
  const backendName = tf.engine().backendName;
  if (!tf.getKernel(SMALL_BMM_KERNEL, backendName)) {
    tf.registerKernel({ kernelName: SMALL_BMM_KERNEL, backendName, kernelFunc: smallBmmKernel as unknown as tf.KernelFunc });
  }
  if (!gradientRegistered) {
    tf.registerGradient({
      kernelName: SMALL_BMM_KERNEL,
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved, attrs) => {
        const [a, b] = saved as [tf.Tensor, tf.Tensor];
        const g = dy as tf.Tensor;
        // C = op(A)·B with op(A) = A or Aᵀ per entry
        if ((attrs as unknown as SmallBmmAttrs).transposeA) return { a: () => runKernel(b, swap(g), false), b: () => runKernel(a, g, false) };
        return { a: () => runKernel(g, swap(b), false), b: () => runKernel(a, g, true) };
      },
    });
    gradientRegistered = true;
  }
  return true;
}

/**
 * Whether the SIMD kernel handles these operands: 3-D, same batch, float32, and m, k, n
 * multiples of 4 (each of them is the row length of one of the three products of
 * forward and backward).
 */
export function smallBatchMatMulFits(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): boolean {
  if (a.rank !== 3 || b.rank !== 3 || a.shape[0] !== b.shape[0] || a.dtype !== 'float32' || b.dtype !== 'float32') return false;
  const [m, k] = transposeA ? [a.shape[2]!, a.shape[1]!] : [a.shape[1]!, a.shape[2]!];
  const [k2, n] = transposeB ? [b.shape[2]!, b.shape[1]!] : [b.shape[1]!, b.shape[2]!];
  return k === k2 && m % 4 === 0 && k % 4 === 0 && n % 4 === 0 && a.size > 0 && b.size > 0;
}

/** [G,m,k]·[G,k,n] (optional transposes of the last two axes; 2-D operands are one entry) through the SIMD kernel; check smallBatchMatMulFits (or, 2-D, the same conditions) first. */
export function smallBatchMatMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  return runKernel(a, transposeB ? swap(b) : b, transposeA);
}

// ---- Σ over the leading axes (bias, LayerNorm scale/bias and broadcast gradients) ----

export const SUM_LEADING_KERNEL = 'MoecSumLeading';

function sumLeadingKernel({ inputs, attrs, backend }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const be = backend as WasmBackendInternals;
  const x = inputs.x as tf.TensorInfo;
  const shape = (attrs as unknown as { shape: number[] }).shape;
  const inner = shape.reduce((a, b) => a * b, 1);
  const fn = simdFor(be)?.colsum;
  if (!fn) throw new Error(`${SUM_LEADING_KERNEL}: wasm SIMD is not available`);
  const out = be.makeOutput(shape, 'float32');
  fn(offsetOf(be, x), offsetOf(be, out), tf.util.sizeFromShape(x.shape) / inner, 4 * inner);
  return out;
}

/**
 * Whether Σ of x over its leading axes down to `shape` (x = [L…, …shape]) can run as
 * the SIMD column sum: float32, the kept size a multiple of 4, a backend whose memory is
 * reachable. On wasm, tfjs reduces leading axes as a Transpose then a Sum (about 1 ms for
 * [1024,192], most of it the transpose); the column sum reads x once (~0.05 ms).
 */
export function sumLeadingFits(x: tf.Tensor, shape: readonly number[]): boolean {
  const inner = shape.reduce((a, b) => a * b, 1);
  if (x.dtype !== 'float32' || inner % 4 !== 0 || inner === 0 || x.size % inner !== 0) return false;
  if (!simdFor(tf.backend() as unknown as WasmBackendInternals)) return false;
  const backendName = tf.engine().backendName;
  if (!tf.getKernel(SUM_LEADING_KERNEL, backendName)) {
    tf.registerKernel({ kernelName: SUM_LEADING_KERNEL, backendName, kernelFunc: sumLeadingKernel as unknown as tf.KernelFunc });
  }
  return true;
}

/** Σ of x over its leading axes, giving `shape` (check sumLeadingFits first). No gradient (used inside gradients). */
export function simdSumLeading(x: tf.Tensor, shape: readonly number[]): tf.Tensor {
  return tf.engine().runKernel(SUM_LEADING_KERNEL, { x }, { shape: [...shape] } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

// ---- LayerNorm over the last axis, forward and backward ----

export const LAYER_NORM_KERNEL = 'MoecLayerNorm';
export const LAYER_NORM_GRAD_KERNEL = 'MoecLayerNormGrad';

function layerNormKernel({ inputs, attrs, backend }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo[] {
  const be = backend as WasmBackendInternals;
  const { x, scale, bias } = inputs as Record<string, tf.TensorInfo>;
  const d = x!.shape[x!.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(x!.shape) / d;
  const fn = simdFor(be)?.lnForward;
  if (!fn) throw new Error(`${LAYER_NORM_KERNEL}: wasm SIMD is not available`);
  const y = be.makeOutput([...x!.shape], 'float32');
  const xhat = be.makeOutput([...x!.shape], 'float32');
  const inv = be.makeOutput([rows], 'float32');
  fn(offsetOf(be, x!), offsetOf(be, scale!), offsetOf(be, bias!), offsetOf(be, y), offsetOf(be, xhat), offsetOf(be, inv), rows, 4 * d, (attrs as unknown as { epsilon: number }).epsilon, d);
  return [y, xhat, inv];
}

function layerNormGradKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo[] {
  const be = backend as WasmBackendInternals;
  const { dy, xhat, inv, scale } = inputs as Record<string, tf.TensorInfo>;
  const d = dy!.shape[dy!.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(dy!.shape) / d;
  const fn = simdFor(be)?.lnBackward;
  if (!fn) throw new Error(`${LAYER_NORM_GRAD_KERNEL}: wasm SIMD is not available`);
  const dx = be.makeOutput([...dy!.shape], 'float32');
  const dscale = be.makeOutput([d], 'float32');
  const dbias = be.makeOutput([d], 'float32');
  fn(offsetOf(be, dy!), offsetOf(be, xhat!), offsetOf(be, inv!), offsetOf(be, scale!), offsetOf(be, dx), offsetOf(be, dscale), offsetOf(be, dbias), rows, 4 * d, d);
  return [dx, dscale, dbias];
}

/**
 * Whether LayerNorm of x (last axis) with scale and bias [d] can run as the SIMD kernels:
 * float32, d a multiple of 4, a backend whose memory is reachable. One kernel forward and
 * one backward instead of about 9 and 11 elementwise kernels (each a JS → wasm call with
 * its own allocation).
 */
export function layerNormFits(x: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor): boolean {
  const d = x.shape[x.rank - 1];
  if (x.rank < 2 || d === undefined || d % 4 !== 0 || x.size === 0 || x.dtype !== 'float32') return false;
  if (scale.rank !== 1 || bias.rank !== 1 || scale.shape[0] !== d || bias.shape[0] !== d) return false;
  if (!simdFor(tf.backend() as unknown as WasmBackendInternals)) return false;
  const backendName = tf.engine().backendName;
  if (!tf.getKernel(LAYER_NORM_KERNEL, backendName)) {
    tf.registerKernel({ kernelName: LAYER_NORM_KERNEL, backendName, kernelFunc: layerNormKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: LAYER_NORM_GRAD_KERNEL, backendName, kernelFunc: layerNormGradKernel as unknown as tf.KernelFunc });
  }
  return true;
}

/** [y, x̂, inv] of LayerNorm (check layerNormFits first; no gradient: nn.ts wraps it in one). */
export function simdLayerNorm(x: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor, epsilon: number): tf.Tensor[] {
  return tf.engine().runKernel(LAYER_NORM_KERNEL, { x, scale, bias }, { epsilon } as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
}

/** [dx, dscale, dbias] of LayerNorm from dy and the forward's x̂ and inv. */
export function simdLayerNormGrad(dy: tf.Tensor, xhat: tf.Tensor, inv: tf.Tensor, scale: tf.Tensor): tf.Tensor[] {
  return tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { dy, xhat, inv, scale }, {}) as unknown as tf.Tensor[];
}
