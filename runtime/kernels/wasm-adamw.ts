// The AdamW update of the flat parameter vector (runtime/train/optimizer.ts) as one
// WebAssembly SIMD pass on the wasm backend. As tensor ops it is 13 elementwise
// kernels over the whole vector, each a JS → wasm call that allocates and writes a
// vector of its own: on the 16 M-parameter bench case (bench/torch/cifar_soft16.moe)
// about 300 ms of a 1.2 s step at 1 thread. This kernel reads g, m, v, p (and the decay
// mask) once and writes m', v', p' once.
//
// Bit-identical to the tensor ops: each lane does the same float32 operations in the
// same order (tfjs's scalars are float32, so are this function's parameters), and the
// last n mod 4 elements are done in JavaScript with every operation rounded to float32
// (Math.fround), which gives the same results for +, −, ×, ÷ and √.
import * as tf from '@tensorflow/tfjs';
import { F32, I32, next, offsetOf, op, simdOn, uleb, V128, vec, backendMemory, type SimdFunction, type WasmBackendInternals } from './wasm-simd.ts';

export const ADAMW_KERNEL = 'MoecAdamW';

/** The float32 constants of one update (the optimiser's scalars). */
export interface AdamWConstants {
  /** Gradient scale: clip / ‖g‖ when clipping, else 1. */
  readonly gradScale: number;
  readonly beta1: number;
  readonly beta2: number;
  /** Bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
  readonly correction1: number;
  readonly correction2: number;
  readonly epsilon: number;
  readonly lr: number;
}

const ext = {
  block: [0x02, 0x40],
  if: [0x04, 0x40],
  i32Eqz: [0x45],
  f32x4Div: [0xfd, ...uleb(0xe7)],
  f32x4Sqrt: [0xfd, ...uleb(0xe3)],
};

/**
 * adamw(g, m, v, p, mask, m', v', p', nBytes, hasMask, gs, β₁, 1−β₁, β₂, 1−β₂, c₁, c₂, ε, lr), per lane:
 *   g ← g·gs;  m' = m·β₁ + g·(1−β₁);  v' = v·β₂ + (g·g)·(1−β₂)
 *   u = (m'/c₁) / (√(v'/c₂) + ε) [+ p·mask];  p' = p − u·lr
 * over nBytes (a multiple of 16) of each vector.
 */
function adamwFunction(): SimdFunction {
  const [G, M, V, P, MASK, OM, OV, OP, NB, HAS_MASK] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const scalars = [10, 11, 12, 13, 14, 15, 16, 17, 18]; // gs, b1, omb1, b2, omb2, c1, c2, eps, lr
  const j = 19;
  const [vgs, vb1, vomb1, vb2, vomb2, vc1, vc2, veps, vlr, g, m1, v1, u, p] = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33];
  const at = (base: number) => [...op.get(base), ...op.get(j), ...op.add];
  const body = [
    ...vec([[...uleb(1), I32], [...uleb(14), V128]]),
    ...scalars.flatMap((s, i) => [...op.get(s), ...op.f32x4Splat, ...op.set(vgs + i)]),
    ...ext.block,
    ...op.get(NB), ...ext.i32Eqz, ...op.brIf(0),
    ...op.i32(0), ...op.set(j),
    ...op.loop,
    ...at(G), ...op.v128Load, ...op.get(vgs), ...op.f32x4Mul, ...op.set(g),
    ...at(OM),
    ...at(M), ...op.v128Load, ...op.get(vb1), ...op.f32x4Mul, ...op.get(g), ...op.get(vomb1), ...op.f32x4Mul, ...op.f32x4Add,
    ...op.tee(m1), ...op.v128Store,
    ...at(OV),
    ...at(V), ...op.v128Load, ...op.get(vb2), ...op.f32x4Mul, ...op.get(g), ...op.get(g), ...op.f32x4Mul, ...op.get(vomb2), ...op.f32x4Mul, ...op.f32x4Add,
    ...op.tee(v1), ...op.v128Store,
    ...op.get(m1), ...op.get(vc1), ...ext.f32x4Div,
    ...op.get(v1), ...op.get(vc2), ...ext.f32x4Div, ...ext.f32x4Sqrt, ...op.get(veps), ...op.f32x4Add,
    ...ext.f32x4Div, ...op.set(u),
    ...at(P), ...op.v128Load, ...op.set(p),
    ...op.get(HAS_MASK), ...ext.if,
    ...op.get(u), ...op.get(p), ...at(MASK), ...op.v128Load, ...op.f32x4Mul, ...op.f32x4Add, ...op.set(u),
    ...op.end,
    ...at(OP), ...op.get(p), ...op.get(u), ...op.get(vlr), ...op.f32x4Mul, ...op.f32x4Sub, ...op.v128Store,
    ...next(j, op.i32(16), NB),
    ...op.end,
    ...op.end,
    ...op.end,
  ];
  return { name: 'adamw', params: [...new Array<number>(10).fill(I32), ...new Array<number>(9).fill(F32)], body };
}

