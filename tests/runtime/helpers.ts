// Shared helpers for the runtime tests.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { AttrValue, OpKind, OpNode } from '../../compiler/graph/ir.ts';
import { activeProfile, kernelsFor } from '../../runtime/backends/index.ts';
import type { KernelContext } from '../../runtime/kernels/types.ts';
import { deriveSeed } from '../../runtime/executor/random.ts';
import { selectBackend } from '../../runtime/backend.ts';

export const BACKENDS = ['cpu', 'wasm'] as const;

export async function useBackend(name: (typeof BACKENDS)[number]): Promise<void> {
  await selectBackend(name);
}

export interface KernelCall {
  readonly outputShape?: readonly number[];
  readonly training?: boolean;
  readonly step?: number;
  readonly seed?: number;
  readonly batch?: number;
}

/** Runs one kernel as the executor would (active profile, gradient class applied), with a hand-made context. */
export function runKernel(op: OpKind, inputs: tf.Tensor[], attrs: Record<string, AttrValue> = {}, call: KernelCall = {}): tf.Tensor {
  const node: OpNode = { id: `test/${op}`, op, inputs: inputs.map((_, i) => `in${i}`), attrs, shape: [...(call.outputShape ?? [])], dtype: 'float32', scope: 'test', flops: 0 };
  const batch = call.batch ?? 1;
  const seed = call.seed ?? 0;
  const step = call.step ?? 0;
  const ctx: KernelContext = {
    training: call.training ?? false,
    step,
    seed,
    batch,
    node,
    outputShape: call.outputShape ?? [],
    concrete: (shape) => shape.map((d) => (typeof d === 'number' ? d : batch)),
    randomSeed: (stream) => deriveSeed(seed, 'stream', stream, step),
  };
  // As the executor binds it: the active backend's kernel, with its op's gradient class applied.
  const kernel = kernelsFor(activeProfile()).get(op);
  if (!kernel) throw new Error(`no kernel for ${op}`);
  return kernel(inputs, attrs, ctx);
}

/** Elementwise closeness with an absolute tolerance; shapes must agree. */
export function expectClose(actual: tf.Tensor, expected: number[] | number[][] | number[][][] | number, tol = 1e-5): void {
  const want = tf.tensor(expected as number[]);
  expect(actual.shape).toEqual(want.shape);
  const a = actual.dataSync();
  const w = want.dataSync();
  want.dispose();
  for (let i = 0; i < w.length; i++) {
    if (!(Math.abs(a[i] - w[i]) <= tol)) {
      throw new Error(`element ${i}: got ${a[i]}, expected ${w[i]} (tolerance ${tol}); all: [${Array.from(a)}]`);
    }
  }
}

/** Gradient of sum(weights ⊙ f(x)) with respect to each input (weights fixed, so every output matters). */
export function gradsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): tf.Tensor[] {
  return tf.grads((...args: tf.Tensor[]) => {
    const y = f(...args);
    const w = tf.range(1, y.size + 1).reshape(y.shape);
    return tf.sum(tf.mul(y, w));
  })(xs);
}
