// The elementwise chains of GELU (tanh form, elementwise.ts) as WebAssembly SIMD
// passes on the wasm backend: the sigmoid's argument u = x·((x·x)·a + b) in one pass
// (four tfjs kernels otherwise), and the whole gradient dy·(s + x·(s·(1 − s))·du),
// du = (x·x)·c + b, in one pass (nine kernels otherwise). The sigmoid itself stays
// tfjs's. Each lane does the same float32 operations in the same order as those tfjs
// kernels, so the results are bit-identical; the last n mod 4 elements are done in
// JavaScript with every operation rounded to float32.
import * as tf from '@tensorflow/tfjs';
import { F32, I32, next, offsetOf, op, simdOn, uleb, V128, vec, backendMemory, type SimdFunction, type WasmBackendInternals } from './wasm-simd.ts';

export const GELU_ARG_KERNEL = 'MoecGeluArg';
export const GELU_GRAD_KERNEL = 'MoecGeluGrad';

const block = [0x02, 0x40];
const i32Eqz = [0x45];

/** A loop over nBytes (a multiple of 16) in v128 steps, skipped when nBytes is 0. */
function overVectors(j: number, nBytes: number, body: number[]): number[] {
  return [...block, ...op.get(nBytes), ...i32Eqz, ...op.brIf(0), ...op.i32(0), ...op.set(j), ...op.loop, ...body, ...next(j, op.i32(16), nBytes), ...op.end, ...op.end];
}

/** geluArg(x, u, nBytes, a, b): u = x·((x·x)·a + b). */
function geluArgFunction(): SimdFunction {
  const [X, U, NB, A, B] = [0, 1, 2, 3, 4];
  const [j, va, vb, x] = [5, 6, 7, 8];
  const at = (base: number) => [...op.get(base), ...op.get(j), ...op.add];
  const body = [
    ...vec([[...uleb(1), I32], [...uleb(3), V128]]),
    ...op.get(A), ...op.f32x4Splat, ...op.set(va),
    ...op.get(B), ...op.f32x4Splat, ...op.set(vb),
    ...overVectors(j, NB, [
      ...at(X), ...op.v128Load, ...op.set(x),
      ...at(U),
      ...op.get(x), ...op.get(x), ...op.get(x), ...op.f32x4Mul, ...op.get(va), ...op.f32x4Mul, ...op.get(vb), ...op.f32x4Add, ...op.f32x4Mul,
      ...op.v128Store,
    ]),
    ...op.end,
  ];
  return { name: 'gelu_arg', params: [I32, I32, I32, F32, F32], body };
}

/** geluGrad(dy, x, s, dx, nBytes, c, b): dx = dy·(s + (x·(s·(1 − s)))·((x·x)·c + b)). */
function geluGradFunction(): SimdFunction {
  const [DY, X, S, DX, NB, C, B] = [0, 1, 2, 3, 4, 5, 6];
  const [j, vc, vb, one, x, s] = [7, 8, 9, 10, 11, 12];
  const at = (base: number) => [...op.get(base), ...op.get(j), ...op.add];
  const body = [
    ...vec([[...uleb(1), I32], [...uleb(5), V128]]),
    ...op.get(C), ...op.f32x4Splat, ...op.set(vc),
    ...op.get(B), ...op.f32x4Splat, ...op.set(vb),
    ...op.f32One, ...op.f32x4Splat, ...op.set(one),
    ...overVectors(j, NB, [
      ...at(X), ...op.v128Load, ...op.set(x),
      ...at(S), ...op.v128Load, ...op.set(s),
      ...at(DX),
      ...at(DY), ...op.v128Load,
      ...op.get(s),
      ...op.get(x), ...op.get(s), ...op.get(one), ...op.get(s), ...op.f32x4Sub, ...op.f32x4Mul, ...op.f32x4Mul, // x·(s·(1 − s))
      ...op.get(x), ...op.get(x), ...op.f32x4Mul, ...op.get(vc), ...op.f32x4Mul, ...op.get(vb), ...op.f32x4Add, // du
      ...op.f32x4Mul, ...op.f32x4Add, ...op.f32x4Mul,
      ...op.v128Store,
    ]),
    ...op.end,
  ];
  return { name: 'gelu_grad', params: [I32, I32, I32, I32, I32, F32, F32], body };
}