type AdamWFn = (...args: number[]) => void;
const instances = new WeakMap<WebAssembly.Memory, AdamWFn>();

function adamwFor(backend: unknown): AdamWFn | undefined {
  return simdOn(instances, backend, () => [adamwFunction()], (e) => e.adamw as AdamWFn);
}

/** The last elements (n mod 4) in JavaScript, every operation rounded to float32 as the SIMD lanes do. */
function adamwTail(views: Record<'g' | 'm' | 'v' | 'p' | 'om' | 'ov' | 'op', Float32Array>, mask: Float32Array | undefined, from: number, c: AdamWConstants): void {
  const f = Math.fround;
  const [gs, b1, omb1, b2, omb2, c1, c2, eps, lr] = [c.gradScale, c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.correction1, c.correction2, c.epsilon, c.lr].map(f) as number[];
  for (let i = from; i < views.g.length; i++) {
    const g = f(views.g[i]! * gs!);
    const m1 = f(f(views.m[i]! * b1!) + f(g * omb1!));
    const v1 = f(f(views.v[i]! * b2!) + f(f(g * g) * omb2!));
    let u = f(f(m1 / c1!) / f(f(Math.sqrt(f(v1 / c2!))) + eps!));
    const p = views.p[i]!;
    if (mask) u = f(u + f(p * mask[i]!));
    views.om[i] = m1;
    views.ov[i] = v1;
    views.op[i] = f(p - f(u * lr!));
  }
}

function adamwKernel({ inputs, attrs, backend }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo[] {
  const be = backend as WasmBackendInternals;
  const { g, m, v, p, mask } = inputs as Record<string, tf.TensorInfo | undefined>;
  const c = attrs as unknown as AdamWConstants;
  const fn = adamwFor(be);
  if (!fn || !g || !m || !v || !p) throw new Error(`${ADAMW_KERNEL}: wasm SIMD is not available`);
  const n = g.shape[0]!;
  const outs = [be.makeOutput([n], 'float32'), be.makeOutput([n], 'float32'), be.makeOutput([n], 'float32')] as const;
  const [om, ov, op_] = outs;
  const n4 = n - (n % 4);
  const off = (t: tf.TensorInfo) => offsetOf(be, t);
  fn(off(g), off(m), off(v), off(p), mask ? off(mask) : 0, off(om), off(ov), off(op_), 4 * n4, mask ? 1 : 0, c.gradScale, c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.correction1, c.correction2, c.epsilon, c.lr);
  if (n4 < n) {
    // views only now: makeOutput may have grown the memory
    const buffer = backendMemory(be)!.buffer;
    const view = (t: tf.TensorInfo) => new Float32Array(buffer, off(t), n);
    adamwTail({ g: view(g), m: view(m), v: view(v), p: view(p), om: view(om), ov: view(ov), op: view(op_) }, mask ? view(mask) : undefined, n4, c);
  }
  return [...outs];
}

/** Whether the fused update can run on the active backend for these flat float32 vectors (registers the kernel on first use). */
export function adamwFits(vectors: readonly tf.Tensor[]): boolean {
  const n = vectors[0]?.size;
  if (n === undefined || vectors.some((t) => t.rank !== 1 || t.size !== n || t.dtype !== 'float32')) return false;
  if (!adamwFor(tf.backend())) return false;
  const backendName = tf.engine().backendName;
  if (!tf.getKernel(ADAMW_KERNEL, backendName)) tf.registerKernel({ kernelName: ADAMW_KERNEL, backendName, kernelFunc: adamwKernel as unknown as tf.KernelFunc });
  return true;
}

/** [m', v', p'] of one AdamW update of the flat vectors (check adamwFits first). No gradient. */
export function simdAdamW(g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, p: tf.Tensor, mask: tf.Tensor | undefined, constants: AdamWConstants): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const inputs: tf.NamedTensorMap = mask ? { g, m, v, p, mask } : { g, m, v, p };
  return tf.engine().runKernel(ADAMW_KERNEL, inputs, { ...constants } as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}