interface GeluFns {
  readonly arg: (x: number, u: number, nBytes: number, a: number, b: number) => void;
  readonly grad: (dy: number, x: number, s: number, dx: number, nBytes: number, c: number, b: number) => void;
}
const instances = new WeakMap<WebAssembly.Memory, GeluFns>();

function geluFor(backend: unknown): GeluFns | undefined {
  return simdOn(instances, backend, () => [geluArgFunction(), geluGradFunction()], (e) => ({ arg: e.gelu_arg as GeluFns['arg'], grad: e.gelu_grad as GeluFns['grad'] }));
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };
const f = Math.fround;

function geluArgKernel({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackendInternals;
  const x = inputs.x as tf.TensorInfo;
  const { a, b } = attrs as unknown as { a: number; b: number };
  const n = tf.util.sizeFromShape(x.shape);
  const u = be.makeOutput([...x.shape], 'float32');
  const n4 = n - (n % 4);
  geluFor(be)!.arg(offsetOf(be, x), offsetOf(be, u), 4 * n4, a, b);
  if (n4 < n) {
    const buffer = backendMemory(be)!.buffer;
    const [xv, uv] = [x, u].map((t) => new Float32Array(buffer, offsetOf(be, t), n)) as [Float32Array, Float32Array];
    const [fa, fb] = [f(a), f(b)];
    for (let i = n4; i < n; i++) uv[i] = f(xv[i]! * f(f(f(xv[i]! * xv[i]!) * fa) + fb));
  }
  return u;
}

function geluGradKernel({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackendInternals;
  const { dy, x, s } = inputs as Record<string, tf.TensorInfo>;
  const { c, b } = attrs as unknown as { c: number; b: number };
  const n = tf.util.sizeFromShape(x!.shape);
  const dx = be.makeOutput([...x!.shape], 'float32');
  const n4 = n - (n % 4);
  geluFor(be)!.grad(offsetOf(be, dy!), offsetOf(be, x!), offsetOf(be, s!), offsetOf(be, dx), 4 * n4, c, b);
  if (n4 < n) {
    const buffer = backendMemory(be)!.buffer;
    const [gv, xv, sv, dv] = [dy!, x!, s!, dx].map((t) => new Float32Array(buffer, offsetOf(be, t), n)) as Float32Array[];
    const [fc, fb] = [f(c), f(b)];
    for (let i = n4; i < n; i++) {
      const xi = xv![i]!;
      const si = sv![i]!;
      const du = f(f(f(xi * xi) * fc) + fb);
      dv![i] = f(gv![i]! * f(si + f(f(xi * f(si * f(1 - si))) * du)));
    }
  }
  return dx;
}

/** Whether the SIMD passes can run for x on the active backend (float32, on wasm); registers the kernels on first use. */
export function geluFits(x: tf.Tensor): boolean {
  if (x.dtype !== 'float32' || x.size === 0 || !geluFor(tf.backend())) return false;
  const backendName = tf.engine().backendName;
  if (!tf.getKernel(GELU_ARG_KERNEL, backendName)) {
    tf.registerKernel({ kernelName: GELU_ARG_KERNEL, backendName, kernelFunc: geluArgKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: GELU_GRAD_KERNEL, backendName, kernelFunc: geluGradKernel as unknown as tf.KernelFunc });
  }
  return true;
}

/** u = x·((x·x)·a + b) (check geluFits first; no gradient: elementwise.ts wraps GELU in one). */
export function simdGeluArg(x: tf.Tensor, a: number, b: number): tf.Tensor {
  return tf.engine().runKernel(GELU_ARG_KERNEL, { x }, { a, b } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** dy·(s + (x·(s·(1 − s)))·((x·x)·c + b)). */
export function simdGeluGrad(dy: tf.Tensor, x: tf.Tensor, s: tf.Tensor, c: number, b: number): tf.Tensor {
  return tf.engine().runKernel(GELU_GRAD_KERNEL, { dy, x, s }, { c, b } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
